/** Ticket SLA deadlines from the policy in config (pure). */
import type { SlaPolicy } from '../../config/schema.ts';
import type { DeadlineKind, TicketRecord } from './records.ts';

const MINUTE = 60_000;

export type Deadlines = Record<DeadlineKind, number | null>;

/**
 * When the clock of a ticket's current deadline of `kind` started, or null before ticket.created:
 * - accept: creation;
 * - update: the latest of creation, acceptance, progress update and reopening (a reopened ticket
 *   gets a full update interval from the reopening, not from its last update before it);
 * - resolve: creation, or the latest reopening.
 */
export function deadlineBase(t: TicketRecord, kind: DeadlineKind): number | null {
  if (t.createdAt === null) return null;
  switch (kind) {
    case 'accept':
      return t.createdAt;
    case 'update':
      return Math.max(
        t.createdAt,
        t.lastUpdateAt ?? -Infinity,
        t.acceptedAt ?? -Infinity,
        t.reopenedAt ?? -Infinity,
      );
    case 'resolve':
      return t.reopenedAt ?? t.createdAt;
  }
}

/** How long a deadline of `kind` runs for this ticket under `policy` (ms). */
export function deadlineSpan(t: TicketRecord, kind: DeadlineKind, policy: SlaPolicy): number {
  switch (kind) {
    case 'accept':
      return policy.acceptMinutes[t.tier] * MINUTE;
    case 'update':
      return policy.updateMinutes[t.tier] * MINUTE;
    case 'resolve':
      return policy.resolveMinutes[t.complexity][t.tier] * MINUTE;
  }
}

/**
 * The deadlines a ticket is currently held to; null where a deadline no longer applies.
 * - accept: created + acceptMinutes[tier], until the ticket is first accepted (assigned or worked on);
 * - update: deadlineBase('update') + updateMinutes[tier];
 * - resolve: creation (or the latest reopening) + resolveMinutes[complexity][tier].
 * Only open tickets whose ticket.created has been seen have deadlines.
 */
export function deadlinesOf(t: TicketRecord, policy: SlaPolicy): Deadlines {
  if (!t.known || t.status !== 'open' || t.createdAt === null) {
    return { accept: null, update: null, resolve: null };
  }
  const due = (kind: DeadlineKind) =>
    (deadlineBase(t, kind) ?? t.createdAt ?? 0) + deadlineSpan(t, kind, policy);
  return {
    accept: t.acceptedAt === null ? due('accept') : null,
    update: due('update'),
    resolve: due('resolve'),
  };
}

/** The earliest applicable deadline, or null. */
export function nextDeadline(d: Deadlines): number | null {
  let min: number | null = null;
  for (const v of [d.accept, d.update, d.resolve]) if (v !== null && (min === null || v < min)) min = v;
  return min;
}

/** Whether a deadline is breached at `now` (strictly after it), at risk (within `atRiskMs`), or fine. */
export function deadlineStatus(due: number, now: number, atRiskMs: number): 'overdue' | 'at_risk' | 'ok' {
  if (now > due) return 'overdue';
  if (due - now <= atRiskMs) return 'at_risk';
  return 'ok';
}
