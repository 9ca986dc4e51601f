/**
 * The ingestion pipeline behind any event source: decode and validate each message, dead-letter the
 * bad ones (original bytes plus reason and source coordinates), apply the rest in one store
 * transaction with the offset, and only then let the source commit. While the store is unreachable
 * it backs off and retries the same batch, never committing, so nothing is lost when it returns.
 */
import { DEAD_LETTER_HEADERS, TOPIC_ROLES, type TopicRole } from '../contract/events.ts';
import { decodeMessage } from '../domain/decode.ts';
import type { ProjectionContext } from '../domain/working-set.ts';
import type { Clock } from '../clock.ts';
import type { LiveStore } from '../store/store.ts';
import type { BatchControl, MessageBatch, Publisher, RawMessage } from '../../streams/types.ts';
import {
  applyBatch,
  offsetAfter,
  ProjectionError,
  type BatchItem,
  type BatchOutcome,
} from './apply-batch.ts';

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
}

/** Live ingestion figures for health and metrics (this process only; totals live in the store). */
export interface IngestStatus {
  batches: number;
  applied: number;
  duplicates: number;
  deadLettered: number;
  storeFailures: number;
  /** Set while the store is failing and batches are being retried. */
  degradedSince: number | null;
  lastError: string | null;
  /** Messages not yet processed per `topic/partition`, as of each partition's latest batch. */
  lag: Record<string, number>;
  /** Partitions re-read from their earliest retained offset because the store had lost their state. */
  rebuilds: number;
}

/** Builds the topic name → role map from the configured topic names. */
export function topicRolesOf(topics: Record<TopicRole, string>): Record<string, TopicRole> {
  return Object.fromEntries(TOPIC_ROLES.map((r) => [topics[r], r]));
}

/** Creates the ingestion pipeline; `handleBatch` is an event source's BatchHandler. */
export function createIngestor(deps: IngestorDeps) {
  const status: IngestStatus = {
    batches: 0,
    applied: 0,
    duplicates: 0,
    deadLettered: 0,
    storeFailures: 0,
    degradedSince: null,
    lastError: null,
    lag: {},
    rebuilds: 0,
  };
  // Highest offset already dead-lettered per partition, so a retried batch does not republish.
  const deadLetteredUpTo = new Map<string, string>();

  async function deadLetter(
    topic: string,
    partition: number,
    msg: RawMessage,
    reason: string,
  ): Promise<void> {
    const key = `${topic}/${partition}`;
    if (!offsetAfter(msg.offset, deadLetteredUpTo.get(key) ?? null)) return;
    await deps.deadLetters.send(deps.deadLetterTopic, [
      {
        key: msg.key,
        value: msg.value,
        headers: {
          ...msg.headers,
          [DEAD_LETTER_HEADERS.reason]: reason,
          [DEAD_LETTER_HEADERS.sourceTopic]: topic,
          [DEAD_LETTER_HEADERS.sourcePartition]: String(partition),
          [DEAD_LETTER_HEADERS.sourceOffset]: msg.offset,
          [DEAD_LETTER_HEADERS.rejectedAt]: new Date(deps.clock.now()).toISOString(),
        },
      },
    ]);
    deadLetteredUpTo.set(key, msg.offset);
    deps.log.warn({ topic, partition, offset: msg.offset, reason }, 'message dead-lettered');
  }

  /** Decodes a batch into items, dead-lettering every rejected message first. */
  async function decode(batch: MessageBatch, forced: Map<string, string>): Promise<BatchItem[]> {
    const role = deps.topicRoles[batch.topic] ?? null;
    const items: BatchItem[] = [];
    for (const msg of batch.messages) {
      const decoded = forced.has(msg.offset)
        ? { ok: false as const, reason: forced.get(msg.offset) ?? '' }
        : decodeMessage(msg.value, { maxBytes: deps.maxMessageBytes, topicRole: role, key: msg.key });
      if (decoded.ok) items.push({ offset: msg.offset, event: decoded.event });
      else {
        await deadLetter(batch.topic, batch.partition, msg, decoded.reason);
        items.push({ offset: msg.offset, event: null });
      }
    }
    return items;
  }

  async function processOnce(
    batch: MessageBatch,
    forced: Map<string, string>,
    control: BatchControl,
  ): Promise<BatchOutcome> {
    const items = await decode(batch, forced);
    const earliest = await control.earliestOffset();
    return applyBatch(
      deps.store,
      { namespace: deps.offsetNamespace, topic: batch.topic, partition: batch.partition, items, earliest },
      deps.ctxAt,
      () => deps.clock.now(),
      deps.dedupeHours,
    );
  }

  /** Processes one batch until it is stored, or the source says to stop. */
  async function handleBatch(batch: MessageBatch, control: BatchControl): Promise<void> {
    const last = batch.messages[batch.messages.length - 1];
    if (!last) return;
    const forced = new Map<string, string>();
    let wait = deps.retryInitialMs;
    while (control.isActive()) {
      try {
        const outcome = await processOnce(batch, forced, control);
        if (outcome.rewindTo !== undefined) {
          status.rebuilds++;
          deps.log.warn(
            {
              topic: batch.topic,
              partition: batch.partition,
              at: batch.messages[0]?.offset,
              rewindTo: outcome.rewindTo,
            },
            'THE STORE HAS NO STATE FOR THIS PARTITION (emptied?): REBUILDING FROM THE EARLIEST RETAINED OFFSET',
          );
          control.seek(outcome.rewindTo);
          return;
        }
        control.resolveOffset(last.offset);
        status.batches++;
        status.applied += outcome.applied;
        status.duplicates += outcome.duplicates;
        status.deadLettered += outcome.rejected;
        if (batch.highWatermark !== undefined) {
          status.lag[`${batch.topic}/${batch.partition}`] = Math.max(
            0,
            Number(BigInt(batch.highWatermark) - BigInt(last.offset) - 1n),
          );
        }
        deps.onApplied?.();
        if (status.degradedSince !== null) {
          deps.log.info(
            { downForMs: deps.clock.now() - status.degradedSince },
            'store reachable again; ingestion resumed',
          );
          status.degradedSince = null;
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
        status.storeFailures++;
        status.lastError = (err as Error).message;
        if (status.degradedSince === null) {
          status.degradedSince = deps.clock.now();
          deps.log.error(
            { err: status.lastError, topic: batch.topic, partition: batch.partition },
            'cannot store batch; pausing and retrying without committing',
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

  return { handleBatch, status: (): IngestStatus => ({ ...status, lag: { ...status.lag } }) };
}

export type Ingestor = ReturnType<typeof createIngestor>;
