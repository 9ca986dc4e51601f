/**
 * Throwaway infrastructure for one benchmark: a private redis-server and librdkafka's mock Kafka
 * cluster (the same ones the integration tests use), a configuration with its own topics, group and
 * key prefix, and Kafka helpers (topic creation, watermark checks).
 */
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import type { Config } from '../../config/schema.ts';
import { TOPIC_ROLES } from '../../server/contract/events.ts';
import { testConfig } from '../../test/support/harness.ts';
import {
  startMockBroker,
  startRedisServer,
  uniqueName,
  type MockBrokerHandle,
  type RedisServerHandle,
} from '../../test/support/services.ts';

export interface Infra {
  redis: RedisServerHandle;
  /** The mock cluster's bootstrap servers ('' without Kafka). */
  broker: Pick<MockBrokerHandle, 'brokers' | 'stop'>;
  stop(): Promise<void>;
}

/** Starts a private redis-server and, unless `kafka` is false, a mock Kafka cluster. */
export async function startInfra(opts: { kafka?: boolean } = {}): Promise<Infra> {
  const redis = await startRedisServer();
  let broker: Infra['broker'] = { brokers: '', stop: async () => {} };
  if (opts.kafka !== false) {
    try {
      broker = await startMockBroker();
    } catch (err) {
      await redis.stop();
      throw err;
    }
  }
  return {
    redis,
    broker,
    async stop() {
      await broker.stop();
      await redis.stop();
    },
  };
}

/** A configuration with its own topics, consumer group and key prefix on `infra`; simulator off. */
export function benchConfig(label: string, infra: Infra, over: Partial<Config> = {}): Config {
  const name = uniqueName(label);
  const base = testConfig();
  return {
    ...base,
    port: 0,
    logLevel: 'silent',
    redis: { url: infra.redis.url, keyPrefix: `${name}:` },
    kafka: {
      ...base.kafka,
      brokers: infra.broker.brokers === '' ? [] : [infra.broker.brokers],
      clientId: `${label}-bench`,
      groupId: `${name}-group`,
      topics: {
        calls: `${name}.calls`,
        agents: `${name}.agents`,
        tickets: `${name}.tickets`,
        surveys: `${name}.surveys`,
        deadletter: `${name}.deadletter`,
        commands: `${name}.commands`,
      },
    },
    simulator: { ...base.simulator, enabled: false },
    ...over,
  };
}

/** The environment variables that make `server/main.ts` use `config` (as test/support/kafka.ts `envFor`). */
export function envFor(config: Config): Record<string, string> {
  const t = config.kafka.topics;
  return {
    PORT: String(config.port),
    LOG_LEVEL: 'warn',
    REDIS_URL: config.redis.url ?? '',
    REDIS_KEY_PREFIX: config.redis.keyPrefix,
    KAFKA_BROKERS: config.kafka.brokers.join(','),
    KAFKA_GROUP_ID: config.kafka.groupId,
    KAFKA_SESSION_TIMEOUT_MS: String(config.kafka.sessionTimeoutMs),
    KAFKA_MAX_BYTES_PER_PARTITION: String(config.kafka.maxBytesPerPartition),
    TOPIC_CALLS: t.calls,
    TOPIC_AGENTS: t.agents,
    TOPIC_TICKETS: t.tickets,
    TOPIC_SURVEYS: t.surveys,
    TOPIC_DEADLETTER: t.deadletter,
    TOPIC_COMMANDS: t.commands,
    SIMULATOR: 'off',
  };
}

/** The four input topics of `config`. */
export function inputTopics(config: Config): string[] {
  return TOPIC_ROLES.map((r) => config.kafka.topics[r]);
}

/** A kafkajs client on the config's brokers with logging off. */
export function kafkaClient(config: Config, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: config.kafka.brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 200 },
  });
}

/**
 * Creates every topic of `config` and checks each has `partitions` partitions. The mock cluster
 * names a controller that is not among its brokers (so CreateTopics cannot be sent); it auto-creates
 * topics with 4 partitions on a metadata request instead.
 */
export async function createTopics(config: Config, partitions = 4): Promise<void> {
  const admin = kafkaClient(config, 'bench-admin').admin();
  await admin.connect();
  try {
    const meta = await admin.fetchTopicMetadata({ topics: Object.values(config.kafka.topics) });
    for (const t of meta.topics)
      if (t.partitions.length !== partitions)
        throw new Error(`topic ${t.name} has ${t.partitions.length} partitions, expected ${partitions}`);
  } finally {
    await admin.disconnect();
  }
}

/** Messages retained per input topic; fails if the broker trimmed any partition (low watermark > 0). */
export async function retainedMessages(config: Config): Promise<number> {
  const admin = kafkaClient(config, 'bench-admin').admin();
  await admin.connect();
  try {
    let total = 0;
    for (const topic of inputTopics(config)) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (p.low !== '0')
          throw new Error(
            `the mock broker trimmed ${topic}/${p.partition} (low watermark ${p.low}): produce fewer messages per partition`,
          );
        total += Number(p.high);
      }
    }
    return total;
  } finally {
    await admin.disconnect();
  }
}

/** `used_memory` of a Redis server, in bytes. */
export async function redisUsedMemory(url: string): Promise<number> {
  const r = new Redis(url, { lazyConnect: true });
  await r.connect();
  try {
    const info = await r.info('memory');
    return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? Number.NaN);
  } finally {
    r.disconnect();
  }
}

/**
 * Memory by kind of key under `prefix` (the key name up to its first `:` after the prefix), from
 * MEMORY USAGE of every key: { ticket: { keys, bytes }, … }.
 */
export async function redisMemoryByKind(
  url: string,
  prefix: string,
): Promise<Record<string, { keys: number; bytes: number }>> {
  const r = new Redis(url, { lazyConnect: true });
  await r.connect();
  try {
    const out: Record<string, { keys: number; bytes: number }> = {};
    let cursor = '0';
    do {
      const [next, found] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 2000);
      cursor = next;
      const p = r.pipeline();
      for (const k of found) p.memory('USAGE', k);
      const sizes = (await p.exec()) ?? [];
      found.forEach((k, i) => {
        const kind = k.slice(prefix.length).split(':')[0] ?? '?';
        const e = (out[kind] ??= { keys: 0, bytes: 0 });
        e.keys++;
        e.bytes += Number(sizes[i]?.[1] ?? 0);
      });
    } while (cursor !== '0');
    return out;
  } finally {
    r.disconnect();
  }
}
