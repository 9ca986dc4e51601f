/**
 * Where partitions are read from, and rebuilding lost state. The store's epoch (keys.epoch) is
 * written by the first commit; a store that no longer holds the epoch this process committed under
 * lost its state (Redis restarted empty, was flushed or replaced), so every assigned partition is
 * re-read from its earliest retained offset by the same exactly-once path. A partition whose
 * offset the store does not have is read from its earliest retained offset too, and one whose offset
 * it has resumes right after it (Kafka's committed offsets may be older, or expired).
 */
import type { EventSource, MessageBatch, TopicPartition } from '../../streams/types.ts';
import type { LiveStore } from '../store/store.ts';

interface RebuildDeps {
  store: LiveStore;
  offsetNamespace: string;
  log: {
    info(obj: object, msg?: string): void;
    warn(obj: object, msg?: string): void;
    error(obj: object, msg?: string): void;
  };
  source?: Pick<EventSource, 'assigned' | 'seek' | 'offsetRanges'>;
}

const keyOf = (topic: string, partition: number) => `${topic}/${partition}`;

export function createRebuilds(deps: RebuildDeps) {
  let known: string | null = null;
  let count = 0;
  /** Partitions being re-read, with the offset they must reach. */
  const targets = new Map<string, bigint>();
  /** Last offset applied per partition in this process. */
  const applied = new Map<string, bigint>();
  /** Per partition being rebuilt: offsets up to here were dead-lettered before the loss. */
  const deadLettered = new Map<string, bigint>();
  /** False until the assigned partitions were positioned (the store may be down at start). */
  let positioned = true;
  let rebuilding: Promise<void> | null = null;

  function target(key: string, offset: bigint): void {
    targets.set(key, offset);
    const before = applied.get(key);
    if (before !== undefined) deadLettered.set(key, before);
  }

  async function rewindEverything(reason: string): Promise<void> {
    known = null;
    count++;
    deps.log.error(
      { reason, partitions: deps.source?.assigned().length ?? 0 },
      'THE STORE LOST ITS STATE: REBUILDING EVERY PARTITION FROM THE EARLIEST RETAINED OFFSET',
    );
    const source = deps.source;
    if (!source) return;
    const assigned = source.assigned();
    const ranges = await source.offsetRanges(assigned);
    assigned.forEach(({ topic, partition }, i) => {
      const { low, high } = ranges[i] ?? { low: '0', high: '0' };
      if (BigInt(high) <= BigInt(low)) return;
      target(keyOf(topic, partition), BigInt(high) - 1n);
      source.seek(topic, partition, low);
    });
  }

  async function position(partitions: TopicPartition[]): Promise<void> {
    const source = deps.source;
    if (!source) return;
    const owned = new Set(partitions.map((p) => keyOf(p.topic, p.partition)));
    for (const key of targets.keys()) if (!owned.has(key)) targets.delete(key);
    try {
      const stored = await deps.store.offsets(deps.offsetNamespace, partitions);
      const unknown = partitions.filter((_, i) => stored[i] == null);
      const found = unknown.length > 0 ? await source.offsetRanges(unknown) : [];
      const ranges = new Map(unknown.map((p, i) => [keyOf(p.topic, p.partition), found[i]]));
      partitions.forEach(({ topic, partition }, i) => {
        const offset = stored[i];
        const range = ranges.get(keyOf(topic, partition));
        if (offset != null) source.seek(topic, partition, String(BigInt(offset) + 1n));
        else if (range && BigInt(range.high) > BigInt(range.low)) {
          target(keyOf(topic, partition), BigInt(range.high) - 1n);
          source.seek(topic, partition, range.low);
        }
      });
      positioned = true;
    } catch (err) {
      positioned = false;
      deps.log.warn(
        { err: (err as Error).message },
        'cannot read the stored offsets of the assigned partitions yet; they are positioned once the store answers',
      );
    }
  }

  /** Whether the store no longer holds the epoch this process committed under. */
  const stateLost = async (): Promise<boolean> => known !== null && (await deps.store.epoch()) !== known;

  /** Rewinds every assigned partition, once per loss (`usedEpoch` is the epoch the caller saw). */
  const rebuildAll = (usedEpoch: string | null, reason: string): Promise<void> => {
    if (rebuilding) return rebuilding;
    if (usedEpoch !== known) return Promise.resolve();
    rebuilding = rewindEverything(reason).finally(() => (rebuilding = null));
    return rebuilding;
  };

  return {
    knownEpoch: () => known,
    committedUnder(epoch: string): void {
      known = epoch;
    },
    count: () => count,
    active: () => targets.size > 0,
    stateLost,
    rebuildAll,
    /** One partition was found without a stored offset and rewound to `to`. */
    rewound(batch: MessageBatch, to: string): void {
      count++;
      const last = batch.messages[batch.messages.length - 1];
      const upTo =
        batch.highWatermark !== undefined ? BigInt(batch.highWatermark) - 1n : BigInt(last?.offset ?? to);
      target(keyOf(batch.topic, batch.partition), upTo);
      deps.log.warn(
        { topic: batch.topic, partition: batch.partition, at: batch.messages[0]?.offset, rewindTo: to },
        'THE STORE HAS NO STATE FOR THIS PARTITION (emptied?): REBUILDING FROM THE EARLIEST RETAINED OFFSET',
      );
    },
    appliedUpTo(batch: MessageBatch, offset: string): void {
      const key = keyOf(batch.topic, batch.partition);
      const at = BigInt(offset);
      applied.set(key, at);
      const covered =
        batch.lastOffset !== undefined && BigInt(batch.lastOffset) > at ? BigInt(batch.lastOffset) : at;
      const goal = targets.get(key);
      if (goal !== undefined && covered >= goal) {
        targets.delete(key);
        deadLettered.delete(key);
        if (targets.size === 0)
          deps.log.warn({ partition: key }, 'every partition has caught up: the state is complete');
      }
    },
    /** Whether the message at `offset` was dead-lettered before the state was lost (not again). */
    deadLetteredBefore(key: string, offset: string): boolean {
      const upTo = deadLettered.get(key);
      return upTo !== undefined && BigInt(offset) <= upTo;
    },
    onAssigned: position,
    /**
     * Rebuilds if the store lost its state. After a reconnect (or while the assigned partitions could
     * not be positioned yet) it also positions them from the stored offsets again: a Redis restored
     * from an older snapshot keeps its epoch but is behind, and re-reading from its offsets catches up.
     */
    async checkStore(opts: { reconnected?: boolean } = {}): Promise<void> {
      if (await stateLost()) {
        await rebuildAll(known, 'the store epoch is gone: the store lost its state');
        return;
      }
      if ((opts.reconnected || !positioned) && deps.source) await position(deps.source.assigned());
    },
  };
}
