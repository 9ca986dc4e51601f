/**
 * The Kafka broker goes silent for 30 s: health reports it, live clients go stale (no heartbeats
 * while nothing can be ingested), and afterwards ingestion resumes without losing anything.
 */
import { io as connect } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../server/auth/records.ts';
import { systemClock } from '../../server/clock.ts';
import { startFloorboard, type Floorboard } from '../../server/floorboard.ts';
import { createLogger } from '../../server/log.ts';
import { LiveFeed, type FeedSocket } from '../../server/realtime/client.ts';
import { isolatedConfig, produceEvents, simulatedEvents, waitUntil } from '../support/kafka.ts';
import { normalize, observe } from '../support/observe.ts';
import { reference } from '../support/reference.ts';
import { startMockBroker, type MockBrokerHandle } from '../support/services.ts';

let broker: MockBrokerHandle | null = null;
let fb: Floorboard | null = null;
let feed: LiveFeed | null = null;
afterAll(async () => {
  broker?.resume();
  feed?.close();
  await fb?.stop();
  await broker?.stop();
});

describe('broker outage', () => {
  it('reports the outage, shows clients stale, and recovers without loss', async () => {
    broker = await startMockBroker();
    const base = isolatedConfig('outage-broker');
    const config = { ...base, port: 0, kafka: { ...base.kafka, brokers: [broker.brokers] } };
    const events = simulatedEvents(config, 4, 71);
    const half = Math.floor(events.length / 2);
    await produceEvents(config, events.slice(0, half));
    fb = await startFloorboard({ config, clock: systemClock, log: createLogger('silent'), serveWeb: false });
    const app = fb;
    await waitUntil('first half applied', async () => (await app.runtime.health()).eventsProcessed === half);
    const token = (await app.access.tokens.create({ role: 'wallboard' }, SYSTEM_ACTOR)).token;
    const socket: FeedSocket = connect(app.url, { auth: { token }, transports: ['websocket'] });
    const f = new LiveFeed(socket);
    feed = f;
    await waitUntil('a live snapshot', async () => f.snapshot !== null && !f.stale(Date.now()));

    broker.pause();
    const pausedAt = Date.now();
    await waitUntil(
      'health to report the broker',
      async () => {
        const h = await app.runtime.health();
        return h.status === 'degraded' && !h.source.connected;
      },
      40_000,
    );
    await waitUntil('the client to go stale', async () => f.stale(Date.now()), 15_000);
    const remaining = 30_000 - (Date.now() - pausedAt);
    if (remaining > 0) await new Promise((r) => setTimeout(r, remaining));
    broker.resume();

    await produceEvents(config, events.slice(half));
    await waitUntil(
      'every event applied',
      async () => (await app.runtime.health()).eventsProcessed === events.length,
      90_000,
    );
    await waitUntil('the client to be fresh again', async () => !f.stale(Date.now()), 30_000);
    expect((await app.runtime.health()).status).toBe('ok');
    const ref = reference(events, config);
    // The full server also runs the escalation sweeper, which the ingestion reference does not model.
    const got = await observe(app.runtime.store, app.runtime.keys, Object.keys(ref.aggregates));
    expect(normalize(got, { withoutSweeper: true })).toEqual(normalize(ref));
  });
});
