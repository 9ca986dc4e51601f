/** Kafka helpers for integration tests: a per-test configuration, producing, reading topics, waiting. */
import { Kafka, logLevel } from 'kafkajs';
import { inject } from 'vitest';
import type { Config } from '../../config/schema.ts';
import type { CcEvent } from '../../server/contract/events.ts';
import { publishEvents } from '../../server/runtime.ts';
import { createSimulation } from '../../streams/simulator.ts';
import { createKafkaPublisher } from '../../streams/kafka.ts';
import type { OutboundMessage } from '../../streams/types.ts';
import { daytimeZone } from './daytime.ts';
import { ev } from './events.ts';
import { testConfig } from './harness.ts';
import { uniqueName } from './services.ts';

/** A configuration with its own topics, consumer group and key prefix, on the test's Redis and broker. */
export function isolatedConfig(label: string, over: { redisUrl?: string } = {}): Config {
  const name = uniqueName(label);
  const base = testConfig();
  return {
    ...base,
    port: 0,
    logLevel: 'silent',
    redis: { url: over.redisUrl ?? inject('redisUrl'), keyPrefix: `${name}:` },
    kafka: {
      ...base.kafka,
      brokers: inject('kafkaBrokers').split(','),
      groupId: `${name}-group`,
      sessionTimeoutMs: 6000,
      maxBytesPerPartition: 16384,
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
    ingest: { ...base.ingest, retryInitialMs: 100, retryMaxMs: 1000 },
  };
}

/** The environment variables that make `npm start` (server/main.ts) use `config`. */
export function envFor(config: Config): Record<string, string> {
  const t = config.kafka.topics;
  return {
    PORT: '0',
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

/** Produces contract events to their topics. */
export async function produceEvents(config: Config, events: readonly CcEvent[]): Promise<void> {
  const pub = await createKafkaPublisher({ brokers: config.kafka.brokers, clientId: 'test-producer' });
  try {
    for (let i = 0; i < events.length; i += 500)
      await publishEvents(pub, config.kafka.topics, events.slice(i, i + 500));
  } finally {
    await pub.close();
  }
}

/** Produces raw messages to one topic. */
export async function produceRaw(config: Config, topic: string, messages: OutboundMessage[]): Promise<void> {
  const pub = await createKafkaPublisher({ brokers: config.kafka.brokers, clientId: 'test-producer' });
  try {
    await pub.send(topic, messages);
  } finally {
    await pub.close();
  }
}

export interface ReadMessage {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** Reads `count` messages of a topic from the beginning (fails after `timeoutMs`). */
export async function readTopic(
  config: Config,
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<ReadMessage[]> {
  const kafka = new Kafka({
    clientId: 'test-reader',
    brokers: config.kafka.brokers,
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({
    groupId: uniqueName('reader'),
    sessionTimeout: 6000,
    heartbeatInterval: 500,
  });
  const out: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${out.length}/${count} messages of ${topic}`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) if (v) headers[k] = v.toString();
          out.push({ partition, offset: message.offset, key: message.key, value: message.value, headers });
          if (out.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** Reads every message of `topic` up to its end as it is now (none if the topic does not exist). */
export async function readAll(config: Config, topic: string, timeoutMs = 30_000): Promise<ReadMessage[]> {
  const kafka = new Kafka({
    clientId: 'test-admin',
    brokers: config.kafka.brokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  let count = 0;
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(topic)) return [];
    for (const o of await admin.fetchTopicOffsets(topic)) count += Number(o.high) - Number(o.low);
  } finally {
    await admin.disconnect();
  }
  return count === 0 ? [] : readTopic(config, topic, count, timeoutMs);
}

/** Polls `check` until it returns true (fails with `what` after `timeoutMs`). */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < end) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

/**
 * A simulated stretch of a call-centre day ending now, with every event type. The simulated centre is
 * as busy as late morning whatever the hour the test runs at (its arrivals follow the clock of a zone
 * where it is late morning now; the configuration's zone still decides shifts and days), so a test
 * gets about the same number of events at 3 am as at noon.
 */
export function simulatedEvents(config: Config, hours: number, seed = 11): CcEvent[] {
  const now = Date.now();
  const sim = createSimulation({
    seed,
    startAt: now - hours * 3_600_000,
    timezone: daytimeZone(now),
    teams: config.teams,
    runId: uniqueName('sim'),
  });
  const events = sim.advanceTo(now);
  // Reopens are rare in a few simulated hours: make sure the data set has one of everything.
  const t = (minAgo: number) => new Date(now - minAgo * 60_000).toISOString();
  const ticketId = uniqueName('reopen');
  events.push(
    ev.ticket({ ticketId, kind: 'complaint', category: 'false_advertising', tier: 'key', ts: t(50) }),
    ev.assigned({ ticketId, agentId: 'a-001', ts: t(45) }),
    ev.resolved({ ticketId, ts: t(30) }),
    ev.reopened({ ticketId, ts: t(20) }),
    ev.progress({ ticketId, percent: 30, ts: t(10) }),
  );
  return events;
}
