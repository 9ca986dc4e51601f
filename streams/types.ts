/**
 * The thin interface between floorboard and a log-based message broker. kafkajs sits behind it
 * (streams/kafka.ts) and so does the in-process bus used by the embedded default (streams/memory-bus.ts),
 * so either can be swapped without touching ingestion.
 */

/** One message as read from a topic partition. */
export interface RawMessage {
  /** Offset within the partition, as a decimal string (Kafka offsets are int64). */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, string>;
}

/** A run of consecutive messages from one topic partition. */
export interface MessageBatch {
  topic: string;
  partition: number;
  messages: RawMessage[];
  /** Offset of the next message the broker will write to this partition, when known (for lag). */
  highWatermark?: string;
  /** The last offset the batch covers when it is past its last message (records the client filters
   * out, such as transaction markers, take offsets too). */
  lastOffset?: string;
}

/** Processes a batch; resolves once its effects are durably stored. Throwing means "retry later". */
export type BatchHandler = (batch: MessageBatch, control: BatchControl) => Promise<void>;

export interface BatchControl {
  /** Keeps group membership alive during long work (a no-op where there is no group). */
  heartbeat(): Promise<void>;
  /** False once the source is stopping or the partition was revoked: stop retrying, do not commit. */
  isActive(): boolean;
  /** Marks messages up to and including `offset` as processed (committed to the broker lazily). */
  resolveOffset(offset: string): void;
  /** The earliest offset the broker still retains for this partition. */
  earliestOffset(): Promise<string>;
  /** Continues this partition from `offset` after the current batch (the handler returns at once). */
  seek(offset: string): void;
}

/** A message to publish. */
export interface OutboundMessage {
  key: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string>;
}

/** Publishes messages to topics. */
export interface Publisher {
  send(topic: string, messages: OutboundMessage[]): Promise<void>;
  close(): Promise<void>;
  /** Resolves if `topic` exists or can be created and accepts messages; rejects with the reason otherwise. */
  checkTopic?(topic: string): Promise<void>;
}

/** One partition of one topic. */
export interface TopicPartition {
  topic: string;
  partition: number;
}

/** What a source reports besides batches. */
export interface SourceHooks {
  /** Called whenever this member is given partitions (after each rebalance), so the consumer can
   * position them (seek) before or soon after their first fetch. */
  onAssigned?(partitions: TopicPartition[]): void | Promise<void>;
}

/** Where events come from: Kafka, or the in-process bus. */
export interface EventSource {
  /** `kafka` or `in-process`; reported by the health endpoint. */
  readonly kind: 'kafka' | 'in-process';
  /** Identifies this source's offset space, so stored offsets of one source never apply to another. */
  readonly offsetNamespace: string;
  /** Starts consuming `topics`, calling `handler` for each batch, one batch per partition at a time. */
  start(topics: string[], handler: BatchHandler, hooks?: SourceHooks): Promise<void>;
  /** Whether the source currently has a working connection to its broker (fetches or heartbeats
   * succeed, even while the handler is blocked retrying a batch). */
  connected(): boolean;
  /** The partitions this member currently owns. */
  assigned(): TopicPartition[];
  /** Continues a partition this member owns from `offset` (from its next fetch on). */
  seek(topic: string, partition: number, offset: string): void;
  /** The offsets partitions hold now (asked of the broker, never cached): the earliest retained and
   * the next to be written. */
  offsetRanges(partitions: readonly TopicPartition[]): Promise<Array<{ low: string; high: string }>>;
  stop(): Promise<void>;
}
