/**
 * agent.state events → agent records, per-shift time in state and wrap-up for handle time (pure).
 *
 * Each event is placed in the agent's timeline by event time (agent-timeline.ts); once per batch the
 * time in state is re-booked where the timeline changed, wrap-up is paired with the calls it follows
 * (wrap-up.ts) and the live record (state, since, active call) is derived from what is known.
 */
import type { AgentStateEvent } from '../contract/events.ts';
import { bookStateChanges, insertTransition, pruneTimeline } from './agent-timeline.ts';
import { rebook } from './bookings.ts';
import type { Effects } from './effects.ts';
import { encodeHistory } from './history-codec.ts';
import type { AgentCall, AgentHistory, AgentRecord, Transition } from './records.ts';
import { wrapBookings, wrapCounterBookings, PAIR_MS } from './wrap-up.ts';
import type { ProjectionContext, WorkingSet } from './working-set.ts';

export { MAX_BOOKED_STATE_MS } from './agent-timeline.ts';

const HOUR = 3_600_000;
/** Answered calls remembered per agent for wrap-up pairing. */
export const MAX_AGENT_CALLS = 128;
/** An agent's history is dropped after this long without an event for the agent (processing time). */
export const HISTORY_TTL_MS = 48 * HOUR;

/** An empty history; a stored agent without one (older version, expired) starts from its current state. */
export function historyOf(agentId: string, agent: AgentRecord | null): AgentHistory {
  const h: AgentHistory = { agentId, timeline: [], horizon: null, calls: [] };
  if (agent?.known) {
    h.timeline = [[agent.since, agent.state, agent.reason]];
    h.horizon = agent.since;
  }
  return h;
}

/** Applies one agent.state event. A change older than the current state is placed in the past. */
export function applyAgentState(ws: WorkingSet, e: AgentStateEvent): void {
  const ts = Date.parse(e.ts);
  const agent: AgentRecord = ws.agents.get(e.agentId) ?? {
    agentId: e.agentId,
    name: null,
    team: null,
    state: e.state,
    since: ts,
    reason: e.reason ?? null,
    activeCallId: null,
    known: true,
  };
  const history = ws.history(e.agentId);
  if (e.name !== undefined) agent.name = e.name;
  if (e.team !== undefined) agent.team = e.team;
  if (!agent.known) {
    // A stub inferred from a call event: the first real state event starts its timeline.
    history.timeline = [];
    history.horizon = null;
    agent.known = true;
    ws.agentChangedFrom(e.agentId, Number.NEGATIVE_INFINITY);
  }
  if (insertTransition(history, [ts, e.state, e.reason ?? null])) ws.agentChangedFrom(e.agentId, ts);
  ws.putAgent(agent);
}

/**
 * Records in an agent's history where an answered call's talk and wrap-up belong (or forgets it).
 * Returns the earliest event time whose wrap-up pairing this can change, or null if nothing changed.
 */
export function noteAgentCall(history: AgentHistory, callId: string, call: AgentCall | null): number | null {
  const i = history.calls.findIndex((c) => c.callId === callId);
  const old = i >= 0 ? (history.calls[i] as AgentCall) : null;
  if (old && call && sameCall(old, call)) return null;
  if (i >= 0) history.calls.splice(i, 1);
  if (call) {
    let j = history.calls.length;
    while (j > 0 && (history.calls[j - 1] as AgentCall).answeredAt > call.answeredAt) j--;
    history.calls.splice(j, 0, call);
  }
  const from = Math.min(old?.answeredAt ?? Infinity, call?.answeredAt ?? Infinity);
  return Number.isFinite(from) ? from - PAIR_MS : null;
}

function sameCall(a: AgentCall, b: AgentCall): boolean {
  return (
    a.answeredAt === b.answeredAt &&
    a.endedAt === b.endedAt &&
    a.at === b.at &&
    a.queue === b.queue &&
    a.queueAt === b.queueAt
  );
}

/** Once per batch for each changed agent: books what changed, bounds the history, writes both records. */
export function settleAgent(
  ws: WorkingSet,
  fx: Effects,
  agentId: string,
  before: AgentHistory | null,
  ctx: ProjectionContext,
): void {
  const agent = ws.agents.get(agentId);
  if (!agent) return;
  const history = ws.history(agentId);
  bookStateChanges(fx, ctx, agentId, before?.timeline ?? [], history.timeline);
  const from = ws.changedFrom.get(agentId);
  if (from !== undefined) {
    const had = before ? wrapBookings(before, from) : [];
    rebook(
      fx,
      ctx,
      wrapCounterBookings(agentId, had),
      wrapCounterBookings(agentId, wrapBookings(history, from)),
    );
  }
  pruneTimeline(history);
  pruneCalls(history);
  deriveLive(agent, history);
  fx.push({ op: 'put', kind: 'agent', id: agentId, value: agent });
  fx.push({
    op: 'put',
    kind: 'agent-history',
    id: agentId,
    value: encodeHistory(history),
    expireAt: ctx.now + HISTORY_TTL_MS,
  });
  fx.addToSet({ name: 'agents' }, agentId);
}

/** Keeps calls that may still pair with a wrap-up (or are still going on), at most MAX_AGENT_CALLS. */
function pruneCalls(h: AgentHistory): void {
  const newest = Math.max(
    h.timeline.length > 0 ? (h.timeline[h.timeline.length - 1] as Transition)[0] : -Infinity,
    ...h.calls.map((c) => c.endedAt ?? c.answeredAt),
  );
  const horizon = h.horizon ?? -Infinity;
  h.calls = h.calls.filter((c) =>
    c.endedAt === null ? c.answeredAt >= newest - 24 * HOUR : c.endedAt >= horizon - PAIR_MS,
  );
  if (h.calls.length > MAX_AGENT_CALLS) h.calls = h.calls.slice(h.calls.length - MAX_AGENT_CALLS);
}

/** The live fields: state, reason and since from the timeline, and the call the agent is on. */
function deriveLive(agent: AgentRecord, h: AgentHistory): void {
  const tl = h.timeline;
  // Where the run holding transition i began (consecutive equal transitions are one run).
  const runStart = (i: number): Transition => {
    let j = i;
    while (j > 0 && sameState(tl[j - 1] as Transition, tl[j] as Transition)) j--;
    return tl[j] as Transition;
  };
  let offline = tl.length - 1;
  while (offline >= 0 && (tl[offline] as Transition)[1] !== 'offline') offline--;
  const lastOffline = offline >= 0 ? runStart(offline)[0] : Number.NEGATIVE_INFINITY;
  let active: AgentCall | null = null;
  for (const c of h.calls) {
    // A call answered before the agent last logged off has lost its end event: it is not going on.
    if (c.endedAt === null && c.answeredAt >= lastOffline) active = c;
  }
  if (agent.known && tl.length > 0) {
    const [since, state, reason] = runStart(tl.length - 1);
    agent.state = state;
    agent.reason = reason;
    agent.since = since;
    agent.activeCallId = state === 'offline' ? null : (active?.callId ?? null);
    return;
  }
  // A stub: nothing is known of its state but its calls; on a call while one is going on.
  agent.activeCallId = active?.callId ?? null;
  agent.state = active ? 'on_call' : 'offline';
  agent.reason = null;
  const lastEnd = Math.max(...h.calls.map((c) => c.endedAt ?? Number.NEGATIVE_INFINITY));
  agent.since = active ? active.answeredAt : Number.isFinite(lastEnd) ? lastEnd : agent.since;
}

const sameState = (a: Transition, b: Transition) => a[1] === b[1] && a[2] === b[2];
