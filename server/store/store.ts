/**
 * The storage interface both stores implement (Redis, and the in-process store of the embedded
 * default). Writes are abstract operations (domain/ops.ts) applied atomically; reads are the few
 * primitives the projector and the read models need. One contract test suite runs against both.
 */
import type { Op, RecordKind } from '../domain/ops.ts';

/** An event id with the hour bucket it is remembered in for duplicate detection. */
export interface EventIdRef {
  id: string;
  bucket: number;
}

/** Records of one kind to read, by id. */
export interface RecordRead {
  kind: RecordKind;
  ids: readonly string[];
}

/** What one ingestion batch reads, all in one round trip. */
export interface IngestReadRequest {
  namespace: string;
  topic: string;
  partition: number;
  /** Event ids to look up among the applied ones. */
  ids: readonly EventIdRef[];
  records: readonly RecordRead[];
}

export interface IngestRead {
  /** The store epoch (keys.epoch), null when absent: a fresh or emptied store. */
  epoch: string | null;
  /** Last applied offset of the partition, or null. */
  offset: string | null;
  /** Per requested id: applied before. */
  seen: boolean[];
  /** Per requested group, the records (parsed JSON) in the order of its ids, null where absent. */
  records: Array<Array<unknown | null>>;
}

/** Conditions an ingestion commit checks atomically with its writes (it writes nothing if one fails). */
export interface CommitGuard {
  /** The epoch `readIngest` returned: the commit fails if the store's epoch is no longer this. When
   * null (no epoch yet), the commit creates the epoch `newEpoch`. */
  epoch: string | null;
  newEpoch: string;
  /** Ids this commit applies: it fails if any was applied meanwhile. Checked at commit time instead
   * of watching the shared dedupe buckets, which every instance writes. */
  unseen: readonly EventIdRef[];
}

/** A consistent read view that ends in one atomic commit. */
export interface Transaction {
  /** Last applied offset of a partition, or null. */
  getOffset(namespace: string, topic: string, partition: number): Promise<string | null>;
  /** For each event id (with its dedupe bucket), whether it was applied before. */
  seen(ids: readonly EventIdRef[]): Promise<boolean[]>;
  /** Records by id (parsed JSON), null where absent. */
  getRecords(kind: RecordKind, ids: readonly string[]): Promise<Array<unknown | null>>;
  /** Everything an ingestion batch reads, in one round trip; the epoch, the partition's offset and the
   * records are watched (a change before commit makes it fail), the shared dedupe buckets are not. */
  readIngest(req: IngestReadRequest): Promise<IngestRead>;
  /** More records, watched, in one round trip (records that depend on records read before). */
  readRecords(reads: readonly RecordRead[]): Promise<Array<Array<unknown | null>>>;
  /** Applies every operation atomically; false if anything read in this transaction changed meanwhile
   * or a guard failed (then nothing was written). */
  commit(ops: readonly Op[], guard?: CommitGuard): Promise<boolean>;
  /** Ends the transaction without writing. */
  abort(): Promise<void>;
}

/** One member of a sorted set with its score. */
export interface Scored {
  member: string;
  score: number;
}

/** One range of a sorted set, as `zrange` reads it. */
export interface RangeRead {
  key: string;
  min: number;
  max: number;
  limit?: number;
}

/** Where a reader stands in the change log (store/changes.ts). */
export interface ChangeMark {
  /** The store epoch then (a change of epoch means the store was emptied and rebuilt). */
  epoch: string | null;
  /** The last commit sequence number seen (0 before any). */
  seq: number;
}

/** What changed after a mark. */
export interface StoreChanges {
  /** The mark to ask from next time. */
  mark: ChangeMark;
  /** Agents / tickets whose live view changed since the mark asked with (possibly a few more); null
   * when that cannot be told (no mark, another epoch, the sequence went back, tickets trimmed from
   * the log): read them all. */
  agents: string[] | null;
  tickets: string[] | null;
}

/** Reads used by read models (health, wallboard snapshots, summaries). */
export interface StoreReader {
  getRecords(kind: RecordKind, ids: readonly string[]): Promise<Array<unknown | null>>;
  /** Members with min <= score <= max, ascending; `limit` caps the count. */
  zrange(key: string, min: number, max: number, limit?: number): Promise<Scored[]>;
  /** Many `zrange`s in one round trip. */
  zranges(reads: readonly RangeRead[]): Promise<Scored[][]>;
  zcard(keys: readonly string[]): Promise<number[]>;
  zcount(keys: readonly string[], min: number, max: number): Promise<number[]>;
  hgetall(keys: readonly string[]): Promise<Array<Record<string, string>>>;
  smembers(key: string): Promise<string[]>;
  /** Per member, its score in the sorted set at `key`, or null. */
  zmscore(key: string, members: readonly string[]): Promise<Array<number | null>>;
  /** Whether each member is in the set at `key`. */
  smismember(key: string, members: readonly string[]): Promise<boolean[]>;
  /** What changed after `since` (null: the current mark, everything changed). */
  changes(since: ChangeMark | null): Promise<StoreChanges>;
}

export interface LiveStore extends StoreReader {
  readonly kind: 'redis' | 'in-memory';
  /** Human-readable location, for logs and health (no credentials). */
  readonly describe: string;
  /** Key prefix that every key of this store starts with. */
  readonly prefix: string;
  /** Starts a transaction (the Redis store runs a few at once, each on its own connection). */
  begin(): Promise<Transaction>;
  /** The store epoch (see keys.epoch), null when absent. */
  epoch(): Promise<string | null>;
  /** Last applied offsets of partitions, null where none (outside any transaction). */
  offsets(
    namespace: string,
    partitions: ReadonlyArray<{ topic: string; partition: number }>,
  ): Promise<Array<string | null>>;
  /** Calls `listener` whenever the connection comes back after a loss (Redis may have restarted empty). */
  onReconnect(listener: () => void): void;
  /** Deletes every key under this store's prefix (never anything else); returns how many. */
  clear(): Promise<number>;
  /** Whether the store answers now. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
