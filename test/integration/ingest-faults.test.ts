/**
 * Ingestion under faults around it: Redis down when the process starts, a consumer group whose
 * committed offsets are gone, and a Redis too old for floorboard.
 */
import { createServer, type Server } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../config/schema.ts';
import { systemClock } from '../../server/clock.ts';
import { createLogger } from '../../server/log.ts';
import { startRuntime, type Runtime } from '../../server/runtime.ts';
import { createRedisStore, RedisVersionError } from '../../server/store/redis-store.ts';
import { isolatedConfig, produceEvents, produceRaw, simulatedEvents, waitUntil } from '../support/kafka.ts';
import { testConfig } from '../support/harness.ts';
import { freePort, startRedisServer, type RedisServerHandle } from '../support/services.ts';

let redis: RedisServerHandle | null = null;
let runtimes: Runtime[] = [];
let servers: Server[] = [];
afterEach(async () => {
  for (const rt of runtimes) await rt.stop();
  await redis?.stop();
  for (const s of servers) s.close();
  [redis, runtimes, servers] = [null, [], []];
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A logger that keeps its lines. */
function capturingLogger() {
  const lines: string[] = [];
  return { lines, log: pino({ level: 'info' }, { write: (s: string) => void lines.push(s) }) };
}

async function messagesIn(config: Config, topic: string): Promise<number> {
  const admin = new Kafka({
    clientId: 'test-admin',
    brokers: config.kafka.brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}

describe('ingestion faults', () => {
  it('starts with Redis down, reports the store and the broker apart while blocked, and applies everything once Redis answers', async () => {
    redis = await startRedisServer();
    await redis.stop();
    const config = isolatedConfig('redis-down-at-start', { redisUrl: redis.url });
    const events = simulatedEvents(config, 2, 17);
    const { lines, log } = capturingLogger();
    const rt = await startRuntime({ config, clock: systemClock, log });
    runtimes.push(rt);
    expect(lines.join('')).toMatch(
      /USING THE REDIS AT redis:\/\/127\.0\.0\.1:\d+ \(REDIS_URL\), WHICH DOES NOT ANSWER YET/,
    );
    await produceEvents(config, events);
    await waitUntil('a batch to be retried', async () => rt.ingestor.status().storeFailures > 0);
    // Longer than the 15 s after which a source without fetches counts as disconnected.
    await sleep(17_000);
    const blocked = await rt.health();
    expect(blocked).toMatchObject({
      status: 'degraded',
      store: { reachable: false },
      source: { connected: true },
    });
    expect(blocked.degradedSince).not.toBeNull();

    await redis.start();
    await waitUntil(
      'every event applied',
      async () => (await rt.health()).eventsProcessed === events.length,
      90_000,
    );
    await waitUntil('healthy', async () => (await rt.health()).status === 'ok');

    await redis.stop();
    const down = await rt.health();
    expect(down).toMatchObject({
      status: 'degraded',
      store: { reachable: false },
      eventsProcessed: events.length,
    });
  });

  it('resumes from the offsets stored with the state when the group has lost its committed offsets', async () => {
    const config = isolatedConfig('expired-group');
    const events = simulatedEvents(config, 2, 19);
    const first = await startRuntime({ config, clock: systemClock, log: createLogger('silent') });
    runtimes.push(first);
    await produceEvents(config, events);
    await produceRaw(config, config.kafka.topics.calls, [{ key: 'x', value: 'not json' }]);
    await waitUntil('every event applied', async () => {
      const h = await first.health();
      return h.eventsProcessed === events.length && h.deadLettered === 1;
    });
    await waitUntil(
      'the dead letter published',
      async () => (await messagesIn(config, config.kafka.topics.deadletter)) === 1,
    );
    await first.stop();
    runtimes = [];
    await sleep(1500); // the group's autocommit is done when stop() resolves; let the coordinator settle

    // The group's committed offsets expire (or are reset): Kafka alone would start from the beginning.
    await commitGroupOffsets(config, '0');

    const second = await startRuntime({ config, clock: systemClock, log: createLogger('silent') });
    runtimes.push(second);
    await waitUntil('joined', async () => second.source.connected());
    await sleep(3000);
    expect(second.ingestor.status().batches).toBe(0);
    const one = simulatedEvents(config, 1, 23).slice(0, 1);
    await produceEvents(config, one);
    await waitUntil(
      'the new event applied',
      async () => (await second.health()).eventsProcessed === events.length + 1,
    );
    expect(second.ingestor.status()).toMatchObject({ applied: 1, duplicates: 0 });
    expect(await messagesIn(config, config.kafka.topics.deadletter)).toBe(1);
  });

  it('refuses a Redis older than 6.2 with a clear message, and the embedded default falls back to the in-process store', async () => {
    const url = await fakeRedis('6.0.16');
    await expect(createRedisStore({ url, prefix: 'x:' })).rejects.toBeInstanceOf(RedisVersionError);
    await expect(createRedisStore({ url, prefix: 'x:' })).rejects.toThrow(
      /is version 6\.0\.16; floorboard needs Redis 6\.2\.0 or newer/,
    );

    const config: Config = { ...testConfig(), port: 0, logLevel: 'silent' };
    await expect(
      startRuntime({
        config: { ...config, redis: { ...config.redis, url } },
        clock: systemClock,
        log: createLogger('silent'),
      }),
    ).rejects.toThrow(/needs Redis 6\.2\.0 or newer .*\(REDIS_URL\)/);

    const { lines, log } = capturingLogger();
    const embedded = await startRuntime({
      config: {
        ...config,
        redis: { ...config.redis, url: null },
        simulator: { ...config.simulator, enabled: false },
      },
      clock: systemClock,
      log,
      localRedisUrl: url,
    });
    runtimes.push(embedded);
    expect(embedded.store.kind).toBe('in-memory');
    expect(lines.join('')).toMatch(
      /is too old \(6\.0\.16; floorboard needs 6\.2 or newer\): USING THE IN-PROCESS STORE/,
    );
  });
});

/** Commits `offset` for every partition of the input topics in the runtime's consumer group. */
async function commitGroupOffsets(config: Config, offset: string): Promise<void> {
  const t = config.kafka.topics;
  const topics = [t.calls, t.agents, t.tickets, t.surveys];
  const kafka = new Kafka({
    clientId: 'test-group-reset',
    brokers: config.kafka.brokers,
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({
    groupId: config.kafka.groupId,
    sessionTimeout: 6000,
    heartbeatInterval: 500,
  });
  const joined = new Promise<TopicPartitions>((resolve) =>
    consumer.on(consumer.events.GROUP_JOIN, (e) => resolve(e.payload.memberAssignment)),
  );
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
    const assignment = await joined;
    await consumer.commitOffsets(
      Object.entries(assignment).flatMap(([topic, partitions]) =>
        partitions.map((partition) => ({ topic, partition, offset })),
      ),
    );
  } finally {
    await consumer.disconnect();
  }
}
type TopicPartitions = Record<string, number[]>;

/** A server speaking just enough RESP to look like Redis `version` to a client (HELLO is unknown to it). */
async function fakeRedis(version: string): Promise<string> {
  const info = `# Server\r\nredis_version:${version}\r\nloading:0\r\n`;
  const server = createServer((socket) => {
    let pending = Buffer.alloc(0);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const parsed = parseCommand(pending);
        if (!parsed) return;
        pending = pending.subarray(parsed.length);
        const name = (parsed.args[0] ?? '').toUpperCase();
        if (name === 'HELLO') socket.write("-ERR unknown command 'HELLO'\r\n");
        else if (name === 'INFO') socket.write(`$${Buffer.byteLength(info)}\r\n${info}\r\n`);
        else if (name === 'PING') socket.write('+PONG\r\n');
        else socket.write('+OK\r\n');
      }
    });
  });
  servers.push(server);
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return `redis://127.0.0.1:${port}`;
}

/** One RESP array of bulk strings at the start of `buf`, or null if it is not all there yet. */
function parseCommand(buf: Buffer): { args: string[]; length: number } | null {
  const text = buf.toString('latin1');
  let at = 0;
  const line = () => {
    const end = text.indexOf('\r\n', at);
    if (end < 0) return null;
    const s = text.slice(at, end);
    at = end + 2;
    return s;
  };
  const head = line();
  if (head === null || !head.startsWith('*')) return null;
  const args: string[] = [];
  for (let i = 0; i < Number(head.slice(1)); i++) {
    const len = line();
    if (len === null) return null;
    const n = Number(len.slice(1));
    if (text.length < at + n + 2) return null;
    args.push(text.slice(at, at + n));
    at += n + 2;
  }
  return { args, length: at };
}
