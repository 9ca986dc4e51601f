/**
 * The in-process event bus of the embedded default: topics with partitions chosen by key, offsets,
 * and one consumer that delivers batches per partition and retries a failed batch. It implements the
 * same interfaces as Kafka (streams/types.ts), so ingestion runs the same code either way.
 */
import { randomUUID } from 'node:crypto';
import type {
  BatchHandler,
  EventSource,
  OutboundMessage,
  Publisher,
  RawMessage,
  SourceHooks,
  TopicPartition,
} from './types.ts';

export interface MemoryBusOptions {
  partitions?: number;
  /** Largest batch delivered at once. */
  maxBatch?: number;
  /** Messages kept per partition: consumed ones beyond this are dropped, and so are the oldest of a
   * topic nobody consumes here (dead letters, outbound commands), so memory stays bounded. */
  retain?: number;
  retryMs?: number;
}

interface Partition {
  base: number; // offset of messages[0]
  messages: RawMessage[];
  committed: number; // next offset to deliver
  busy: boolean;
  /** A seek that arrived while a batch was being handled: applied once it returns (the batch is stale). */
  seekTo: number | null;
}

/** An offset within what a partition holds (seeking past either end lands on it, as Kafka resets). */
function clampOffset(p: Partition, offset: number): number {
  return Math.min(Math.max(p.base, offset), p.base + p.messages.length);
}

/** Kafka's default partitioner is murmur2; any stable hash keeps one key on one partition here. */
function hashKey(key: string): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

function toBuffer(v: string | Buffer | null): Buffer | null {
  return v === null ? null : Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8');
}

export interface MemoryBus extends Publisher {
  source(): EventSource;
  /** Every message ever published to a topic that is still retained (tests, dead-letter inspection). */
  read(topic: string): RawMessage[];
}

/** Creates an in-process bus. */
export function createMemoryBus(opts: MemoryBusOptions = {}): MemoryBus {
  const partitionCount = opts.partitions ?? 4;
  const maxBatch = opts.maxBatch ?? 1000;
  const retain = opts.retain ?? 1000;
  const topics = new Map<string, Partition[]>();
  /** Topics a started source reads: trimmed once consumed; the others by age. */
  const consumed = new Set<string>();
  let nextPartition = 0;
  let wake: (() => void) | null = null;

  function partitionsOf(topic: string): Partition[] {
    let ps = topics.get(topic);
    if (!ps) {
      ps = Array.from({ length: partitionCount }, () => ({
        base: 0,
        messages: [],
        committed: 0,
        busy: false,
        seekTo: null,
      }));
      topics.set(topic, ps);
    }
    return ps;
  }

  const bus: MemoryBus = {
    async send(topic: string, messages: OutboundMessage[]) {
      const ps = partitionsOf(topic);
      for (const m of messages) {
        const key = toBuffer(m.key);
        const index = key ? hashKey(key.toString('utf8')) % partitionCount : nextPartition++ % partitionCount;
        const p = ps[index];
        if (!p) continue;
        p.messages.push({
          offset: String(p.base + p.messages.length),
          key,
          value: toBuffer(m.value),
          ...(m.headers ? { headers: m.headers } : {}),
        });
        if (!consumed.has(topic) && p.messages.length > retain) {
          const drop = p.messages.length - retain;
          p.messages.splice(0, drop);
          p.base += drop;
          p.committed = Math.max(p.committed, p.base);
        }
      }
      wake?.();
    },
    async close() {},
    read(topic) {
      return (topics.get(topic) ?? []).flatMap((p) => p.messages);
    },
    source() {
      let running = false;
      let loop: Promise<void> | null = null;
      let owned: TopicPartition[] = [];
      const partition = (topic: string, index: number): Partition => {
        const p = owned.some((o) => o.topic === topic && o.partition === index)
          ? partitionsOf(topic)[index]
          : undefined;
        if (!p) throw new Error(`this source does not own partition ${index} of ${topic}`);
        return p;
      };
      return {
        kind: 'in-process',
        offsetNamespace: `in-process:${randomUUID()}`,
        connected: () => running,
        assigned: () => [...owned],
        seek(topic, index, offset) {
          const p = partition(topic, index);
          if (p.busy) p.seekTo = Number(offset);
          else p.committed = clampOffset(p, Number(offset));
        },
        async offsetRanges(list) {
          return list.map(({ topic, partition: index }) => {
            const p = partition(topic, index);
            return { low: String(p.base), high: String(p.base + p.messages.length) };
          });
        },
        async start(names: string[], handler: BatchHandler, hooks?: SourceHooks) {
          running = true;
          for (const n of names) consumed.add(n);
          owned = names.flatMap((n) => partitionsOf(n).map((_, i) => ({ topic: n, partition: i })));
          await hooks?.onAssigned?.([...owned]);
          loop = (async () => {
            while (running) {
              let delivered = false;
              for (const n of names) {
                for (const [index, p] of partitionsOf(n).entries()) {
                  const from = p.committed - p.base;
                  if (p.busy || from >= p.messages.length) continue;
                  delivered = true;
                  p.busy = true;
                  const messages = p.messages.slice(from, from + maxBatch);
                  let resolved: string | null = null;
                  let sought: string | null = null;
                  try {
                    await handler(
                      {
                        topic: n,
                        partition: index,
                        messages,
                        highWatermark: String(p.base + p.messages.length),
                      },
                      {
                        heartbeat: async () => {},
                        isActive: () => running && p.seekTo === null,
                        resolveOffset: (o) => void (resolved = o),
                        earliestOffset: async () => String(p.base),
                        seek: (o) => void (sought = o),
                      },
                    );
                  } catch {
                    await new Promise((r) => setTimeout(r, opts.retryMs ?? 200));
                  } finally {
                    p.busy = false;
                  }
                  if (p.seekTo !== null) {
                    p.committed = clampOffset(p, p.seekTo);
                    p.seekTo = null;
                  } else if (sought !== null) p.committed = clampOffset(p, Number(sought));
                  else if (resolved !== null) {
                    p.committed = Number(resolved) + 1;
                    const drop = p.committed - p.base - retain;
                    if (drop > 0) {
                      p.messages.splice(0, drop);
                      p.base += drop;
                    }
                  }
                }
              }
              if (!delivered && running) {
                await new Promise<void>((r) => {
                  wake = r;
                  setTimeout(r, 100);
                });
                wake = null;
              }
            }
          })();
        },
        async stop() {
          running = false;
          wake?.();
          await loop;
        },
      };
    },
  };
  return bus;
}
