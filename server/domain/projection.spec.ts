import { describe, expect, it } from 'vitest';
import { at, ev } from '../../test/support/events.ts';
import { counters as readCounters } from '../../test/support/counters.ts';
import { createHarness, type Harness } from '../../test/support/harness.ts';
import { normalize, observe } from '../../test/support/observe.ts';
import { reference } from '../../test/support/reference.ts';
import type { CcEvent } from '../contract/events.ts';
import type { CallRecord, TicketRecord } from './records.ts';

const SHIFT = '2026-03-02/morning';
const DAY = '2026-03-02';

/** A counter hash of the morning shift (or `period`), zero fields left out. */
const counters = (h: Harness, group: string, period = SHIFT) => readCounters(h, group, period);

describe('call projection', () => {
  it('counts offered, answered within threshold, talk time and handled for a normal call', async () => {
    const h = createHarness();
    await h.apply([
      ev.queued({ callId: 'c1', ts: at(0) }),
      ev.answered({ callId: 'c1', agentId: 'a1', ts: at(0.25) }), // 15 s wait
      ev.ended({ callId: 'c1', agentId: 'a1', ts: at(5.25) }), // 5 min talk
    ]);
    const q = await counters(h, 'queue:sales');
    expect(q).toMatchObject({ offered: 1, answered: 1, answeredWithinThreshold: 1, waitAnsweredMs: 15_000 });
    expect(q).toMatchObject({ talkMs: 300_000, talkCount: 1 });
    expect(await counters(h, 'calls', DAY)).toMatchObject({ offered: 1, answered: 1 });
    expect(await counters(h, 'agent:a1')).toMatchObject({ handled: 1, talkMs: 300_000 });
  });

  it('counts a duplicated event once', async () => {
    const h = createHarness();
    const q = ev.queued({ callId: 'c1', ts: at(0) });
    await h.apply([q, q]);
    const out = await h.apply([q]);
    expect(out.duplicates).toBe(1);
    expect(await counters(h, 'queue:sales')).toMatchObject({ offered: 1 });
  });

  it('skips messages at or below the stored offset when a batch is delivered again', async () => {
    const h = createHarness();
    const events = [ev.queued({ callId: 'c1', ts: at(0) }), ev.queued({ callId: 'c2', ts: at(1) })];
    const items = events.map((event, i) => ({ offset: String(i), event }));
    const { applyBatch } = await import('../ingest/apply-batch.ts');
    const { projectionContextFactory } = await import('./context.ts');
    const ctxAt = projectionContextFactory(h.config, h.calendar);
    const input = { namespace: 'n', topic: 't', partition: 0, items };
    await applyBatch(h.store, input, ctxAt, h.clock.now, 72);
    const again = await applyBatch(h.store, input, ctxAt, h.clock.now, 72);
    expect(again).toMatchObject({ applied: 0, alreadyApplied: 2 });
    expect(await counters(h, 'queue:sales')).toMatchObject({ offered: 2 });
  });

  it('gives a wait of 0, never negative, to an answer stamped before its queue entry', async () => {
    const h = createHarness();
    await h.apply([
      ev.queued({ callId: 'c1', ts: at(1) }),
      ev.answered({ callId: 'c1', agentId: 'a1', ts: at(1 - 1 / 60) }), // 1 s skew
    ]);
    expect(await counters(h, 'queue:sales')).toMatchObject({ answered: 1, answeredWithinThreshold: 1 });
    expect((await counters(h, 'queue:sales')).waitAnsweredMs ?? 0).toBe(0);
  });

  it('ends in the right state when the answer arrives before its queue event', async () => {
    const h = createHarness();
    await h.apply([ev.answered({ callId: 'c1', agentId: 'a1', ts: at(0.5) })]);
    // Until its queue event comes, the answer counts as queued when it was answered (wait 0).
    expect(await counters(h, 'queue:sales')).toEqual({ offered: 1, answered: 1, answeredWithinThreshold: 1 });
    await h.apply([ev.queued({ callId: 'c1', ts: at(0) })]);
    const live = await h.live();
    expect(live.queues.find((q) => q.queue === 'sales')?.waiting).toBe(0);
    expect(await counters(h, 'queue:sales')).toEqual({ offered: 1, answered: 1, waitAnsweredMs: 30_000 });
  });

  it('counts an abandon within 5 s as short and keeps it out of the abandon rate', async () => {
    const h = createHarness();
    await h.apply([
      ev.queued({ callId: 'c1', ts: at(0) }),
      ev.abandoned({ callId: 'c1', ts: at(4 / 60) }),
      ev.queued({ callId: 'c2', ts: at(0) }),
      ev.abandoned({ callId: 'c2', ts: at(1) }),
      ev.queued({ callId: 'c3', ts: at(0) }),
      ev.answered({ callId: 'c3', agentId: 'a1', ts: at(0.5) }),
    ]);
    const q = (await h.live()).queues[0];
    expect(q?.shift).toMatchObject({ offered: 3, abandoned: 2, shortAbandoned: 1, answered: 1 });
    expect(q?.shift.abandonRate).toBeCloseTo(1 / 2);
    expect(q?.shift.serviceLevel).toBe(0); // answered after 30 s > 20 s threshold: 0 / (1 + 2 - 1)
  });

  it('lists waiting calls with the oldest first and drops them once answered', async () => {
    const h = createHarness();
    await h.apply([ev.queued({ callId: 'c1', ts: at(0) }), ev.queued({ callId: 'c2', ts: at(2) })]);
    let q = (await h.live()).queues[0];
    expect(q).toMatchObject({ waiting: 2, oldestQueuedAt: Date.parse(at(0)) });
    await h.apply([ev.answered({ callId: 'c1', agentId: 'a1', ts: at(3) })]);
    q = (await h.live()).queues[0];
    expect(q).toMatchObject({ waiting: 1, oldestQueuedAt: Date.parse(at(2)) });
  });

  it('lets a finished call expire from the live set', async () => {
    const h = createHarness();
    await h.apply([ev.queued({ callId: 'c1', ts: at(0) }), ev.abandoned({ callId: 'c1', ts: at(1) })]);
    expect((await h.store.getRecords('call', ['c1']))[0]).not.toBeNull();
    h.clock.ms += (h.config.retention.finishedCallHours + 1) * 3_600_000;
    expect((await h.store.getRecords('call', ['c1']))[0]).toBeNull();
  });

  it('attributes a call to the shift it was queued in, even when answered in the next one', async () => {
    const h = createHarness();
    await h.apply([
      ev.queued({ callId: 'c1', ts: '2026-03-02T14:59:50+01:00' }),
      ev.answered({ callId: 'c1', agentId: 'a1', ts: '2026-03-02T15:00:10+01:00' }),
    ]);
    expect(await counters(h, 'queue:sales', '2026-03-02/morning')).toMatchObject({ offered: 1, answered: 1 });
    expect(await counters(h, 'queue:sales', '2026-03-02/evening')).toEqual({});
  });
});

describe('agent projection', () => {
  it('books time in each state per shift and keeps the current state with its start', async () => {
    const h = createHarness();
    await h.apply([
      ev.agent({
        agentId: 'a1',
        name: 'Ana',
        team: 'sales',
        state: 'available',
        ts: '2026-03-02T14:00:00+01:00',
      }),
      ev.agent({ agentId: 'a1', state: 'break', reason: 'coffee', ts: '2026-03-02T15:30:00+01:00' }),
    ]);
    expect(await counters(h, 'agent:a1', '2026-03-02/morning')).toEqual({ 'stateMs:available': 3_600_000 });
    expect(await counters(h, 'agent:a1', '2026-03-02/evening')).toEqual({ 'stateMs:available': 1_800_000 });
    const a = (await h.live()).agents[0];
    expect(a).toMatchObject({
      name: 'Ana',
      state: 'break',
      reason: 'coffee',
      since: Date.parse('2026-03-02T15:30:00+01:00'),
    });
  });

  it('books at most 31 days of one state, so decades between two events cost no more than a month', async () => {
    const h = createHarness();
    await h.apply([ev.agent({ agentId: 'a1', state: 'available', ts: '1970-01-01T00:00:00Z' })]);
    await h.apply([ev.agent({ agentId: 'a1', state: 'break', ts: '2026-03-02T07:00:00+01:00' })]);
    expect(await counters(h, 'agent:a1', '2026-03-01')).toEqual({ 'stateMs:available': 86_400_000 });
    expect(await counters(h, 'agent:a1', '2026-01-29')).toEqual({});
  });

  it('places a state change older than the current state in the past and keeps the current state', async () => {
    const h = createHarness();
    await h.apply([ev.agent({ agentId: 'a1', state: 'available', ts: at(0) })]);
    await h.apply([ev.agent({ agentId: 'a1', state: 'break', ts: at(10) })]);
    await h.apply([ev.agent({ agentId: 'a1', state: 'offline', ts: at(5) })]);
    expect((await h.live()).agents[0]).toMatchObject({ state: 'break', since: Date.parse(at(10)) });
    expect(await counters(h, 'agent:a1')).toEqual({
      'stateMs:available': 300_000,
      'stateMs:offline': 300_000,
    });
  });

  it('books wrap-up time for handle time', async () => {
    const h = createHarness();
    await h.apply([
      ev.agent({ agentId: 'a1', state: 'available', ts: at(0) }),
      ev.queued({ callId: 'c1', ts: at(0) }),
      ev.answered({ callId: 'c1', agentId: 'a1', ts: at(0) }),
      ev.agent({ agentId: 'a1', state: 'on_call', ts: at(0) }),
      ev.ended({ callId: 'c1', agentId: 'a1', ts: at(4) }),
      ev.agent({ agentId: 'a1', state: 'wrap_up', ts: at(4) }),
      ev.agent({ agentId: 'a1', state: 'available', ts: at(5) }),
    ]);
    const q = (await h.live()).queues[0];
    expect(q?.shift.ahtSeconds).toBe(300);
    expect(await counters(h, 'agent:a1')).toMatchObject({ wrapMs: 60_000, talkMs: 240_000 });
  });
});

describe('ticket projection', () => {
  it('holds a VIP ticket to a 15-minute accept target and lists it overdue after that', async () => {
    const h = createHarness({ now: at(16) });
    await h.apply([
      ev.ticket({ ticketId: 't1', tier: 'vip', ts: at(0) }),
      ev.ticket({ ticketId: 't2', ts: at(0) }),
    ]);
    const live = await h.live();
    expect(live.tickets.open).toBe(2);
    expect(live.tickets.overdue.map((t) => [t.ticketId, t.deadline, t.due])).toEqual([
      ['t1', 'accept', Date.parse(at(15))],
    ]);
    expect(live.tickets.atRisk.map((t) => t.ticketId)).toEqual(['t2']); // due in 14 min ≤ 15 min
  });

  it('moves agent load on reassignment and clears it on close', async () => {
    const h = createHarness({ now: at(10) });
    await h.apply([
      ev.agent({ agentId: 'a1', state: 'available', ts: at(0) }),
      ev.agent({ agentId: 'a2', state: 'available', ts: at(0) }),
      ev.ticket({ ticketId: 't1', priority: 'high', ts: at(0) }),
      ev.assigned({ ticketId: 't1', agentId: 'a1', ts: at(1) }),
    ]);
    let agents = (await h.live()).agents;
    expect(agents.map((a) => [a.agentId, a.openTickets.high])).toEqual([
      ['a1', 1],
      ['a2', 0],
    ]);
    await h.apply([ev.assigned({ ticketId: 't1', agentId: 'a2', ts: at(2) })]);
    agents = (await h.live()).agents;
    expect(agents.map((a) => [a.agentId, a.openTickets.high])).toEqual([
      ['a1', 0],
      ['a2', 1],
    ]);
    expect(await counters(h, 'tickets')).toMatchObject({ reassigned: 1, acceptMet: 1 });
    await h.apply([ev.closed({ ticketId: 't1', ts: at(3) })]);
    const live = await h.live();
    expect(live.tickets.open).toBe(0);
    expect(live.agents.every((a) => a.openTickets.high === 0)).toBe(true);
    expect(await counters(h, 'tickets')).toMatchObject({ resolved: 1, resolveMet: 1 });
  });

  it('counts an agent overdue ticket from the deadline index', async () => {
    const h = createHarness({ now: at(5 * 60) });
    await h.apply([
      ev.agent({ agentId: 'a1', state: 'available', ts: at(0) }),
      ev.ticket({ ticketId: 't1', ts: at(0) }),
      ev.assigned({ ticketId: 't1', agentId: 'a1', ts: at(1) }),
    ]);
    // update due 4 h after acceptance, resolve due 4 h after creation: both passed at 5 h.
    expect((await h.live()).agents[0]?.overdueTickets).toBe(1);
  });

  it('handles ticket events that arrive before ticket.created', async () => {
    const h = createHarness({ now: at(10) });
    await h.apply([ev.assigned({ ticketId: 't1', agentId: 'a1', ts: at(5) })]);
    expect((await h.live()).tickets.open).toBe(0);
    await h.apply([ev.ticket({ ticketId: 't1', kind: 'complaint', category: 'price', ts: at(0) })]);
    const [rec] = (await h.store.getRecords('ticket', ['t1'])) as TicketRecord[];
    expect(rec).toMatchObject({ team: 'supervisors', agentId: 'a1', acceptedAt: Date.parse(at(5)) });
    expect(await counters(h, 'tickets')).toMatchObject({
      created: 1,
      'created:category:price': 1,
      acceptMet: 1,
    });
  });

  it('restarts the resolve clock when a ticket is reopened', async () => {
    const h = createHarness({ now: at(60) });
    await h.apply([
      ev.ticket({ ticketId: 't1', ts: at(0) }),
      ev.resolved({ ticketId: 't1', ts: at(10) }),
      ev.reopened({ ticketId: 't1', ts: at(20) }),
    ]);
    const [rec] = (await h.store.getRecords('ticket', ['t1'])) as TicketRecord[];
    expect(rec?.status).toBe('open');
    const due = await h.store.zrange(h.keys.index({ name: 'due', kind: 'resolve' }), -Infinity, Infinity);
    expect(due).toEqual([{ member: 't1', score: Date.parse(at(20 + 240)) }]);
    expect(await counters(h, 'tickets')).toMatchObject({ reopened: 1, resolved: 1 });
  });
});

describe('survey projection', () => {
  it('keeps rolling and per-shift sums and flags scores below 3', async () => {
    const h = createHarness({ now: at(30) });
    await h.apply([
      ev.survey({ surveyId: 's1', agentId: 'a1', ts: at(20) }),
      ev.survey({
        surveyId: 's2',
        ts: at(25),
        scores: { speed: 2, resolution: 4, professionalism: 4, recommend: 3 },
      }),
    ]);
    const live = await h.live();
    expect(live.satisfaction.rolling60m).toMatchObject({ count: 2, lowCount: 1 });
    expect(live.satisfaction.rolling60m.mean.speed).toBe(3.5);
    expect(live.satisfaction.shift.count).toBe(2);
    const low = await h.store.zrange(h.keys.index({ name: 'lowSurveys' }), -Infinity, Infinity);
    expect(low.map((l) => l.member)).toEqual(['s2']);
    h.clock.ms += 61 * 60_000;
    expect((await h.live()).satisfaction.rolling60m.count).toBe(0);
  });
});

describe('order independence', () => {
  function dayOfEvents(): CcEvent[] {
    const out: CcEvent[] = [];
    for (let i = 0; i < 40; i++) {
      const base = i * 7;
      const callId = `c${i}`;
      const agentId = `a${i % 4}`;
      out.push(ev.queued({ callId, ts: at(base), queue: i % 3 ? 'sales' : 'support' }));
      if (i % 5 === 0)
        out.push(
          ev.abandoned({ callId, ts: at(base + (i % 2 ? 0.05 : 2)), queue: i % 3 ? 'sales' : 'support' }),
        );
      else {
        out.push(
          ev.answered({ callId, agentId, ts: at(base + (i % 4) * 0.2), queue: i % 3 ? 'sales' : 'support' }),
        );
        if (i % 7)
          out.push(ev.ended({ callId, agentId, ts: at(base + 3), queue: i % 3 ? 'sales' : 'support' }));
      }
      out.push(ev.ticket({ ticketId: `t${i}`, ts: at(base), tier: i % 6 ? 'normal' : 'vip' }));
      if (i % 2) out.push(ev.assigned({ ticketId: `t${i}`, agentId, ts: at(base + 20 + i) }));
      if (i % 4 === 1) out.push(ev.resolved({ ticketId: `t${i}`, ts: at(base + 100) }));
      if (i % 3 === 0) out.push(ev.survey({ surveyId: `s${i}`, agentId, ts: at(base + 5) }));
    }
    for (let a = 0; a < 4; a++) {
      ['available', 'on_call', 'wrap_up', 'available', 'break'].forEach((state, k) =>
        out.push(ev.agent({ agentId: `a${a}`, state: state as 'available', ts: at(a + k * 37) })),
      );
    }
    return out;
  }

  /** Shuffles across entities while keeping each entity's own events in order (one partition each). */
  function interleave(events: CcEvent[], seed: number): CcEvent[] {
    const lanes = new Map<string, CcEvent[]>();
    for (const e of events) {
      const lane = e.type.split('.')[0] ?? '';
      lanes.set(lane, [...(lanes.get(lane) ?? []), e]);
    }
    const queues = [...lanes.values()];
    const out: CcEvent[] = [];
    let s = seed;
    while (queues.some((q) => q.length > 0)) {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      const q = queues.filter((x) => x.length > 0)[s % queues.filter((x) => x.length > 0).length];
      const n = 1 + (s % 9);
      out.push(...(q?.splice(0, n) ?? []));
    }
    return out;
  }

  it('ends in the reference state whatever the interleaving of topics and batch sizes', async () => {
    const events = dayOfEvents();
    for (const seed of [1, 2, 3]) {
      const h = createHarness({ now: at(400) });
      const order = interleave(events, seed);
      for (let i = 0; i < order.length; i += 13 + seed) await h.apply(order.slice(i, i + 13 + seed));
      const ref = reference(events, h.config);
      const got = await observe(h.store, h.keys, Object.keys(ref.aggregates));
      expect(normalize(got)).toEqual(normalize(ref));
    }
  });

  it('leaves a call record consistent after every combination of its events', async () => {
    const h = createHarness();
    await h.apply([
      ev.ended({ callId: 'c1', agentId: 'a1', ts: at(5) }),
      ev.answered({ callId: 'c1', agentId: 'a1', ts: at(1) }),
    ]);
    await h.apply([ev.queued({ callId: 'c1', ts: at(0) })]);
    const [rec] = (await h.store.getRecords('call', ['c1'])) as CallRecord[];
    expect(rec).toMatchObject({
      queues: [{ queue: 'sales', at: Date.parse(at(0)) }],
      answeredAt: Date.parse(at(1)),
      endedAt: Date.parse(at(5)),
      agentId: 'a1',
    });
    expect(await counters(h, 'queue:sales')).toEqual({
      offered: 1,
      answered: 1,
      waitAnsweredMs: 60_000,
      talkMs: 240_000,
      talkCount: 1,
    });
  });
});
