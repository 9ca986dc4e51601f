/** Suggested assignee for a ticket (pure). */
import type { LiveAgent } from '../contract/api.ts';

/** Whether `a` is a better assignee than `b`, by the ordering of `suggestAssignee`. */
function better(a: LiveAgent, b: LiveAgent): boolean {
  const la = a.openTickets.high + a.openTickets.medium + a.openTickets.low;
  const lb = b.openTickets.high + b.openTickets.medium + b.openTickets.low;
  if (la !== lb) return la < lb;
  if (a.overdueTickets !== b.overdueTickets) return a.overdueTickets < b.overdueTickets;
  if (a.openTickets.high !== b.openTickets.high) return a.openTickets.high < b.openTickets.high;
  const ca = a.state === 'on_call' ? 1 : 0;
  const cb = b.state === 'on_call' ? 1 : 0;
  if (ca !== cb) return ca < cb;
  return a.agentId < b.agentId;
}

/**
 * The least-loaded agent who is not offline in the team that owns the ticket: fewest open tickets,
 * then fewest overdue, then fewer high-priority ones, then the one not on a call, then by id; not
 * `exclude` (the current owner). Null when nobody in the team is working. One ticket at a time:
 * `assigneeSuggester` serves many from one pass (and is tested against this).
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

/**
 * `suggestAssignee` for many tickets from one pass over the agents: the best two working agents of
 * each team (the second for a ticket the best one already owns).
 */
export function assigneeSuggester(
  agents: readonly LiveAgent[],
): (team: string | null, exclude?: string | null) => string | null {
  const top = new Map<string, [LiveAgent, LiveAgent | null]>();
  for (const a of agents) {
    if (a.team === null || a.state === 'offline') continue;
    const cur = top.get(a.team);
    if (!cur) top.set(a.team, [a, null]);
    else if (better(a, cur[0])) top.set(a.team, [a, cur[0]]);
    else if (cur[1] === null || better(a, cur[1])) cur[1] = a;
  }
  return (team, exclude) => {
    if (team === null) return null;
    const [first, second] = top.get(team) ?? [null, null];
    if (first === null) return null;
    if (first.agentId !== exclude) return first.agentId;
    return second?.agentId ?? null;
  };
}
