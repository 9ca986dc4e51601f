import { describe, expect, it } from 'vitest';
import type { TicketView } from '$contract/commands';
import { closedStatusOf, conflictText, problemText } from './messages';

const nameOf = (id: string | null) => (id === null ? 'nobody' : `Agent ${id}`);
const view = (over: Partial<TicketView>): TicketView => ({
  ticketId: 't1',
  version: 3,
  agentId: 'a-2',
  status: 'open',
  team: 'sales',
  kind: 'consultation',
  tier: 'normal',
  priority: 'medium',
  subject: 'Contract',
  ...over,
});

describe('console messages', () => {
  it('names who has a ticket someone else reassigned first', () => {
    expect(conflictText('t1', view({}), nameOf)).toContain('now with Agent a-2');
  });

  it('says a ticket was closed rather than changed by someone else', () => {
    expect(closedStatusOf('ticket t1 is closed')).toBe('closed');
    expect(closedStatusOf('ticket t1 is resolved')).toBe('resolved');
    expect(closedStatusOf('ticket t1 changed since you saw it')).toBeNull();
    const bulk = problemText({ ticketId: 't1', status: 'closed', message: 'ticket t1 is resolved' }, nameOf);
    expect(bulk).toBe('Ticket t1 was resolved in the meantime: there is nothing to reassign.');
    expect(bulk).not.toContain('someone else');
    expect(conflictText('t1', view({ status: 'closed' }), nameOf)).toContain('was closed');
  });

  it('passes other refusals on with the ticket id', () => {
    expect(problemText({ ticketId: 't9', status: 'not_found', message: 'no ticket t9' }, nameOf)).toBe(
      'Ticket t9: no ticket t9.',
    );
  });
});
