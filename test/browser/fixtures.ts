/** Contract events that put known tickets on the floor, for tests that must not depend on the simulator. */
import { randomUUID } from 'node:crypto';

const MINUTE = 60_000;

export interface TicketFixture {
  ticketId: string;
  subject: string;
  events: object[];
}

/**
 * A VIP technical ticket created and assigned to `agentId` three hours ago: its update deadline (VIP:
 * 120 min) is an hour overdue, and it stays overdue after a reassignment.
 */
export function overdueOwnedTicket(agentId: string, subject = 'Overdue test ticket'): TicketFixture {
  const ticketId = `e2e-${randomUUID().slice(0, 8)}`;
  const at = new Date(Date.now() - 180 * MINUTE).toISOString();
  return {
    ticketId,
    subject,
    events: [
      {
        id: `${ticketId}-c`,
        type: 'ticket.created',
        ts: at,
        ticketId,
        kind: 'technical',
        priority: 'high',
        tier: 'vip',
        subject,
      },
      { id: `${ticketId}-a`, type: 'ticket.assigned', ts: at, ticketId, agentId },
    ],
  };
}
