/**
 * Redis restarted empty while floorboard runs: the consumer notices the store has no state for its
 * partitions, re-reads them from the earliest retained offset, and ends equal to the reference.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../server/clock.ts';
import { createLogger } from '../../server/log.ts';
import { startRuntime, type Runtime } from '../../server/runtime.ts';
import { isolatedConfig, produceEvents, simulatedEvents, waitUntil } from '../support/kafka.ts';
import { normalize, observe } from '../support/observe.ts';
import { reference } from '../support/reference.ts';
import { startRedisServer, type RedisServerHandle } from '../support/services.ts';

let redis: RedisServerHandle | null = null;
let runtime: Runtime | null = null;
afterAll(async () => {
  await runtime?.stop();
  await redis?.stop();
});

describe('Redis restarted empty', () => {
  it('is detected and the state is rebuilt from the earliest retained offset, equal to the reference', async () => {
    redis = await startRedisServer();
    const config = isolatedConfig('rebuild', { redisUrl: redis.url });
    const events = simulatedEvents(config, 5, 59);
    const half = Math.floor(events.length / 2);
    runtime = await startRuntime({ config, clock: systemClock, log: createLogger('silent') });
    const rt = runtime;
    await produceEvents(config, events.slice(0, half));
    await waitUntil('first half applied', async () => (await rt.health()).eventsProcessed === half);

    await redis.kill(); // crash, and come back with nothing
    await redis.start();
    await produceEvents(config, events.slice(half));
    await waitUntil(
      'every event applied again',
      async () => (await rt.health()).eventsProcessed === events.length,
      120_000,
    );
    expect(rt.ingestor.status().rebuilds).toBeGreaterThan(0);

    const ref = reference(events, config);
    const got = await observe(rt.store, rt.keys, Object.keys(ref.aggregates));
    expect(normalize(got)).toEqual(normalize(ref));
    expect((await rt.health()).duplicates).toBe(0);
  });
});
