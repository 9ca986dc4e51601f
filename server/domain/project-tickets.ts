/** Ticket events → ticket records, SLA deadline indexes, agent load and ticket counters (pure). */
import type { TicketEvent } from '../contract/events.ts';
import type { Effects } from './effects.ts';
import { DEADLINE_KINDS, type TicketRecord } from './records.ts';
import { deadlinesOf, nextDeadline } from './sla.ts';
import { periodsAt, type ProjectionContext, type WorkingSet } from './working-set.ts';

const HOUR = 3_600_000;
/** How long a resolved ticket that is never closed stays in the live set. */
export const RESOLVED_TICKET_DAYS = 30;

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
    escalated: [],
    version: 0,
    counted: { created: false, accept: false, resolve: false },
  };
}

/** Applies one ticket event to the working set. */
export function applyTicketEvent(ws: WorkingSet, fx: Effects, e: TicketEvent, ctx: ProjectionContext): void {
  const ts = Date.parse(e.ts);
  const t = ws.tickets.get(e.ticketId) ?? newTicket(e.ticketId);
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
      if (t.agentId !== null && t.agentId !== e.agentId) {
        const periods = periodsAt(ctx, ts);
        fx.add(periods, 'tickets', 'reassigned');
        fx.add(periods, `agent:${t.agentId}`, 'reassignedOut');
        fx.add(periods, `agent:${e.agentId}`, 'reassignedIn');
      }
      t.agentId = e.agentId;
      accept(t, ts);
      break;
    case 'ticket.progress':
      accept(t, ts);
      t.lastUpdateAt = Math.max(t.lastUpdateAt ?? ts, ts);
      t.progress = e.percent;
      t.escalated = t.escalated.filter((k) => k !== 'update');
      break;
    case 'ticket.resolved':
      if (t.status === 'open') {
        t.status = 'resolved';
        t.resolvedAt = ts;
      }
      break;
    case 'ticket.reopened':
      if (t.status !== 'open') {
        t.status = 'open';
        t.reopenedAt = ts;
        t.resolvedAt = null;
        t.counted.resolve = false;
        t.escalated = [];
        fx.add(periodsAt(ctx, ts), 'tickets', 'reopened');
      }
      break;
    case 'ticket.closed':
      // A ticket closed without a resolve event counts as resolved when it was closed.
      if (t.status === 'open') t.resolvedAt = ts;
      t.status = 'closed';
      break;
  }
  settleTicket(t, fx, ctx);
  ws.putTicket(t);
}

function accept(t: TicketRecord, ts: number): void {
  if (t.acceptedAt === null || ts < t.acceptedAt) t.acceptedAt = ts;
  t.escalated = t.escalated.filter((k) => k !== 'accept');
}

/** Counts whatever the ticket now has enough information for and has not been counted yet. */
function settleTicket(t: TicketRecord, fx: Effects, ctx: ProjectionContext): void {
  if (!t.known || t.createdAt === null || t.kind === null) return;
  const facets = [`kind:${t.kind}`, `tier:${t.tier}`, `priority:${t.priority}`];
  if (t.category) facets.push(`category:${t.category}`);
  if (!t.counted.created) {
    const periods = periodsAt(ctx, t.createdAt);
    fx.add(periods, 'tickets', 'created');
    for (const f of facets) fx.add(periods, 'tickets', `created:${f}`);
    t.counted.created = true;
  }
  if (!t.counted.accept && t.acceptedAt !== null) {
    const met = t.acceptedAt <= t.createdAt + ctx.sla.acceptMinutes[t.tier] * 60_000;
    fx.add(periodsAt(ctx, t.acceptedAt), 'tickets', met ? 'acceptMet' : 'acceptMissed');
    t.counted.accept = true;
  }
  if (!t.counted.resolve && t.resolvedAt !== null) {
    const clockStart = t.reopenedAt ?? t.createdAt;
    const met = t.resolvedAt <= clockStart + ctx.sla.resolveMinutes[t.complexity][t.tier] * 60_000;
    const periods = periodsAt(ctx, t.resolvedAt);
    fx.add(periods, 'tickets', 'resolved');
    fx.add(periods, 'tickets', met ? 'resolveMet' : 'resolveMissed');
    for (const f of facets) fx.add(periods, 'tickets', `resolved:${f}`);
    if (t.agentId) fx.add(periods, `agent:${t.agentId}`, 'ticketsResolved');
    t.counted.resolve = true;
  }
}

/** What an open ticket contributes to the live indexes. */
function contribution(t: TicketRecord | null, ctx: ProjectionContext) {
  if (!t || !t.known || t.status !== 'open') return null;
  const deadlines = deadlinesOf(t, ctx.sla);
  return {
    deadlines,
    next: nextDeadline(deadlines),
    agentId: t.agentId,
    priority: t.priority,
    createdAt: t.createdAt,
  };
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
  fx.push({
    op: 'put',
    kind: 'ticket',
    id,
    value: after,
    // Closed tickets linger briefly for late events; resolved ones wait (bounded) for closing or reopening.
    ...(after.status === 'closed'
      ? { expireAt: ctx.now + ctx.retention.closedTicketHours * HOUR }
      : after.status === 'resolved'
        ? { expireAt: ctx.now + RESOLVED_TICKET_DAYS * 24 * HOUR }
        : {}),
  });
  const was = contribution(before, ctx);
  const now = contribution(after, ctx);
  for (const kind of DEADLINE_KINDS) {
    const due = now?.deadlines[kind] ?? null;
    if (due !== null) fx.push({ op: 'zadd', index: { name: 'due', kind }, member: id, score: due });
    else if (was?.deadlines[kind] != null) fx.push({ op: 'zrem', index: { name: 'due', kind }, member: id });
  }
  if (now) fx.push({ op: 'zadd', index: { name: 'openTickets' }, member: id, score: now.createdAt ?? 0 });
  else if (was) fx.push({ op: 'zrem', index: { name: 'openTickets' }, member: id });
  if (was?.agentId && (was.agentId !== now?.agentId || now === null)) {
    fx.push({ op: 'zrem', index: { name: 'agentDue', agentId: was.agentId }, member: id });
  }
  if (now?.agentId && now.next !== null) {
    fx.push({ op: 'zadd', index: { name: 'agentDue', agentId: now.agentId }, member: id, score: now.next });
  }
  if (was?.agentId) fx.incr({ name: 'agentLoad', agentId: was.agentId }, was.priority, -1);
  if (now?.agentId) fx.incr({ name: 'agentLoad', agentId: now.agentId }, now.priority, 1);
}
