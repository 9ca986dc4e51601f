/**
 * The ingestion pipeline behind any event source: decode and validate each message, dead-letter the
 * bad ones (original bytes plus reason and source coordinates), apply the rest in one store
 * transaction with the offset, and only then let the source commit. While the store is unreachable
 * it backs off and retries the same batch, never committing, so nothing is lost when it returns.
 * It also positions partitions: from the offset stored with the state (not the broker's committed
 * offset) when they are assigned, and back to the earliest retained offset when the store lost its
 * state (rebuild.ts).
 */
import { DEAD_LETTER_HEADERS, TOPIC_ROLES, type TopicRole } from '../contract/events.ts';
import { decodeMessage } from '../domain/decode.ts';
import type { ProjectionContext } from '../domain/working-set.ts';
import type { Clock } from '../clock.ts';
import type { LiveStore } from '../store/store.ts';
import type {
  BatchControl,
  EventSource,
  MessageBatch,
  OutboundMessage,
  Publisher,
  TopicPartition,
} from '../../streams/types.ts';
import {
  applyBatch,
  offsetAfter,
  ProjectionError,
  type BatchItem,
  type BatchOutcome,
} from './apply-batch.ts';
import { createRebuilds } from './rebuild.ts';

export interface IngestLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface IngestorDeps {
  store: LiveStore;
  clock: Clock;
  log: IngestLog;
  ctxAt: (now: number) => ProjectionContext;
  /** Where rejected messages go (the dead-letter topic). */
  deadLetters: Publisher;
  deadLetterTopic: string;
  /** Topic name → logical role, to check that each event type is on its own topic. */
  topicRoles: Record<string, TopicRole>;
  offsetNamespace: string;
  maxMessageBytes: number;
  dedupeHours: number;
  retryInitialMs: number;
  retryMaxMs: number;
  /** Called after each batch is stored (live views use it to know something changed). */
  onApplied?: () => void;
  /** The event source, to position its partitions (resume, rebuild). Without it (tests that drive
   * handleBatch directly) lost state is only detected per batch. */
  source?: Pick<EventSource, 'assigned' | 'seek' | 'offsetRanges'>;
}

/** Live ingestion figures for health and metrics (this process only; totals live in the store). */
export interface IngestStatus {
  batches: number;
  applied: number;
  duplicates: number;
  deadLettered: number;
  storeFailures: number;
  /** Failed attempts to publish a dead letter (the partition waits and retries; nothing is skipped). */
  deadLetterFailures: number;
  /** Set while batches are being retried (store failing, or the dead-letter topic unreachable). */
  degradedSince: number | null;
  lastError: string | null;
  /** Messages not yet processed per `topic/partition`, as of each partition's latest batch. */
  lag: Record<string, number>;
  /** Times the store was found to have lost state, so partitions were re-read from their earliest retained offset. */
  rebuilds: number;
  /** True until every partition being re-read (rebuild, or a store with no offset) has caught up. */
  rebuilding: boolean;
}

/** Raised when a dead letter cannot be published: retriable, and not a store problem. */
export class DeadLetterError extends Error {
  constructor(topic: string, cause: unknown) {
    super(`cannot publish to the dead-letter topic ${topic}: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

/** Builds the topic name → role map from the configured topic names. */
export function topicRolesOf(topics: Record<TopicRole, string>): Record<string, TopicRole> {
  return Object.fromEntries(TOPIC_ROLES.map((r) => [topics[r], r]));
}

const keyOf = (topic: string, partition: number) => `${topic}/${partition}`;

/** Creates the ingestion pipeline; `handleBatch` is an event source's BatchHandler. */
export function createIngestor(deps: IngestorDeps) {
  const status: Omit<IngestStatus, 'rebuilding'> = {
    batches: 0,
    applied: 0,
    duplicates: 0,
    deadLettered: 0,
    storeFailures: 0,
    deadLetterFailures: 0,
    degradedSince: null,
    lastError: null,
    lag: {},
    rebuilds: 0,
  };
  /** Offsets dead-lettered and not yet committed, per partition: a retried batch does not republish. */
  const published = new Map<string, Set<string>>();
  const rebuilds = createRebuilds(deps);

  /** Decodes a batch into items; returns the rejected messages with their reasons too. */
  function decode(batch: MessageBatch, forced: Map<string, string>) {
    const role = deps.topicRoles[batch.topic] ?? null;
    const items: BatchItem[] = [];
    const rejected: Array<{ offset: string; reason: string; message: MessageBatch['messages'][number] }> = [];
    for (const msg of batch.messages) {
      const decoded = forced.has(msg.offset)
        ? { ok: false as const, reason: forced.get(msg.offset) ?? '' }
        : decodeMessage(msg.value, { maxBytes: deps.maxMessageBytes, topicRole: role, key: msg.key });
      if (decoded.ok) items.push({ offset: msg.offset, event: decoded.event });
      else {
        rejected.push({ offset: msg.offset, reason: decoded.reason, message: msg });
        items.push({ offset: msg.offset, event: null });
      }
    }
    return { items, rejected };
  }

  /**
   * Publishes the rejected messages above the partition's stored offset (those at or below it were
   * dead-lettered when first applied, before a restart or rebalance) that this process has not
   * published already. Skipped when the store lost its state: the batch is re-read after a rewind.
   */
  async function deadLetter(
    batch: MessageBatch,
    rejected: ReturnType<typeof decode>['rejected'],
    earliest: string | null,
  ): Promise<void> {
    const key = keyOf(batch.topic, batch.partition);
    const [stored] = await deps.store.offsets(deps.offsetNamespace, [batch]);
    const first = batch.messages[0];
    if (stored == null && earliest !== null && first && BigInt(first.offset) > BigInt(earliest)) return;
    if (await rebuilds.stateLost()) return;
    const done = published.get(key) ?? new Set<string>();
    published.set(key, done);
    const due = rejected.filter(
      (r) =>
        offsetAfter(r.offset, stored ?? null) &&
        !done.has(r.offset) &&
        !rebuilds.deadLetteredBefore(key, r.offset),
    );
    if (due.length === 0) return;
    const rejectedAt = new Date(deps.clock.now()).toISOString();
    const messages: OutboundMessage[] = due.map(({ offset, reason, message }) => ({
      key: message.key,
      value: message.value,
      headers: {
        ...message.headers,
        [DEAD_LETTER_HEADERS.reason]: reason,
        [DEAD_LETTER_HEADERS.sourceTopic]: batch.topic,
        [DEAD_LETTER_HEADERS.sourcePartition]: String(batch.partition),
        [DEAD_LETTER_HEADERS.sourceOffset]: offset,
        [DEAD_LETTER_HEADERS.rejectedAt]: rejectedAt,
      },
    }));
    try {
      await deps.deadLetters.send(deps.deadLetterTopic, messages);
    } catch (err) {
      throw new DeadLetterError(deps.deadLetterTopic, err);
    }
    for (const { offset, reason } of due) {
      done.add(offset);
      deps.log.warn(
        { topic: batch.topic, partition: batch.partition, offset, reason },
        'message dead-lettered',
      );
    }
  }

  async function processOnce(
    batch: MessageBatch,
    forced: Map<string, string>,
    control: BatchControl,
  ): Promise<BatchOutcome & { knownEpoch: string | null }> {
    const { items, rejected } = decode(batch, forced);
    const earliest = await control.earliestOffset();
    if (rejected.length > 0) await deadLetter(batch, rejected, earliest);
    const knownEpoch = rebuilds.knownEpoch();
    const outcome = await applyBatch(
      deps.store,
      {
        namespace: deps.offsetNamespace,
        topic: batch.topic,
        partition: batch.partition,
        items,
        earliest,
        knownEpoch,
      },
      deps.ctxAt,
      () => deps.clock.now(),
      deps.dedupeHours,
    );
    return { ...outcome, knownEpoch };
  }

  /** Processes one batch until it is stored, or the source says to stop. */
  async function handleBatch(batch: MessageBatch, control: BatchControl): Promise<void> {
    const last = batch.messages[batch.messages.length - 1];
    if (!last) return;
    const key = keyOf(batch.topic, batch.partition);
    const forced = new Map<string, string>();
    let wait = deps.retryInitialMs;
    while (control.isActive()) {
      try {
        const outcome = await processOnce(batch, forced, control);
        if (outcome.stateLost) {
          await rebuilds.rebuildAll(outcome.knownEpoch, 'the store epoch changed: the store lost its state');
          if (!deps.source) await pause(wait, control); // nothing to rewind with: retry the batch
          return;
        }
        if (outcome.rewindTo !== undefined) {
          rebuilds.rewound(batch, outcome.rewindTo);
          control.seek(outcome.rewindTo);
          return;
        }
        if (outcome.epoch !== undefined) rebuilds.committedUnder(outcome.epoch);
        control.resolveOffset(last.offset);
        rebuilds.appliedUpTo(batch, last.offset);
        const done = published.get(key);
        if (done) for (const o of done) if (!offsetAfter(o, last.offset)) done.delete(o);
        status.batches++;
        status.applied += outcome.applied;
        status.duplicates += outcome.duplicates;
        status.deadLettered += outcome.rejected;
        if (batch.highWatermark !== undefined) {
          status.lag[key] = Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(last.offset) - 1n));
        }
        deps.onApplied?.();
        if (status.degradedSince !== null) {
          deps.log.info(
            { downForMs: deps.clock.now() - status.degradedSince },
            'ingestion resumed: the batch that was being retried is stored',
          );
          status.degradedSince = null;
          status.lastError = null;
        }
        return;
      } catch (err) {
        if (err instanceof ProjectionError) {
          // Dead-letter every copy of the event that cannot be projected (found by decoding the batch
          // as ingestion does), then retry the rest; an unidentifiable failure falls through to retry.
          const role = deps.topicRoles[batch.topic] ?? null;
          const copies = batch.messages.filter((m) => {
            if (forced.has(m.offset)) return false;
            const d = decodeMessage(m.value, { maxBytes: deps.maxMessageBytes, topicRole: role, key: m.key });
            return d.ok && d.event.id === err.event.id;
          });
          if (copies.length > 0) {
            for (const m of copies) forced.set(m.offset, err.message);
            continue;
          }
        }
        const deadLetterFailed = err instanceof DeadLetterError;
        if (deadLetterFailed) status.deadLetterFailures++;
        else status.storeFailures++;
        status.lastError = (err as Error).message;
        if (status.degradedSince === null) {
          status.degradedSince = deps.clock.now();
          deps.log.error(
            { err: status.lastError, topic: batch.topic, partition: batch.partition },
            deadLetterFailed
              ? 'cannot publish a dead letter; the partition waits and retries without committing'
              : 'cannot store batch; pausing and retrying without committing',
          );
        }
        await pause(wait, control);
        wait = Math.min(wait * 2, deps.retryMaxMs);
      }
    }
  }

  async function pause(ms: number, control: BatchControl): Promise<void> {
    const end = deps.clock.now() + ms;
    while (control.isActive() && deps.clock.now() < end) {
      await deps.clock.sleep(Math.min(500, end - deps.clock.now()));
      await control.heartbeat().catch(() => undefined);
    }
  }

  return {
    handleBatch,
    /** Positions newly assigned partitions (SourceHooks.onAssigned). */
    onAssigned: (partitions: TopicPartition[]) => rebuilds.onAssigned(partitions),
    /** Checks that the store still holds the state this process wrote (rebuilds if not), and after a
     * reconnect resumes every partition from the offsets the store holds. Call it periodically and
     * when the store connection comes back. */
    checkStore: (opts: { reconnected?: boolean } = {}) => rebuilds.checkStore(opts),
    status: (): IngestStatus => ({
      ...status,
      lag: { ...status.lag },
      rebuilds: rebuilds.count(),
      rebuilding: rebuilds.active(),
    }),
  };
}

export type Ingestor = ReturnType<typeof createIngestor>;
