/**
 * Redis dies at a random point of ingestion (every event is on the broker already) and the consumer
 * is restarted while it is down: the consumer pauses and retries without committing — the group's
 * committed Kafka offsets never pass what Redis holds — health says degraded, and once Redis is back
 * with its data nothing is lost and nothing doubled.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config/schema.ts';
import { systemClock } from '../../server/clock.ts';
import { createLogger } from '../../server/log.ts';
import { startRuntime, type Runtime } from '../../server/runtime.ts';
import { createRedisStore } from '../../server/store/redis-store.ts';
import { isolatedConfig, produceEvents, simulatedEvents, waitUntil } from '../support/kafka.ts';
import { normalize, observeAll } from '../support/observe.ts';
import { reference } from '../support/reference.ts';
import { startRedisServer, type RedisServerHandle } from '../support/services.ts';

const runtimes: Runtime[] = [];
const servers: RedisServerHandle[] = [];
afterAll(async () => {
  for (const r of runtimes) await r.stop().catch(() => undefined);
  for (const s of servers) await s.stop();
});

type Offsets = Map<string, bigint | null>;
const keyOf = (topic: string, partition: number) => `${topic}/${partition}`;

/** The consumer group's committed offsets (the next offset to read; null: none committed). */
async function committedOffsets(config: Config, topics: string[]): Promise<Offsets> {
  const kafka = new Kafka({
    clientId: 'test-admin',
    brokers: config.kafka.brokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const out: Offsets = new Map();
    for (const t of await admin.fetchOffsets({ groupId: config.kafka.groupId, topics })) {
      for (const p of t.partitions)
        out.set(keyOf(t.topic, p.partition), Number(p.offset) < 0 ? null : BigInt(p.offset));
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

/**
 * The offsets a stopped Redis holds, read from a copy of its append-only files on a server of its own
 * (the real one cannot be read while it is down, and once back the consumer moves on at once).
 */
async function storedOffsetsOf(
  redis: RedisServerHandle,
  config: Config,
  partitions: Array<{ topic: string; partition: number }>,
): Promise<Offsets> {
  const copy = mkdtempSync(join(tmpdir(), 'floorboard-redis-copy-'));
  cpSync(redis.dataDir ?? '', copy, { recursive: true });
  const probe = await startRedisServer({ appendOnly: copy });
  const store = await createRedisStore({ url: probe.url, prefix: config.redis.keyPrefix });
  try {
    const stored = await store.offsets(`kafka:${config.kafka.groupId}`, partitions);
    return new Map(
      partitions.map((p, i) => [keyOf(p.topic, p.partition), stored[i] == null ? null : BigInt(stored[i])]),
    );
  } finally {
    await store.close();
    await probe.stop();
  }
}

describe('Redis outage during ingestion', () => {
  it('pauses while Redis is down, commits nothing past what it holds, and loses and doubles nothing', async () => {
    const redis = await startRedisServer({ appendOnly: true });
    servers.push(redis);
    const config = isolatedConfig('outage', { redisUrl: redis.url });
    const events = simulatedEvents(config, 24, 47);
    await produceEvents(config, events);
    const start = async () => {
      const r = await startRuntime({ config, clock: systemClock, log: createLogger('silent') });
      runtimes.push(r);
      return r;
    };
    const first = await start();

    // Kill Redis (SIGKILL: a crash; every acknowledged write is on disk) at a random point of ingestion.
    const target = Math.floor(events.length * (0.2 + 0.5 * Math.random()));
    const end = Date.now() + 60_000;
    while ((await first.health()).eventsProcessed < target) {
      if (Date.now() > end) throw new Error(`${target} events not applied within 60 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
    await redis.kill();
    expect((await first.health()).eventsProcessed).toBeLessThan(events.length);
    const stored = await storedOffsetsOf(redis, config, first.source.assigned());
    expect([...stored.values()].some((o) => o !== null)).toBe(true);

    await waitUntil('health to report the outage', async () => {
      const h = await first.health();
      return h.status === 'degraded' && !h.store.reachable && h.degradedSince !== null;
    });
    expect(first.ingestor.status().storeFailures).toBeGreaterThan(0);

    const topics = Object.values(config.kafka.topics);
    const checkCommitted = async (when: string) => {
      const committed = await committedOffsets(config, topics);
      // The group had committed progress before the crash, so there is something to check.
      expect([...committed.values()].filter((o) => o !== null).length, when).toBeGreaterThan(0);
      for (const [partition, offset] of committed) {
        if (offset === null) continue;
        const held = stored.get(partition) ?? null;
        // Kafka's committed offset is the next one to read: at most one past the last one stored.
        expect(held, `${when}: ${partition} committed ${offset} with nothing stored`).not.toBeNull();
        expect(offset, `${when}: ${partition} committed past what Redis holds`).toBeLessThanOrEqual(
          (held ?? -1n) + 1n,
        );
      }
    };
    await new Promise((r) => setTimeout(r, 2000)); // several retries while down
    await checkCommitted('while retrying');

    // The consumer process goes away and a new one starts while Redis is still down.
    await first.stop();
    await checkCommitted('after the consumer stopped');
    const second = await start();
    await waitUntil(
      'the new consumer to report the outage',
      async () => (await second.health()).status === 'degraded',
    );
    await new Promise((r) => setTimeout(r, 3000));
    await checkCommitted('with the new consumer waiting');

    await redis.start();
    await waitUntil(
      'every event applied',
      async () => (await second.health()).eventsProcessed === events.length,
      90_000,
    );
    const health = await second.health();
    expect(health).toMatchObject({ status: 'ok', degradedSince: null, rebuilding: false });

    const ref = reference(events, config);
    const got = await observeAll(second.store, second.keys, redis.url);
    expect(normalize(got)).toEqual(normalize(ref));
  }, 240_000);
});
