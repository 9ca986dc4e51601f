import { describe, expect, it } from 'vitest';
import {
  LIVE_ALERTS_LISTED,
  type LiveAgent,
  type LiveQueue,
  type LiveSatisfaction,
  type LiveSatisfactionMinute,
  type LiveSnapshot,
  type LiveTeamTickets,
  type LiveTicketAlert,
} from '../contract/api.ts';
import type { Principal } from '../contract/auth.ts';
import {
  applyDelta,
  diffSnapshots,
  filterSnapshot,
  isEmptyDelta,
  resolveView,
  sameValue,
  viewKey,
} from './views.ts';

const QUEUE_TEAMS = { sales: 'sales', support: 'tech-support', billing: 'sales', complaints: 'supervisors' };
const TEAMS = ['sales', 'tech-support', 'supervisors'] as const;

/** A small seeded PRNG (mulberry32), so a failing case can be reproduced from its seed. */
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
  const chance = (p: number) => next() < p;
  const shuffle = <T>(xs: readonly T[]): T[] => {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = int(i + 1);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  };
  return { int, pick, chance, shuffle };
}
type Rng = ReturnType<typeof rng>;

const nullable = <T>(r: Rng, v: T): T | null => (r.chance(0.2) ? null : v);

function queue(r: Rng, name: string): LiveQueue {
  return {
    queue: name,
    waiting: r.int(6),
    oldestQueuedAt: nullable(r, 1_000_000 + r.int(1000)),
    shift: {
      offered: r.int(50),
      answered: r.int(40),
      abandoned: r.int(5),
      shortAbandoned: r.int(3),
      answeredWithinThreshold: r.int(30),
      serviceLevel: nullable(r, r.int(100) / 100),
      abandonRate: nullable(r, r.int(100) / 100),
      asaSeconds: nullable(r, r.int(60)),
      ahtSeconds: nullable(r, r.int(600)),
    },
  };
}

function agent(r: Rng, id: string): LiveAgent {
  return {
    agentId: id,
    name: nullable(r, `Agent ${id}`),
    team: r.chance(0.1) ? null : r.pick(TEAMS),
    state: r.pick(['available', 'on_call', 'wrap_up', 'break', 'offline'] as const),
    since: 1_000_000 + r.int(1000),
    reason: nullable(r, 'lunch'),
    activeCallId: nullable(r, `c-${r.int(5)}`),
    openTickets: { high: r.int(3), medium: r.int(3), low: r.int(3) },
    overdueTickets: r.int(2),
    handled: r.int(20),
    talkSeconds: r.int(3000),
    wrapSeconds: r.int(600),
  };
}

function ticket(r: Rng, id: string): LiveTicketAlert {
  return {
    ticketId: id,
    deadline: r.pick(['accept', 'update', 'resolve'] as const),
    due: 1_000_000 + r.int(1000),
    kind: r.pick(['consultation', 'technical', 'complaint', null] as const),
    category: nullable(r, 'billing_error'),
    tier: r.pick(['vip', 'key', 'normal'] as const),
    priority: r.pick(['high', 'medium', 'low'] as const),
    team: r.chance(0.1) ? null : r.pick(TEAMS),
    agentId: nullable(r, `a-${r.int(8)}`),
    subject: r.pick(['Refund', 'Router down', 'Contract']),
    version: r.int(4),
    suggestedAgentId: nullable(r, `a-${r.int(8)}`),
  };
}

function satisfaction(r: Rng): LiveSatisfaction {
  const mean = () => nullable(r, 1 + r.int(5));
  return {
    count: r.int(5),
    mean: { speed: mean(), resolution: mean(), professionalism: mean(), recommend: mean() },
    overall: mean(),
    lowCount: r.int(2),
  };
}

function minute(r: Rng, at: number): LiveSatisfactionMinute {
  const mean = () => nullable(r, 1 + r.int(5) / 2);
  return {
    minute: at,
    count: r.int(3),
    mean: { speed: mean(), resolution: mean(), professionalism: mean(), recommend: mean() },
  };
}

function trend(r: Rng, last: number): LiveSatisfactionMinute[] {
  return Array.from({ length: 60 }, (_, i) => minute(r, last - (59 - i) * 60_000));
}

function byTeam(r: Rng): LiveTeamTickets[] {
  return [...TEAMS, null]
    .filter(() => r.chance(0.7))
    .map((team) => ({ team, open: 5 + r.int(20), overdue: r.int(3), atRisk: r.int(3) }));
}

/** A sample of `ids` in random order, each item built by `make`. */
function list<T>(r: Rng, ids: readonly string[], make: (r: Rng, id: string) => T): T[] {
  return r.shuffle(ids.filter(() => r.chance(0.6))).map((id) => make(r, id));
}

function snapshot(r: Rng): LiveSnapshot {
  const tickets = r.shuffle(Array.from({ length: 12 }, (_, i) => `t-${i}`));
  return {
    serverTime: 2_000_000 + r.int(10_000),
    timezone: r.chance(0.9) ? 'Europe/Berlin' : 'Europe/Lisbon',
    shift: r.chance(0.2)
      ? null
      : { id: `2026-03-02/${r.pick(['morning', 'evening'])}`, name: 'morning', start: 1, end: 2 },
    queues: list(r, Object.keys(QUEUE_TEAMS), queue),
    agents: list(
      r,
      Array.from({ length: 8 }, (_, i) => `a-${i}`),
      agent,
    ),
    tickets: {
      open: r.int(30),
      overdueCount: r.int(30),
      atRiskCount: r.int(30),
      overdue: list(r, tickets.slice(0, 6), ticket),
      atRisk: list(r, tickets.slice(6), ticket),
      byTeam: byTeam(r),
    },
    satisfaction: {
      rolling60m: satisfaction(r),
      shift: satisfaction(r),
      trend: trend(r, 60_000 * (1000 + r.int(100))),
    },
  };
}

/** `prev` with a few random edits: the common case (most of the floor unchanged). */
function edit(r: Rng, prev: LiveSnapshot): LiveSnapshot {
  const tweak = <T>(xs: T[], make: (r: Rng, id: string) => T, idOf: (x: T) => string): T[] => {
    let out = xs.map((x) => (r.chance(0.15) ? make(r, idOf(x)) : x)).filter(() => !r.chance(0.1));
    if (r.chance(0.3)) out.push(make(r, `new-${r.int(1_000_000)}`));
    if (r.chance(0.1)) out = r.shuffle(out);
    return out;
  };
  return {
    ...prev,
    serverTime: prev.serverTime + r.int(1000),
    shift: r.chance(0.05) ? null : prev.shift,
    queues: tweak(prev.queues, queue, (q) => q.queue),
    agents: tweak(prev.agents, agent, (a) => a.agentId),
    tickets: {
      open: r.chance(0.2) ? r.int(30) : prev.tickets.open,
      overdueCount: r.chance(0.2) ? r.int(30) : prev.tickets.overdueCount,
      atRiskCount: prev.tickets.atRiskCount,
      overdue: tweak(prev.tickets.overdue, ticket, (t) => t.ticketId),
      atRisk: tweak(prev.tickets.atRisk, ticket, (t) => t.ticketId),
      byTeam: r.chance(0.2) ? byTeam(r) : prev.tickets.byTeam,
    },
    satisfaction: {
      rolling60m: r.chance(0.2) ? satisfaction(r) : prev.satisfaction.rolling60m,
      shift: prev.satisfaction.shift,
      // A survey in the current minute, or the window moved on by a minute or more.
      trend: r.chance(0.2) ? slide(r, prev.satisfaction.trend) : prev.satisfaction.trend,
    },
  };
}

function slide(r: Rng, t: LiveSatisfactionMinute[]): LiveSatisfactionMinute[] {
  const last = t.at(-1)?.minute ?? 0;
  if (r.chance(0.5)) return [...t.slice(0, -1), minute(r, last)];
  const by = 1 + r.int(70);
  return trend(r, last + by * 60_000).map((m) => t.find((o) => o.minute === m.minute) ?? m);
}

const deepCopy = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

const principal = (role: Principal['role'], teams: string[] = []): Principal => ({
  kind: 'token',
  name: `${role}-${teams.join('+') || 'all'}`,
  role,
  teams,
});

describe('diffSnapshots / applyDelta', () => {
  it('rebuilds the next snapshot from the previous one and their delta, over random pairs', () => {
    for (let seed = 1; seed <= 1500; seed++) {
      const r = rng(seed);
      const prev = snapshot(r);
      const next = seed % 3 === 0 ? snapshot(r) : edit(r, prev);
      const frozenPrev = deepCopy(prev);
      const delta = diffSnapshots(prev, next);
      const rebuilt = delta ? applyDelta(prev, delta) : { ...prev, serverTime: next.serverTime };
      expect(rebuilt, `seed ${seed}`).toEqual(next);
      expect(prev, `seed ${seed}: prev untouched`).toEqual(frozenPrev);
      // The delta survives the wire (JSON) unchanged in meaning.
      if (delta) expect(applyDelta(prev, deepCopy(delta)), `seed ${seed}`).toEqual(next);
    }
  });

  it('rebuilds a chain of snapshots from the first one and the deltas applied in order', () => {
    const r = rng(42);
    const first = snapshot(r);
    let server = first;
    let client = deepCopy(first);
    for (let i = 0; i < 300; i++) {
      const next = edit(r, server);
      const delta = diffSnapshots(server, next);
      client = delta ? applyDelta(client, deepCopy(delta)) : { ...client, serverTime: next.serverTime };
      server = next;
    }
    expect(client).toEqual(server);
  });

  it('finds no difference when only serverTime moved', () => {
    const prev = snapshot(rng(7));
    expect(diffSnapshots(prev, { ...deepCopy(prev), serverTime: prev.serverTime + 5000 })).toBeNull();
  });

  it('sends only what changed: one changed agent is one upsert', () => {
    const prev = snapshot(rng(9));
    const a = prev.agents[0];
    if (!a) throw new Error('fixture has no agent');
    const next = {
      ...prev,
      agents: [{ ...a, state: 'break' as const, since: a.since + 1 }, ...prev.agents.slice(1)],
    };
    const delta = diffSnapshots(prev, next);
    expect(delta?.changes).toEqual({ agents: { upsert: [next.agents[0]] } });
  });

  it('sends a new minute of the satisfaction trend as one upsert and one removal', () => {
    const r = rng(13);
    const prev = snapshot(r);
    const t = prev.satisfaction.trend;
    const added = minute(r, (t.at(-1)?.minute ?? 0) + 60_000);
    const next = { ...prev, satisfaction: { ...prev.satisfaction, trend: [...t.slice(1), added] } };
    expect(diffSnapshots(prev, next)?.changes).toEqual({
      satisfactionTrend: { upsert: [added], remove: [String(t[0]?.minute)] },
    });
  });

  it('sends the order only when appending new items would not give it', () => {
    const r = rng(3);
    const q = (name: string) => queue(r, name);
    const [sales, support, billing] = [q('sales'), q('support'), q('billing')];
    const prev = { ...snapshot(r), queues: [sales, support] };
    expect(diffSnapshots(prev, { ...prev, queues: [sales, support, billing] })?.changes.queues).toEqual({
      upsert: [billing],
    });
    expect(diffSnapshots(prev, { ...prev, queues: [billing, sales, support] })?.changes.queues).toEqual({
      upsert: [billing],
      order: ['billing', 'sales', 'support'],
    });
    expect(diffSnapshots(prev, { ...prev, queues: [support] })?.changes.queues).toEqual({
      remove: ['sales'],
    });
  });

  it('treats an empty delta as a heartbeat that only moves serverTime', () => {
    const prev = snapshot(rng(5));
    const beat = { serverTime: prev.serverTime + 1000, changes: {} };
    expect(isEmptyDelta(beat)).toBe(true);
    expect(applyDelta(prev, beat)).toEqual({ ...prev, serverTime: beat.serverTime });
  });
});

describe('sameValue', () => {
  it('compares JSON-like values structurally', () => {
    expect(sameValue({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 })).toBe(true);
    expect(sameValue({ a: 1 }, { a: 1, b: undefined })).toBe(true);
    expect(sameValue({ a: 1 }, { a: 2 })).toBe(false);
    expect(sameValue([1, 2], [2, 1])).toBe(false);
    expect(sameValue(null, {})).toBe(false);
    expect(sameValue([], {})).toBe(false);
  });
});

describe('resolveView', () => {
  it('gives an unscoped principal what it asks for, sorted and de-duplicated', () => {
    expect(resolveView(principal('supervisor'), { teams: ['sales', 'sales', 'a'] }, QUEUE_TEAMS)).toEqual({
      ok: true,
      view: { teams: ['a', 'sales'], queues: [] },
    });
    expect(resolveView(principal('wallboard'), {}, QUEUE_TEAMS)).toEqual({
      ok: true,
      view: { teams: [], queues: [] },
    });
  });

  it('narrows a team-scoped principal to its own teams', () => {
    expect(resolveView(principal('wallboard', ['sales']), {}, QUEUE_TEAMS)).toEqual({
      ok: true,
      view: { teams: ['sales'], queues: [] },
    });
    expect(resolveView(principal('lead', ['sales']), { queues: ['billing'] }, QUEUE_TEAMS)).toEqual({
      ok: true,
      view: { teams: ['sales'], queues: ['billing'] },
    });
  });

  it('refuses a team-scoped principal other teams, and queues of other or unknown teams', () => {
    const p = principal('wallboard', ['sales']);
    expect(resolveView(p, { teams: ['tech-support'] }, QUEUE_TEAMS)).toMatchObject({ ok: false });
    expect(resolveView(p, { queues: ['support'] }, QUEUE_TEAMS)).toMatchObject({ ok: false });
    expect(resolveView(p, { queues: ['no-such-queue'] }, QUEUE_TEAMS)).toMatchObject({ ok: false });
  });

  it('names equal views by the same key and different views by different keys', () => {
    const a = resolveView(principal('admin'), { teams: ['b', 'a'] }, QUEUE_TEAMS);
    const b = resolveView(principal('admin'), { teams: ['a', 'b', 'a'] }, QUEUE_TEAMS);
    const c = resolveView(principal('admin'), { queues: ['a', 'b'] }, QUEUE_TEAMS);
    if (!a.ok || !b.ok || !c.ok) throw new Error('unexpected refusal');
    expect(viewKey(a.view)).toBe(viewKey(b.view));
    expect(viewKey(a.view)).not.toBe(viewKey(c.view));
  });
});

describe('filterSnapshot', () => {
  const snap = (): LiveSnapshot => {
    const r = rng(11);
    const base = snapshot(r);
    return {
      ...base,
      queues: Object.keys(QUEUE_TEAMS).map((q) => queue(r, q)),
      agents: [
        { ...agent(r, 'a-1'), team: 'sales', openTickets: { high: 1, medium: 0, low: 2 } },
        { ...agent(r, 'a-2'), team: 'tech-support' },
        { ...agent(r, 'a-3'), team: null },
        { ...agent(r, 'a-4'), team: 'supervisors', openTickets: { high: 0, medium: 4, low: 0 } },
      ],
      tickets: {
        open: 99,
        overdueCount: 20,
        atRiskCount: 9,
        overdue: [
          { ...ticket(r, 't-1'), team: 'sales' },
          { ...ticket(r, 't-2'), team: 'tech-support' },
        ],
        atRisk: [
          { ...ticket(r, 't-3'), team: null },
          { ...ticket(r, 't-4'), team: 'sales' },
        ],
        byTeam: [
          { team: 'sales', open: 40, overdue: 12, atRisk: 3 },
          { team: 'supervisors', open: 9, overdue: 1, atRisk: 0 },
          { team: 'tech-support', open: 30, overdue: 7, atRisk: 5 },
          { team: null, open: 20, overdue: 0, atRisk: 1 },
        ],
      },
    };
  };

  it('returns the whole floor for an unrestricted view', () => {
    const s = snap();
    expect(filterSnapshot(s, { teams: [], queues: [] }, QUEUE_TEAMS)).toEqual(s);
  });

  it('keeps only the agents, tickets and queues of the view’s teams', () => {
    const out = filterSnapshot(snap(), { teams: ['sales'], queues: [] }, QUEUE_TEAMS);
    expect(out.agents.map((a) => a.agentId)).toEqual(['a-1']);
    expect(out.queues.map((q) => q.queue)).toEqual(['sales', 'billing']);
    expect(out.tickets.overdue.map((t) => t.ticketId)).toEqual(['t-1']);
    expect(out.tickets.atRisk.map((t) => t.ticketId)).toEqual(['t-4']);
    // The view's teams' counts, not the centre's.
    expect(out.tickets).toMatchObject({ open: 40, overdueCount: 12, atRiskCount: 3 });
    expect(out.tickets.byTeam).toEqual([{ team: 'sales', open: 40, overdue: 12, atRisk: 3 }]);
  });

  it('maps a queue view to the teams of its queues', () => {
    const out = filterSnapshot(snap(), { teams: [], queues: ['complaints'] }, QUEUE_TEAMS);
    expect(out.queues.map((q) => q.queue)).toEqual(['complaints']);
    expect(out.agents.map((a) => a.agentId)).toEqual(['a-4']);
    expect(out.tickets).toMatchObject({ open: 9, overdueCount: 1, atRiskCount: 0 });
  });

  it('lists at most LIVE_ALERTS_LISTED tickets in any view, keeping the first of each', () => {
    const r = rng(17);
    const s = snap();
    const many = (team: string, from: number): LiveTicketAlert[] =>
      Array.from({ length: LIVE_ALERTS_LISTED }, (_, i) => ({ ...ticket(r, `${team}-${from + i}`), team }));
    // As the read model lists them: every team's first ones, merged.
    const overdue = [...many('sales', 0), ...many('tech-support', 0)];
    const big = { ...s, tickets: { ...s.tickets, overdue } };
    const all = filterSnapshot(big, { teams: [], queues: [] }, QUEUE_TEAMS);
    expect(all.tickets.overdue).toEqual(overdue.slice(0, LIVE_ALERTS_LISTED));
    expect(all.tickets.overdueCount).toBe(20);
    const tech = filterSnapshot(big, { teams: ['tech-support'], queues: [] }, QUEUE_TEAMS);
    expect(tech.tickets.overdue).toEqual(overdue.slice(LIVE_ALERTS_LISTED));
  });

  it('intersects teams and queues when both are given', () => {
    const out = filterSnapshot(snap(), { teams: ['sales'], queues: ['billing', 'support'] }, QUEUE_TEAMS);
    expect(out.queues.map((q) => q.queue)).toEqual(['billing']);
    expect(out.agents.map((a) => a.agentId)).toEqual(['a-1']);
  });

  it('diffs filtered views like any snapshot', () => {
    const r = rng(21);
    for (let i = 0; i < 200; i++) {
      const prev = snapshot(r);
      const next = edit(r, prev);
      const view = { teams: [r.pick(TEAMS)], queues: [] };
      const [fp, fn] = [filterSnapshot(prev, view, QUEUE_TEAMS), filterSnapshot(next, view, QUEUE_TEAMS)];
      const delta = diffSnapshots(fp, fn);
      expect(delta ? applyDelta(fp, delta) : { ...fp, serverTime: fn.serverTime }).toEqual(fn);
      expect(fn.agents.every((a) => a.team === view.teams[0])).toBe(true);
    }
  });
});
