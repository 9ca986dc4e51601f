/**
 * Proves the integration-test infrastructure works: the provided Redis answers, a private redis-server
 * can be stopped and restarted on its port, and the provided Kafka-protocol broker round-trips messages
 * and balances a consumer group.
 */
import { Redis } from 'ioredis';
import { Kafka, logLevel, type Consumer, type EachMessagePayload, type Producer } from 'kafkajs';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { startRedisServer, uniqueName, type RedisServerHandle } from '../support/services.ts';

const CONSUMER_TIMINGS = {
  sessionTimeout: 6_000,
  rebalanceTimeout: 6_000,
  heartbeatInterval: 500,
  maxWaitTimeInMs: 250,
};

/** A client that fails fast instead of queueing commands while the server is down. */
function fastFailClient(url: string): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // Connection errors surface as rejected commands; without a listener ioredis also logs them as unhandled.
  client.on('error', () => undefined);
  return client;
}

async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 200);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** Resolves once `done()` holds, polling; rejects with `what` after `timeoutMs`. */
async function eventually(what: string, done: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('provided Redis', () => {
  const prefix = `${uniqueName('services-test')}:`;
  const redis = new Redis(inject('redisUrl'), { lazyConnect: true });

  afterAll(async () => {
    await deleteByPrefix(redis, prefix);
    redis.disconnect();
  });

  it('answers PING and keeps keys under the test prefix', async () => {
    await redis.connect();
    expect(await redis.ping()).toBe('PONG');
    await redis.set(`${prefix}hello`, 'world');
    expect(await redis.get(`${prefix}hello`)).toBe('world');
  });
});

describe('throwaway redis-server', () => {
  let server: RedisServerHandle | undefined;

  afterAll(async () => {
    await server?.stop();
  });

  it('stops and starts again, empty, on the same port', async () => {
    server = await startRedisServer();
    const { port, url } = server;
    expect(url).toBe(`redis://127.0.0.1:${port}`);

    const before = fastFailClient(url);
    await before.connect();
    await before.set('survives-restart', 'no');
    await server.stop();
    await expect(before.ping()).rejects.toThrow();
    before.disconnect();
    await expect(fastFailClient(url).connect()).rejects.toThrow();

    await server.start();
    expect(server.port).toBe(port);
    const after = fastFailClient(url);
    await after.connect();
    expect(await after.ping()).toBe('PONG');
    expect(await after.get('survives-restart')).toBeNull();

    await server.kill();
    await expect(after.ping()).rejects.toThrow();
    after.disconnect();
    await server.start();
    const again = fastFailClient(url);
    await again.connect();
    expect(await again.ping()).toBe('PONG');
    again.disconnect();
  });
});

describe('throwaway redis-server with an append-only file', () => {
  let server: RedisServerHandle | undefined;

  afterAll(async () => {
    await server?.stop();
  });

  it('keeps its data across a crash and a restart', async () => {
    server = await startRedisServer({ appendOnly: true });
    expect(server.dataDir).not.toBeNull();
    const client = fastFailClient(server.url);
    await client.connect();
    await client.set('survives-restart', 'yes');
    client.disconnect();

    await server.kill();
    await server.start();
    const again = fastFailClient(server.url);
    await again.connect();
    expect(await again.get('survives-restart')).toBe('yes');
    again.disconnect();
  });
});

describe('provided Kafka broker', () => {
  const kafka = new Kafka({
    clientId: uniqueName('services-test'),
    brokers: inject('kafkaBrokers').split(','),
    logLevel: logLevel.NOTHING,
  });
  let producer: Producer | undefined;
  let consumers: Consumer[] = [];

  afterEach(async () => {
    await Promise.all(consumers.map((consumer) => consumer.disconnect()));
    consumers = [];
    await producer?.disconnect();
    producer = undefined;
  });

  function newConsumer(groupId: string): Consumer {
    const consumer = kafka.consumer({ groupId, ...CONSUMER_TIMINGS });
    consumers.push(consumer);
    return consumer;
  }

  async function newProducer(): Promise<Producer> {
    producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    return producer;
  }

  it('delivers 20 produced messages to a consumer reading from the beginning', async () => {
    const topic = uniqueName('services-roundtrip');
    const sent = Array.from({ length: 20 }, (_, i) => `message-${i}`);
    await (await newProducer()).send({ topic, messages: sent.map((value, i) => ({ key: `k${i}`, value })) });

    const received: string[] = [];
    const consumer = newConsumer(uniqueName('services-group'));
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }: EachMessagePayload) => {
        received.push(message.value?.toString('utf8') ?? '');
      },
    });

    await eventually('20 messages', () => received.length >= 20);
    expect([...received].sort()).toEqual([...sent].sort());
  });

  it('splits the 4 partitions between two consumers in one group', async () => {
    const topic = uniqueName('services-split');
    const groupId = uniqueName('services-group');
    const assigned = new Map<Consumer, number[]>();
    const receivedFrom = new Map<Consumer, number[]>();

    const [first, second] = [newConsumer(groupId), newConsumer(groupId)];
    // Joining together lets the coordinator's initial rebalance delay cover both: one round, not two.
    await Promise.all(
      [first, second].map(async (consumer) => {
        consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
          assigned.set(consumer, payload.memberAssignment[topic] ?? []);
        });
        receivedFrom.set(consumer, []);
        await consumer.connect();
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        await consumer.run({
          eachMessage: async ({ partition }: EachMessagePayload) => {
            receivedFrom.get(consumer)?.push(partition);
          },
        });
      }),
    );

    const split = (): boolean => {
      const a = assigned.get(first) ?? [];
      const b = assigned.get(second) ?? [];
      return a.length > 0 && b.length > 0 && new Set([...a, ...b]).size === 4 && a.length + b.length === 4;
    };
    await eventually('both consumers to share the 4 partitions', split);

    // Sent only after the split, so no message can be read twice across a rebalance.
    const messages = Array.from({ length: 20 }, (_, i) => ({ partition: i % 4, value: `split-${i}` }));
    await (await newProducer()).send({ topic, messages });
    const total = (): number => [...receivedFrom.values()].reduce((sum, parts) => sum + parts.length, 0);
    await eventually('20 messages across both consumers', () => total() >= 20);

    expect(total()).toBe(20);
    for (const consumer of [first, second]) {
      const mine = new Set(assigned.get(consumer));
      expect(mine.size).toBe(2);
      expect(receivedFrom.get(consumer)?.every((partition) => mine.has(partition))).toBe(true);
      expect(receivedFrom.get(consumer)).toHaveLength(10);
    }
  });
});
