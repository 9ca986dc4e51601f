import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DateTime } from 'luxon';
import {
  COMPLAINT_CATEGORIES,
  EVENT_SCHEMAS,
  TICKET_KINDS,
  TIERS,
  type AgentStateName,
  type CcEvent,
  type TicketEvent,
} from '../server/contract/events.ts';
import { createSimulation, MAX_CHUNK_MS, queuesFor, runSimulator, type Simulation } from './simulator.ts';

const ZONE = 'Europe/Berlin';
const TEAMS = { consultation: 'sales', technical: 'tech-support', complaint: 'supervisors' };
const HOUR = 3_600_000;
/** Monday 2 March 2026, 00:00 in Berlin (+01:00). */
const MIDNIGHT = DateTime.fromISO('2026-03-02T00:00:00', { zone: ZONE }).toMillis();

function simulation(seed = 7, startAt = MIDNIGHT) {
  return createSimulation({ seed, startAt, timezone: ZONE, teams: TEAMS });
}

function simulate(hours: number, seed = 7, startAt = MIDNIGHT): CcEvent[] {
  return simulation(seed, startAt).advanceTo(startAt + hours * HOUR);
}

const isTicketEvent = (e: CcEvent): e is TicketEvent => e.type.startsWith('ticket.');
const ms = (e: CcEvent): number => Date.parse(e.ts);
const localHour = (e: CcEvent): number => DateTime.fromMillis(ms(e), { zone: ZONE }).hour;
function ofType<T extends CcEvent['type']>(events: CcEvent[], type: T): Extract<CcEvent, { type: T }>[] {
  return events.filter((e): e is Extract<CcEvent, { type: T }> => e.type === type);
}

/** Wait (ms) from call.queued to a call's answer or abandon. */
function waits(events: CcEvent[]) {
  const queuedAt = new Map(ofType(events, 'call.queued').map((e) => [e.callId, ms(e)]));
  const waitOf = (e: CcEvent & { callId: string }) => ms(e) - (queuedAt.get(e.callId) ?? NaN);
  return {
    answered: ofType(events, 'call.answered').map(waitOf),
    abandoned: ofType(events, 'call.abandoned').map(waitOf),
  };
}

describe('createSimulation', () => {
  let day: CcEvent[];
  beforeAll(() => {
    day = simulate(24);
  });

  it('produces the same events for the same seed and start', () => {
    expect(simulate(6)).toEqual(simulate(6));
    expect(simulate(6, 8)).not.toEqual(simulate(6));
  });

  it('produces the same events however time is advanced', () => {
    const sim = simulation();
    const chunked: CcEvent[] = [];
    for (let t = MIDNIGHT + 7 * 60_000; t <= MIDNIGHT + 12 * HOUR; t += 7 * 60_000)
      chunked.push(...sim.advanceTo(t));
    chunked.push(...sim.advanceTo(MIDNIGHT + 12 * HOUR));
    expect(chunked).toEqual(simulate(12));
  });

  it('returns the events in (previous now, target], in timestamp order', () => {
    const sim = simulation();
    expect(sim.now).toBe(MIDNIGHT);
    const first = sim.advanceTo(MIDNIGHT + 9 * HOUR);
    const second = sim.advanceTo(MIDNIGHT + 10 * HOUR);
    expect(sim.now).toBe(MIDNIGHT + 10 * HOUR);
    expect(sim.advanceTo(MIDNIGHT + 9 * HOUR)).toEqual([]);
    for (const e of first) expect(ms(e) > MIDNIGHT && ms(e) <= MIDNIGHT + 9 * HOUR).toBe(true);
    for (const e of second) expect(ms(e) > MIDNIGHT + 9 * HOUR && ms(e) <= MIDNIGHT + 10 * HOUR).toBe(true);
    const times = day.map(ms);
    expect(times.every((t, i) => i === 0 || t >= (times[i - 1] ?? t))).toBe(true);
  });

  it('emits only events that pass their schema over a whole day', () => {
    expect(day.length).toBeGreaterThan(5000);
    const invalid = day.filter((e) => !EVENT_SCHEMAS[e.type].safeParse(e).success);
    expect(invalid).toEqual([]);
  });

  it('stamps times with the offset of the configured zone', () => {
    expect(day.every((e) => e.ts.endsWith('+01:00'))).toBe(true);
    const summer = simulation(7, DateTime.fromISO('2026-07-01T10:00', { zone: ZONE }).toMillis());
    const events = summer.advanceTo(summer.now + HOUR);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.ts.endsWith('+02:00'))).toBe(true);
  });

  it('gives every event a unique id that differs between runs', () => {
    expect(new Set(day.map((e) => e.id)).size).toBe(day.length);
    const other = simulate(2, 7, MIDNIGHT + 1000);
    const ids = new Set(day.map((e) => e.id));
    expect(other.some((e) => ids.has(e.id))).toBe(false);
    const custom = createSimulation({
      seed: 7,
      startAt: MIDNIGHT,
      timezone: ZONE,
      teams: TEAMS,
      runId: 'demo',
    });
    expect(custom.advanceTo(MIDNIGHT + HOUR)[0]?.id).toMatch(/^demo-/);
  });

  it('varies call arrivals by hour of the local day, peaking late morning and early afternoon', () => {
    const perHour = new Array<number>(24).fill(0);
    for (const e of ofType(day, 'call.queued')) perHour[localHour(e)] = (perHour[localHour(e)] ?? 0) + 1;
    const peak = Math.max(...perHour);
    expect(perHour.indexOf(peak)).toBeGreaterThanOrEqual(9);
    expect(perHour.indexOf(peak)).toBeLessThanOrEqual(15);
    expect(peak).toBeGreaterThan(100); // a few calls a minute
    expect(peak).toBeGreaterThanOrEqual(5 * Math.max(1, perHour[3] ?? 0));
  });

  it('uses every queue and the configured teams', () => {
    const queues = new Set(ofType(day, 'call.queued').map((e) => e.queue));
    expect([...queues].sort()).toEqual(['billing', 'complaints', 'sales', 'support']);
    const teams = new Set(ofType(day, 'agent.state').map((e) => e.team));
    expect([...teams].sort()).toEqual(['sales', 'supervisors', 'tech-support']);
  });

  it('staffs 24–36 named agents who log in, take every kind of break and log off', () => {
    const states = ofType(day, 'agent.state');
    const agents = new Map(states.map((e) => [e.agentId, e]));
    expect(agents.size).toBeGreaterThanOrEqual(24);
    expect(agents.size).toBeLessThanOrEqual(36);
    for (const [id, e] of agents) {
      expect(id).toMatch(/^a-\d{3}$/);
      expect(e.name).toMatch(/^\S+ \S+/);
    }
    const reasons = new Set(states.filter((e) => e.state === 'break').map((e) => e.reason));
    expect([...reasons].sort()).toEqual(['coffee', 'lunch', 'meeting', 'training']);
    expect(states.filter((e) => e.state === 'offline').length).toBeGreaterThanOrEqual(agents.size - 3);
  });

  it('keeps calls in causal order and answers only with a logged-in agent of the right team', () => {
    const allowed: Record<AgentStateName, AgentStateName[]> = {
      offline: ['available'],
      available: ['on_call', 'break', 'offline'],
      on_call: ['wrap_up'],
      wrap_up: ['available', 'break', 'offline'],
      break: ['available', 'offline'],
    };
    const teamsOf = new Map(queuesFor(TEAMS).map((q) => [q.name, q.teams]));
    const state = new Map<string, { state: AgentStateName; team: string; ts: string }>();
    const calls = new Map<string, { step: string; agentId?: string }>();
    const onCall = new Map<string, string>(); // agentId → callId
    const problems: string[] = [];
    for (const e of day) {
      if (e.type === 'agent.state') {
        const prev = state.get(e.agentId)?.state ?? 'offline';
        if (!allowed[prev].includes(e.state)) problems.push(`${e.agentId}: ${prev} → ${e.state} at ${e.ts}`);
        state.set(e.agentId, { state: e.state, team: e.team ?? '', ts: e.ts });
      } else if (e.type === 'call.queued') {
        if (calls.has(e.callId)) problems.push(`${e.callId} queued twice`);
        calls.set(e.callId, { step: 'queued' });
      } else if (e.type === 'call.answered') {
        const agent = state.get(e.agentId);
        if (calls.get(e.callId)?.step !== 'queued') problems.push(`${e.callId} answered before queued`);
        if (agent?.state !== 'on_call' || agent.ts !== e.ts) problems.push(`${e.callId}: agent not on_call`);
        if (!teamsOf.get(e.queue)?.includes(agent?.team ?? '')) problems.push(`${e.callId}: wrong team`);
        if (onCall.has(e.agentId)) problems.push(`${e.agentId} on two calls`);
        onCall.set(e.agentId, e.callId);
        calls.set(e.callId, { step: 'answered', agentId: e.agentId });
      } else if (e.type === 'call.ended') {
        const call = calls.get(e.callId);
        if (call?.step !== 'answered' || call.agentId !== e.agentId)
          problems.push(`${e.callId} ended unanswered`);
        if (state.get(e.agentId)?.state !== 'on_call') problems.push(`${e.callId}: agent not on_call at end`);
        onCall.delete(e.agentId);
        calls.set(e.callId, { step: 'ended' });
      } else if (e.type === 'call.abandoned') {
        if (calls.get(e.callId)?.step !== 'queued') problems.push(`${e.callId} abandoned after answer`);
        calls.set(e.callId, { step: 'abandoned' });
      }
    }
    expect(problems).toEqual([]);
  });

  it('talks for 2–10 minutes and wraps up for 20–90 seconds', () => {
    const answeredAt = new Map(ofType(day, 'call.answered').map((e) => [e.callId, ms(e)]));
    const talk = ofType(day, 'call.ended').map((e) => ms(e) - (answeredAt.get(e.callId) ?? NaN));
    expect(Math.min(...talk)).toBeGreaterThanOrEqual(2 * 60_000);
    expect(Math.max(...talk)).toBeLessThanOrEqual(10 * 60_000);
    const wrapStart = new Map<string, number>();
    const wraps: number[] = [];
    for (const e of ofType(day, 'agent.state')) {
      if (e.state === 'wrap_up') wrapStart.set(e.agentId, ms(e));
      else if (wrapStart.has(e.agentId)) wraps.push(ms(e) - (wrapStart.get(e.agentId) ?? NaN));
      if (e.state !== 'wrap_up') wrapStart.delete(e.agentId);
    }
    expect(Math.min(...wraps)).toBeGreaterThanOrEqual(20_000);
    expect(Math.max(...wraps)).toBeLessThanOrEqual(90_000);
  });

  it('has abandoned calls, some of them short abandons', () => {
    const { answered, abandoned } = waits(day);
    const rate = abandoned.length / (answered.length + abandoned.length);
    expect(rate).toBeGreaterThan(0.02);
    expect(rate).toBeLessThan(0.15);
    expect(abandoned.filter((w) => w < 5000).length).toBeGreaterThan(3);
  });

  it('reaches a believable service level', () => {
    const { answered, abandoned } = waits(day);
    const inTime = answered.filter((w) => w <= 20_000).length;
    const sl = inTime / (answered.length + abandoned.filter((w) => w >= 5000).length);
    expect(sl).toBeGreaterThan(0.7);
    expect(sl).toBeLessThan(0.92);
  });

  it('sends priorities and tiers on some calls only', () => {
    const queued = ofType(day, 'call.queued');
    const withTier = queued.filter((e) => e.tier !== undefined);
    expect(withTier.length).toBeGreaterThan(0.3 * queued.length);
    expect(withTier.length).toBeLessThan(queued.length);
    expect(new Set(withTier.map((e) => e.priority))).toEqual(new Set([0, 1, 2]));
  });

  it('creates tickets of every kind, tier and complaint category, on every channel', () => {
    const created = ofType(day, 'ticket.created');
    expect(new Set(created.map((e) => e.kind))).toEqual(new Set(TICKET_KINDS));
    expect(new Set(created.map((e) => e.tier))).toEqual(new Set(TIERS));
    expect(new Set(created.map((e) => e.category).filter(Boolean))).toEqual(new Set(COMPLAINT_CATEGORIES));
    expect(created.filter((e) => e.category !== undefined).every((e) => e.kind === 'complaint')).toBe(true);
    expect(new Set(created.map((e) => e.channel))).toEqual(new Set(['phone', 'email', 'chat', 'web']));
    expect(new Set(created.map((e) => e.complexity))).toEqual(new Set(['routine', 'complex']));
    const vip = created.filter((e) => e.tier === 'vip').length / created.length;
    expect(vip).toBeGreaterThan(0.04);
    expect(vip).toBeLessThan(0.2);
    expect(created.every((e) => e.team === TEAMS[e.kind])).toBe(true);
  });

  it('assigns most tickets within 30 minutes and breaches the target for some', () => {
    const created = ofType(day, 'ticket.created');
    const assignedAt = new Map<string, number>();
    for (const e of ofType(day, 'ticket.assigned'))
      if (!assignedAt.has(e.ticketId)) assignedAt.set(e.ticketId, ms(e));
    const inTime = created.filter((e) => (assignedAt.get(e.ticketId) ?? Infinity) - ms(e) <= 30 * 60_000);
    const breached = created.filter((e) => (assignedAt.get(e.ticketId) ?? Infinity) - ms(e) > 30 * 60_000);
    expect(inTime.length).toBeGreaterThan(0.7 * created.length);
    expect(breached.length).toBeGreaterThan(5);
    const untouched = created.filter((e) => (assignedAt.get(e.ticketId) ?? Infinity) - ms(e) > 3 * HOUR);
    expect(untouched.length).toBeGreaterThan(0);
  });

  it('moves tickets through assigned, progress, resolved and closed in order, reopening a few', () => {
    const step = new Map<string, string>();
    const problems: string[] = [];
    const next: Record<string, string[]> = {
      'ticket.created': ['none'],
      'ticket.assigned': ['created', 'assigned', 'progress', 'reopened'],
      'ticket.progress': ['assigned', 'progress', 'reopened'],
      'ticket.resolved': ['assigned', 'progress', 'reopened'],
      'ticket.reopened': ['resolved'],
      'ticket.closed': ['resolved'],
    };
    for (const e of day) {
      if (!isTicketEvent(e)) continue;
      const prev = step.get(e.ticketId) ?? 'none';
      if (!next[e.type]?.includes(prev)) problems.push(`${e.ticketId}: ${prev} → ${e.type}`);
      step.set(e.ticketId, e.type.slice('ticket.'.length));
    }
    expect(problems).toEqual([]);
    const counts = (t: string) => day.filter((e) => e.type === t).length;
    expect(counts('ticket.progress')).toBeGreaterThan(50);
    expect(counts('ticket.closed')).toBeGreaterThan(0.5 * counts('ticket.created'));
    expect(counts('ticket.reopened')).toBeGreaterThan(0);
    expect(counts('ticket.reopened')).toBeLessThan(0.15 * counts('ticket.created'));
    expect(ofType(day, 'ticket.assigned').some((e) => e.by !== undefined)).toBe(true);
  });

  it('collects surveys after calls and tickets, mostly 4–5 with some below 3', () => {
    const surveys = ofType(day, 'survey.submitted');
    expect(surveys.some((s) => s.callId !== undefined)).toBe(true);
    expect(surveys.some((s) => s.ticketId !== undefined)).toBe(true);
    const scores = surveys.flatMap((s) => Object.values(s.scores));
    expect(scores.filter((v) => v >= 4).length).toBeGreaterThan(0.6 * scores.length);
    expect(surveys.filter((s) => Object.values(s.scores).some((v) => v < 3)).length).toBeGreaterThan(10);
    const answered = new Set(ofType(day, 'call.answered').map((e) => e.callId));
    expect(surveys.filter((s) => s.callId !== undefined).every((s) => answered.has(s.callId ?? ''))).toBe(
      true,
    );
  });

  it('keeps its state bounded over several days', () => {
    const sim = simulation(3);
    const sizes: number[] = [];
    for (let d = 1; d <= 4; d++) {
      sim.advanceTo(MIDNIGHT + d * 24 * HOUR);
      const { calls, tickets, scheduled } = sim.size();
      sizes.push(calls + tickets + scheduled);
    }
    expect(Math.max(...sizes)).toBeLessThan(1000);
  });

  it('rejects an unknown time zone', () => {
    expect(() =>
      createSimulation({ seed: 1, startAt: MIDNIGHT, timezone: 'Mars/Olympus', teams: TEAMS }),
    ).toThrow(/time zone/);
  });
});

describe('runSimulator', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A real simulation that records every advanceTo(from → to). */
  function recorded(startAt: number) {
    const sim = simulation(7, startAt);
    const steps: { from: number; to: number }[] = [];
    const wrapped: Simulation = {
      advanceTo(to) {
        steps.push({ from: sim.now, to });
        return sim.advanceTo(to);
      },
      get now() {
        return sim.now;
      },
    };
    return { sim: wrapped, steps };
  }

  async function until(done: () => boolean, maxSteps = 500): Promise<void> {
    for (let i = 0; i < maxSteps && !done(); i++) await vi.advanceTimersToNextTimerAsync();
  }

  it('catches up a backfill in chunks without waiting, then paces at real time', async () => {
    const wall = MIDNIGHT + 11 * HOUR;
    vi.useFakeTimers({ now: wall });
    const { sim, steps } = recorded(wall - 3 * HOUR);
    const out: CcEvent[] = [];
    const runner = runSimulator({
      simulation: sim,
      publish: async (e) => void out.push(...e),
      now: Date.now,
      speed: 1,
    });
    await until(() => sim.now >= wall);
    expect(Date.now()).toBe(wall); // no wall-clock time passed
    expect(sim.now).toBe(wall);
    expect(steps.length).toBeGreaterThanOrEqual((3 * HOUR) / MAX_CHUNK_MS);
    expect(steps.every((s) => s.to - s.from <= MAX_CHUNK_MS)).toBe(true);
    expect(runner.published).toBe(out.length);
    expect(out.length).toBeGreaterThan(500);

    await vi.advanceTimersByTimeAsync(10_000);
    expect(sim.now).toBeGreaterThan(wall + 10_000 - 500);
    expect(sim.now).toBeLessThanOrEqual(wall + 10_000);
    const paced = steps.filter((s) => s.from >= wall);
    expect(paced.every((s) => s.to - s.from <= 300)).toBe(true);
    await runner.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('runs ahead of the wall clock at speed N', async () => {
    const wall = MIDNIGHT + 10 * HOUR;
    vi.useFakeTimers({ now: wall });
    const { sim } = recorded(wall);
    const runner = runSimulator({
      simulation: sim,
      publish: async () => {},
      now: Date.now,
      speed: 60,
      tickMs: 100,
    });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sim.now).toBeGreaterThan(wall + 600_000 - 60 * 200);
    expect(sim.now).toBeLessThanOrEqual(wall + 600_000);
    await runner.stop();
  });

  it('waits for a slow publish before the next tick', async () => {
    const wall = MIDNIGHT + 10 * HOUR;
    vi.useFakeTimers({ now: wall });
    const { sim, steps } = recorded(wall);
    let release = (): void => {};
    let publishing = 0;
    let stepsAtPublish = 0;
    const runner = runSimulator({
      simulation: sim,
      publish: () => {
        publishing++;
        stepsAtPublish = steps.length;
        return new Promise<void>((resolve) => (release = resolve));
      },
      now: Date.now,
      speed: 1,
      tickMs: 250,
    });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(publishing).toBe(1);
    expect(steps.length).toBe(stepsAtPublish); // no tick while the publish is pending
    release();
    await vi.advanceTimersByTimeAsync(250);
    // After the stall it catches up the minute it fell behind.
    expect(sim.now).toBeGreaterThan(wall + 60_000);
    const stop = runner.stop();
    release();
    await stop;
  });

  it('retries a failed publish with the same events and loses none', async () => {
    const wall = MIDNIGHT + 12 * HOUR;
    vi.useFakeTimers({ now: wall });
    const { sim } = recorded(wall - HOUR);
    const attempts: CcEvent[][] = [];
    const delivered: CcEvent[] = [];
    const warnings: object[] = [];
    const runner = runSimulator({
      simulation: sim,
      publish: async (events) => {
        attempts.push(events);
        if (attempts.length === 3 || attempts.length === 4) throw new Error('broker unavailable');
        delivered.push(...events);
      },
      now: Date.now,
      speed: 1,
      log: { info: () => {}, warn: (obj) => void warnings.push(obj) },
    });
    await until(() => sim.now >= wall);
    await vi.advanceTimersByTimeAsync(5_000);
    await runner.stop();
    expect(warnings).toHaveLength(2);
    expect(attempts[3]).toBe(attempts[2]);
    expect(attempts[4]).toBe(attempts[2]);
    const expected = simulation(7, wall - HOUR).advanceTo(sim.now);
    expect(delivered.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    expect(runner.published).toBe(expected.length);
  });

  it('stops ticking and leaves no timers behind', async () => {
    const wall = MIDNIGHT + 10 * HOUR;
    vi.useFakeTimers({ now: wall });
    const { sim, steps } = recorded(wall);
    const runner = runSimulator({ simulation: sim, publish: async () => {}, now: Date.now, speed: 1 });
    await vi.advanceTimersByTimeAsync(1_000);
    await runner.stop();
    const before = steps.length;
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(steps.length).toBe(before);
  });
});
