/** Ticket SLA deadlines from the policy in config (pure). */
import type { SlaPolicy } from '../../config/schema.ts';
import type { DeadlineKind, TicketRecord } from './records.ts';

const MINUTE = 60_000;

export type Deadlines = Record<DeadlineKind, number | null>;

/**
 * The deadlines a ticket is currently held to; null where a deadline no longer applies.
 * - accept: created + acceptMinutes[tier], until the ticket is first accepted (assigned or worked on);
 * - update: last progress update (or acceptance, or creation) + updateMinutes[tier];
 * - resolve: creation (or the latest reopening) + resolveMinutes[complexity][tier].
 * Only open tickets whose ticket.created has been seen have deadlines.
 */
export function deadlinesOf(t: TicketRecord, policy: SlaPolicy): Deadlines {
  if (!t.known || t.status !== 'open' || t.createdAt === null) {
    return { accept: null, update: null, resolve: null };
  }
  const clockStart = t.reopenedAt ?? t.createdAt;
  return {
    accept: t.acceptedAt === null ? t.createdAt + policy.acceptMinutes[t.tier] * MINUTE : null,
    update: (t.lastUpdateAt ?? t.acceptedAt ?? clockStart) + policy.updateMinutes[t.tier] * MINUTE,
    resolve: clockStart + policy.resolveMinutes[t.complexity][t.tier] * MINUTE,
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
