/**
 * Ticket events → ticket records, SLA deadline indexes, agent load and ticket counters (pure).
 *
 * A ticket follows event time, not arrival order: the current assignee is the latest assignment by
 * time (a late, older one only corrects the reassignment counts), an earlier acceptance arriving late
 * re-books accept met/missed, and a resolution arriving after the reopening that undid it counts as
 * the earlier cycle's resolution. Overdue deadlines are counted by event time (ticket-deadlines.ts).
 */
import type { TicketEvent } from '../contract/events.ts';
import type { Effects } from './effects.ts';
import { DEADLINE_KINDS, type DeadlineKind, type TicketRecord } from './records.ts';
import { deadlineSpan, deadlinesOf, nextDeadline } from './sla.ts';
import {
  awaitsSweep,
  escalationIds,
  settleDeadlines,
  settlePriorCycle,
  upgradeTicket,
} from './ticket-deadlines.ts';
import { periodsAt, type ProjectionContext, type WorkingSet } from './working-set.ts';

const HOUR = 3_600_000;
/** How long a resolved ticket that is never closed stays in the live set. */
export const RESOLVED_TICKET_DAYS = 30;
/** Assignments kept per ticket to place late ones in time order (the oldest are dropped beyond this). */
export const MAX_ASSIGNMENTS = 50;

function newTicket(ticketId: string): TicketRecord {
  return {
    ticketId,
    known: false,
    kind: null,
    category: null,
    priority: 'medium',
    tier: 'normal',
    complexity: 'routine',
    channel: null,
    subject: '',
    customerId: null,
    team: null,
    status: 'open',
    agentId: null,
    createdAt: null,
    acceptedAt: null,
    lastUpdateAt: null,
    progress: 0,
    resolvedAt: null,
    reopenedAt: null,
    assignments: [],
    seenAt: null,
    pendingResolve: null,
    escalated: [],
    deadlines: {},
    version: 0,
    counted: { created: false, accept: false, resolve: false },
    acceptCounted: null,
  };
}

/** Applies one ticket event to the working set. */
export function applyTicketEvent(ws: WorkingSet, fx: Effects, e: TicketEvent, ctx: ProjectionContext): void {
  const ts = Date.parse(e.ts);
  const stored = ws.tickets.get(e.ticketId);
  const t = stored ? upgradeTicket(stored, ctx.sla) : newTicket(e.ticketId);
  t.seenAt = Math.max(t.seenAt ?? ts, ts);
  switch (e.type) {
    case 'ticket.created':
      t.known = true;
      t.kind = e.kind;
      t.category = e.category ?? null;
      t.priority = e.priority;
      t.tier = e.tier;
      t.complexity = e.complexity ?? 'routine';
      t.channel = e.channel ?? null;
      t.subject = e.subject;
      t.customerId = e.customerId ?? null;
      t.team = e.team ?? ctx.teams[e.kind];
      t.createdAt = ts;
      break;
    case 'ticket.assigned':
      assign(t, fx, ctx, e.agentId, ts);
      accept(t, ts);
      break;
    case 'ticket.progress':
      accept(t, ts);
      if (t.lastUpdateAt === null || ts >= t.lastUpdateAt) {
        t.lastUpdateAt = ts;
        t.progress = e.percent;
      }
      break;
    case 'ticket.resolved':
      resolve(t, ts);
      break;
    case 'ticket.reopened':
      reopen(t, fx, ctx, ts);
      break;
    case 'ticket.closed':
      if (t.reopenedAt !== null && ts < t.reopenedAt) {
        // Closed before the latest reopening (arriving after it): only its resolution is news.
        resolve(t, ts);
        break;
      }
      // A ticket closed without a resolve event counts as resolved when it was closed.
      if (t.status === 'open') t.resolvedAt = ts;
      t.status = 'closed';
      break;
  }
  settleTicket(t, fx, ctx);
  settleDeadlines(t, fx, ctx.calendar, ctx.sla);
  ws.putTicket(t);
}

/** Counts one reassignment from `from` to `to` at `at` (`by` = -1 takes one back). */
function countReassignment(
  fx: Effects,
  ctx: ProjectionContext,
  from: string,
  to: string,
  at: number,
  by = 1,
) {
  const periods = periodsAt(ctx, at);
  fx.add(periods, 'tickets', 'reassigned', by);
  fx.add(periods, `agent:${from}`, 'reassignedOut', by);
  fx.add(periods, `agent:${to}`, 'reassignedIn', by);
}

/**
 * Places an assignment in time order. The assignee is the latest by event time; reassignments are the
 * changes of assignee between consecutive assignments, each counted at the later one's time, so an
 * assignment arriving late replaces the transition it falls into.
 */
function assign(t: TicketRecord, fx: Effects, ctx: ProjectionContext, agentId: string, ts: number): void {
  const list = t.assignments;
  let i = list.length;
  while (i > 0 && (list[i - 1]?.at ?? -Infinity) > ts) i--;
  const prev = list[i - 1] ?? null;
  const next = list[i] ?? null;
  if (next) {
    if (prev && prev.agentId !== next.agentId)
      countReassignment(fx, ctx, prev.agentId, next.agentId, next.at, -1);
    if (agentId !== next.agentId) countReassignment(fx, ctx, agentId, next.agentId, next.at);
  }
  if (prev && prev.agentId !== agentId) countReassignment(fx, ctx, prev.agentId, agentId, ts);
  list.splice(i, 0, { agentId, at: ts });
  if (list.length > MAX_ASSIGNMENTS) list.splice(0, list.length - MAX_ASSIGNMENTS);
  t.agentId = list[list.length - 1]?.agentId ?? agentId;
}

function accept(t: TicketRecord, ts: number): void {
  if (t.acceptedAt === null || ts < t.acceptedAt) t.acceptedAt = ts;
  // The accept deadline no longer applies once accepted (its escalation stays counted).
  t.escalated = t.escalated.filter((k) => k !== 'accept');
}

function resolve(t: TicketRecord, ts: number): void {
  if (t.reopenedAt !== null && ts < t.reopenedAt) {
    // Resolved before the latest reopening, arriving after it: the earlier cycle's resolution.
    const p = t.pendingResolve;
    if (p && p.resolvedAt === null && ts < p.reopenedAt) p.resolvedAt = ts;
    return;
  }
  if (t.status === 'open') {
    t.status = 'resolved';
    t.resolvedAt = ts;
  }
}

function reopen(t: TicketRecord, fx: Effects, ctx: ProjectionContext, ts: number): void {
  // A reopening not later than one already known is a repeat of it.
  if (t.reopenedAt !== null && ts <= t.reopenedAt) return;
  if (t.status !== 'open') {
    fx.add(periodsAt(ctx, ts), 'tickets', 'reopened');
    // Older than the current resolution: it happened (and counts), but the resolution came after it.
    if (t.resolvedAt !== null && ts < t.resolvedAt) return;
    t.status = 'open';
    t.reopenedAt = ts;
    t.resolvedAt = null;
    t.counted.resolve = false;
    return;
  }
  if (t.createdAt !== null && ts <= t.createdAt) return;
  // Open, so the resolution this reopening undid has not arrived yet: restart the clocks now and keep
  // the earlier cycle's deadlines until that resolution settles them.
  fx.add(periodsAt(ctx, ts), 'tickets', 'reopened');
  const { update, resolve: res } = t.deadlines;
  t.pendingResolve = {
    reopenedAt: ts,
    clockStart: t.reopenedAt,
    resolvedAt: null,
    deadlines: { ...(update ? { update } : {}), ...(res ? { resolve: res } : {}) },
  };
  delete t.deadlines.update;
  delete t.deadlines.resolve;
  t.escalated = t.escalated.filter((k) => k === 'accept');
  t.reopenedAt = ts;
}

function facetsOf(t: TicketRecord): string[] {
  const facets = [`kind:${t.kind}`, `tier:${t.tier}`, `priority:${t.priority}`];
  if (t.category) facets.push(`category:${t.category}`);
  return facets;
}

/** Counts a resolution at `at` against the resolve clock that started at `clockStart`. */
function countResolution(
  t: TicketRecord,
  fx: Effects,
  ctx: ProjectionContext,
  at: number,
  clockStart: number,
) {
  const met = at <= clockStart + deadlineSpan(t, 'resolve', ctx.sla);
  const periods = periodsAt(ctx, at);
  fx.add(periods, 'tickets', 'resolved');
  fx.add(periods, 'tickets', met ? 'resolveMet' : 'resolveMissed');
  for (const f of facetsOf(t)) fx.add(periods, 'tickets', `resolved:${f}`);
  if (t.agentId) fx.add(periods, `agent:${t.agentId}`, 'ticketsResolved');
}

/** Counts whatever the ticket now has enough information for and has not been counted yet. */
function settleTicket(t: TicketRecord, fx: Effects, ctx: ProjectionContext): void {
  if (!t.known || t.createdAt === null || t.kind === null) return;
  if (!t.counted.created) {
    const periods = periodsAt(ctx, t.createdAt);
    fx.add(periods, 'tickets', 'created');
    for (const f of facetsOf(t)) fx.add(periods, 'tickets', `created:${f}`);
    t.counted.created = true;
  }
  const booked = t.acceptCounted;
  if (t.acceptedAt !== null && booked?.at !== t.acceptedAt) {
    // An earlier acceptance arriving late moves the count to its time and may turn missed into met.
    if (booked) fx.add(periodsAt(ctx, booked.at), 'tickets', booked.met ? 'acceptMet' : 'acceptMissed', -1);
    const met = t.acceptedAt <= t.createdAt + deadlineSpan(t, 'accept', ctx.sla);
    fx.add(periodsAt(ctx, t.acceptedAt), 'tickets', met ? 'acceptMet' : 'acceptMissed');
    t.acceptCounted = { at: t.acceptedAt, met };
    t.counted.accept = true;
  }
  const prior = t.pendingResolve;
  if (prior && prior.resolvedAt !== null) {
    const clockStart = prior.clockStart ?? t.createdAt;
    countResolution(t, fx, ctx, prior.resolvedAt, clockStart);
    settlePriorCycle(t, prior.resolvedAt, clockStart, prior.deadlines, fx, ctx.calendar, ctx.sla);
    t.pendingResolve = null;
  }
  if (!t.counted.resolve && t.resolvedAt !== null) {
    countResolution(t, fx, ctx, t.resolvedAt, t.reopenedAt ?? t.createdAt);
    t.counted.resolve = true;
  }
}

/** What an open ticket contributes to the live indexes. */
function contribution(t: TicketRecord | null, ctx: ProjectionContext) {
  if (!t || !t.known || t.status !== 'open') return null;
  const deadlines = deadlinesOf(t, ctx.sla);
  const sweep = Object.fromEntries(DEADLINE_KINDS.map((k) => [k, awaitsSweep(t, k, deadlines[k])])) as Record<
    DeadlineKind,
    boolean
  >;
  return {
    deadlines,
    sweep,
    next: nextDeadline(deadlines),
    agentId: t.agentId,
    priority: t.priority,
    createdAt: t.createdAt,
    team: t.team,
    tier: t.tier,
  };
}

/** How long the record is kept after this write, if it is not kept while open. */
function expiryOf(t: TicketRecord, ctx: ProjectionContext): { expireAt?: number } {
  // Closed tickets linger briefly for late events; resolved ones wait (bounded) for closing or reopening.
  if (t.status === 'closed') return { expireAt: ctx.now + ctx.retention.closedTicketHours * HOUR };
  if (t.status === 'resolved') return { expireAt: ctx.now + RESOLVED_TICKET_DAYS * 24 * HOUR };
  // A placeholder made by events that arrived before ticket.created (which may never come, e.g. it
  // fell out of the broker's retention before a rebuild) expires unless that event arrives in time.
  if (!t.known) return { expireAt: ctx.now + ctx.retention.placeholderTicketHours * HOUR };
  return {};
}

/** Record write plus index and agent-load changes for one ticket, from before/after the batch. */
export function ticketIndexOps(
  fx: Effects,
  before: TicketRecord | null,
  after: TicketRecord | null,
  ctx: ProjectionContext,
): void {
  if (!after) return;
  const id = after.ticketId;
  fx.push({ op: 'put', kind: 'ticket', id, value: after, ...expiryOf(after, ctx) });
  const stored =
    before && before.deadlines === undefined ? upgradeTicket(structuredClone(before), ctx.sla) : before;
  const was = contribution(stored, ctx);
  const now = contribution(after, ctx);
  for (const kind of DEADLINE_KINDS) {
    const due = now?.deadlines[kind] ?? null;
    if (due !== null) fx.push({ op: 'zadd', index: { name: 'due', kind }, member: id, score: due });
    else if (was?.deadlines[kind] != null) fx.push({ op: 'zrem', index: { name: 'due', kind }, member: id });
    if (due !== null && now?.sweep[kind])
      fx.push({ op: 'zadd', index: { name: 'toEscalate', kind }, member: id, score: due });
    else if (was?.sweep[kind]) fx.push({ op: 'zrem', index: { name: 'toEscalate', kind }, member: id });
  }
  if (now) fx.push({ op: 'zadd', index: { name: 'openTickets' }, member: id, score: now.createdAt ?? 0 });
  else if (was) {
    fx.push({ op: 'zrem', index: { name: 'openTickets' }, member: id });
    // A resolved or closed ticket's escalation alerts need no acknowledgement any more.
    for (const member of escalationIds(id)) {
      fx.push({ op: 'zrem', index: { name: 'escalations' }, member });
      fx.push({ op: 'del', kind: 'escalation', id: member });
    }
  }
  if (was?.agentId && (was.agentId !== now?.agentId || now === null)) {
    fx.push({ op: 'zrem', index: { name: 'agentDue', agentId: was.agentId }, member: id });
  }
  if (now?.agentId && now.next !== null) {
    fx.push({ op: 'zadd', index: { name: 'agentDue', agentId: now.agentId }, member: id, score: now.next });
  }
  if (was && was.next !== null && (now?.next == null || was.team !== now.team || was.tier !== now.tier)) {
    fx.push({ op: 'zrem', index: { name: 'nextDue', team: was.team, tier: was.tier }, member: id });
  }
  if (now && now.next !== null) {
    fx.push({
      op: 'zadd',
      index: { name: 'nextDue', team: now.team, tier: now.tier },
      member: id,
      score: now.next,
    });
    if (now.team !== null) fx.addToSet({ name: 'ticketTeams' }, now.team);
  }
  if (was?.agentId) fx.incr({ name: 'agentLoad', agentId: was.agentId }, was.priority, -1);
  if (now?.agentId) fx.incr({ name: 'agentLoad', agentId: now.agentId }, now.priority, 1);
}
