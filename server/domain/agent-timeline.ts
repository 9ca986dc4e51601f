/**
 * An agent's recent state changes by event time (pure). A late `agent.state` is placed where it
 * happened and the time around it is re-booked, so it updates the past shift it belongs to; the
 * timeline is bounded, and an event older than everything it still holds is too late to place.
 */
import type { AgentStateName } from '../contract/events.ts';
import type { Effects } from './effects.ts';
import type { AgentHistory, Transition } from './records.ts';
import type { ProjectionContext } from './working-set.ts';

const HOUR = 3_600_000;
/** The longest single stretch in one state that is booked to shift/day counters (31 days). */
export const MAX_BOOKED_STATE_MS = 31 * 24 * HOUR;
/** State changes kept per agent (a busy agent makes about 30 an hour). */
export const MAX_TRANSITIONS = 256;
/** State changes older than this before an agent's newest one are dropped. */
export const TIMELINE_WINDOW_MS = 24 * HOUR;

/** A stretch of one (state, reason): consecutive equal transitions collapse into one run. */
export interface Run {
  state: AgentStateName;
  reason: string | null;
  from: number;
  /** When the next run began; null while the run is the current state. */
  to: number | null;
}

/** The part of a closed run that is booked: its last MAX_BOOKED_STATE_MS at most. A state held longer
 * is a missed event upstream, and booking only its last stretch keeps one bad pair of events cheap. */
export function bookedFrom(run: Run): number {
  return run.to === null ? run.from : Math.max(run.from, run.to - MAX_BOOKED_STATE_MS);
}

const same = (a: Transition, b: Transition) => a[1] === b[1] && a[2] === b[2];

/** The runs of `timeline` from index `start` (which must begin a run). */
export function runsOf(timeline: readonly Transition[], start = 0): Run[] {
  const out: Run[] = [];
  for (let i = start; i < timeline.length; i++) {
    const t = timeline[i] as Transition;
    const last = out[out.length - 1];
    if (last && last.state === t[1] && last.reason === t[2]) continue;
    if (last) last.to = t[0];
    out.push({ state: t[1], reason: t[2], from: t[0], to: null });
  }
  return out;
}

/**
 * Places a state change by its event time (after changes with the same time, which arrived first).
 * Returns false when it is older than the history's horizon and so cannot be placed.
 */
export function insertTransition(h: AgentHistory, t: Transition): boolean {
  if (h.horizon !== null && t[0] < h.horizon) return false;
  const tl = h.timeline;
  let i = tl.length;
  while (i > 0 && (tl[i - 1] as Transition)[0] > t[0]) i--;
  const prev = tl[i - 1];
  // An exact repeat of the change before it can never matter, whatever arrives later.
  if (prev && prev[0] === t[0] && same(prev, t)) return true;
  tl.splice(i, 0, t);
  return true;
}

/** Books the difference between the time in state of two timelines of one agent (per shift and day). */
export function bookStateChanges(
  fx: Effects,
  ctx: ProjectionContext,
  agentId: string,
  before: readonly Transition[],
  after: readonly Transition[],
): void {
  let k = 0;
  while (k < before.length && k < after.length && sameTransition(before[k], after[k])) k++;
  if (k === before.length && k === after.length) return;
  // Runs before the one holding the last common transition cannot have changed.
  let j = Math.max(0, k - 1);
  while (j > 0 && same(before[j - 1] as Transition, before[j] as Transition)) j--;
  const old = new Map<string, number>();
  for (const r of runsOf(before, j)) {
    if (r.to === null) continue;
    const key = `${r.state}|${bookedFrom(r)}|${r.to}`;
    old.set(key, (old.get(key) ?? 0) + 1);
  }
  const group = `agent:${agentId}`;
  const book = (state: string, from: number, to: number, sign: number) => {
    for (const { period, ms } of ctx.calendar.split(from, to)) {
      fx.add([period], group, `stateMs:${state}`, sign * ms);
    }
  };
  for (const r of runsOf(after, j)) {
    if (r.to === null) continue;
    const key = `${r.state}|${bookedFrom(r)}|${r.to}`;
    const n = old.get(key) ?? 0;
    if (n > 0) old.set(key, n - 1);
    else book(r.state, bookedFrom(r), r.to, 1);
  }
  for (const [key, n] of old) {
    const [state = '', from, to] = key.split('|');
    for (let i = 0; i < n; i++) book(state, Number(from), Number(to), -1);
  }
}

function sameTransition(a: Transition | undefined, b: Transition | undefined): boolean {
  return a !== undefined && b !== undefined && a[0] === b[0] && same(a, b);
}

/**
 * Drops state changes beyond the bounds (the time booked for them stays booked). The new oldest
 * change is never a wrap-up, so no wrap-up straddles the horizon with its beginning forgotten.
 */
export function pruneTimeline(h: AgentHistory): void {
  const tl = h.timeline;
  if (tl.length === 0) return;
  const newest = (tl[tl.length - 1] as Transition)[0];
  let k = 0;
  const over = (i: number) =>
    tl.length - i > MAX_TRANSITIONS || (tl[i] as Transition)[0] < newest - TIMELINE_WINDOW_MS;
  while (k < tl.length - 1 && over(k)) k++;
  while (k > 0 && k < tl.length - 1 && (tl[k] as Transition)[1] === 'wrap_up') k++;
  if (k === 0) return;
  h.timeline = tl.slice(k);
  h.horizon = (h.timeline[0] as Transition)[0];
}
