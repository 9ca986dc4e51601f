/**
 * Fault suite, Kafka side: more than 10,000 seeded random and mutated payloads through the real path
 * (kafkajs → broker → runtime → Redis). Ingestion stays healthy, every rejected message lands in the
 * dead-letter topic once with its key and value bytes untouched, and the counters equal the reference
 * model of the valid messages alone. The contract's own decoder only tells which messages are valid.
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, inject, it, onTestFailed } from 'vitest';
import type { Config } from '../../config/schema.ts';
import { systemClock } from '../../server/clock.ts';
import { DEAD_LETTER_HEADERS, TOPIC_ROLES, type CcEvent } from '../../server/contract/events.ts';
import { decodeMessage } from '../../server/domain/decode.ts';
import { createLogger } from '../../server/log.ts';
import { startRuntime, type Runtime } from '../../server/runtime.ts';
import { createKafkaPublisher } from '../../streams/kafka.ts';
import {
  createRng,
  EDGE_TIMESTAMPS_INSIDE,
  EDGE_TIMESTAMPS_OUTSIDE,
  fuzzSeed,
  fuzzStream,
  oddEvents,
  reproduceWith,
  type FuzzMessage,
} from '../support/fuzz.ts';
import { isolatedConfig, readTopic, simulatedEvents, waitUntil, type ReadMessage } from '../support/kafka.ts';
import { normalize, observe } from '../support/observe.ts';
import { reference } from '../support/reference.ts';

const FILE = 'test/integration/fuzz-events.test.ts';
const SEED = fuzzSeed(20260302);
/** Messages produced in all. */
const TOTAL = 10_500;
/** Messages of about 64 KiB (over and at the limit): few, since the mock broker trims partitions of several MB. */
const HUGE = 24;

const running: Runtime[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop().catch(() => undefined);
});

const bytes = (v: string | Buffer | null): Buffer | null =>
  v === null ? null : Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8');

/** Identifies a message by source topic, key and value bytes (null and empty alike, as Kafka may). */
function digest(topic: string, key: Buffer | null, value: Buffer | null): string {
  const h = createHash('sha256').update(topic).update('\u0000');
  h.update(key === null ? 'null' : `key:${key.length}:`).update(key ?? Buffer.alloc(0));
  h.update(value === null || value.length === 0 ? 'empty' : 'value:').update(value ?? Buffer.alloc(0));
  return h.digest('hex');
}

/** Items of `a` not matched one-for-one in `b`. */
function unmatched(a: readonly string[], b: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const x of b) left.set(x, (left.get(x) ?? 0) + 1);
  return a.filter((x) => {
    const n = left.get(x) ?? 0;
    if (n > 0) left.set(x, n - 1);
    return n === 0;
  });
}

/** Produces the stream in chunks of `chunk`, each topic's share in one send, so per-key order holds. */
async function produceStream(config: Config, stream: readonly FuzzMessage[], chunk = 500): Promise<void> {
  const pub = await createKafkaPublisher({ brokers: config.kafka.brokers, clientId: 'fuzz-producer' });
  try {
    for (let i = 0; i < stream.length; i += chunk) {
      const part = stream.slice(i, i + chunk);
      for (const role of TOPIC_ROLES) {
        const messages = part
          .filter((m) => m.role === role)
          .map(({ key, value, headers }) => ({ key, value, ...(headers ? { headers } : {}) }));
        await pub.send(config.kafka.topics[role], messages);
      }
    }
  } finally {
    await pub.close();
  }
}

/** Messages a topic holds now, over all partitions (high minus low watermark). */
async function topicSize(config: Config, topic: string): Promise<number> {
  const admin = new Kafka({
    clientId: 'fuzz-admin',
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

/** Every period the store holds counters for (rejects must not open new ones either). */
async function storedPeriods(runtime: Runtime): Promise<string[]> {
  const redis = new Redis(inject('redisUrl'), { lazyConnect: true });
  await redis.connect();
  try {
    const pattern = runtime.keys.set({ name: 'periodGroups', period: '*' });
    const prefix = pattern.slice(0, -1);
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      found.push(...keys.map((k) => k.slice(prefix.length)));
    } while (cursor !== '0');
    return found;
  } finally {
    redis.disconnect();
  }
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

describe('fuzzed event payloads through Kafka', () => {
  it('dead-letters every reject once, keeps consuming, and counts only the valid events', async () => {
    onTestFailed(() => console.log(reproduceWith(SEED, FILE)));
    const started = Date.now();
    const config = isolatedConfig('fuzz-events');
    const topics = config.kafka.topics;
    const maxBytes = config.ingest.maxMessageBytes;
    const rng = createRng(SEED);
    const events = [...simulatedEvents(config, 4), ...oddEvents(rng, Date.now())];
    const stream = fuzzStream(rng, events, {
      total: TOTAL,
      budget: { huge: HUGE, maxBytes },
    });

    // What the runtime must do, by the contract's own decoder.
    const valid: CcEvent[] = [];
    const rejected: FuzzMessage[] = [];
    for (const m of stream) {
      const d = decodeMessage(bytes(m.value), { maxBytes, topicRole: m.role, key: bytes(m.key) });
      if (d.ok) valid.push(d.event);
      else rejected.push(m);
    }
    const unique = new Set(valid.map((e) => e.id)).size;
    // Surveys at the ends of the timestamp range reach the projector; those just outside it are rejects.
    const validIds = new Set(valid.map((e) => e.id));
    const edges = events.flatMap((e) =>
      e.type === 'survey.submitted' && e.surveyId.startsWith('edge-') ? [e] : [],
    );
    expect(edges.filter((e) => e.surveyId.startsWith('edge-in-') && !validIds.has(e.id))).toEqual([]);
    expect(edges.filter((e) => e.surveyId.startsWith('edge-out-') && validIds.has(e.id))).toEqual([]);
    expect(edges.length).toBe(EDGE_TIMESTAMPS_INSIDE.length + EDGE_TIMESTAMPS_OUTSIDE.length);
    const note = `${reproduceWith(SEED, FILE)}; ${stream.length} messages, ${valid.length} valid (${unique} unique), ${rejected.length} rejected`;
    expect(stream.length, note).toBeGreaterThanOrEqual(10_000);
    expect([valid.length > 1000, rejected.length > 3000], note).toEqual([true, true]);
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

    const runtime = await startRuntime({ config, clock: systemClock, log: createLogger('silent') });
    running.push(runtime);
    await produceStream(config, stream);
    await waitUntil(
      'every message consumed',
      async () => {
        const h = await runtime.health();
        return h.eventsProcessed + h.duplicates + h.deadLettered >= stream.length;
      },
      60_000,
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}; health: ${JSON.stringify(await runtime.health())}; ${note}`);
    });
    const consumedAt = Date.now();

    const health = await runtime.health();
    expect(
      {
        status: health.status,
        eventsProcessed: health.eventsProcessed,
        duplicates: health.duplicates,
        deadLettered: health.deadLettered,
        degradedSince: health.degradedSince,
        lastError: health.lastError,
        storeFailures: runtime.ingestor.status().storeFailures,
      },
      note,
    ).toEqual({
      status: 'ok',
      eventsProcessed: unique,
      duplicates: valid.length - unique,
      deadLettered: rejected.length,
      degradedSince: null,
      lastError: null,
      storeFailures: 0,
    });

    // The dead-letter topic holds exactly the rejects: same source topic, key and value bytes.
    const dlq: ReadMessage[] = await readTopic(config, topics.deadletter, rejected.length, 60_000);
    expect(await topicSize(config, topics.deadletter), note).toBe(rejected.length);
    const expected = rejected.map((m) => digest(topics[m.role], bytes(m.key), bytes(m.value)));
    const got = dlq.map((d) => digest(d.headers[DEAD_LETTER_HEADERS.sourceTopic] ?? '', d.key, d.value));
    const labelOf = new Map(rejected.map((m, i) => [expected[i], m.label]));
    expect(
      unmatched(expected, got).map((x) => labelOf.get(x)),
      `rejects missing from the DLQ; ${note}`,
    ).toEqual([]);
    expect(unmatched(got, expected).length, `unexpected dead letters; ${note}`).toBe(0);
    for (const d of dlq) {
      expect(d.headers[DEAD_LETTER_HEADERS.reason], note).toMatch(/\S/);
      expect(d.headers[DEAD_LETTER_HEADERS.reason], note).not.toBe('spoofed');
      expect(d.headers[DEAD_LETTER_HEADERS.sourcePartition], note).toMatch(/^[0-3]$/);
      expect(d.headers[DEAD_LETTER_HEADERS.sourceOffset], note).toMatch(/^\d+$/);
      expect(Date.parse(d.headers[DEAD_LETTER_HEADERS.rejectedAt] ?? ''), note).not.toBeNaN();
    }

    // The counters are those of the valid events alone, in every period the store knows.
    // The reference has no clock-hour counters: hours of valid events are left out, any other is compared.
    const ref = reference(valid, config);
    const hours = new Set(valid.map((e) => runtime.calendar.hourAt(Date.parse(e.ts)).id));
    const periods = [
      ...new Set([
        ...Object.keys(ref.aggregates),
        ...(await storedPeriods(runtime)).filter((p) => !hours.has(p)),
      ]),
    ];
    const state = await observe(runtime.store, runtime.keys, periods);
    expect(normalize(state), note).toEqual(normalize(ref));
    const queues = new Set(valid.flatMap((e) => ('queue' in e ? [e.queue] : [])));
    const agents = new Set(valid.flatMap((e) => ('agentId' in e && e.agentId ? [e.agentId] : [])));
    const storedQueues = await runtime.store.smembers(runtime.keys.set({ name: 'queues' }));
    const storedAgents = await runtime.store.smembers(runtime.keys.set({ name: 'agents' }));
    expect(
      storedQueues.filter((q) => !queues.has(q)),
      note,
    ).toEqual([]);
    expect(
      storedAgents.filter((a) => !agents.has(a)),
      note,
    ).toEqual([]);
    expect(Object.getOwnPropertyNames(Object.prototype).sort(), 'Object.prototype is untouched').toEqual(
      prototypeKeys,
    );
    expect((await runtime.health()).status, note).toBe('ok');

    const labels = countBy(stream, (m) => m.label);
    console.log(
      `[fuzz-events] seed ${SEED}: ${stream.length} messages (${valid.length} valid, ${rejected.length} rejected), ` +
        `consumed in ${((consumedAt - started) / 1000).toFixed(1)} s, checked in ${((Date.now() - consumedAt) / 1000).toFixed(1)} s; ` +
        JSON.stringify(labels),
    );
  });
});
