/**
 * One batch of one partition in one store transaction: skip what the stored offset already covers,
 * drop event ids applied before, project the rest, and commit the writes with the new offset and
 * the applied ids. Retries on a write conflict (another instance touched the same records).
 */
import type { CcEvent } from '../contract/events.ts';
import type { Op } from '../domain/ops.ts';
import { agentRefs, entityRefs, project } from '../domain/projection.ts';
import type { StoredAgentHistory } from '../domain/history-codec.ts';
import type { AgentRecord, CallRecord, TicketRecord } from '../domain/records.ts';
import type { ProjectionContext, Slice } from '../domain/working-set.ts';
import type { LiveStore } from '../store/store.ts';

const HOUR = 3_600_000;
const MAX_CONFLICT_RETRIES = 50;

/** One message of a batch: its offset and its event, or null when it was rejected (dead-lettered). */
export interface BatchItem {
  offset: string;
  event: CcEvent | null;
}

export interface BatchInput {
  namespace: string;
  topic: string;
  partition: number;
  items: readonly BatchItem[];
  /**
   * The partition's earliest retained offset, when known. If the store has no offset for the
   * partition but the batch starts after this, the store lost its state (e.g. Redis restarted
   * empty): nothing is applied and the outcome asks to rewind there, so the state is rebuilt.
   */
  earliest?: string | null;
}

export interface BatchOutcome {
  applied: number;
  duplicates: number;
  rejected: number;
  /** Messages at or below the stored offset: already applied before a restart. */
  alreadyApplied: number;
  /** Set when the partition must be re-read from this offset to rebuild lost state. */
  rewindTo?: string;
}

/** Thrown when projecting an event fails: not retriable, the event must be dead-lettered. */
export class ProjectionError extends Error {
  readonly retriable = false;
  constructor(
    readonly event: CcEvent,
    cause: unknown,
  ) {
    super(`projection failed for ${event.type} ${event.id}: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

/** Compares Kafka offsets (int64 decimal strings). */
export function offsetAfter(a: string, b: string | null): boolean {
  return b === null || BigInt(a) > BigInt(b);
}

/** The hour bucket an event id is remembered in for duplicate detection. */
export function dedupeBucket(e: CcEvent): number {
  return Math.floor(Date.parse(e.ts) / HOUR);
}

/** Applies a batch; resolves with what happened. Store errors propagate (retriable). */
export async function applyBatch(
  store: LiveStore,
  input: BatchInput,
  ctxAt: (now: number) => ProjectionContext,
  now: () => number,
  dedupeHours: number,
): Promise<BatchOutcome> {
  for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
    const tx = await store.begin();
    let committed = false;
    try {
      const stored = await tx.getOffset(input.namespace, input.topic, input.partition);
      const first = input.items[0];
      if (
        stored === null &&
        first &&
        input.earliest != null &&
        BigInt(first.offset) > BigInt(input.earliest)
      ) {
        await tx.abort();
        committed = true;
        return { applied: 0, duplicates: 0, rejected: 0, alreadyApplied: 0, rewindTo: input.earliest };
      }
      const fresh = input.items.filter((i) => offsetAfter(i.offset, stored));
      const last = input.items[input.items.length - 1];
      if (fresh.length === 0 || !last) {
        await tx.abort();
        committed = true;
        return { applied: 0, duplicates: 0, rejected: 0, alreadyApplied: input.items.length };
      }
      const events = fresh.flatMap((i) => (i.event ? [i.event] : []));
      const ids = events.map((e) => ({ id: e.id, bucket: dedupeBucket(e) }));
      const seenBefore = await tx.seen(ids);
      const inBatch = new Set<string>();
      const unique: CcEvent[] = [];
      events.forEach((e, i) => {
        if (seenBefore[i] || inBatch.has(e.id)) return;
        inBatch.add(e.id);
        unique.push(e);
      });
      const refs = entityRefs(unique);
      const callIds = [...refs.calls];
      const ticketIds = [...refs.tickets];
      const calls = await tx.getRecords('call', callIds);
      const callMap = new Map(callIds.map((id, i) => [id, (calls[i] as CallRecord | null) ?? null]));
      const agentIds = agentRefs(refs, callMap);
      const [agents, histories, tickets] = [
        await tx.getRecords('agent', agentIds),
        await tx.getRecords('agent-history', agentIds),
        await tx.getRecords('ticket', ticketIds),
      ];
      const slice: Slice = {
        calls: callMap,
        agents: new Map(agentIds.map((id, i) => [id, (agents[i] as AgentRecord | null) ?? null])),
        histories: new Map(
          agentIds.map((id, i) => [id, (histories[i] as StoredAgentHistory | null) ?? null]),
        ),
        tickets: new Map(ticketIds.map((id, i) => [id, (tickets[i] as TicketRecord | null) ?? null])),
      };
      const t = now();
      const ops = projectOrIsolate(slice, unique, ctxAt(t));
      const rejected = fresh.length - events.length;
      const lastTs = unique.reduce((m, e) => Math.max(m, Date.parse(e.ts)), 0);
      ops.push(...seenOps(unique, t, dedupeHours), {
        op: 'setOffset',
        namespace: input.namespace,
        topic: input.topic,
        partition: input.partition,
        offset: last.offset,
      });
      ops.push({
        op: 'stats',
        incr: {
          eventsProcessed: unique.length,
          duplicates: events.length - unique.length,
          deadLettered: rejected,
        },
        set: {
          lastEventAt: new Date(t).toISOString(),
          ...(lastTs > 0 ? { lastEventTs: new Date(lastTs).toISOString() } : {}),
        },
      });
      committed = true;
      if (await tx.commit(ops)) {
        return {
          applied: unique.length,
          duplicates: events.length - unique.length,
          rejected,
          alreadyApplied: input.items.length - fresh.length,
        };
      }
    } finally {
      if (!committed) await tx.abort();
    }
  }
  throw new Error(
    `batch ${input.topic}/${input.partition} kept conflicting with concurrent writers; retrying later`,
  );
}

function projectOrIsolate(slice: Slice, events: CcEvent[], ctx: ProjectionContext): Op[] {
  try {
    return project(slice, events, ctx).ops;
  } catch (err) {
    // Find the event that fails on its own, so the caller can dead-letter exactly that one.
    for (const e of events) {
      try {
        project(slice, [e], ctx);
      } catch (single) {
        throw new ProjectionError(e, single);
      }
    }
    throw err;
  }
}

function seenOps(events: CcEvent[], now: number, dedupeHours: number): Op[] {
  const byBucket = new Map<number, string[]>();
  for (const e of events) {
    const b = dedupeBucket(e);
    byBucket.set(b, [...(byBucket.get(b) ?? []), e.id]);
  }
  return [...byBucket].map(([bucket, ids]) => ({
    op: 'markSeen' as const,
    bucket,
    ids,
    // Keep ids for dedupeHours after the later of the event's hour and now (replays of old events too).
    expireAt: Math.max((bucket + 1) * HOUR, now) + dedupeHours * HOUR,
  }));
}
