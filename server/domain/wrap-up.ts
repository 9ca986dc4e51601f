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

/**
 * The calls of a history indexed for pairing (built once per `wrapBookings`: pairing each wrap-up by
 * scanning every call was quadratic, and a busy agent's history holds 128 calls and 256 changes).
 */
interface CallIndex {
  /** Every answer and end time, ascending (where a wrap-up is cut). */
  times: Float64Array;
  /** Ended calls by end time, then call id. */
  byEnd: AgentCall[];
  /** End time → the call ending then (the greatest call id when several do). */
  endOwner: Map<number, AgentCall>;
}

function indexCalls(calls: readonly AgentCall[]): CallIndex {
  const times: number[] = [];
  const byEnd: AgentCall[] = [];
  const endOwner = new Map<number, AgentCall>();
  for (const c of calls) {
    times.push(c.answeredAt);
    if (c.endedAt === null) continue;
    times.push(c.endedAt);
    byEnd.push(c);
    const owner = endOwner.get(c.endedAt);
    if (!owner || c.callId > owner.callId) endOwner.set(c.endedAt, c);
  }
  byEnd.sort((a, b) => (a.endedAt as number) - (b.endedAt as number) || (a.callId < b.callId ? -1 : 1));
  return { times: Float64Array.from(times).sort(), byEnd, endOwner };
}

/** The first index of the ascending `xs` whose value is above `v` (or, with `orEqual`, at least `v`). */
function firstAbove(n: number, at: (i: number) => number, v: number, orEqual: boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = at(mid);
    if (x > v || (orEqual && x === v)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The call a wrap-up starting at `start` follows, or undefined: of the calls answered before it, the
 * one whose end is nearest it within PAIR_MS; on equal distance the later end, then the greater id.
 */
function callBefore(ix: CallIndex, start: number): AgentCall | undefined {
  const { byEnd } = ix;
  const p = firstAbove(byEnd.length, (i) => (byEnd[i] as AgentCall).endedAt as number, start, true);
  // Ends before the start: the latest one with a call answered before the start, greatest id first.
  let best: AgentCall | undefined;
  for (let i = p - 1; i >= 0; i--) {
    const c = byEnd[i] as AgentCall;
    const end = c.endedAt as number;
    if (start - end > PAIR_MS || (best && end !== best.endedAt)) break;
    if (c.answeredAt < start) best ??= c;
  }
  // Ends at or after it win at the same distance or nearer: the earliest such end, greatest id.
  const reach = best ? start - (best.endedAt as number) : PAIR_MS;
  let after: AgentCall | undefined;
  for (let i = p; i < byEnd.length; i++) {
    const c = byEnd[i] as AgentCall;
    const end = c.endedAt as number;
    if (end - start > reach || (after && end !== after.endedAt)) break;
    if (c.answeredAt < start) after = c;
  }
  return after ?? best;
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
  const spans = wrapSpans(h, index).filter((span) => span.start >= lo);
  if (spans.length === 0) return out;
  const ix = indexCalls(h.calls);
  const { times } = ix;
  for (const span of spans) {
    const end = span.end ?? Number.POSITIVE_INFINITY;
    // The wrap-up is cut where the agent answers or ends another call during it.
    const bounds = [span.start];
    for (
      let k = firstAbove(times.length, (j) => times[j] as number, span.start, false);
      k < times.length;
      k++
    ) {
      const at = times[k] as number;
      if (at >= end) break;
      if (at !== bounds[bounds.length - 1]) bounds.push(at);
    }
    bounds.forEach((start, k) => {
      // At the wrap-up's start, the call ending nearest it; at a call's end inside it, that call; at an
      // answer inside it, none (that is talk).
      const call = k === 0 ? callBefore(ix, start) : ix.endOwner.get(start);
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
