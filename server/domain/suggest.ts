/** Suggested assignee for a ticket (pure). */
import type { LiveAgent } from '../contract/api.ts';

/**
 * The least-loaded agent who is not offline in the team that owns the ticket: fewest open tickets,
 * then fewest overdue, then fewer high-priority ones, then the one not on a call, then by id.
 * Null when nobody in the team is working.
 */
export function suggestAssignee(
  agents: readonly LiveAgent[],
  team: string | null,
  exclude?: string | null,
): string | null {
  if (team === null) return null;
  let best: LiveAgent | null = null;
  const load = (a: LiveAgent) => a.openTickets.high + a.openTickets.medium + a.openTickets.low;
  const key = (a: LiveAgent) => [
    load(a),
    a.overdueTickets,
    a.openTickets.high,
    a.state === 'on_call' ? 1 : 0,
  ];
  for (const a of agents) {
    if (a.team !== team || a.state === 'offline' || a.agentId === exclude) continue;
    if (!best) {
      best = a;
      continue;
    }
    const [ka, kb] = [key(a), key(best)];
    const cmp = ka.findIndex((v, i) => v !== kb[i]);
    if (cmp >= 0 ? (ka[cmp] ?? 0) < (kb[cmp] ?? 0) : a.agentId < best.agentId) best = a;
  }
  return best?.agentId ?? null;
}
