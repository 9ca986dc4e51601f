/**
 * Views of the live floor (pure, isomorphic: no I/O, no Node-only imports; the browser uses
 * `applyDelta`). A view narrows a LiveSnapshot to some teams and/or queues; `diffSnapshots` and
 * `applyDelta` turn two snapshots of a view into a delta and back:
 * `applyDelta(prev, diffSnapshots(prev, next))` deep-equals `next`.
 */
import {
  LIVE_ALERTS_LISTED,
  type LiveAgent,
  type LiveQueue,
  type LiveSatisfactionMinute,
  type LiveSnapshot,
  type LiveTicketAlert,
} from '../contract/api.ts';
import type { Principal } from '../contract/auth.ts';
import type {
  ListChanges,
  LiveChanges,
  LiveDelta,
  LiveView,
  SubscribeRequest,
} from '../contract/realtime.ts';
import { inScope } from '../auth/permissions.ts';

/** Queue name → owning team (config `queueTeams`). */
export type QueueTeams = Readonly<Record<string, string>>;

export type ViewResult = { ok: true; view: LiveView } | { ok: false; message: string };

const uniqueSorted = (xs: readonly string[] | undefined): string[] => [...new Set(xs ?? [])].sort();

/**
 * The view a principal gets for a `subscribe` request. A principal scoped to teams sees only those
 * teams: asking for another team, or a queue of another (or no) team, is refused; asking for no
 * teams gives its own teams.
 */
export function resolveView(p: Principal, req: SubscribeRequest, queueTeams: QueueTeams): ViewResult {
  let teams = uniqueSorted(req.teams);
  const queues = uniqueSorted(req.queues);
  if (p.teams.length > 0) {
    const teamsOut = teams.filter((t) => !inScope(p, t));
    if (teamsOut.length > 0) {
      return { ok: false, message: `not in your teams: ${teamsOut.join(', ')}` };
    }
    const queuesOut = queues.filter((q) => !inScope(p, queueTeams[q]));
    if (queuesOut.length > 0) {
      return { ok: false, message: `queues outside your teams: ${queuesOut.join(', ')}` };
    }
    if (teams.length === 0) teams = uniqueSorted(p.teams);
  }
  return { ok: true, view: { teams, queues } };
}

/** A stable key naming a view (its Socket.IO room). */
export function viewKey(view: LiveView): string {
  return `view:${JSON.stringify([view.teams, view.queues])}`;
}

/**
 * The teams whose agents and tickets a view shows, or null for all: the view's teams, or the teams of
 * its queues, or both intersected.
 */
function teamsOfView(view: LiveView, queueTeams: QueueTeams): Set<string> | null {
  const byQueue =
    view.queues.length > 0
      ? new Set(view.queues.flatMap((q) => (queueTeams[q] === undefined ? [] : [queueTeams[q]])))
      : null;
  if (view.teams.length === 0) return byQueue;
  return new Set(view.teams.filter((t) => byQueue === null || byQueue.has(t)));
}

/** The first LIVE_ALERTS_LISTED of a list (the list itself when it is no longer). */
const listed = <T>(xs: T[]): T[] => (xs.length > LIVE_ALERTS_LISTED ? xs.slice(0, LIVE_ALERTS_LISTED) : xs);

/**
 * A snapshot narrowed to `view`. Queues must be in the view's queues (if any) and belong to its teams
 * (if any); agents and tickets must belong to the view's teams, and the ticket counts are those of its
 * teams. The overdue and at-risk lists keep their first LIVE_ALERTS_LISTED (the read model lists that
 * many per team, so any view's first ones are there). Satisfaction is centre-wide (surveys carry no
 * team).
 */
export function filterSnapshot(snap: LiveSnapshot, view: LiveView, queueTeams: QueueTeams): LiveSnapshot {
  const t = snap.tickets;
  if (view.teams.length === 0 && view.queues.length === 0) {
    if (t.overdue.length <= LIVE_ALERTS_LISTED && t.atRisk.length <= LIVE_ALERTS_LISTED) return snap;
    return { ...snap, tickets: { ...t, overdue: listed(t.overdue), atRisk: listed(t.atRisk) } };
  }
  const teams = teamsOfView(view, queueTeams);
  const inTeams = (team: string | null) => teams === null || (team !== null && teams.has(team));
  const queues = snap.queues.filter(
    (q) =>
      (view.queues.length === 0 || view.queues.includes(q.queue)) &&
      (view.teams.length === 0 || inTeams(queueTeams[q.queue] ?? null)),
  );
  const byTeam = teams === null ? t.byTeam : t.byTeam.filter((row) => inTeams(row.team));
  const sum = (f: 'open' | 'overdue' | 'atRisk') => byTeam.reduce((n, row) => n + row[f], 0);
  return {
    ...snap,
    queues,
    agents: snap.agents.filter((a) => inTeams(a.team)),
    tickets: {
      open: teams === null ? t.open : sum('open'),
      overdueCount: teams === null ? t.overdueCount : sum('overdue'),
      atRiskCount: teams === null ? t.atRiskCount : sum('atRisk'),
      overdue: listed(t.overdue.filter((a) => inTeams(a.team))),
      atRisk: listed(t.atRisk.filter((a) => inTeams(a.team))),
      byTeam,
    },
  };
}

/** Structural equality of JSON-like values (key order does not matter). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameValue(x, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(rb, k) && sameValue(ra[k], rb[k]));
}

const queueId = (q: LiveQueue) => q.queue;
const agentId = (a: LiveAgent) => a.agentId;
const ticketId = (t: LiveTicketAlert) => t.ticketId;
const minuteId = (m: LiveSatisfactionMinute) => String(m.minute);

/** Changes turning list `prev` into `next` (ids unique within a list), or null when equal. */
function diffList<T>(prev: readonly T[], next: readonly T[], idOf: (x: T) => string): ListChanges<T> | null {
  // The usual case first: the same ids in the same order, most items the very same objects (the read
  // model keeps what did not change), so only upserts.
  if (prev.length === next.length) {
    const upsert: T[] = [];
    let i = 0;
    for (; i < prev.length; i++) {
      const [p, n] = [prev[i] as T, next[i] as T];
      if (p === n) continue;
      if (idOf(p) !== idOf(n)) break;
      if (!sameValue(p, n)) upsert.push(n);
    }
    if (i === prev.length) return upsert.length > 0 ? { upsert } : null;
  }
  const before = new Map(prev.map((x) => [idOf(x), x]));
  const nextIds = next.map(idOf);
  const after = new Set(nextIds);
  const upsert = next.filter((x) => {
    const old = before.get(idOf(x));
    return old === undefined || !sameValue(old, x);
  });
  const remove = [...before.keys()].filter((id) => !after.has(id));
  // The order applyList produces without help: survivors in place, newcomers appended.
  const naive = [
    ...[...before.keys()].filter((id) => after.has(id)),
    ...nextIds.filter((id) => !before.has(id)),
  ];
  const reordered = naive.some((id, i) => id !== nextIds[i]);
  if (upsert.length === 0 && remove.length === 0 && !reordered) return null;
  const out: ListChanges<T> = {};
  if (upsert.length > 0) out.upsert = upsert;
  if (remove.length > 0) out.remove = remove;
  if (reordered) out.order = nextIds;
  return out;
}

function applyList<T>(list: readonly T[], ch: ListChanges<T> | undefined, idOf: (x: T) => string): T[] {
  if (!ch) return [...list];
  const removed = new Set(ch.remove ?? []);
  const upserts = new Map((ch.upsert ?? []).map((x) => [idOf(x), x]));
  const out: T[] = [];
  const present = new Set<string>();
  for (const x of list) {
    const id = idOf(x);
    if (removed.has(id)) continue;
    present.add(id);
    out.push(upserts.get(id) ?? x);
  }
  for (const x of ch.upsert ?? []) if (!present.has(idOf(x))) out.push(x);
  if (!ch.order) return out;
  const byId = new Map(out.map((x) => [idOf(x), x]));
  return ch.order.flatMap((id) => {
    const x = byId.get(id);
    return x === undefined ? [] : [x];
  });
}

/**
 * What changed from `prev` to `next`, or null when nothing but `serverTime` did. Items are sent
 * whole when any field changed; scalar sections (satisfaction, shift, ticket counts) are replaced.
 */
export function diffSnapshots(prev: LiveSnapshot, next: LiveSnapshot): LiveDelta | null {
  const changes: LiveChanges = {};
  const queues = diffList(prev.queues, next.queues, queueId);
  if (queues) changes.queues = queues;
  const agents = diffList(prev.agents, next.agents, agentId);
  if (agents) changes.agents = agents;
  const overdue = diffList(prev.tickets.overdue, next.tickets.overdue, ticketId);
  if (overdue) changes.overdue = overdue;
  const atRisk = diffList(prev.tickets.atRisk, next.tickets.atRisk, ticketId);
  if (atRisk) changes.atRisk = atRisk;
  const [pt, nt] = [prev.tickets, next.tickets];
  if (pt.open !== nt.open) changes.ticketsOpen = nt.open;
  if (
    pt.overdueCount !== nt.overdueCount ||
    pt.atRiskCount !== nt.atRiskCount ||
    !sameValue(pt.byTeam, nt.byTeam)
  ) {
    changes.ticketCounts = { overdueCount: nt.overdueCount, atRiskCount: nt.atRiskCount, byTeam: nt.byTeam };
  }
  const [ps, ns] = [prev.satisfaction, next.satisfaction];
  if (!sameValue(ps.rolling60m, ns.rolling60m) || !sameValue(ps.shift, ns.shift)) {
    changes.satisfaction = { rolling60m: ns.rolling60m, shift: ns.shift };
  }
  const trend = diffList(ps.trend, ns.trend, minuteId);
  if (trend) changes.satisfactionTrend = trend;
  if (!sameValue(prev.shift, next.shift)) changes.shift = next.shift;
  if (prev.timezone !== next.timezone) changes.timezone = next.timezone;
  if (Object.keys(changes).length === 0) return null;
  return { serverTime: next.serverTime, changes };
}

/** `snap` with `delta` applied (a new object; unchanged items are shared, nothing is mutated). */
export function applyDelta(snap: LiveSnapshot, delta: LiveDelta): LiveSnapshot {
  const c = delta.changes;
  const t = snap.tickets;
  const s = snap.satisfaction;
  return {
    serverTime: delta.serverTime,
    timezone: c.timezone ?? snap.timezone,
    shift: c.shift === undefined ? snap.shift : c.shift,
    queues: c.queues ? applyList(snap.queues, c.queues, queueId) : snap.queues,
    agents: c.agents ? applyList(snap.agents, c.agents, agentId) : snap.agents,
    tickets: {
      open: c.ticketsOpen ?? t.open,
      overdueCount: c.ticketCounts?.overdueCount ?? t.overdueCount,
      atRiskCount: c.ticketCounts?.atRiskCount ?? t.atRiskCount,
      overdue: c.overdue ? applyList(t.overdue, c.overdue, ticketId) : t.overdue,
      atRisk: c.atRisk ? applyList(t.atRisk, c.atRisk, ticketId) : t.atRisk,
      byTeam: c.ticketCounts?.byTeam ?? t.byTeam,
    },
    satisfaction: {
      rolling60m: c.satisfaction?.rolling60m ?? s.rolling60m,
      shift: c.satisfaction?.shift ?? s.shift,
      trend: c.satisfactionTrend ? applyList(s.trend, c.satisfactionTrend, minuteId) : s.trend,
    },
  };
}

/** Whether a delta carries no changes (a heartbeat). */
export function isEmptyDelta(delta: LiveDelta): boolean {
  return Object.keys(delta.changes).length === 0;
}
