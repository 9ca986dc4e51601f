/**
 * Redis restarted empty while floorboard runs: the consumer notices the store has no state for its
 * partitions (new traffic finds no offset, or the store epoch is gone), re-reads them from the earliest
 * retained offset, and ends equal to the reference; health says `rebuilding` until it has caught up.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../server/clock.ts';
import type { HealthResponse } from '../../server/contract/api.ts';
import { createLogger } from '../../server/log.ts';
import { startRuntime, type Runtime } from '../../server/runtime.ts';
import { createRedisStore } from '../../server/store/redis-store.ts';
import type { LiveStore } from '../../server/store/store.ts';
import { isolatedConfig, produceEvents, simulatedEvents, waitUntil } from '../support/kafka.ts';
import { normalize, observeAll } from '../support/observe.ts';
import { reference } from '../support/reference.ts';
import { startRedisServer, uniqueName, type RedisServerHandle } from '../support/services.ts';

let redis: RedisServerHandle | null = null;
let runtime: Runtime | null = null;
let store: LiveStore | null = null;
afterEach(async () => {
  await runtime?.stop();
  await store?.close();
  await redis?.stop();
  [runtime, store, redis] = [null, null, null];
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
    const got = await observeAll(rt.store, rt.keys, redis.url);
    expect(normalize(got)).toEqual(normalize(ref));
    expect((await rt.health()).duplicates).toBe(0);
  });

  it('is rebuilt when nothing is produced after the restart, and health says rebuilding until it is', async () => {
    redis = await startRedisServer();
    const config = isolatedConfig('rebuild-idle', { redisUrl: redis.url });
    const events = simulatedEvents(config, 4, 61);
    runtime = await startRuntime({ config, clock: systemClock, log: createLogger('silent') });
    const rt = runtime;
    await produceEvents(config, events);
    await waitUntil('every event applied', async () => (await rt.health()).eventsProcessed === events.length);
    await waitUntil('caught up', async () => (await rt.health()).status === 'ok');

    await redis.kill();
    await redis.start();
    // Health as seen every few milliseconds until the state is back (a rebuild of a few hours is quick).
    const seen: HealthResponse[] = [];
    const deadline = Date.now() + 90_000;
    for (;;) {
      const h = await rt.health();
      seen.push(h);
      const status = rt.ingestor.status();
      if (status.rebuilds > 0 && h.store.reachable && !h.rebuilding && h.eventsProcessed === events.length)
        break;
      if (Date.now() > deadline) throw new Error(`not rebuilt: ${JSON.stringify({ h, status })}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const during = seen.filter((h) => h.rebuilding);
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((h) => h.status === 'degraded')).toBe(true);
    expect(await rt.health()).toMatchObject({ status: 'ok', rebuilding: false, duplicates: 0 });
    const ref = reference(events, config);
    expect(normalize(await observeAll(rt.store, rt.keys, redis.url))).toEqual(normalize(ref));
  });

  it('does not commit a transaction whose connection came back to an emptied Redis', async () => {
    redis = await startRedisServer();
    const s = await createRedisStore({ url: redis.url, prefix: `${uniqueName('epoch')}:` });
    store = s;
    const first = await s.begin();
    const before = await first.readIngest({ namespace: 'n', topic: 't', partition: 0, ids: [], records: [] });
    expect(
      await first.commit([{ op: 'setOffset', namespace: 'n', topic: 't', partition: 0, offset: '10' }], {
        epoch: before.epoch,
        newEpoch: 'E1',
        unseen: [],
      }),
    ).toBe(true);

    const tx = await s.begin();
    const read = await tx.readIngest({
      namespace: 'n',
      topic: 't',
      partition: 0,
      ids: [],
      records: [{ kind: 'call', ids: ['c1'] }],
    });
    expect(read).toMatchObject({ epoch: 'E1', offset: '10' });
    await redis.kill();
    await redis.start();
    await waitUntil('the store to reconnect', () => s.ping());
    const committed = await tx
      .commit(
        [
          { op: 'put', kind: 'call', id: 'c1', value: { stale: true } },
          { op: 'setOffset', namespace: 'n', topic: 't', partition: 0, offset: '20' },
        ],
        { epoch: read.epoch, newEpoch: 'E1', unseen: [] },
      )
      .catch(() => false);
    expect(committed).toBe(false);
    expect(await s.offsets('n', [{ topic: 't', partition: 0 }])).toEqual([null]);
    expect(await s.epoch()).toBeNull();
  });
});
