/** Filtering and sorting of the console's ticket table (pure). */
import type { LiveTicketAlert } from '$contract/api';
import { PRIORITY_RANK, TIER_RANK, type AlertRow } from '$lib/tickets';

/** "How late" choices: late by at least this many minutes ('' = any). */
export const LATE_BY = ['', '15', '60', '240', '1440'] as const;
export type LateBy = (typeof LATE_BY)[number];

export interface AlertFilter {
  status: '' | 'overdue' | 'at-risk';
  /** Late by at least this many minutes (at-risk tickets are not late yet). */
  lateBy: LateBy;
  team: string;
  kind: string;
  category: string;
  tier: string;
  priority: string;
  /** Free text: ticket id or subject. */
  text: string;
}

export const EMPTY_FILTER: AlertFilter = {
  status: '',
  lateBy: '',
  team: '',
  kind: '',
  category: '',
  tier: '',
  priority: '',
  text: '',
};

export type SortKey = 'late' | 'team' | 'kind' | 'category' | 'tier' | 'priority' | 'owner';
export interface Sort {
  key: SortKey;
  dir: 'asc' | 'desc';
}

/** The rows that pass `f` at server time `now` (epoch ms; how late a ticket is depends on it). */
export function filterAlerts(rows: readonly AlertRow[], f: AlertFilter, now: number): AlertRow[] {
  const text = f.text.trim().toLowerCase();
  const lateMs = f.lateBy === '' ? null : Number(f.lateBy) * 60_000;
  return rows.filter(
    (r) =>
      (f.status === '' || r.status === f.status) &&
      (lateMs === null || now - r.due >= lateMs) &&
      (f.team === '' || (r.team ?? '') === f.team) &&
      (f.kind === '' || (r.kind ?? '') === f.kind) &&
      (f.category === '' || (r.category ?? '') === f.category) &&
      (f.tier === '' || r.tier === f.tier) &&
      (f.priority === '' || r.priority === f.priority) &&
      (text === '' || r.ticketId.toLowerCase().includes(text) || r.subject.toLowerCase().includes(text)),
  );
}

function compare(a: AlertRow, b: AlertRow, key: SortKey, ownerName: (id: string | null) => string): number {
  switch (key) {
    case 'late':
      return b.due - a.due; // ascending "how late" = latest due first
    case 'tier':
      return TIER_RANK[b.tier] - TIER_RANK[a.tier];
    case 'priority':
      return PRIORITY_RANK[b.priority] - PRIORITY_RANK[a.priority];
    case 'owner':
      return ownerName(a.agentId).localeCompare(ownerName(b.agentId));
    default:
      return (a[key] ?? '').localeCompare(b[key] ?? '');
  }
}

/**
 * Sorted copy; ties keep the default order (overdue first, VIP first, most late first), which a null
 * sort keeps as it is.
 */
export function sortAlertRows(
  rows: readonly AlertRow[],
  sort: Sort | null,
  ownerName: (id: string | null) => string,
): AlertRow[] {
  if (sort === null) return [...rows];
  const sign = sort.dir === 'asc' ? 1 : -1;
  return rows
    .map((r, i) => ({ r, i }))
    .sort((x, y) => sign * compare(x.r, y.r, sort.key, ownerName) || x.i - y.i)
    .map((x) => x.r);
}

/** The distinct non-empty values of a field, sorted, for a filter's options. */
export function optionsOf(rows: readonly LiveTicketAlert[], key: 'team' | 'kind' | 'category'): string[] {
  return [
    ...new Set(rows.map((r) => r[key]).filter((v): v is NonNullable<typeof v> => v !== null && v !== '')),
  ].sort();
}
