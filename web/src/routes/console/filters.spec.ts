import { describe, expect, it } from 'vitest';
import type { LiveTicketAlert } from '$contract/api';
import { sortAlerts } from '$lib/tickets';
import { EMPTY_FILTER, filterAlerts, optionsOf, sortAlertRows } from './filters';

function alert(over: Partial<LiveTicketAlert>): LiveTicketAlert {
  return {
    ticketId: 't1',
    deadline: 'accept',
    due: 1000,
    kind: 'technical',
    category: null,
    tier: 'normal',
    priority: 'medium',
    team: 'tech-support',
    agentId: null,
    subject: 'Router',
    version: 1,
    suggestedAgentId: null,
    ...over,
  };
}

const overdue = [
  alert({ ticketId: 'a', due: 500 }),
  alert({ ticketId: 'b', due: 900, tier: 'vip', team: 'sales', kind: 'consultation' }),
];
const atRisk = [
  alert({ ticketId: 'c', due: 5000, priority: 'high', kind: 'complaint', category: 'billing' }),
];
const rows = sortAlerts(overdue, atRisk);

describe('console ticket table', () => {
  it('puts overdue before at risk and VIP first', () => {
    expect(rows.map((r) => r.ticketId)).toEqual(['b', 'a', 'c']);
  });

  it('filters by status, team and text', () => {
    expect(filterAlerts(rows, { ...EMPTY_FILTER, status: 'at-risk' }).map((r) => r.ticketId)).toEqual(['c']);
    expect(filterAlerts(rows, { ...EMPTY_FILTER, team: 'sales' }).map((r) => r.ticketId)).toEqual(['b']);
    expect(filterAlerts(rows, { ...EMPTY_FILTER, text: 'A' }).map((r) => r.ticketId)).toEqual(['a']);
  });

  it('sorts by how late, most late first when descending', () => {
    const sorted = sortAlertRows(rows, { key: 'late', dir: 'desc' }, () => '');
    expect(sorted.map((r) => r.ticketId)).toEqual(['a', 'b', 'c']);
  });

  it('sorts by priority with high first when descending', () => {
    const sorted = sortAlertRows(rows, { key: 'priority', dir: 'desc' }, () => '');
    expect(sorted[0]?.ticketId).toBe('c');
  });

  it('lists the distinct values for a filter', () => {
    expect(optionsOf(rows, 'kind')).toEqual(['complaint', 'consultation', 'technical']);
  });
});
