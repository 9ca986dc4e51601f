/**
 * Where push latency goes: each marker's path through the server, on one clock shared by the server
 * and the load worker (`performance.timeOrigin + performance.now()`, milliseconds since the epoch
 * with sub-millisecond resolution, the same in every thread of the process).
 *
 *   sent ─► fetched ─► batch start ─► applied ─► read start ─► read done ─► received
 *                                                                           └─► emit done
 *
 * - fetched: the end of the kafkajs fetch whose response held the marker (consumer FETCH event);
 * - batch start / applied: floorboard's eachBatch handler entered / resolved for the marker's batch
 *   (decode, store transaction, then `onApplied` marks the hub dirty);
 * - read start / read done: the first hub flush whose read of the floor started after the marker was
 *   applied (so its delta carries the marker), from the hub's `trace` hook; emit done: its deltas
 *   written to every socket (clients in the other thread may receive before the loop ends);
 * - received: first and last client (the load worker's MarkerLatency).
 *
 * The kafkajs side is observed by wrapping the consumers of one group (the server's) as they are
 * created, like lib/fetch-wait.ts: nothing in floorboard's ingest path is changed for it.
 */
import {
  Kafka,
  type Consumer,
  type ConsumerConfig,
  type ConsumerRunConfig,
  type EachBatchPayload,
} from 'kafkajs';
import type { HubTrace } from '../../server/realtime/hub.ts';
import { round } from './stats.ts';

/** Milliseconds since the epoch, sub-millisecond, comparable across the threads of this process. */
export const absNow = (): number => performance.timeOrigin + performance.now();

export interface MarkerIngest {
  fetched: number;
  batchStart: number;
  applied: number;
  /** Messages and batches of the fetch that brought the marker, and its batch's position among them. */
  batchMessages: number;
}

export interface FlushRecord {
  readStart: number;
  readDone: number;
  emitted: number;
  rooms: number;
}

export interface FetchRecord {
  start: number;
  end: number;
  /** Batches with messages handed to eachBatch before the next fetch. */
  batches: number;
  messages: number;
  /** From the end of this fetch to the start of the next (processing its batches). */
  processMs: number;
  /** Of which in floorboard's eachBatch handler (the rest: kafkajs between batches, e.g. commits). */
  handlerMs: number;
}

export interface PushTrace {
  hub: HubTrace;
  markers: Map<number, MarkerIngest>;
  flushes: FlushRecord[];
  fetches: FetchRecord[];
  uninstall(): void;
}

/**
 * Starts tracing the kafkajs consumers of `groupId` (created from now on) and returns the hub hook.
 * Markers are the messages on `topic`/`partition` whose value names `markerQueue`; their number is
 * the suffix of their callId (`…-<k>`, lib/load.ts).
 */
export function startPushTrace(o: {
  groupId: string;
  topic: string;
  partition: number;
  markerQueue: string;
}): PushTrace {
  const markers = new Map<number, MarkerIngest>();
  const flushes: FlushRecord[] = [];
  const fetches: FetchRecord[] = [];
  const needle = Buffer.from(`"queue":${JSON.stringify(o.markerQueue)}`);
  const previous = Kafka.prototype.consumer;
  let current: FetchRecord | null = null;

  function traced(consumer: Consumer): Consumer {
    consumer.on(consumer.events.FETCH_START, () => {
      const now = absNow();
      if (current) current.processMs = now - current.end;
      current = null;
    });
    consumer.on(consumer.events.FETCH, (e) => {
      const end = absNow();
      current = { start: end - e.payload.duration, end, batches: 0, messages: 0, processMs: 0, handlerMs: 0 };
      fetches.push(current);
    });
    const run = consumer.run.bind(consumer);
    consumer.run = (config?: ConsumerRunConfig) => {
      const eachBatch = config?.eachBatch;
      if (!eachBatch) return run(config);
      return run({
        ...config,
        eachBatch: async (payload: EachBatchPayload) => {
          const batchStart = absNow();
          const fetch = current;
          const { batch } = payload;
          if (fetch && batch.messages.length > 0) {
            fetch.batches++;
            fetch.messages += batch.messages.length;
          }
          const found: number[] = [];
          if (batch.topic === o.topic && batch.partition === o.partition) {
            for (const m of batch.messages) {
              if (!m.value || m.value.indexOf(needle) < 0) continue;
              const callId = (JSON.parse(m.value.toString()) as { callId?: string }).callId ?? '';
              const k = Number(/-(\d+)$/.exec(callId)?.[1]);
              if (Number.isInteger(k)) found.push(k);
            }
          }
          await eachBatch(payload);
          const applied = absNow();
          if (fetch) fetch.handlerMs += applied - batchStart;
          for (const k of found) {
            markers.set(k, {
              fetched: fetch?.end ?? batchStart,
              batchStart,
              applied,
              batchMessages: batch.messages.length,
            });
          }
        },
      });
    };
    return consumer;
  }

  Kafka.prototype.consumer = function consumer(this: Kafka, config: ConsumerConfig) {
    const c = previous.call(this, config);
    return config.groupId === o.groupId ? traced(c) : c;
  };

  let open: { readStart: number; readDone: number } | null = null;
  const hub: HubTrace = {
    readStarted() {
      open = { readStart: absNow(), readDone: Number.NaN };
    },
    readDone() {
      if (open) open.readDone = absNow();
    },
    emitted(rooms) {
      if (open) flushes.push({ ...open, emitted: absNow(), rooms });
      open = null;
    },
  };

  return {
    hub,
    markers,
    flushes,
    fetches,
    uninstall() {
      Kafka.prototype.consumer = previous;
    },
  };
}

/** Per marker, when it was sent and when its first and last client received it (absolute ms). */
export interface MarkerTimes {
  sent: number;
  first: number;
  last: number;
}

type Summary = { count: number; p50: number; p95: number; p99: number; max: number; mean: number };

function summarise(values: number[]): Summary {
  const s = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  return {
    count: s.length,
    mean: round(mean),
    p50: round(at(50)),
    p95: round(at(95)),
    p99: round(at(99)),
    max: round(s[s.length - 1] ?? NaN),
  };
}

/**
 * The latency breakdown of the measured markers: each stage's distribution (ms), the markers the
 * breakdown covers, and the slowest markers' stages (to see what a tail is made of).
 */
export function breakdown(
  trace: PushTrace,
  times: ReadonlyMap<number, MarkerTimes>,
): Record<string, unknown> {
  const flushes = [...trace.flushes].sort((a, b) => a.readStart - b.readStart);
  const stages: Record<string, number[]> = {
    'sent → fetched': [],
    'fetched → batch start': [],
    'batch start → applied': [],
    'applied → read start': [],
    'read start → read done': [],
    'read done → emit done': [],
    'read done → first client': [],
    'first → last client': [],
    'sent → last client': [],
  };
  const rows: Array<{ k: number; total: number; parts: number[] }> = [];
  let i = 0;
  const sortedKeys = [...times.keys()].sort((a, b) => a - b);
  let unmatched = 0;
  for (const k of sortedKeys) {
    const t = times.get(k);
    const m = trace.markers.get(k);
    if (!t || !m) {
      unmatched++;
      continue;
    }
    while (i < flushes.length && (flushes[i] as FlushRecord).readStart < m.applied) i++;
    const f = flushes[i];
    if (!f) {
      unmatched++;
      continue;
    }
    const parts = [
      m.fetched - t.sent,
      m.batchStart - m.fetched,
      m.applied - m.batchStart,
      f.readStart - m.applied,
      f.readDone - f.readStart,
      f.emitted - f.readDone,
      t.first - f.readDone,
      t.last - t.first,
      t.last - t.sent,
    ];
    Object.values(stages).forEach((list, j) => list.push(parts[j] ?? NaN));
    rows.push({ k, total: t.last - t.sent, parts });
  }
  const names = Object.keys(stages);
  const slowest = rows
    .sort((a, b) => b.total - a.total)
    .slice(0, 5)
    .map((r) => ({ marker: r.k, ...Object.fromEntries(names.map((n, j) => [n, round(r.parts[j] ?? NaN)])) }));
  const fetches = trace.fetches.filter((f) => f.batches > 0);
  return {
    markers: rows.length,
    unmatched,
    stagesMs: Object.fromEntries(Object.entries(stages).map(([n, v]) => [n, summarise(v)])),
    slowest,
    fetches: {
      withData: fetches.length,
      empty: trace.fetches.length - fetches.length,
      durationMs: summarise(trace.fetches.map((f) => f.end - f.start)),
      batchesPerFetch: summarise(fetches.map((f) => f.batches)),
      messagesPerFetch: summarise(fetches.map((f) => f.messages)),
      processMs: summarise(fetches.map((f) => f.processMs)),
      handlerMs: summarise(fetches.map((f) => f.handlerMs)),
      betweenBatchesMs: summarise(fetches.map((f) => f.processMs - f.handlerMs)),
    },
    flushes: {
      count: flushes.length,
      readMs: summarise(flushes.map((f) => f.readDone - f.readStart)),
      emitMs: summarise(flushes.map((f) => f.emitted - f.readDone)),
      gapMs: summarise(flushes.slice(1).map((f, j) => f.readStart - (flushes[j] as FlushRecord).readStart)),
    },
  };
}
