/**
 * Ingest: events/s from Kafka through kafkajs, decoding and validation, projection and the Redis
 * transaction, measured with the real runtime (`startRuntime`, Kafka source, Redis store, simulator
 * off) over N pre-produced simulator events; then, on the same messages, a plain kafkajs consumer in a
 * fresh group that only JSON.parses each value (the ceiling the client and broker allow).
 */
import type { Config } from '../config/schema.ts';
import { systemClock } from '../server/clock.ts';
import { createLogger } from '../server/log.ts';
import { startRuntime, type Runtime } from '../server/runtime.ts';
import { uniqueName } from '../test/support/services.ts';
import { produceAll, simulatedEvents } from './lib/events.ts';
import {
  benchConfig,
  createTopics,
  inputTopics,
  kafkaClient,
  retainedMessages,
  startInfra,
  type Infra,
} from './lib/infra.ts';
import { testConfig } from '../test/support/harness.ts';
import { loadAverage } from './lib/machine.ts';
import { profiled } from './lib/profile.ts';
import { commandDelta, redisCommandCalls, redisCpuSeconds } from './lib/proc.ts';
import type { BenchResult } from './lib/report.ts';
import { round } from './lib/stats.ts';

export interface IngestOptions {
  /** Events to produce and consume (default 200,000: about 20 simulated days). */
  events?: number;
  /**
   * Events per round (default 100,000). The mock broker trims a partition past a few MB, so larger
   * runs are measured in rounds, each on fresh topics, a fresh Redis and a fresh consumer group.
   */
  perRound?: number;
  /** Give up on one consumer after this long (default 240 s). */
  timeoutMs?: number;
}

interface Timing {
  /** From starting the consumer (connect, join the group, fetch) to the last event processed. */
  totalMs: number;
  /** From starting the consumer to its first batch done (connect, group join, first fetch). */
  startupMs: number;
  /** From the first batch done to the last one (steady state, no group join). */
  steadyMs: number;
  steadyEvents: number;
  /** CPU seconds of this process (user + system) over the run. */
  cpuSeconds: number;
  /** CPU seconds of this process from the first batch done to the last (steady state, no group join). */
  steadyCpuSeconds: number;
  redisCpuSeconds: number;
}

/**
 * Events per produce request. The mock cluster answers a fetch with one record batch per partition
 * (real Kafka fills maxBytesPerPartition), so the producer's batching sets the consumer's batch size:
 * 16,000 events over 16 partitions gives batches of about 1,000 (≈ 180 KB), what a lagging consumer
 * gets from a real broker with the default 1 MB fetch.
 */
const PRODUCE_CHUNK = 16_000;

const rate = (events: number, ms: number) => (ms > 0 ? (events / ms) * 1000 : Number.NaN);

async function waitFor(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > end) throw new Error(`ingest benchmark: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The product path: startRuntime on the topics until every event is applied. */
async function runProduct(config: Config, infra: Infra, n: number, timeoutMs: number) {
  let runtime: Runtime | null = null;
  let first: { at: number; processed: number; cpu: NodeJS.CpuUsage } | null = null;
  let lastAt = 0;
  const processed = () => {
    const s = runtime?.ingestor.status();
    return s ? s.applied + s.duplicates + s.deadLettered : 0;
  };
  const cpu0 = process.cpuUsage();
  const redis0 = await redisCpuSeconds(infra.redis.url);
  const commands0 = await redisCommandCalls(infra.redis.url);
  const t0 = performance.now();
  runtime = await startRuntime({
    config,
    clock: systemClock,
    log: createLogger('silent'),
    onApplied: () => {
      lastAt = performance.now();
      first ??= { at: lastAt, processed: processed(), cpu: process.cpuUsage() };
    },
  });
  try {
    await waitFor('the runtime to apply every event', () => processed() >= n, timeoutMs);
    const cpu = process.cpuUsage(cpu0);
    const redisCpu = (await redisCpuSeconds(infra.redis.url)) - redis0;
    const commands = commandDelta(commands0, await redisCommandCalls(infra.redis.url));
    const health = await runtime.health();
    const status = runtime.ingestor.status();
    const f = first as { at: number; processed: number; cpu: NodeJS.CpuUsage } | null;
    const steadyCpu = f ? process.cpuUsage(f.cpu) : { user: Number.NaN, system: 0 };
    return {
      timing: {
        totalMs: lastAt - t0,
        startupMs: f ? f.at - t0 : Number.NaN,
        steadyMs: f ? lastAt - f.at : Number.NaN,
        // Before startRuntime resolves the count is unknown: the mean batch size stands in for it.
        steadyEvents: n - (f && f.processed > 0 ? f.processed : Math.round(n / Math.max(1, status.batches))),
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        steadyCpuSeconds: (steadyCpu.user + steadyCpu.system) / 1e6,
        redisCpuSeconds: redisCpu,
      } satisfies Timing,
      health,
      batches: status.batches,
      commands,
    };
  } finally {
    await runtime.stop();
  }
}

/** A plain kafkajs consumer (same fetch settings as the product) that only JSON.parses each value. */
async function runRaw(config: Config, infra: Infra, n: number, timeoutMs: number) {
  const consumer = kafkaClient(config, 'bench-raw').consumer({
    groupId: uniqueName('raw'),
    sessionTimeout: config.kafka.sessionTimeoutMs,
    heartbeatInterval: Math.max(500, Math.floor(config.kafka.sessionTimeoutMs / 10)),
    rebalanceTimeout: config.kafka.sessionTimeoutMs * 2,
    maxBytesPerPartition: config.kafka.maxBytesPerPartition,
  });
  let count = 0;
  let parsedIds = 0;
  let batches = 0;
  let firstAt = 0;
  let firstCount = 0;
  let firstCpu: NodeJS.CpuUsage | null = null;
  let lastAt = 0;
  const cpu0 = process.cpuUsage();
  const redis0 = await redisCpuSeconds(infra.redis.url);
  const t0 = performance.now();
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: inputTopics(config), fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const v = JSON.parse(m.value?.toString('utf8') ?? 'null') as { id?: unknown } | null;
          if (typeof v?.id === 'string') parsedIds++;
          count++;
        }
        batches++;
        lastAt = performance.now();
        if (firstAt === 0) {
          firstAt = lastAt;
          firstCpu = process.cpuUsage();
          firstCount = count;
        }
      },
    });
    await waitFor('the raw consumer to read every message', () => count >= n, timeoutMs);
    const cpu = process.cpuUsage(cpu0);
    const steadyCpu = firstCpu ? process.cpuUsage(firstCpu) : { user: Number.NaN, system: 0 };
    return {
      timing: {
        totalMs: lastAt - t0,
        startupMs: firstAt - t0,
        steadyMs: lastAt - firstAt,
        steadyEvents: n - firstCount,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        steadyCpuSeconds: (steadyCpu.user + steadyCpu.system) / 1e6,
        redisCpuSeconds: (await redisCpuSeconds(infra.redis.url)) - redis0,
      } satisfies Timing,
      parsedIds,
      batches,
    };
  } finally {
    await consumer.disconnect();
  }
}

interface Round {
  events: number;
  types: Record<string, number>;
  bytes: number;
  generateMs: number;
  produceMs: number;
  product: Awaited<ReturnType<typeof runProduct>>;
  raw: Awaited<ReturnType<typeof runRaw>>;
}

/** One round on fresh infrastructure and fresh topics: produce, ingest with floorboard, read raw. */
async function runRound(round: number, n: number, timeoutMs: number): Promise<Round> {
  const infra = await startInfra();
  try {
    const config = benchConfig('ingest', infra);
    await createTopics(config, 4);
    const genStart = performance.now();
    const events = simulatedEvents(config, n, 7 + round);
    const generateMs = performance.now() - genStart;
    const bytes = events.reduce((s, e) => s + Buffer.byteLength(JSON.stringify(e)), 0);
    const types: Record<string, number> = {};
    for (const e of events) types[e.type] = (types[e.type] ?? 0) + 1;
    const prodStart = performance.now();
    await produceAll(config, events, PRODUCE_CHUNK);
    const produceMs = performance.now() - prodStart;
    const retained = await retainedMessages(config);
    if (retained !== n) throw new Error(`produced ${n} events but the broker holds ${retained}`);

    const product = await profiled(`ingest-floorboard-${round}`, () =>
      runProduct(config, infra, n, timeoutMs),
    );
    if (product.health.eventsProcessed !== n)
      throw new Error(
        `health.eventsProcessed is ${product.health.eventsProcessed}, expected ${n} ` +
          `(dead-lettered ${product.health.deadLettered}, duplicates ${product.health.duplicates})`,
      );
    const raw = await profiled(`ingest-raw-${round}`, () => runRaw(config, infra, n, timeoutMs));
    if (raw.parsedIds !== n) throw new Error(`the raw consumer parsed ${raw.parsedIds} event ids of ${n}`);
    return { events: n, types, bytes, generateMs, produceMs, product, raw };
  } finally {
    await infra.stop();
  }
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Runs the ingest benchmark. */
export async function benchIngest(opts: IngestOptions = {}): Promise<BenchResult> {
  const total = opts.events ?? 200_000;
  const perRound = Math.min(total, opts.perRound ?? 100_000);
  const timeoutMs = opts.timeoutMs ?? 240_000;
  const loadBefore = loadAverage();
  const started = performance.now();
  const rounds: Round[] = [];
  for (let done = 0; done < total; done += perRound)
    rounds.push(await runRound(rounds.length, Math.min(perRound, total - done), timeoutMs));

  const n = sum(rounds.map((r) => r.events));
  const timing = (pick: (r: Round) => Timing) => ({
    totalMs: sum(rounds.map((r) => pick(r).totalMs)),
    startupMs: sum(rounds.map((r) => pick(r).startupMs)),
    steadyMs: sum(rounds.map((r) => pick(r).steadyMs)),
    steadyEvents: sum(rounds.map((r) => pick(r).steadyEvents)),
    cpuSeconds: round(sum(rounds.map((r) => pick(r).cpuSeconds)), 2),
    steadyCpuSeconds: round(sum(rounds.map((r) => pick(r).steadyCpuSeconds)), 2),
    redisCpuSeconds: round(sum(rounds.map((r) => pick(r).redisCpuSeconds)), 2),
  });
  const product = timing((r) => r.product.timing);
  const raw = timing((r) => r.raw.timing);
  const productRate = rate(n, product.totalMs);
  const rawRate = rate(n, raw.totalMs);
  const productSteady = rate(product.steadyEvents, product.steadyMs);
  const rawSteady = rate(raw.steadyEvents, raw.steadyMs);
  const ratio = productRate / rawRate;
  const commands: Record<string, number> = {};
  for (const r of rounds)
    for (const [k, v] of Object.entries(r.product.commands)) commands[k] = (commands[k] ?? 0) + v;
  const types: Record<string, number> = {};
  for (const r of rounds) for (const [k, v] of Object.entries(r.types)) types[k] = (types[k] ?? 0) + v;
  const productBatches = sum(rounds.map((r) => r.product.batches));
  const rawBatches = sum(rounds.map((r) => r.raw.batches));
  return {
    bench: 'ingest',
    title: 'Kafka → kafkajs → validation → projection → Redis',
    loadBefore,
    loadAfter: loadAverage(),
    seconds: (performance.now() - started) / 1000,
    metrics: [
      { name: 'floorboard ingest (start → all applied)', value: productRate, unit: 'events/s' },
      { name: 'floorboard ingest, steady state', value: productSteady, unit: 'events/s' },
      { name: 'raw kafkajs + JSON.parse (start → all read)', value: rawRate, unit: 'events/s' },
      { name: 'raw kafkajs, steady state', value: rawSteady, unit: 'events/s' },
      { name: 'floorboard / raw (start → all)', value: ratio * 100, unit: '%' },
      { name: 'floorboard / raw (steady state)', value: (productSteady / rawSteady) * 100, unit: '%' },
      {
        name: 'floorboard CPU per event, steady state',
        value: (product.steadyCpuSeconds * 1e6) / product.steadyEvents,
        unit: 'µs',
      },
      {
        name: 'raw CPU per event, steady state',
        value: (raw.steadyCpuSeconds * 1e6) / raw.steadyEvents,
        unit: 'µs',
      },
      { name: 'events', value: n, unit: 'events' },
    ],
    target: {
      description: '≥ 100,000 events/s or ≥ 60 % of raw',
      met: productRate >= 100_000 || ratio >= 0.6,
    },
    details: {
      events: n,
      rounds: rounds.length,
      eventsPerRound: perRound,
      eventTypes: types,
      meanEventBytes: round(sum(rounds.map((r) => r.bytes)) / n),
      partitionsPerTopic: 4,
      produceChunk: PRODUCE_CHUNK,
      maxBytesPerPartition: testConfig().kafka.maxBytesPerPartition,
      generateMs: round(sum(rounds.map((r) => r.generateMs))),
      produceMs: round(sum(rounds.map((r) => r.produceMs))),
      product: { ...product, batches: productBatches, meanBatch: round(n / productBatches) },
      raw: { ...raw, batches: rawBatches, meanBatch: round(n / rawBatches) },
      productCpuMicrosPerEvent: round((product.cpuSeconds * 1e6) / n),
      // Steady state only: the CPU a consumer that has joined its group spends per event.
      productSteadyCpuMicrosPerEvent: round((product.steadyCpuSeconds * 1e6) / product.steadyEvents),
      rawSteadyCpuMicrosPerEvent: round((raw.steadyCpuSeconds * 1e6) / raw.steadyEvents),
      redisCpuMicrosPerEvent: round((product.redisCpuSeconds * 1e6) / n),
      redisCommandsPerEvent: round(sum(Object.values(commands)) / n, 2),
      redisCommands: commands,
      perRound: rounds.map((r) => ({
        events: r.events,
        floorboard: { ...r.product.timing, batches: r.product.batches },
        raw: { ...r.raw.timing, batches: r.raw.batches },
      })),
    },
  };
}
