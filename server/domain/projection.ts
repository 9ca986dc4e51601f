/**
 * The projector: contract events → record changes, index changes and counter increments (pure).
 *
 * Events update records (each fact kept by event time); once per batch every changed call and agent
 * derives what it counts for and books the difference from what it had booked (bookings.ts), so any
 * order of events, across topics too, ends in the same counters. Indexes (waiting calls, ticket
 * deadlines, agent load) are derived from the records before and after the batch, likewise.
 */
import type { CcEvent } from '../contract/events.ts';
import { Effects } from './effects.ts';
import { WorkingSet, type ProjectionContext, type Slice } from './working-set.ts';
import { agentCallOf, applyCallEvent, callIndexOps, settleCall, upgradeCall } from './project-calls.ts';
import { applyAgentState, historyOf, noteAgentCall, settleAgent } from './project-agents.ts';
import { applySurvey } from './project-surveys.ts';
import { applyTicketEvent, ticketIndexOps } from './project-tickets.ts';
import { decodeHistory } from './history-codec.ts';
import type { AgentHistory, AgentRecord, CallRecord } from './records.ts';

export type { ProjectionContext, Slice } from './working-set.ts';

/** Ids of the records a batch of events needs to read. */
export interface EntityRefs {
  calls: Set<string>;
  agents: Set<string>;
  tickets: Set<string>;
}

/** The records that `events` read or change (the agents of their calls: see `agentRefs`). */
export function entityRefs(events: readonly CcEvent[]): EntityRefs {
  const refs: EntityRefs = { calls: new Set(), agents: new Set(), tickets: new Set() };
  for (const e of events) {
    switch (e.type) {
      case 'call.queued':
      case 'call.abandoned':
        refs.calls.add(e.callId);
        break;
      case 'call.answered':
      case 'call.ended':
        refs.calls.add(e.callId);
        refs.agents.add(e.agentId);
        break;
      case 'agent.state':
        refs.agents.add(e.agentId);
        break;
      case 'survey.submitted':
        break;
      default:
        refs.tickets.add(e.ticketId);
    }
  }
  return refs;
}

/**
 * The agents a batch reads: those its events name, and the agent who answered each call it touches
 * (read once the calls are), since a queue event arriving after the answer moves that agent's
 * wrap-up along with the call.
 */
export function agentRefs(refs: EntityRefs, calls: ReadonlyMap<string, CallRecord | null>): string[] {
  const ids = new Set(refs.agents);
  for (const c of calls.values()) if (c?.agentId) ids.add(c.agentId);
  return [...ids];
}

/** The records as stored, upgraded where an older version wrote them, with the agents' histories. */
function readSlice(slice: Slice, ctx: ProjectionContext) {
  const calls = new Map<string, CallRecord | null>();
  for (const [id, c] of slice.calls) calls.set(id, c && upgradeCall(c, ctx));
  const agents = new Map<string, AgentRecord | null>();
  const histories = new Map<string, AgentHistory>();
  for (const [id, a] of slice.agents) {
    let agent = a;
    if (a && 'lastCall' in a) {
      // Written by an older version, which kept the last call on the agent.
      const { lastCall: _dropped, ...rest } = a as AgentRecord & { lastCall: unknown };
      agent = rest;
    }
    agents.set(id, agent);
    const stored = slice.histories?.get(id);
    if (stored) histories.set(id, decodeHistory(stored));
    else if (agent) histories.set(id, historyOf(id, agent));
  }
  return { slice: { calls, agents, tickets: slice.tickets }, histories };
}

/** Applies `events` in order to `slice` and returns every store operation, for one atomic commit. */
export function project(stored: Slice, events: readonly CcEvent[], ctx: ProjectionContext) {
  const { slice, histories } = readSlice(stored, ctx);
  const ws = new WorkingSet(slice, histories, historyOf);
  const fx = new Effects(ctx.retention.summaryDays, ctx.now);
  for (const e of events) {
    switch (e.type) {
      case 'call.queued':
      case 'call.answered':
      case 'call.abandoned':
      case 'call.ended':
        applyCallEvent(ws, e);
        break;
      case 'agent.state':
        applyAgentState(ws, e);
        break;
      case 'survey.submitted':
        applySurvey(fx, e, ctx);
        break;
      default:
        applyTicketEvent(ws, fx, e, ctx);
    }
  }
  for (const id of ws.changed.calls) {
    const call = ws.calls.get(id);
    if (!call) continue;
    settleCall(call, fx, ctx);
    // The agent who answered learns where the call counts; one who no longer has it forgets it.
    const before = slice.calls.get(id)?.agentId ?? null;
    for (const agentId of new Set([before, call.agentId])) {
      if (agentId === null || !ws.agents.get(agentId)) continue;
      const from = noteAgentCall(
        ws.history(agentId),
        id,
        agentId === call.agentId ? agentCallOf(call) : null,
      );
      if (from !== null) ws.agentChangedFrom(agentId, from);
    }
    callIndexOps(fx, slice.calls.get(id) ?? null, call, ctx);
  }
  for (const id of ws.changed.agents) {
    settleAgent(ws, fx, id, histories.get(id) ?? null, ctx);
  }
  for (const id of ws.changed.tickets) {
    ticketIndexOps(fx, slice.tickets.get(id) ?? null, ws.tickets.get(id) ?? null, ctx);
  }
  return { ops: fx.toOps(), records: ws };
}
