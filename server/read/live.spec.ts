import { describe, expect, it } from 'vitest';
import { LIVE_ALERTS_LISTED, type LiveSnapshot } from '../contract/api.ts';
import type { CcEvent, Tier } from '../contract/events.ts';
import { ev } from '../../test/support/events.ts';
import { createHarness, type Harness } from '../../test/support/harness.ts';
import { reindexDeadlines } from '../commands/deadline-index.ts';
import type { TicketRecord } from '../domain/records.ts';
import { deadlinesOf, nextDeadline } from '../domain/sla.ts';
import { filterSnapshot } from '../realtime/views.ts';
import { TICKET_LOG_COMMITS } from '../store/changes.ts';
import type { StoreReader } from '../store/store.ts';
import { createLiveReader, readLive } from './live.ts';

const MINUTE = 60_000;
const QUEUE_TEAMS = { sales: 'sales', support: 'tech-support' };

/** A small seeded PRNG (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  return { int, pick, chance: (p: number) => next() < p };
}

const fresh = (h: Harness) =>
  readLive({ store: h.store, keys: h.keys, calendar: h.calendar, atRiskMinutes: 15 }, h.clock.now());

/** Random events at or before the harness's clock: agents, calls, tickets, surveys. */
function randomBatch(r: ReturnType<typeof rng>, h: Harness, n: number): CcEvent[] {
  const now = h.clock.now();
  const ts = () => new Date(now - r.int(90) * MINUTE - r.int(MINUTE)).toISOString();
  const agentId = () => `a-${r.int(12)}`;
  const ticketId = () => `t-${r.int(40)}`;
  const callId = () => `c-${r.int(30)}`;
  const queue = () => r.pick(['sales', 'support']);
  const out: CcEvent[] = [];
  for (let i = 0; i < n; i++) {
    switch (r.int(12)) {
      case 0:
      case 1:
        out.push(
          ev.agent({
            agentId: agentId(),
            ts: ts(),
            state: r.pick(['available', 'on_call', 'wrap_up', 'break', 'offline'] as const),
            name: 'Agent',
            team: r.pick(['sales', 'tech-support']),
          }),
        );
        break;
      case 2:
        out.push(ev.queued({ callId: callId(), queue: queue(), ts: ts() }));
        break;
      case 3:
        out.push(ev.answered({ callId: callId(), queue: queue(), agentId: agentId(), ts: ts() }));
        break;
      case 4:
        out.push(ev.ended({ callId: callId(), queue: queue(), agentId: agentId(), ts: ts() }));
        break;
      case 5:
      case 6:
        out.push(
          ev.ticket({
            ticketId: ticketId(),
            ts: ts(),
            kind: r.pick(['consultation', 'technical', 'complaint'] as const),
            tier: r.pick(['vip', 'key', 'normal'] as const),
            priority: r.pick(['high', 'medium', 'low'] as const),
          }),
        );
        break;
      case 7:
        out.push(ev.assigned({ ticketId: ticketId(), agentId: agentId(), ts: ts() }));
        break;
      case 8:
        out.push(ev.progress({ ticketId: ticketId(), ts: ts() }));
        break;
      case 9:
        out.push(
          r.chance(0.5)
            ? ev.resolved({ ticketId: ticketId(), ts: ts() })
            : ev.closed({ ticketId: ticketId(), ts: ts() }),
        );
        break;
      case 10:
        out.push(ev.reopened({ ticketId: ticketId(), ts: ts() }));
        break;
      default: {
        const s = () => 1 + r.int(5);
        out.push(
          ev.survey({
            surveyId: `s-${r.int(1e9)}`,
            ts: new Date(now - r.int(70) * MINUTE).toISOString(),
            scores: { speed: s(), resolution: s(), professionalism: s(), recommend: s() },
          }),
        );
      }
    }
  }
  return out;
}

/** Overdue and at-risk counts per team worked out from every open ticket's record. */
async function bruteForceCounts(h: Harness, sla = h.config.sla) {
  const now = h.clock.now();
  const open = await h.store.zrange(h.keys.index({ name: 'openTickets' }), -Infinity, Infinity);
  const recs = (await h.store.getRecords(
    'ticket',
    open.map((o) => o.member),
  )) as Array<TicketRecord | null>;
  const rows = new Map<string | null, { open: number; overdue: number; atRisk: number }>();
  for (const t of recs) {
    if (!t) continue;
    const next = nextDeadline(deadlinesOf(t, sla));
    const row = rows.get(t.team) ?? { open: 0, overdue: 0, atRisk: 0 };
    rows.set(t.team, row);
    row.open++;
    if (next !== null && next < now) row.overdue++;
    else if (next !== null && next <= now + 15 * MINUTE) row.atRisk++;
  }
  return [...rows]
    .map(([team, row]) => ({ team, ...row }))
    .sort((a, b) => (a.team === null ? 1 : b.team === null ? -1 : a.team < b.team ? -1 : 1));
}

describe('the live reader', () => {
  it('reads after every batch what a fresh read does, with exact ticket counts, on random floors', async () => {
    for (const seed of [1, 2, 3]) {
      const r = rng(seed);
      // An hour before the end of the morning shift: the rounds cross into the evening.
      const h = createHarness({ now: '2026-03-02T14:00:00+01:00' });
      // Counts the reads of every agent id: the kept reader reads them all only on its first read
      // and after a reset.
      let fullReads = 0;
      const agentsKey = h.keys.set({ name: 'agents' });
      const store: StoreReader = {
        ...h.store,
        smembers: (key) => {
          if (key === agentsKey) fullReads++;
          return h.store.smembers(key);
        },
      };
      const kept = createLiveReader({ store, keys: h.keys, calendar: h.calendar });
      const seen = { overdue: 0, agentOverdue: 0, suggested: 0, shifts: new Set<string | undefined>() };
      let sla = h.config.sla;
      for (let round = 0; round < 40; round++) {
        await h.apply(randomBatch(r, h, 1 + r.int(25)));
        if (round === 25) {
          // A new SLA policy re-indexes every open ticket: due times change without a ticket event.
          sla = { ...sla, updateMinutes: { vip: 30, key: 60, normal: 90 } };
          h.config.sla = sla; // what the projection applies from now on
          await reindexDeadlines({ store: h.store, sla });
        }
        h.clock.ms += r.int(6) * MINUTE + r.int(MINUTE);
        if (round === 30) kept.reset();
        const before = fullReads;
        const a = await kept.read(h.clock.now(), 15);
        expect(fullReads - before, `seed ${seed} round ${round}`).toBe(round === 0 || round === 30 ? 1 : 0);
        expect(a, `seed ${seed} round ${round}`).toEqual(await fresh(h));
        seen.overdue = Math.max(seen.overdue, a.tickets.overdueCount);
        seen.agentOverdue = Math.max(seen.agentOverdue, ...a.agents.map((x) => x.overdueTickets));
        seen.suggested += a.tickets.overdue.filter((x) => x.suggestedAgentId !== null).length;
        seen.shifts.add(a.shift?.name);
        const { open: _o, ...counts } = a.tickets.byTeam.reduce(
          (n, t) => ({ open: 0, overdue: n.overdue + t.overdue, atRisk: n.atRisk + t.atRisk }),
          { open: 0, overdue: 0, atRisk: 0 },
        );
        expect(counts).toEqual({ overdue: a.tickets.overdueCount, atRisk: a.tickets.atRiskCount });
        expect(a.tickets.byTeam, `seed ${seed} round ${round}`).toEqual(await bruteForceCounts(h, sla));
        expect(a.tickets.byTeam.reduce((n, t) => n + t.open, 0)).toBe(a.tickets.open);
      }
      // The floors had something to get wrong.
      expect(seen.overdue).toBeGreaterThan(3);
      expect(seen.agentOverdue).toBeGreaterThan(0);
      expect(seen.suggested).toBeGreaterThan(0);
      expect([...seen.shifts].sort()).toEqual(['evening', 'morning']);
    }
  });

  it('re-reads its listed tickets when it fell further behind than the ticket log keeps', async () => {
    const h = createHarness({ now: '2026-03-02T10:00:00+01:00' });
    const kept = createLiveReader({ store: h.store, keys: h.keys, calendar: h.calendar });
    const ago = (m: number) => new Date(h.clock.now() - m * MINUTE).toISOString();
    await h.apply([ev.ticket({ ticketId: 'late', ts: ago(300), tier: 'vip' })]);
    expect((await kept.read(h.clock.now(), 15)).tickets.overdue[0]).toMatchObject({ agentId: null });
    await h.apply([ev.assigned({ ticketId: 'late', agentId: 'a9', ts: ago(290) })]);
    // Then more commits than the log keeps, none about that ticket.
    for (let i = 0; i <= TICKET_LOG_COMMITS; i++)
      await h.apply([ev.ticket({ ticketId: `other-${i % 3}`, ts: ago(1), subject: `v${i}` })]);
    const snap = await kept.read(h.clock.now(), 15);
    expect(snap.tickets.overdue.find((t) => t.ticketId === 'late')).toMatchObject({ agentId: 'a9' });
    expect(snap).toEqual(await fresh(h));
  });

  it('counts an agent’s tickets overdue as their deadlines pass, with no event in between', async () => {
    const h = createHarness({ now: '2026-03-02T10:00:00+01:00' });
    const kept = createLiveReader({ store: h.store, keys: h.keys, calendar: h.calendar });
    const ts = (m: number) => new Date(h.clock.now() + m * MINUTE).toISOString();
    await h.apply([
      ev.agent({ agentId: 'a1', name: 'A', team: 'sales', state: 'available', ts: ts(-30) }),
      // Accept deadlines (normal: 30 min) due in 5 and in 10 minutes.
      ev.ticket({ ticketId: 't1', ts: ts(-25) }),
      ev.ticket({ ticketId: 't2', ts: ts(-20) }),
    ]);
    const overdue = async () => (await kept.read(h.clock.now(), 15)).agents[0]?.overdueTickets;
    await h.apply([
      ev.assigned({ ticketId: 't1', agentId: 'a1', ts: ts(-1) }),
      ev.assigned({ ticketId: 't2', agentId: 'a1', ts: ts(-1) }),
    ]);
    // Assigned: the next deadline is now the update (240 min from assignment).
    expect(await overdue()).toBe(0);
    h.clock.ms += 240 * MINUTE;
    expect(await overdue()).toBe(2);
    expect((await fresh(h)).agents[0]?.overdueTickets).toBe(2);
  });
});

describe('the ticket lists', () => {
  async function floor() {
    const h = createHarness({ now: '2026-03-02T12:00:00+01:00' });
    const ago = (m: number) => new Date(h.clock.now() - m * MINUTE).toISOString();
    const created = (id: string, minutesAgo: number, tier: Tier, kind = 'consultation' as const) =>
      ev.ticket({ ticketId: id, ts: ago(minutesAgo), tier, kind });
    const events: CcEvent[] = [];
    // 600 normal tickets of sales overdue on acceptance (30 min) by 10 to 609 minutes…
    for (let i = 0; i < 600; i++) events.push(created(`n${i}`, 40 + i, 'normal'));
    // …30 VIP ones (15 min) less late than any of them, and 20 due within the at-risk window.
    for (let i = 0; i < 30; i++) events.push(created(`v${i}`, 16 + i / 10, 'vip'));
    for (let i = 0; i < 20; i++) events.push(created(`r${i}`, 20 + i / 10, 'normal'));
    // A technical ticket (tech-support) overdue less than all of sales'.
    events.push(created('tech', 31, 'normal', 'technical' as 'consultation'));
    await h.apply(events);
    return h;
  }

  it('keeps VIP first and at-risk tickets listed when more than LIVE_ALERTS_LISTED are overdue', async () => {
    const h = await floor();
    const snap = filterSnapshot(await fresh(h), { teams: [], queues: [] }, QUEUE_TEAMS);
    const t = snap.tickets;
    expect([t.overdueCount, t.atRiskCount, t.open]).toEqual([631, 20, 651]);
    expect(t.overdue).toHaveLength(LIVE_ALERTS_LISTED);
    // VIP first, the latest of them first; then the normal ones, the latest first.
    expect(t.overdue.slice(0, 30).map((a) => a.ticketId)).toEqual(
      Array.from({ length: 30 }, (_, i) => `v${29 - i}`),
    );
    expect(t.overdue.slice(30, 33).map((a) => a.ticketId)).toEqual(['n599', 'n598', 'n597']);
    expect(t.overdue.every((a) => a.due < h.clock.now() && a.deadline === 'accept')).toBe(true);
    // At risk: due within 15 minutes, the soonest first, not crowded out by the overdue ones.
    expect(t.atRisk.map((a) => a.ticketId)).toEqual(Array.from({ length: 20 }, (_, i) => `r${19 - i}`));
    expect(t.byTeam).toEqual([
      { team: 'sales', open: 650, overdue: 630, atRisk: 20 },
      { team: 'tech-support', open: 1, overdue: 1, atRisk: 0 },
    ]);
  });

  it('gives a view narrowed to a team its own first tickets and counts, whatever other teams have', async () => {
    const h = await floor();
    const tech = filterSnapshot(await fresh(h), { teams: ['tech-support'], queues: [] }, QUEUE_TEAMS);
    expect(tech.tickets.overdue.map((a) => a.ticketId)).toEqual(['tech']);
    expect(tech.tickets).toMatchObject({ open: 1, overdueCount: 1, atRiskCount: 0 });
    const sales = filterSnapshot(await fresh(h), { teams: ['sales'], queues: [] }, QUEUE_TEAMS);
    expect(sales.tickets.overdue).toHaveLength(LIVE_ALERTS_LISTED);
    expect(sales.tickets.overdue.some((a) => a.ticketId === 'tech')).toBe(false);
  });
});

describe('the satisfaction trend', () => {
  it('carries the 60 minutes up to the current one, each with its own surveys', async () => {
    const h = createHarness({ now: '2026-03-02T12:00:30+01:00' });
    const ago = (m: number) => new Date(h.clock.now() - m * MINUTE).toISOString();
    const scores = (n: number) => ({ speed: n, resolution: n, professionalism: 5, recommend: 1 });
    await h.apply([
      ev.survey({ surveyId: 's1', ts: ago(0), scores: scores(4) }),
      ev.survey({ surveyId: 's2', ts: ago(0), scores: scores(1) }),
      ev.survey({ surveyId: 's3', ts: ago(59), scores: scores(3) }),
      ev.survey({ surveyId: 's4', ts: ago(61), scores: scores(2) }),
    ]);
    const snap: LiveSnapshot = await fresh(h);
    const trend = snap.satisfaction.trend;
    const thisMinute = Date.parse('2026-03-02T12:00:00+01:00');
    expect(trend).toHaveLength(60);
    expect(trend.map((m) => m.minute)).toEqual(
      Array.from({ length: 60 }, (_, i) => thisMinute - (59 - i) * MINUTE),
    );
    expect(trend[59]).toEqual({
      minute: thisMinute,
      count: 2,
      mean: { speed: 2.5, resolution: 2.5, professionalism: 5, recommend: 1 },
    });
    expect(trend[0]).toMatchObject({ count: 1, mean: { speed: 3 } });
    expect(trend.slice(1, 59).every((m) => m.count === 0 && m.mean.speed === null)).toBe(true);
    expect(snap.satisfaction.rolling60m.count).toBe(3);
  });
});
