/**
 * Call events → call records, the waiting-queue index and per-shift call counters (pure).
 *
 * A call record gathers what its events said, each by event time (the earliest answer, abandon and
 * end win, an answer outranks an abandon); `callBookings` derives from it what the call counts for,
 * and the record keeps what it booked so a later event moves the difference. So any order of a
 * call's events ends in the same counters. README "Metric definitions" states the rules.
 */
import type { CallEvent, Tier } from '../contract/events.ts';
import { addToBooking, rebook } from './bookings.ts';
import type { Effects } from './effects.ts';
import type { AgentCall, AgentRecord, Booking, CallRecord, QueueEntry } from './records.ts';
import type { ProjectionContext, WorkingSet } from './working-set.ts';

const HOUR = 3_600_000;
/** A call waiting longer than this is treated as lost upstream and leaves the waiting index. */
export const MAX_WAIT_MS = 24 * HOUR;
/** Queue entries kept per call (transfers); later ones are ignored. */
export const MAX_QUEUE_ENTRIES = 8;

function newCall(callId: string): CallRecord {
  return {
    callId,
    queues: [],
    priority: 0,
    tier: 'normal',
    answeredAt: null,
    agentId: null,
    answerQueue: null,
    abandonedAt: null,
    abandonQueue: null,
    endedAt: null,
    booked: [],
  };
}

/** A placeholder for an agent first seen in a call event, before any agent.state for it. */
export function stubAgent(agentId: string, since: number): AgentRecord {
  return {
    agentId,
    name: null,
    team: null,
    state: 'on_call',
    since,
    reason: null,
    activeCallId: null,
    known: false,
  };
}

function addQueueEntry(call: CallRecord, entry: QueueEntry): void {
  const q = call.queues;
  if (q.some((x) => x.at === entry.at && x.queue === entry.queue) || q.length >= MAX_QUEUE_ENTRIES) return;
  let i = q.length;
  while (i > 0 && (q[i - 1] as QueueEntry).at > entry.at) i--;
  q.splice(i, 0, entry);
}

/** Applies one call event to the working set; counting happens once per batch in `settleCall`. */
export function applyCallEvent(ws: WorkingSet, e: CallEvent): void {
  const ts = Date.parse(e.ts);
  const call = ws.calls.get(e.callId) ?? newCall(e.callId);
  switch (e.type) {
    case 'call.queued':
      addQueueEntry(call, { queue: e.queue, at: ts });
      if (e.priority !== undefined) call.priority = e.priority;
      if (e.tier !== undefined) call.tier = e.tier;
      break;
    case 'call.answered': {
      if (call.answeredAt === null || ts < call.answeredAt) {
        call.answeredAt = ts;
        call.agentId = e.agentId;
        call.answerQueue = e.queue;
      }
      if (!ws.agents.get(e.agentId)) ws.putAgent(stubAgent(e.agentId, ts));
      break;
    }
    case 'call.abandoned':
      if (call.abandonedAt === null || ts < call.abandonedAt) {
        call.abandonedAt = ts;
        call.abandonQueue = e.queue;
      }
      break;
    case 'call.ended':
      if (call.endedAt === null || ts < call.endedAt) call.endedAt = ts;
      break;
  }
  ws.putCall(call);
}

/** The outcome a call's counters follow: its earliest answer, else its earliest abandon. */
function outcomeOf(call: CallRecord): { kind: 'answered' | 'abandoned'; at: number; queue: string } | null {
  if (call.answeredAt !== null)
    return { kind: 'answered', at: call.answeredAt, queue: call.answerQueue ?? '' };
  if (call.abandonedAt !== null) {
    return { kind: 'abandoned', at: call.abandonedAt, queue: call.abandonQueue ?? '' };
  }
  return null;
}

/**
 * Where a call counts: the queues it was offered in (entries after its outcome are not offers; the
 * first always is, since an answer may be stamped a moment before its queue entry), the entry its
 * outcome belongs to (the latest that began at or before the outcome), and the centre's attribution
 * time (its first queue entry). Without any call.queued the outcome's own time and queue stand in.
 */
function placesOf(call: CallRecord) {
  const outcome = outcomeOf(call);
  let offers = call.queues.filter((q, i) => i === 0 || outcome === null || q.at <= outcome.at);
  if (offers.length === 0 && outcome) offers = [{ queue: outcome.queue, at: outcome.at }];
  const first = offers[0];
  if (!first) return null;
  let outcomeEntry = first;
  if (outcome) for (const q of offers) if (q.at <= outcome.at) outcomeEntry = q;
  return { offers, first, outcome, outcomeEntry };
}

/** Where an answered call's talk and wrap-up belong, for its agent; null if it was not answered. */
export function agentCallOf(call: CallRecord): AgentCall | null {
  const places = placesOf(call);
  if (call.answeredAt === null || !places) return null;
  return {
    callId: call.callId,
    answeredAt: call.answeredAt,
    endedAt: call.endedAt,
    at: places.first.at,
    queue: places.outcomeEntry.queue,
    queueAt: places.outcomeEntry.at,
  };
}

/** What a call counts for, as bookings (README "Metric definitions"). */
export function callBookings(call: CallRecord, ctx: ProjectionContext): Booking[] {
  const places = placesOf(call);
  if (!places) return [];
  const { offers, first, outcome, outcomeEntry } = places;
  const out: Booking[] = [];
  addToBooking(out, 'calls', first.at, 'offered');
  for (const q of offers) addToBooking(out, `queue:${q.queue}`, q.at, 'offered');
  if (!outcome) return out;
  const sl = ctx.serviceLevelFor(outcomeEntry.queue);
  // The centre waits from the first queue entry, a queue from the call's entry into it.
  const scopes = [
    { group: 'calls', at: first.at, wait: Math.max(0, outcome.at - first.at) },
    {
      group: `queue:${outcomeEntry.queue}`,
      at: outcomeEntry.at,
      wait: Math.max(0, outcome.at - outcomeEntry.at),
    },
  ];
  for (const { group, at, wait } of scopes) {
    if (outcome.kind === 'answered') {
      addToBooking(out, group, at, 'answered');
      addToBooking(out, group, at, 'waitAnsweredMs', wait);
      if (wait <= sl.thresholdSeconds * 1000) addToBooking(out, group, at, 'answeredWithinThreshold');
    } else {
      addToBooking(out, group, at, 'abandoned');
      addToBooking(out, group, at, 'waitAbandonedMs', wait);
      if (wait < sl.shortAbandonSeconds * 1000) addToBooking(out, group, at, 'shortAbandoned');
    }
  }
  if (outcome.kind === 'answered' && call.agentId !== null) {
    const agent = `agent:${call.agentId}`;
    addToBooking(out, agent, first.at, 'handled');
    if (call.endedAt !== null && call.answeredAt !== null) {
      const talk = Math.max(0, call.endedAt - call.answeredAt);
      for (const { group, at } of [...scopes, { group: agent, at: first.at }]) {
        addToBooking(out, group, at, 'talkMs', talk);
        addToBooking(out, group, at, 'talkCount');
      }
    }
  }
  return out;
}

/** Books the difference a batch made to a call's counters and records what is now booked. */
export function settleCall(call: CallRecord, fx: Effects, ctx: ProjectionContext): void {
  const booked = callBookings(call, ctx);
  rebook(fx, ctx, call.booked, booked);
  call.booked = booked;
  for (const b of booked) if (b.group.startsWith('queue:')) fx.addToSet({ name: 'queues' }, b.group.slice(6));
}

/** A call record as an older version stored it (one queue, counted flags), upgraded on read. */
interface LegacyCallRecord {
  callId: string;
  queue: string;
  priority: number;
  tier: Tier;
  queuedAt: number | null;
  answeredAt: number | null;
  abandonedAt: number | null;
  endedAt: number | null;
  agentId: string | null;
}

/** Reads a stored call record, upgrading one an older version wrote (it counted a call only once
 * its queue event was known, exactly as `callBookings` does then). */
export function upgradeCall(stored: CallRecord | LegacyCallRecord, ctx: ProjectionContext): CallRecord {
  if ('queues' in stored) return stored;
  const call: CallRecord = {
    callId: stored.callId,
    queues: stored.queuedAt === null ? [] : [{ queue: stored.queue, at: stored.queuedAt }],
    priority: stored.priority,
    tier: stored.tier,
    answeredAt: stored.answeredAt,
    agentId: stored.answeredAt === null ? null : stored.agentId,
    answerQueue: stored.answeredAt === null ? null : stored.queue,
    abandonedAt: stored.answeredAt === null ? stored.abandonedAt : null,
    abandonQueue: stored.answeredAt === null && stored.abandonedAt !== null ? stored.queue : null,
    endedAt: stored.endedAt,
    booked: [],
  };
  if (stored.queuedAt !== null) call.booked = callBookings(call, ctx);
  return call;
}

/** Whether a call is finished and fully counted, so its record only lingers for late events. */
function isFinished(c: CallRecord): boolean {
  return c.answeredAt !== null ? c.endedAt !== null : c.abandonedAt !== null;
}

function isWaiting(c: CallRecord | null): c is CallRecord {
  return (
    c !== null && c.queues.length > 0 && c.answeredAt === null && c.abandonedAt === null && c.endedAt === null
  );
}

/** The queue entry a waiting call is waiting in (its latest). */
function waitingIn(c: CallRecord): QueueEntry {
  return c.queues[c.queues.length - 1] as QueueEntry;
}

/** Record write and waiting-index changes for one call, from its state before and after the batch. */
export function callIndexOps(
  fx: Effects,
  before: CallRecord | null,
  after: CallRecord | null,
  ctx: ProjectionContext,
) {
  if (!after) return;
  const finished = isFinished(after);
  fx.push({
    op: 'put',
    kind: 'call',
    id: after.callId,
    value: after,
    // Unfinished calls also expire eventually, so a call whose outcome never arrives cannot leak.
    expireAt: ctx.now + (finished ? ctx.retention.finishedCallHours * HOUR : MAX_WAIT_MS * 2),
  });
  const was = isWaiting(before) ? waitingIn(before) : null;
  const now = isWaiting(after) ? waitingIn(after) : null;
  if (was && was.queue !== now?.queue) {
    fx.push({ op: 'zrem', index: { name: 'waiting', queue: was.queue }, member: after.callId });
  }
  if (now) {
    const index = { name: 'waiting', queue: now.queue } as const;
    fx.push({ op: 'zadd', index, member: after.callId, score: now.at });
    fx.push({ op: 'zremBelow', index, score: ctx.now - MAX_WAIT_MS });
  }
}
