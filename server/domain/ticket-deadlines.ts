/**
 * SLA deadline bookkeeping of a ticket (pure): which deadline of each kind is in force, whether it was
 * missed, and what the sweeper still has to do about it.
 *
 * Overdue is counted by event time, in the shift and day of the deadline's due time, exactly once per
 * deadline: when an event shows the deadline passed (accepted, updated or resolved after it, or any
 * later event on the ticket while it still ran), or when the escalation sweeper sees it pass in real
 * time. If the event that ended a deadline arrives after it was counted and shows it was met after all
 * (consumer lag, a late event), the count is taken back. So a replay of old events gives the same
 * overdue figures as live ingestion, with or without a sweeper running.
 */
import type { SlaPolicy } from '../../config/schema.ts';
import { TIERS } from '../contract/events.ts';
import type { Effects } from './effects.ts';
import type { Op } from './ops.ts';
import { DEADLINE_KINDS, type DeadlineKind, type DeadlineState, type TicketRecord } from './records.ts';
import { deadlineBase, deadlineSpan, deadlinesOf } from './sla.ts';
import type { ShiftCalendar } from './shifts.ts';

/** A fresh deadline whose clock started at `base`. */
export function newDeadline(base: number): DeadlineState {
  return { base, overdueAt: null, endedAt: null, skipped: false, warnedFor: null };
}

/**
 * Fills fields that ticket records stored by earlier versions lack (idempotent). A deadline escalated
 * by the earlier sweeper was counted overdue at its due time then, so it is marked counted.
 */
export function upgradeTicket(t: TicketRecord, policy: SlaPolicy): TicketRecord {
  const legacy = t as Partial<TicketRecord> & TicketRecord;
  legacy.seenAt ??=
    Math.max(t.createdAt ?? 0, t.acceptedAt ?? 0, t.lastUpdateAt ?? 0, t.resolvedAt ?? 0) || null;
  legacy.assignments ??= t.agentId ? [{ agentId: t.agentId, at: t.acceptedAt ?? t.createdAt ?? 0 }] : [];
  legacy.pendingResolve ??= null;
  legacy.acceptCounted ??=
    t.counted.accept && t.acceptedAt !== null && t.createdAt !== null
      ? { at: t.acceptedAt, met: t.acceptedAt <= t.createdAt + deadlineSpan(t, 'accept', policy) }
      : null;
  if (legacy.deadlines === undefined) {
    legacy.deadlines = {};
    for (const kind of DEADLINE_KINDS) {
      const base = deadlineBase(t, kind);
      if (base === null) continue;
      const st = newDeadline(base);
      if (t.escalated.includes(kind)) st.overdueAt = base + deadlineSpan(t, kind, policy);
      legacy.deadlines[kind] = st;
    }
  }
  return t;
}

function setOverdue(
  fx: Effects,
  calendar: ShiftCalendar,
  kind: DeadlineKind,
  st: DeadlineState,
  missedDue: number | null,
): void {
  if (missedDue !== null && st.overdueAt === null) {
    fx.add(calendar.periodsAt(missedDue), 'tickets', 'overdue');
    fx.add(calendar.periodsAt(missedDue), 'tickets', `overdue:${kind}`);
    st.overdueAt = missedDue;
  } else if (missedDue === null && st.overdueAt !== null) {
    fx.add(calendar.periodsAt(st.overdueAt), 'tickets', 'overdue', -1);
    fx.add(calendar.periodsAt(st.overdueAt), 'tickets', `overdue:${kind}`, -1);
    st.overdueAt = null;
  }
}

/** When the deadline of `kind` stopped applying, as far as the record knows; null while it runs. */
function endOf(t: TicketRecord, kind: DeadlineKind): number | null {
  const resolved = t.status === 'open' ? null : t.resolvedAt;
  if (kind !== 'accept') return resolved;
  if (t.acceptedAt === null) return resolved;
  return resolved === null ? t.acceptedAt : Math.min(t.acceptedAt, resolved);
}

/**
 * Brings the ticket's deadline bookkeeping up to date after an event: starts a new deadline where
 * its clock restarted (clearing its escalation mark, so a new breach escalates again), and counts or
 * un-counts overdue from the event-time evidence.
 */
export function settleDeadlines(
  t: TicketRecord,
  fx: Effects,
  calendar: ShiftCalendar,
  policy: SlaPolicy,
): void {
  if (!t.known || t.createdAt === null) return;
  for (const kind of DEADLINE_KINDS) {
    const base = deadlineBase(t, kind) ?? t.createdAt;
    const span = deadlineSpan(t, kind, policy);
    let st = t.deadlines[kind];
    if (st && st.base !== base) {
      // The deadline it replaces ended when this one started, unless it had ended before; one that
      // started after this one never ran (an earlier event arrived late), so its count is taken back.
      const end = base < st.base ? null : (st.endedAt ?? base);
      const oldDue = st.base + span;
      setOverdue(fx, calendar, kind, st, end !== null && end > oldDue ? oldDue : null);
      st = undefined;
      t.escalated = t.escalated.filter((k) => k !== kind);
    }
    st ??= newDeadline(base);
    t.deadlines[kind] = st;
    const due = base + span;
    const end = endOf(t, kind);
    st.endedAt = end;
    const observed = end ?? t.seenAt;
    if (observed !== null && observed > due) setOverdue(fx, calendar, kind, st, due);
    // Met after all: a count made before the event that ended it arrived (the sweeper's) is taken back.
    else if (end !== null) setOverdue(fx, calendar, kind, st, null);
  }
}

/**
 * Settles the deadlines of an earlier resolve cycle whose resolution arrived after the reopening that
 * followed it (`pendingResolve`): each was missed if the resolution came after its due time.
 */
export function settlePriorCycle(
  t: TicketRecord,
  resolvedAt: number,
  clockStart: number,
  prior: Partial<Record<'update' | 'resolve', DeadlineState>>,
  fx: Effects,
  calendar: ShiftCalendar,
  policy: SlaPolicy,
): void {
  const resolve = prior.resolve ?? newDeadline(clockStart);
  for (const [kind, st] of [
    ['resolve', resolve],
    ['update', prior.update],
  ] as const) {
    if (!st) continue;
    const due = st.base + deadlineSpan(t, kind, policy);
    setOverdue(fx, calendar, kind, st, resolvedAt > due ? due : null);
  }
}

/** Counts a deadline overdue unless it is counted already (the sweeper, seeing it pass in real time). */
export function countOverdueNow(
  t: TicketRecord,
  kind: DeadlineKind,
  due: number,
  fx: Effects,
  calendar: ShiftCalendar,
): void {
  const st = (t.deadlines[kind] ??= newDeadline(deadlineBase(t, kind) ?? due));
  setOverdue(fx, calendar, kind, st, due);
}

/** Whether the sweeper still has to act on the ticket's current deadline of `kind` (escalate or warn). */
export function awaitsSweep(t: TicketRecord, kind: DeadlineKind, due: number | null): due is number {
  return due !== null && !t.escalated.includes(kind) && !(t.deadlines[kind]?.skipped ?? false);
}

/** What the sweeper does about one deadline. */
export interface SweepAction {
  kind: DeadlineKind;
  due: number;
  /** escalate: breached within the horizon; expire: breached longer ago (count only); warn: at risk. */
  action: 'escalate' | 'expire' | 'warn';
}

export interface SweepLimits {
  /** Breaches older than this (ms past due) are counted but never escalated. */
  horizonMs: number;
  /** A deadline this close (ms) is at risk. */
  atRiskMs: number;
}

/** The sweeper's actions on an open ticket at `now` (pure). */
export function sweepActions(
  t: TicketRecord,
  now: number,
  policy: SlaPolicy,
  limits: SweepLimits,
): SweepAction[] {
  const d = deadlinesOf(t, policy);
  const out: SweepAction[] = [];
  for (const kind of DEADLINE_KINDS) {
    const due = d[kind];
    if (!awaitsSweep(t, kind, due)) continue;
    if (now > due) out.push({ kind, due, action: now - due > limits.horizonMs ? 'expire' : 'escalate' });
    else if (due - now <= limits.atRiskMs && t.deadlines[kind]?.warnedFor !== due)
      out.push({ kind, due, action: 'warn' });
  }
  return out;
}

/** Members of the escalations index (and ids of escalation records) of a ticket. */
export function escalationIds(ticketId: string): string[] {
  return DEADLINE_KINDS.map((k) => `${ticketId}:${k}`);
}

/**
 * The deadline index entries of one ticket, written whole (for a re-index after a policy change or a
 * repair): each due index, the sweeper's index, the assignee's and the team's next-deadline indexes.
 * A ticket that is not open leaves them all.
 */
export function deadlineIndexOps(t: TicketRecord, policy: SlaPolicy): Op[] {
  const ops: Op[] = [];
  const open = t.known && t.status === 'open';
  const d = deadlinesOf(t, policy);
  let next: number | null = null;
  for (const kind of DEADLINE_KINDS) {
    const due = d[kind];
    if (due !== null) {
      ops.push({ op: 'zadd', index: { name: 'due', kind }, member: t.ticketId, score: due });
      next = next === null ? due : Math.min(next, due);
    } else ops.push({ op: 'zrem', index: { name: 'due', kind }, member: t.ticketId });
    if (awaitsSweep(t, kind, due))
      ops.push({ op: 'zadd', index: { name: 'toEscalate', kind }, member: t.ticketId, score: due });
    else ops.push({ op: 'zrem', index: { name: 'toEscalate', kind }, member: t.ticketId });
  }
  if (!open) ops.push({ op: 'zrem', index: { name: 'openTickets' }, member: t.ticketId });
  if (t.agentId) {
    const index = { name: 'agentDue', agentId: t.agentId } as const;
    ops.push(
      open && next !== null
        ? { op: 'zadd', index, member: t.ticketId, score: next }
        : { op: 'zrem', index, member: t.ticketId },
    );
  }
  // The team's next-deadline index of the ticket's tier; out of the team's other tiers (in case the
  // tier changed unseen). Other teams' indexes are left alone: ingestion moves a ticket that changes
  // team (ticketIndexOps), and a re-index knows only the team the record names.
  for (const tier of TIERS) {
    const index = { name: 'nextDue', team: t.team, tier } as const;
    ops.push(
      open && next !== null && tier === t.tier
        ? { op: 'zadd', index, member: t.ticketId, score: next }
        : { op: 'zrem', index, member: t.ticketId },
    );
  }
  if (open && next !== null && t.team !== null)
    ops.push({ op: 'sadd', set: { name: 'ticketTeams' }, member: t.team });
  return ops;
}
