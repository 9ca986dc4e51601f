/**
 * The live feed client (server/realtime/client.ts) recovers on its own from refusals Socket.IO does not
 * retry: a handshake refused as `unavailable` (the credential lookup failed), a subscribe answered
 * `unavailable` (the live state could not be read) and a socket the server disconnected. A refusal as
 * `unauthorized` is final. Real Socket.IO server and client; the hub with a hand-made floor.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../server/clock.ts';
import type { LiveSnapshot } from '../../server/contract/api.ts';
import type { Principal } from '../../server/contract/auth.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/contract/realtime.ts';
import { createLogger } from '../../server/log.ts';
import { LiveFeed, type FeedSocket, type LiveFeedStatus } from '../../server/realtime/client.ts';
import { createRealtimeHub, type RealtimeHub } from '../../server/realtime/hub.ts';
import { waitUntil } from '../support/kafka.ts';

const log = createLogger('silent');
const TV: Principal = { kind: 'token', name: 'tv', role: 'wallboard', teams: [] };
const RETRY = { minMs: 100, maxMs: 400 };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

function floor(): LiveSnapshot {
  const sat = {
    count: 0,
    mean: { speed: null, resolution: null, professionalism: null, recommend: null },
    overall: null,
    lowCount: 0,
  };
  return {
    serverTime: Date.now(),
    timezone: 'Europe/Berlin',
    shift: null,
    queues: [],
    agents: [],
    tickets: { open: 3, overdueCount: 0, atRiskCount: 0, overdue: [], atRisk: [], byTeam: [] },
    satisfaction: { rolling60m: sat, shift: sat, trend: [] },
  };
}

interface Faults {
  /** Handshakes still to fail with an error (the hub answers `unavailable`). */
  authFailures: number;
  /** Reads of the live state still to fail. */
  readFailures: number;
  /** Refuse every handshake as `unauthorized`. */
  refuse: boolean;
  handshakes: number;
}

async function startHub(faults: Faults): Promise<{ hub: RealtimeHub; url: string }> {
  const server = createServer();
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(server, { serveClient: false });
  const hub = await createRealtimeHub({
    io,
    readLive: async () => {
      if (faults.readFailures > 0) {
        faults.readFailures--;
        throw new Error('Redis is down');
      }
      return floor();
    },
    clock: systemClock,
    log,
    queueTeams: {},
    authenticate: async () => {
      faults.handshakes++;
      if (faults.authFailures > 0) {
        faults.authFailures--;
        throw new Error('cannot look up the token: Redis is down');
      }
      if (faults.refuse) return null;
      return { principal: TV, rooms: ['access:token:tv'], recheck: async () => TV };
    },
    commands: {
      reassign: async () => ({ results: [] }),
      acknowledge: async () => undefined,
    },
    flushMs: 100,
  });
  cleanups.push(() => hub.stop());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { hub, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A feed on a socket configured as the web app's (Socket.IO's own reconnection on). */
function feedOn(url: string): { feed: LiveFeed; statuses: LiveFeedStatus[] } {
  const socket: FeedSocket = connect(url, {
    auth: { token: 'tv' },
    transports: ['websocket'],
    forceNew: true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 400,
  });
  const feed = new LiveFeed(socket, { retry: RETRY });
  const statuses: LiveFeedStatus[] = [];
  feed.listenStatus((s) => statuses.push(s));
  cleanups.push(async () => {
    feed.close();
    socket.disconnect();
  });
  return { feed, statuses };
}

describe('live feed recovery', () => {
  it('connects again after handshakes refused as unavailable, and gets a snapshot', async () => {
    const faults: Faults = { authFailures: 3, readFailures: 0, refuse: false, handshakes: 0 };
    const { url } = await startHub(faults);
    const { feed, statuses } = feedOn(url);
    await waitUntil('the feed live', async () => feed.status === 'live', 10_000);
    expect(faults.handshakes).toBe(4);
    expect(statuses).toContain('disconnected');
    expect(feed.snapshot?.tickets.open).toBe(3);
  });

  it('asks again when a subscribe is answered unavailable', async () => {
    const faults: Faults = { authFailures: 0, readFailures: 2, refuse: false, handshakes: 0 };
    const { url } = await startHub(faults);
    const { feed } = feedOn(url);
    await waitUntil('the feed live', async () => feed.status === 'live', 10_000);
    expect(faults.readFailures).toBe(0);
    expect(feed.counts.snapshots).toBe(1);
    expect(faults.handshakes).toBe(1);
  });

  it('reconnects and re-syncs after the server disconnected the socket', async () => {
    const faults: Faults = { authFailures: 0, readFailures: 0, refuse: false, handshakes: 0 };
    const { hub, url } = await startHub(faults);
    const { feed, statuses } = feedOn(url);
    await waitUntil('the feed live', async () => feed.status === 'live', 10_000);
    statuses.length = 0;
    hub.cutAccess('access:token:tv');
    await waitUntil('a second snapshot', async () => feed.counts.snapshots === 2, 10_000);
    expect(statuses).toEqual(['disconnected', 'resyncing', 'live']);
    expect(feed.status).toBe('live');
    expect(faults.handshakes).toBe(2);
  });

  it('stays refused, without retrying, when the handshake is unauthorized', async () => {
    const faults: Faults = { authFailures: 0, readFailures: 0, refuse: true, handshakes: 0 };
    const { url } = await startHub(faults);
    const { feed } = feedOn(url);
    await waitUntil('refused', async () => feed.status === 'unauthorized', 10_000);
    await new Promise((r) => setTimeout(r, 1000)); // more than two retry periods
    expect(faults.handshakes).toBe(1);
    expect(feed.status).toBe('unauthorized');
  });
});
