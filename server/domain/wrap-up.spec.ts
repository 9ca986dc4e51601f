/**
 * Wrap-up pairing on indexed calls gives exactly the bookings of the plain rule — pair each part of a
 * wrap-up by looking at every call — on random histories: equal and colliding times, calls without an
 * end, ends before answers, wrap-ups with reasons, calls near and far (the agent projection's own tests
 * cover what the bookings mean).
 */
import { describe, expect, it } from 'vitest';
import type { AgentStateName } from '../contract/events.ts';
import { bookedFrom, runsOf } from './agent-timeline.ts';
import type { AgentCall, AgentHistory, Transition } from './records.ts';
import { PAIR_MS, wrapBookings, type WrapBooking } from './wrap-up.ts';

/** The rule written plainly, every call looked at for every part of every wrap-up. */
function plainWrapBookings(h: AgentHistory, from: number): WrapBooking[] {
  const tl = h.timeline;
  let i = tl.length - 1;
  while (i >= 0 && (tl[i] as Transition)[0] >= from) i--;
  while (i > 0 && (tl[i] as Transition)[1] === 'wrap_up' && (tl[i - 1] as Transition)[1] === 'wrap_up') i--;
  const index = Math.max(0, i);
  const lo = i < 0 ? Number.NEGATIVE_INFINITY : (tl[i] as Transition)[0];
  const spans: Array<{ start: number; end: number | null; runs: ReturnType<typeof runsOf> }> = [];
  let cur: (typeof spans)[number] | null = null;
  for (const r of runsOf(tl, index)) {
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
  if (index === 0 && h.horizon !== null && tl[0]?.[1] === 'wrap_up') spans.shift();
  const dist = (start: number, c: AgentCall) => Math.abs(start - (c.endedAt as number));
  const out: WrapBooking[] = [];
  for (const span of spans) {
    if (span.start < lo) continue;
    const end = span.end ?? Number.POSITIVE_INFINITY;
    const cuts = new Set([span.start]);
    for (const c of h.calls)
      for (const at of [c.answeredAt, c.endedAt])
        if (at !== null && at > span.start && at < end) cuts.add(at);
    const bounds = [...cuts].sort((a, b) => a - b);
    bounds.forEach((start, k) => {
      let call: AgentCall | undefined;
      for (const c of h.calls) {
        const fits =
          start === span.start
            ? c.endedAt !== null && c.answeredAt < start && dist(start, c) <= PAIR_MS
            : c.endedAt === start;
        if (!fits) continue;
        const better =
          !call ||
          (start === span.start && dist(start, c) < dist(start, call)) ||
          ((start !== span.start || dist(start, c) === dist(start, call)) &&
            ((c.endedAt as number) > (call.endedAt as number) ||
              (c.endedAt === call.endedAt && c.callId > call.callId)));
        if (better) call = c;
      }
      if (!call) return;
      const until = bounds[k + 1] ?? end;
      let ms = 0;
      for (const r of span.runs)
        if (r.to !== null) ms += Math.max(0, Math.min(r.to, until) - Math.max(bookedFrom(r), start));
      if (ms > 0)
        out.push({ start, callId: call.callId, ms, at: call.at, queue: call.queue, queueAt: call.queueAt });
    });
  }
  return out;
}

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STATES: AgentStateName[] = ['available', 'on_call', 'wrap_up', 'wrap_up', 'break', 'offline'];

/** A random history whose times fall on a grid of `step` ms (a small step makes many collide). */
function randomHistory(r: () => number, step: number): AgentHistory {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const t0 = 1_770_000_000_000;
  const span = 200 * step;
  const time = () => t0 + Math.floor(r() * 200) * step;
  const timeline: Transition[] = Array.from({ length: Math.floor(r() * 60) }, (): Transition => {
    const state = pick(STATES);
    return [time(), state, state === 'wrap_up' && r() < 0.3 ? pick(['email', 'notes']) : null];
  }).sort((a, b) => a[0] - b[0]);
  const calls: AgentCall[] = Array.from({ length: Math.floor(r() * 40) }, (_, i) => {
    const answeredAt = time();
    const endedAt = r() < 0.15 ? null : r() < 0.1 ? answeredAt - Math.floor(r() * span) : time();
    const at = answeredAt - Math.floor(r() * 5) * step;
    return {
      callId: `c${Math.floor(r() * 1000)}-${i}`,
      answeredAt,
      endedAt,
      at,
      queue: pick(['q1', 'q2']),
      queueAt: at,
    };
  }).sort((a, b) => a.answeredAt - b.answeredAt);
  return { agentId: 'a1', timeline, horizon: r() < 0.5 ? null : (timeline[0]?.[0] ?? null), calls };
}

describe('wrap-up bookings', () => {
  it.each([
    ['collide often (1 ms grid)', 1],
    ['are seconds apart', 1_000],
    ['are around the pairing window apart', 10_000],
    ['are minutes apart', 60_000],
  ])('equal the plain rule on random histories whose times %s', (_name, step) => {
    const r = rng(step);
    let bookings = 0;
    for (let n = 0; n < 400; n++) {
      const h = randomHistory(r, step);
      const times = h.timeline.map((t) => t[0]);
      for (const from of [
        Number.NEGATIVE_INFINITY,
        ...times.filter(() => r() < 0.2),
        (times.at(-1) ?? 0) + 1,
      ]) {
        const expected = plainWrapBookings(h, from);
        bookings += expected.length;
        expect(wrapBookings(h, from)).toEqual(expected);
      }
    }
    // The histories do pair wrap-ups with calls (the comparison is not between empty lists).
    expect(bookings).toBeGreaterThan(200);
  });
});
