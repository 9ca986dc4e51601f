/**
 * The storage interface both stores implement (Redis, and the in-process store of the embedded
 * default). Writes are abstract operations (domain/ops.ts) applied atomically; reads are the few
 * primitives the projector and the read models need. One contract test suite runs against both.
 */
import type { Op, RecordKind } from '../domain/ops.ts';

/** A consistent read view that ends in one atomic commit. */
export interface Transaction {
  /** Last applied offset of a partition, or null. */
  getOffset(namespace: string, topic: string, partition: number): Promise<string | null>;
  /** For each event id (with its dedupe bucket), whether it was applied before. */
  seen(ids: ReadonlyArray<{ id: string; bucket: number }>): Promise<boolean[]>;
  /** Records by id (parsed JSON), null where absent. */
  getRecords(kind: RecordKind, ids: readonly string[]): Promise<Array<unknown | null>>;
  /** Applies every operation atomically; false if anything read in this transaction changed meanwhile. */
  commit(ops: readonly Op[]): Promise<boolean>;
  /** Ends the transaction without writing. */
  abort(): Promise<void>;
}

/** One member of a sorted set with its score. */
export interface Scored {
  member: string;
  score: number;
}

/** Reads used by read models (health, wallboard snapshots, summaries). */
export interface StoreReader {
  getRecords(kind: RecordKind, ids: readonly string[]): Promise<Array<unknown | null>>;
  /** Members with min <= score <= max, ascending; `limit` caps the count. */
  zrange(key: string, min: number, max: number, limit?: number): Promise<Scored[]>;
  zcard(keys: readonly string[]): Promise<number[]>;
  zcount(keys: readonly string[], min: number, max: number): Promise<number[]>;
  hgetall(keys: readonly string[]): Promise<Array<Record<string, string>>>;
  smembers(key: string): Promise<string[]>;
}

export interface LiveStore extends StoreReader {
  readonly kind: 'redis' | 'in-memory';
  /** Human-readable location, for logs and health (no credentials). */
  readonly describe: string;
  /** Key prefix that every key of this store starts with. */
  readonly prefix: string;
  /** Starts a transaction; only one runs at a time per store instance. */
  begin(): Promise<Transaction>;
  /** Deletes every key under this store's prefix (never anything else); returns how many. */
  clear(): Promise<number>;
  /** Whether the store answers now. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
