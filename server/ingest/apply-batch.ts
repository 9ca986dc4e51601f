/**
 * One batch of one partition in one store transaction: skip what the stored offset already covers,
 * drop event ids applied before, project the rest, and commit the writes with the new offset and
 * the applied ids. Two round trips to the store in the usual case: every read at once, then the commit. Retries on a
 * write conflict (another instance touched the same records, or applied one of the same event ids).
 */
import { randomUUID } from 'node:crypto';
import type { CcEvent } from '../contract/events.ts';
import type { Op } from '../domain/ops.ts';
import type { StoredAgentHistory } from '../domain/history-codec.ts';
import { agentRefs, entityRefs, project, type EntityRefs } from '../domain/projection.ts';
import type { AgentRecord, CallRecord, TicketRecord } from '../domain/records.ts';
import type { ProjectionContext, Slice } from '../domain/working-set.ts';
import type { EventIdRef, IngestRead, LiveStore, Transaction } from '../store/store.ts';

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
  /**
   * The store epoch this consumer last committed under, null before its first commit. When the store
   * holds another epoch (or none), it lost its state since: nothing is applied and the outcome says so.
   */
  knownEpoch?: string | null;
}

export interface BatchOutcome {
  applied: number;
  duplicates: number;
  rejected: number;
  /** Messages at or below the stored offset: already applied before a restart. */
  alreadyApplied: number;
  /** Set when the partition must be re-read from this offset to rebuild lost state. */
  rewindTo?: string;
  /** Set when the store's epoch is not `knownEpoch`: every partition must be rebuilt. */
  stateLost?: true;
  /** The store epoch the batch was committed under (unset when nothing was committed). */
  epoch?: string;
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

const nothing = { applied: 0, duplicates: 0, rejected: 0, alreadyApplied: 0 };

/** Reads the records a batch needs, watched: calls, the agents its events name with their histories, and
 * tickets in the first round trip (with the offset and dedupe flags); then the agents of those calls
 * that the events do not name, when there are any (a second round trip, rare). */
async function readSlice(
  tx: Transaction,
  input: BatchInput,
  ids: readonly EventIdRef[],
  refs: EntityRefs,
): Promise<{ read: IngestRead; slice: Slice }> {
  const calls = [...refs.calls];
  const agents = [...refs.agents];
  const tickets = [...refs.tickets];
  const read = await tx.readIngest({
    namespace: input.namespace,
    topic: input.topic,
    partition: input.partition,
    ids,
    records: [
      { kind: 'call', ids: calls },
      { kind: 'agent', ids: agents },
      { kind: 'agent-history', ids: agents },
      { kind: 'ticket', ids: tickets },
    ],
  });
  const [callRecords = [], agentRecords = [], histories = [], ticketRecords = []] = read.records;
  const callMap = new Map(calls.map((id, i) => [id, (callRecords[i] as CallRecord | null) ?? null]));
  const agentMap = new Map(agents.map((id, i) => [id, (agentRecords[i] as AgentRecord | null) ?? null]));
  const historyMap = new Map(
    agents.map((id, i) => [id, (histories[i] as StoredAgentHistory | null) ?? null]),
  );
  const more = agentRefs(refs, callMap).filter((id) => !agentMap.has(id));
  if (more.length > 0) {
    const [moreAgents = [], moreHistories = []] = await tx.readRecords([
      { kind: 'agent', ids: more },
      { kind: 'agent-history', ids: more },
    ]);
    more.forEach((id, i) => {
      agentMap.set(id, (moreAgents[i] as AgentRecord | null) ?? null);
      historyMap.set(id, (moreHistories[i] as StoredAgentHistory | null) ?? null);
    });
  }
  const slice: Slice = {
    calls: callMap,
    agents: agentMap,
    histories: historyMap,
    tickets: new Map(tickets.map((id, i) => [id, (ticketRecords[i] as TicketRecord | null) ?? null])),
  };
  return { read, slice };
}

/** Applies a batch; resolves with what happened. Store errors propagate (retriable). */
export async function applyBatch(
  store: LiveStore,
  input: BatchInput,
  ctxAt: (now: number) => ProjectionContext,
  now: () => number,
  dedupeHours: number,
): Promise<BatchOutcome> {
  const first = input.items[0];
  const last = input.items[input.items.length - 1];
  if (!first || !last) return nothing;
  // Everything the batch could read, decided before knowing the stored offset so that one round trip
  // reads it all; on a redelivery the records of already-applied events are read for nothing.
  const decoded = input.items.flatMap((i) => (i.event ? [{ offset: i.offset, event: i.event }] : []));
  const ids: EventIdRef[] = decoded.map(({ event }) => ({ id: event.id, bucket: dedupeBucket(event) }));
  const refs = entityRefs(decoded.map((d) => d.event));

  for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
    const tx = await store.begin();
    let ended = false;
    try {
      const { read, slice } = await readSlice(tx, input, ids, refs);
      if (input.knownEpoch != null && read.epoch !== input.knownEpoch) {
        ended = true;
        await tx.abort();
        return { ...nothing, stateLost: true };
      }
      const stored = read.offset;
      if (stored === null && input.earliest != null && BigInt(first.offset) > BigInt(input.earliest)) {
        ended = true;
        await tx.abort();
        return { ...nothing, rewindTo: input.earliest };
      }
      const fresh = stored === null ? input.items : input.items.filter((i) => offsetAfter(i.offset, stored));
      if (fresh.length === 0) {
        ended = true;
        await tx.abort();
        return { ...nothing, alreadyApplied: input.items.length };
      }
      const unique: CcEvent[] = [];
      const uniqueIds: EventIdRef[] = [];
      const inBatch = new Set<string>();
      let events = 0;
      decoded.forEach((d, i) => {
        if (stored !== null && !offsetAfter(d.offset, stored)) return;
        events++;
        const ref = ids[i] as EventIdRef;
        if (read.seen[i] || inBatch.has(ref.id)) return;
        inBatch.add(ref.id);
        unique.push(d.event);
        uniqueIds.push(ref);
      });
      const t = now();
      const ops = projectOrIsolate(slice, unique, ctxAt(t));
      const rejected = fresh.length - events;
      let lastTs = 0;
      for (const e of unique) lastTs = Math.max(lastTs, Date.parse(e.ts));
      ops.push(...seenOps(uniqueIds, t, dedupeHours), {
        op: 'setOffset',
        namespace: input.namespace,
        topic: input.topic,
        partition: input.partition,
        offset: last.offset,
      });
      ops.push({
        op: 'stats',
        incr: { eventsProcessed: unique.length, duplicates: events - unique.length, deadLettered: rejected },
        set: {
          lastEventAt: new Date(t).toISOString(),
          ...(lastTs > 0 ? { lastEventTs: new Date(lastTs).toISOString() } : {}),
        },
      });
      const epoch = read.epoch ?? randomUUID();
      ended = true;
      if (await tx.commit(ops, { epoch: read.epoch, newEpoch: epoch, unseen: uniqueIds })) {
        return {
          applied: unique.length,
          duplicates: events - unique.length,
          rejected,
          alreadyApplied: input.items.length - fresh.length,
          epoch,
        };
      }
    } finally {
      if (!ended) await tx.abort();
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

function seenOps(ids: readonly EventIdRef[], now: number, dedupeHours: number): Op[] {
  const byBucket = new Map<number, string[]>();
  for (const { id, bucket } of ids) {
    const list = byBucket.get(bucket);
    if (list) list.push(id);
    else byBucket.set(bucket, [id]);
  }
  return [...byBucket].map(([bucket, bucketIds]) => ({
    op: 'markSeen' as const,
    bucket,
    ids: bucketIds,
    // Keep ids for dedupeHours after the later of the event's hour and now (replays of old events too).
    expireAt: Math.max((bucket + 1) * HOUR, now) + dedupeHours * HOUR,
  }));
}
