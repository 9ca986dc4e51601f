/** agent.state events → agent records and per-shift time-in-state and wrap-up counters (pure). */
import type { AgentStateEvent } from '../contract/events.ts';
import type { Effects } from './effects.ts';
import type { AgentRecord } from './records.ts';
import { periodsAt, type ProjectionContext, type WorkingSet } from './working-set.ts';

/** The longest single stretch in one state that is booked to shift/day counters (31 days). */
export const MAX_BOOKED_STATE_MS = 31 * 86_400_000;

/** Applies one agent.state event. A state change older than the current state's start is late: its
 * name/team are kept but it does not rewind the state. */
export function applyAgentState(
  ws: WorkingSet,
  fx: Effects,
  e: AgentStateEvent,
  ctx: ProjectionContext,
): void {
  const ts = Date.parse(e.ts);
  const prev = ws.agents.get(e.agentId) ?? null;
  const agent: AgentRecord = prev ?? {
    agentId: e.agentId,
    name: null,
    team: null,
    state: e.state,
    since: ts,
    reason: e.reason ?? null,
    activeCallId: null,
    lastCall: null,
    known: true,
  };
  if (e.name !== undefined) agent.name = e.name;
  if (e.team !== undefined) agent.team = e.team;
  if (prev && !prev.known) {
    // A stub inferred from a call event: the first real state event replaces it outright.
    agent.state = e.state;
    agent.reason = e.reason ?? null;
    agent.since = ts;
  } else if (prev && ts >= prev.since) {
    const reason = e.reason ?? null;
    if (prev.state !== e.state || prev.reason !== reason) {
      accountInterval(fx, agent, ts, ctx);
      agent.state = e.state;
      agent.reason = reason;
      agent.since = ts;
    }
  }
  agent.known = true;
  if (agent.state === 'offline') agent.activeCallId = null;
  ws.putAgent(agent);
}

/** Books the time from `agent.since` to `until` in its current state, split across shifts and days. */
function accountInterval(fx: Effects, agent: AgentRecord, until: number, ctx: ProjectionContext): void {
  const group = `agent:${agent.agentId}`;
  // A state held longer than this is a missed event upstream (an agent does not sit in one state for
  // months): only its last stretch is booked, so one bad pair of events cannot cost unbounded work.
  const from = Math.max(agent.since, until - MAX_BOOKED_STATE_MS);
  for (const { period, ms } of ctx.calendar.split(from, until)) {
    fx.add([period], group, `stateMs:${agent.state}`, ms);
  }
  // Wrap-up is booked where it began (so totals do not depend on the order topics are read in), for
  // the agent, all calls, and the queue of the call it follows when that call is already known.
  if (agent.state === 'wrap_up') {
    const wrap = Math.max(0, until - agent.since);
    const periods = periodsAt(ctx, agent.since);
    const groups = ['calls', group];
    if (agent.lastCall) groups.push(`queue:${agent.lastCall.queue}`);
    for (const g of groups) {
      const at = g === 'calls' ? [...periods, ctx.calendar.hourAt(agent.since)] : periods;
      fx.add(at, g, 'wrapMs', wrap);
      fx.add(at, g, 'wrapCount');
    }
    agent.lastCall = null;
  }
}
