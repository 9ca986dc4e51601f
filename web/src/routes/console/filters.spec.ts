import { describe, expect, it } from 'vitest';
import type { LiveTicketAlert } from '$contract/api';
import { sortAlerts } from '$lib/tickets';
import { EMPTY_FILTER, filterAlerts, optionsOf, sortAlertRows, type AlertFilter } from './filters';

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
    const ids = (f: Partial<AlertFilter>) =>
      filterAlerts(rows, { ...EMPTY_FILTER, ...f }, 1000).map((r) => r.ticketId);
    expect(ids({ status: 'at-risk' })).toEqual(['c']);
    expect(ids({ team: 'sales' })).toEqual(['b']);
    expect(ids({ text: 'A' })).toEqual(['a']);
  });

  it('filters by how late, at the given server time', () => {
    const now = 1_000 * 60_000;
    const min = (m: number) => now - m * 60_000;
    const table = sortAlerts(
      [alert({ ticketId: 'a', due: min(70) }), alert({ ticketId: 'b', due: min(61), tier: 'vip' })],
      [alert({ ticketId: 'c', due: min(-10) })],
    );
    const ids = (lateBy: AlertFilter['lateBy'], at = now) =>
      filterAlerts(table, { ...EMPTY_FILTER, lateBy }, at).map((r) => r.ticketId);
    expect(ids('')).toEqual(['b', 'a', 'c']);
    expect(ids('15')).toEqual(['b', 'a']);
    expect(ids('60')).toEqual(['b', 'a']);
    expect(ids('60', now - 5 * 60_000)).toEqual(['a']);
    expect(ids('240')).toEqual([]);
  });

  it('keeps the default order (VIP first) until a column is chosen', () => {
    expect(sortAlertRows(rows, null, () => '').map((r) => r.ticketId)).toEqual(['b', 'a', 'c']);
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
