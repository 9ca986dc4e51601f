/**
 * The Kafka broker goes silent for 30 s in the middle of ingestion (frozen with SIGSTOP, batches and
 * offset commits in flight): health reports it, live clients go stale (no heartbeats while nothing can
 * be ingested), and afterwards ingestion resumes without losing or doubling anything.
 *
 * "Stopped" means frozen here: the broker is librdkafka's in-memory mock cluster, which loses its data
 * when killed, so a real stop and restart would lose the topics themselves.
 */
import { io as connect } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../server/auth/records.ts';
import { systemClock } from '../../server/clock.ts';
import { startFloorboard, type Floorboard } from '../../server/floorboard.ts';
import { createLogger } from '../../server/log.ts';
import { LiveFeed, type FeedSocket } from '../../server/realtime/client.ts';
import { createRedisStore } from '../../server/store/redis-store.ts';
import type { LiveStore } from '../../server/store/store.ts';
import { escalationsRaised, sweepAt } from '../support/escalations.ts';
import { isolatedConfig, produceEvents, simulatedEvents, waitUntil } from '../support/kafka.ts';
import { normalize, observeAll } from '../support/observe.ts';
import { escalationProblems, reference } from '../support/reference.ts';
import { startMockBroker, type MockBrokerHandle } from '../support/services.ts';

const OUTAGE_MS = 30_000;

let broker: MockBrokerHandle | null = null;
let fb: Floorboard | null = null;
let feed: LiveFeed | null = null;
let store: LiveStore | null = null;
afterAll(async () => {
  broker?.resume();
  feed?.close();
  await fb?.stop();
  await store?.close();
  await broker?.stop();
});

describe('broker outage', () => {
  it('reports the outage mid-ingest, shows clients stale, and recovers without loss', async () => {
    broker = await startMockBroker();
    const b = broker;
    const base = isolatedConfig('outage-broker');
    const config = { ...base, port: 0, kafka: { ...base.kafka, brokers: [b.brokers] } };
    const events = simulatedEvents(config, 24, 71);
    const half = Math.floor(events.length / 2);
    await produceEvents(config, events);
    fb = await startFloorboard({
      config,
      clock: systemClock,
      log: createLogger('silent'),
      serveWeb: false,
    });
    const app = fb;
    const token = (await app.access.tokens.create({ role: 'wallboard' }, SYSTEM_ACTOR)).token;
    const socket: FeedSocket = connect(app.url, { auth: { token }, transports: ['websocket'] });
    const f = new LiveFeed(socket);
    feed = f;
    await waitUntil('a live snapshot', async () => f.snapshot !== null && !f.stale(Date.now()));

    // Freeze the broker once half of the events are in, while the rest is being fetched and applied.
    const processed = async () => (await app.runtime.health()).eventsProcessed;
    const end = Date.now() + 60_000;
    while ((await processed()) <= half) {
      if (Date.now() > end) throw new Error(`half of ${events.length} events not applied within 60 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
    b.pause();
    const pausedAt = Date.now();
    const atPause = await processed();
    expect(atPause, 'the broker froze mid-ingest').toBeLessThan(events.length);

    await waitUntil(
      'health to report the broker',
      async () => {
        const h = await app.runtime.health();
        return h.status === 'degraded' && !h.source.connected;
      },
      OUTAGE_MS,
    );
    await waitUntil('the client to go stale', async () => f.stale(Date.now()), 15_000);
    const remaining = OUTAGE_MS - (Date.now() - pausedAt);
    if (remaining > 0) await new Promise((r) => setTimeout(r, remaining));
    // Batches fetched before the freeze may still be stored; nothing beyond them could arrive.
    expect(await processed()).toBeLessThan(events.length);
    b.resume();

    await waitUntil('every event applied', async () => (await processed()) === events.length, 90_000);
    await waitUntil('the client to be fresh again', async () => !f.stale(Date.now()), 30_000);
    const health = await app.runtime.health();
    expect(health).toMatchObject({ status: 'ok', duplicates: 0, deadLettered: 0 });
    expect(health.source.connected).toBe(true);

    // Stop the server (and its sweeper); one last sweep at a known instant settles real-time figures.
    f.close();
    await app.stop();
    const s = await createRedisStore({ url: config.redis.url ?? '', prefix: config.redis.keyPrefix });
    store = s;
    const asOf = Date.now();
    await sweepAt(s, config, asOf);
    const raised = await escalationsRaised(s, config);
    expect(escalationProblems(events, config, raised, asOf)).toEqual([]);
    const ref = reference(events, config, { asOf, escalations: raised });
    const got = await observeAll(s, app.runtime.keys, config.redis.url ?? '');
    expect(normalize(got)).toEqual(normalize(ref));
  }, 240_000);
});
