/**
 * Two floorboard instances on one Redis (Socket.IO's Redis adapter between them) and the broker, 500
 * live clients split between them: all reconnect at the same moment and every one gets a fresh
 * snapshot; then one client stops reading its socket while megabytes pile up for it on the server,
 * and the other clients' deltas still arrive within a few hundred milliseconds of being sent.
 */
import { readFileSync } from 'node:fs';
import type { Socket as NetSocket } from 'node:net';
import { io as connect } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config/schema.ts';
import { SYSTEM_ACTOR } from '../../server/auth/records.ts';
import { systemClock } from '../../server/clock.ts';
import type { AgentStateEvent, CcEvent } from '../../server/contract/events.ts';
import { startFloorboard, type Floorboard } from '../../server/floorboard.ts';
import { createLogger } from '../../server/log.ts';
import { LiveFeed, type FeedSocket } from '../../server/realtime/client.ts';
import { publishEvents } from '../../server/runtime.ts';
import { createKafkaPublisher } from '../../streams/kafka.ts';
import type { Publisher } from '../../streams/types.ts';
import { ev } from '../support/events.ts';
import { isolatedConfig, produceEvents, simulatedEvents, waitUntil } from '../support/kafka.ts';

const CLIENTS = 500;
/** Agents on the floor: a snapshot of them all is tens of kilobytes. */
const AGENTS = 200;
/** Server-side bytes queued for the stalled client that prove it is really stalled. */
const BACKLOG_BYTES = 1_000_000;

const instances: Floorboard[] = [];
const feeds: LiveFeed[] = [];
let publisher: Publisher | null = null;
let ticker: NodeJS.Timeout | null = null;
afterAll(async () => {
  if (ticker) clearInterval(ticker);
  for (const f of feeds) f.close();
  for (const fb of instances) await fb.stop();
  await publisher?.close();
});

/** The TCP socket under a connected socket.io-client websocket (to stop reading from it). */
function tcpOf(socket: FeedSocket): NetSocket | null {
  const transport = (socket.io as unknown as { engine?: { transport?: { ws?: { _socket?: NetSocket } } } })
    .engine?.transport;
  return transport?.ws?._socket ?? null;
}

/**
 * Bytes waiting in the kernel for the loopback connection from `localPort` to `remotePort`, as
 * /proc/net/tcp{,6} show them: `tx` not yet taken by the peer, `rx` received but not read.
 */
function queued(localPort: number, remotePort: number): { tx: number; rx: number } {
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      const [local, remote, , queues] = [f[1], f[2], f[3], f[4]];
      if (!local || !remote || !queues) continue;
      const port = (a: string) => parseInt(a.slice(a.lastIndexOf(':') + 1), 16);
      if (port(local) !== localPort || port(remote) !== remotePort) continue;
      const [tx = '0', rx = '0'] = queues.split(':');
      return { tx: parseInt(tx, 16), rx: parseInt(rx, 16) };
    }
  }
  throw new Error(`no TCP connection ${localPort} → ${remotePort}`);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Agents changing state all the time, so every flush has a delta for every client. */
function floorChanges(count: number): AgentStateEvent[] {
  const states = ['available', 'on_call', 'wrap_up', 'break'] as const;
  const ts = new Date().toISOString();
  return Array.from({ length: count }, () => {
    const n = Math.floor(Math.random() * AGENTS);
    return ev.agent({
      agentId: `storm-${n}`,
      name: `Agent Storm ${n}`,
      team: 'sales',
      state: states[Math.floor(Math.random() * states.length)] ?? 'available',
      ts,
    });
  });
}

describe('reconnect storm', () => {
  it('re-syncs 500 clients reconnecting at once, and a stalled client does not delay the others', async () => {
    const config: Config = isolatedConfig('storm');
    const start: CcEvent[] = [...simulatedEvents(config, 2, 3), ...floorChanges(AGENTS * 3)];
    await produceEvents(config, start);
    for (let i = 0; i < 2; i++) {
      instances.push(
        await startFloorboard({ config, clock: systemClock, log: createLogger('silent'), serveWeb: false }),
      );
    }
    const [a, b] = instances;
    if (!a || !b) throw new Error('two instances expected');
    await waitUntil(
      'the backlog applied',
      async () => (await a.runtime.health()).eventsProcessed === start.length,
    );
    expect((await a.runtime.health()).store.kind).toBe('redis');

    // The floor keeps changing: a few agents every 200 ms.
    const pub = await createKafkaPublisher({ brokers: config.kafka.brokers, clientId: 'storm-ticker' });
    publisher = pub;
    ticker = setInterval(
      () => void publishEvents(pub, config.kafka.topics, floorChanges(5)).catch(() => undefined),
      200,
    );

    const token = (await a.access.tokens.create({ role: 'wallboard' }, SYSTEM_ACTOR)).token;
    const sockets: FeedSocket[] = [];
    /** Delivery delays (receipt − the delta's serverTime) of every client but the first, while `recording`. */
    const delays: number[] = [];
    const received = new Array<number>(CLIENTS).fill(0);
    let recording = false;
    for (let i = 0; i < CLIENTS; i++) {
      const s: FeedSocket = connect((i % 2 === 0 ? a : b).url, {
        auth: { token },
        transports: ['websocket'],
        reconnection: false,
      });
      s.on('delta', (d) => {
        if (!recording || i === 0) return;
        delays.push(Date.now() - d.serverTime);
        received[i] = (received[i] ?? 0) + 1;
      });
      sockets.push(s);
      feeds.push(new LiveFeed(s));
    }
    await waitUntil(
      'every client to have a snapshot',
      async () => feeds.every((f) => f.snapshot !== null),
      60_000,
    );

    // Everyone drops and comes back at once.
    const before = feeds.map((f) => f.counts.snapshots);
    for (const s of sockets) s.disconnect();
    for (const s of sockets) s.connect();
    await waitUntil(
      'every client re-synced with a fresh snapshot',
      async () => feeds.every((f, i) => f.counts.snapshots > (before[i] ?? 0) && !f.stale(Date.now())),
      60_000,
    );
    expect(a.realtime.stats().sockets + b.realtime.stats().sockets).toBe(CLIENTS);
    expect(a.realtime.stats().sockets).toBeGreaterThan(0);
    expect(b.realtime.stats().sockets).toBeGreaterThan(0);

    // How fast the others get their deltas normally, for comparison.
    recording = true;
    await new Promise((r) => setTimeout(r, 3000));
    recording = false;
    const baseline = { p50: percentile(delays, 50), p99: percentile(delays, 99), n: delays.length };
    delays.length = 0;
    received.fill(0);

    // One client stops reading and keeps asking for snapshots (a TV on a failing link that re-syncs
    // again and again): megabytes pile up for it on the server, which must not hold up the others.
    const slow = sockets[0];
    const tcp = slow ? tcpOf(slow) : null;
    if (!slow || !tcp?.localPort) throw new Error('no TCP socket under the first client');
    const serverPort = a.port;
    tcp.pause();
    recording = true;
    const stalledAt = Date.now();
    let backlog = 0;
    const spam = setInterval(() => slow.emit('resync', () => undefined), 50);
    try {
      while (Date.now() - stalledAt < 20_000 && backlog < BACKLOG_BYTES) {
        await new Promise((r) => setTimeout(r, 250));
        backlog = queued(serverPort, tcp.localPort).tx;
      }
      // Stay stalled a while with the server's buffer for it full.
      await new Promise((r) => setTimeout(r, 4000));
      backlog = Math.max(backlog, queued(serverPort, tcp.localPort).tx);
    } finally {
      clearInterval(spam);
      recording = false;
    }
    const stalledMs = Date.now() - stalledAt;
    const unread = queued(tcp.localPort, serverPort).rx;
    const during = { p50: percentile(delays, 50), p99: percentile(delays, 99), n: delays.length };
    console.log(
      `[reconnect-storm] stalled ${stalledMs} ms with ${backlog} bytes queued on the server and ${unread} unread; ` +
        `others' delta delay ms before ${JSON.stringify(baseline)}, during ${JSON.stringify(during)}`,
    );
    expect(backlog, 'bytes queued on the server for the stalled client').toBeGreaterThanOrEqual(
      BACKLOG_BYTES,
    );
    // Every other client kept getting updates (deltas each flush, or heartbeats at least every second)…
    const fewest = Math.min(...received.slice(1));
    expect(fewest).toBeGreaterThanOrEqual(Math.floor(stalledMs / 1000) - 1);
    // …each within a few hundred milliseconds of being sent, as before the stall.
    expect(during.p50).toBeLessThanOrEqual(Math.max(250, 2 * baseline.p50));
    expect(during.p99).toBeLessThanOrEqual(Math.max(1000, 2 * baseline.p99));
    expect(feeds.slice(1).every((f) => !f.stale(Date.now()))).toBe(true);

    tcp.resume();
    await waitUntil('the stalled client to catch up', async () => !feeds[0]?.stale(Date.now()), 30_000);
  }, 180_000);
});
