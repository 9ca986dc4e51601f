/**
 * A client that stops reading its socket: the hub stops queueing deltas for it once its output has
 * waited too long (the memory it costs stops growing) and refuses its resyncs meanwhile, while another
 * client keeps getting every delta; when it reads again it re-syncs with one fresh snapshot and ends
 * equal to the others.
 */
import { createServer } from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../server/clock.ts';
import type { LiveAgent, LiveSnapshot } from '../../server/contract/api.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/contract/realtime.ts';
import { createLogger } from '../../server/log.ts';
import { waitingBytes } from '../../server/realtime/backpressure.ts';
import { LiveFeed, isErrorAck, type FeedSocket } from '../../server/realtime/client.ts';
import { createRealtimeHub } from '../../server/realtime/hub.ts';
import { testConfig } from '../support/harness.ts';
import { waitUntil } from '../support/kafka.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Agents on the floor: every delta carries all of them (hundreds of kilobytes). */
const AGENTS = 3000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A floor whose every agent changes state at each read. */
function churningFloor() {
  let tick = 0;
  const sat = {
    count: 0,
    mean: { speed: null, resolution: null, professionalism: null, recommend: null },
    overall: null,
    lowCount: 0,
  };
  const agent = (i: number): LiveAgent => ({
    agentId: `agent-${i}`,
    name: `Agent number ${i} with a name long enough to weigh something`,
    team: 'sales',
    state: tick % 2 === 0 ? 'available' : 'break',
    since: tick,
    reason: null,
    activeCallId: null,
    openTickets: { high: 0, medium: tick % 5, low: 0 },
    overdueTickets: 0,
    handled: tick,
    talkSeconds: tick * 7,
    wrapSeconds: tick * 3,
  });
  return async (): Promise<LiveSnapshot> => {
    tick++;
    return {
      serverTime: Date.now(),
      timezone: 'Europe/Berlin',
      shift: null,
      queues: [],
      agents: Array.from({ length: AGENTS }, (_, i) => agent(i)),
      tickets: { open: 0, overdueCount: 0, atRiskCount: 0, overdue: [], atRisk: [], byTeam: [] },
      satisfaction: { rolling60m: sat, shift: sat, trend: [] },
    };
  };
}

/** The TCP socket under a connected socket.io-client websocket (to stop reading from it). */
function tcpOf(socket: FeedSocket): NetSocket {
  const transport = (socket.io as unknown as { engine?: { transport?: { ws?: { _socket?: NetSocket } } } })
    .engine?.transport;
  const tcp = transport?.ws?._socket;
  if (!tcp) throw new Error('no TCP socket under the client');
  return tcp;
}

describe('a slow client', () => {
  it('gets no more deltas queued once behind, does not hold up the others, and re-syncs when it reads again', async () => {
    const server = createServer();
    const io = new Server<ClientToServerEvents, ServerToClientEvents>(server, { serveClient: false });
    const principal = { kind: 'token' as const, name: 'tv', role: 'wallboard' as const, teams: [] };
    const hub = await createRealtimeHub({
      io,
      readLive: churningFloor(),
      clock: systemClock,
      log: createLogger('silent'),
      queueTeams: testConfig().queueTeams,
      authenticate: async () => ({ principal, rooms: [], recheck: async () => principal }),
      commands: {
        reassign: async () => ({ results: [] }),
        acknowledge: async () => undefined,
      },
      flushMs: 100,
      slowClients: { maxWaitMs: 1000 },
    });
    cleanups.push(() => hub.stop());
    // Every flush reads the floor anew: a delta for every client each time.
    const dirty = setInterval(() => hub.markDirty(), 50);
    cleanups.push(() => clearInterval(dirty));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const feed = () => {
      const socket: FeedSocket = connect(url, {
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      const f = new LiveFeed(socket, { retry: { minMs: 200, maxMs: 500 } });
      cleanups.push(() => {
        f.close();
        socket.disconnect();
      });
      return { socket, feed: f };
    };
    const fast = feed();
    const slow = feed();
    await waitUntil('both live', async () => fast.feed.status === 'live' && slow.feed.status === 'live');
    const serverSide = () => [...io.of('/').sockets.values()].find((s) => s.id === slow.socket.id);

    // The slow client stops reading; what the server writes piles up until it counts as behind.
    const tcp = tcpOf(slow.socket);
    tcp.pause();
    await waitUntil('the slow client behind', async () => hub.stats().slowClients.behind === 1, 30_000);
    expect(hub.stats().slowClients).toEqual({ behind: 1, fellBehind: 1 });

    // Behind, nothing more is queued for it, while the other client keeps getting every delta.
    const fastDeltas = fast.feed.counts.deltas;
    const waiting = waitingBytes(serverSide() ?? { conn: {} as never }) ?? 0;
    expect(waiting).toBeGreaterThan(0);
    // Its resync is refused with a small answer instead of a snapshot piled behind the rest.
    let refused: unknown = null;
    slow.socket.emit('resync', (res) => (refused = res));
    await sleep(1500);
    // At most the refused resync's ack joined the queue: a few dozen bytes, no delta, no snapshot.
    const later = waitingBytes(serverSide() ?? { conn: {} as never }) ?? 0;
    expect(later - waiting).toBeLessThan(1024);
    expect(fast.feed.counts.deltas - fastDeltas).toBeGreaterThanOrEqual(8);
    expect(fast.feed.stale()).toBe(false);
    expect(hub.stats().slowClients.behind).toBe(1);

    // Reading again, it gets what waited, then re-syncs with a fresh snapshot and is live again.
    const resyncs = slow.feed.counts.resyncs;
    tcp.resume();
    await waitUntil('the refused resync answered', async () => refused !== null, 10_000);
    expect(isErrorAck(refused) && refused.error).toBe('unavailable');
    await waitUntil('the slow client caught up', async () => hub.stats().slowClients.behind === 0, 10_000);
    await waitUntil(
      'the slow client re-synced',
      async () => slow.feed.counts.resyncs > resyncs && slow.feed.status === 'live',
      10_000,
    );
    clearInterval(dirty);
    await waitUntil(
      'both clients equal',
      async () => JSON.stringify(slow.feed.snapshot?.agents) === JSON.stringify(fast.feed.snapshot?.agents),
      10_000,
    );
  }, 90_000);
});
