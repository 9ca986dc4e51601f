/**
 * Wrap-up for handle time (pure): which call a stretch of wrap-up follows, and how much of it counts.
 *
 * A wrap-up is a stretch of consecutive wrap_up time (reason changes inside it do not split it). It
 * follows the call of the same agent whose end is nearest its start, within PAIR_MS either way (the
 * call and agent systems stamp with a little skew); a wrap-up with no call ending near its start
 * (after-ticket work, say) is not handle time. An agent may answer the next call while still in
 * wrap_up: the wrap-up is cut at that answer, and the wrap_up time after that call's end follows that
 * call. Only booked state time counts, so wrap-up is capped like time in state. The wrap-up is booked
 * where its call is: the centre and the agent at the call's attribution time, the queue at the time
 * the call entered it. Whichever arrives first, call or wrap-up, the other pairs with it when it
 * comes, so the counters do not depend on the order topics are read in.
 */
import { bookedFrom, runsOf, type Run } from './agent-timeline.ts';
import type { AgentCall, AgentHistory, Booking, Transition } from './records.ts';

/** Wrap-up time counted for a call: the part of a wrap-up that began at `start`, `ms` long. */
export interface WrapBooking {
  start: number;
  callId: string;
  ms: number;
  at: number;
  queue: string;
  queueAt: number;
}

/** How far a wrap-up's start may be from its call's end. */
export const PAIR_MS = 15_000;

interface Span {
  start: number;
  /** When the agent left wrap_up; null while still in it. */
  end: number | null;
  runs: Run[];
}

/** The wrap-ups of the timeline from `index` on (the transition there must begin a run or not be
 * wrap_up). */
function wrapSpans(h: AgentHistory, index: number): Span[] {
  const spans: Span[] = [];
  let cur: Span | null = null;
  for (const r of runsOf(h.timeline, index)) {
    if (r.state !== 'wrap_up') {
      if (cur) cur.end = r.from;
      cur = null;
      continue;
    }
    if (!cur) {
      cur = { start: r.from, end: null, runs: [] };
      spans.push(cur);
    }
    cur.runs.push(r);
  }
  const first = h.timeline[0];
  // A wrap-up at the horizon began before it, and was booked (or not) when it was still known.
  if (index === 0 && h.horizon !== null && first && first[1] === 'wrap_up') spans.shift();
  return spans;
}

/** The call a wrap-up starting at `start` follows, or undefined. */
function callBefore(calls: readonly AgentCall[], start: number): AgentCall | undefined {
  let best: AgentCall | undefined;
  for (const c of calls) {
    if (c.endedAt === null || c.answeredAt >= start || Math.abs(start - c.endedAt) > PAIR_MS) continue;
    if (
      !best ||
      Math.abs(start - c.endedAt) < Math.abs(start - (best.endedAt as number)) ||
      (Math.abs(start - c.endedAt) === Math.abs(start - (best.endedAt as number)) &&
        (c.endedAt > (best.endedAt as number) || (c.endedAt === best.endedAt && c.callId > best.callId)))
    ) {
      best = c;
    }
  }
  return best;
}

/** Which call the part of a wrap-up beginning at `at` follows: at the wrap-up's start, the call ending
 * nearest it; at a call's end inside it, that call; at an answer inside it, none (that is talk). */
function ownerAt(calls: readonly AgentCall[], span: Span, at: number): AgentCall | undefined {
  if (at === span.start) return callBefore(calls, at);
  let owner: AgentCall | undefined;
  for (const c of calls) if (c.endedAt === at && (!owner || c.callId > owner.callId)) owner = c;
  return owner;
}

/**
 * The wrap-up bookings of the wrap-ups that a change from event time `from` on can affect (those not
 * ended before it). Comparing them before and after a batch gives what the batch changed.
 */
export function wrapBookings(h: AgentHistory, from: number): WrapBooking[] {
  const tl = h.timeline;
  let i = tl.length - 1;
  while (i >= 0 && (tl[i] as Transition)[0] >= from) i--;
  // Start at the wrap-up holding the last unchanged transition, if it is in one.
  while (i > 0 && (tl[i] as Transition)[1] === 'wrap_up' && (tl[i - 1] as Transition)[1] === 'wrap_up') i--;
  const index = Math.max(0, i);
  const lo = i < 0 ? Number.NEGATIVE_INFINITY : (tl[i] as Transition)[0];
  const out: WrapBooking[] = [];
  for (const span of wrapSpans(h, index)) {
    if (span.start < lo) continue;
    const end = span.end ?? Number.POSITIVE_INFINITY;
    // The wrap-up is cut where the agent answers or ends another call during it.
    const cuts = new Set([span.start]);
    for (const c of h.calls) {
      for (const at of [c.answeredAt, c.endedAt])
        if (at !== null && at > span.start && at < end) cuts.add(at);
    }
    const bounds = [...cuts].sort((a, b) => a - b);
    bounds.forEach((start, k) => {
      const call = ownerAt(h.calls, span, start);
      if (!call) return;
      const until = bounds[k + 1] ?? end;
      let ms = 0;
      for (const r of span.runs) {
        if (r.to !== null) ms += Math.max(0, Math.min(r.to, until) - Math.max(bookedFrom(r), start));
      }
      if (ms > 0) {
        const { callId, at, queue, queueAt } = call;
        out.push({ start, callId, ms, at, queue, queueAt });
      }
    });
  }
  return out;
}

/** The counter changes of wrap-up bookings: handle time of the centre, the agent and the call's queue. */
export function wrapCounterBookings(agentId: string, wraps: readonly WrapBooking[]): Booking[] {
  return wraps.flatMap((w) => [
    { group: 'calls', at: w.at, fields: { wrapMs: w.ms } },
    { group: `agent:${agentId}`, at: w.at, fields: { wrapMs: w.ms } },
    { group: `queue:${w.queue}`, at: w.queueAt, fields: { wrapMs: w.ms } },
  ]);
}
