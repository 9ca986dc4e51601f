/** What the console says when a reassignment was not applied (pure). */
import type { ReassignItemResult, TicketView } from '$contract/commands';

/**
 * Why ticket `ticketId` was not reassigned: someone else changed it first (`current` is how it is now),
 * or it is no longer open. `nameOf` turns an agent id into a name.
 */
export function conflictText(
  ticketId: string,
  current: TicketView | undefined,
  nameOf: (agentId: string | null) => string,
): string {
  if (current === undefined) return `Ticket ${ticketId} was changed by someone else first.`;
  if (current.status !== 'open') return closedText(ticketId, current.status);
  return `Someone else changed ticket ${ticketId} first: it is now with ${nameOf(current.agentId)}. Check the table (it shows the current owner) and try again if still needed.`;
}

/** A ticket that was resolved or closed before the reassignment reached it. */
export function closedText(ticketId: string, status: 'resolved' | 'closed' | null): string {
  const what = status === 'resolved' ? 'resolved' : 'closed';
  return `Ticket ${ticketId} was ${what} in the meantime: there is nothing to reassign.`;
}

/**
 * The status a single-ticket 409 answer names: the server answers a closed or resolved ticket with
 * 409 and `{ error: "ticket T is closed" }` (no `current`), a changed one with `current`.
 */
export function closedStatusOf(error: string): 'resolved' | 'closed' | null {
  const m = /\bis (resolved|closed)\b/.exec(error);
  return m ? (m[1] as 'resolved' | 'closed') : null;
}

/** The line for one item of a bulk reassignment that was not applied. */
export function problemText(
  r: Exclude<ReassignItemResult, { status: 'ok' }>,
  nameOf: (id: string | null) => string,
): string {
  switch (r.status) {
    case 'conflict':
      return conflictText(r.ticketId, r.current, nameOf);
    case 'closed':
      return closedText(r.ticketId, closedStatusOf(r.message));
    default:
      return `Ticket ${r.ticketId}: ${r.message}.`;
  }
}
