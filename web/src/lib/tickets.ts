/** Ordering and filtering of ticket alerts (pure). */
import type { LiveTicketAlert } from '$contract/api';

const TIER_RANK: Record<LiveTicketAlert['tier'], number> = { vip: 0, key: 1, normal: 2 };
const PRIORITY_RANK: Record<LiveTicketAlert['priority'], number> = { high: 0, medium: 1, low: 2 };

/** One alert row with whether it is overdue or at risk. */
export type AlertRow = LiveTicketAlert & { status: 'overdue' | 'at-risk' };

/** Overdue before at risk; within each, VIP first, then key, then the most late / soonest due. */
export function sortAlerts(
  overdue: readonly LiveTicketAlert[],
  atRisk: readonly LiveTicketAlert[],
): AlertRow[] {
  const by = (a: LiveTicketAlert, b: LiveTicketAlert) =>
    TIER_RANK[a.tier] - TIER_RANK[b.tier] ||
    a.due - b.due ||
    PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority];
  return [
    ...[...overdue].sort(by).map((t) => ({ ...t, status: 'overdue' as const })),
    ...[...atRisk].sort(by).map((t) => ({ ...t, status: 'at-risk' as const })),
  ];
}

export { TIER_RANK, PRIORITY_RANK };
