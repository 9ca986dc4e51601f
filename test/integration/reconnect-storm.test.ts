/**
 * 500 live clients reconnect at the same moment: every one gets a fresh snapshot and carries on;
 * and a client that stops reading its socket does not hold up deltas to the others.
 */
import type { Socket as NetSocket } from 'node:net';
import { io as connect } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../server/auth/records.ts';
import { systemClock } from '../../server/clock.ts';
import { startFloorboard, type Floorboard } from '../../server/floorboard.ts';
import { createLogger } from '../../server/log.ts';
import { LiveFeed, type FeedSocket } from '../../server/realtime/client.ts';
import { testConfig } from '../support/harness.ts';
import { waitUntil } from '../support/kafka.ts';
import { freePort, uniqueName } from '../support/services.ts';

const CLIENTS = 500;
let fb: Floorboard | null = null;
const feeds: LiveFeed[] = [];
afterAll(async () => {
  for (const f of feeds) f.close();
  await fb?.stop();
});

/** The TCP socket under a connected socket.io-client websocket (to stop reading from it). */
function tcpOf(socket: FeedSocket): NetSocket | null {
  const transport = (socket.io as unknown as { engine?: { transport?: { ws?: { _socket?: NetSocket } } } })
    .engine?.transport;
  return transport?.ws?._socket ?? null;
}

describe('reconnect storm', () => {
  it('re-syncs 500 clients reconnecting at once, and a stalled client does not delay the others', async () => {
    const base = testConfig();
    // The embedded default with the simulator at 60x: the floor changes every flush.
    fb = await startFloorboard({
      config: {
        ...base,
        port: 0,
        logLevel: 'silent',
        redis: { url: null, keyPrefix: `${uniqueName('storm')}:` },
        kafka: { ...base.kafka, brokers: [] },
        simulator: { ...base.simulator, enabled: true, speed: 60, backfillMinutes: 30 },
      },
      clock: systemClock,
      log: createLogger('silent'),
      localRedisUrl: `redis://127.0.0.1:${await freePort()}`,
      serveWeb: false,
    });
    const app = fb;
    const token = (await app.access.tokens.create({ role: 'wallboard' }, SYSTEM_ACTOR)).token;
    const sockets: FeedSocket[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const s: FeedSocket = connect(app.url, {
        auth: { token },
        transports: ['websocket'],
        reconnection: false,
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
    expect(app.realtime.stats().sockets).toBe(CLIENTS);

    // One client stops reading; the others keep receiving deltas on time.
    const slow = sockets[0];
    const tcp = slow ? tcpOf(slow) : null;
    expect(tcp).not.toBeNull();
    tcp?.pause();
    const start = feeds.map((f) => f.counts.deltas + f.counts.heartbeats);
    await new Promise((r) => setTimeout(r, 3000));
    const others = feeds.slice(1);
    // ~1 update per second at least (heartbeats) while the stalled one gets nothing.
    expect(others.every((f, i) => f.counts.deltas + f.counts.heartbeats - (start[i + 1] ?? 0) >= 2)).toBe(
      true,
    );
    expect(others.every((f) => !f.stale(Date.now()))).toBe(true);
    tcp?.resume();
    await waitUntil('the stalled client to catch up', async () => !feeds[0]?.stale(Date.now()), 20_000);
  });
});
