/**
 * The projector: contract events → record changes, index changes and counter increments (pure).
 *
 * Counting is completion-based so that order does not matter: a call is counted as offered once its
 * queue event is known, as answered/abandoned once both its queue event and its outcome are known,
 * and its talk time once its end is known too — each exactly once, flagged in the record. Indexes
 * (waiting calls, ticket deadlines, agent load) are derived from the records before and after the
 * batch, so any order of events ends in the same indexes.
 */
import type { CcEvent } from '../contract/events.ts';
import { Effects } from './effects.ts';
import { WorkingSet, type ProjectionContext, type Slice } from './working-set.ts';
import { applyCallEvent, callIndexOps } from './project-calls.ts';
import { applyAgentState } from './project-agents.ts';
import { applySurvey } from './project-surveys.ts';
import { applyTicketEvent, ticketIndexOps } from './project-tickets.ts';

export type { ProjectionContext, Slice } from './working-set.ts';

/** Ids of the records a batch of events needs to read. */
export interface EntityRefs {
  calls: Set<string>;
  agents: Set<string>;
  tickets: Set<string>;
}

/** The records that `events` read or change. */
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

/** Applies `events` in order to `slice` and returns every store operation, for one atomic commit. */
export function project(slice: Slice, events: readonly CcEvent[], ctx: ProjectionContext) {
  const ws = new WorkingSet(slice);
  const fx = new Effects(ctx.retention.summaryDays, ctx.now);
  for (const e of events) {
    switch (e.type) {
      case 'call.queued':
      case 'call.answered':
      case 'call.abandoned':
      case 'call.ended':
        applyCallEvent(ws, fx, e, ctx);
        break;
      case 'agent.state':
        applyAgentState(ws, fx, e, ctx);
        break;
      case 'survey.submitted':
        applySurvey(fx, e, ctx);
        break;
      default:
        applyTicketEvent(ws, fx, e, ctx);
    }
  }
  for (const id of ws.changed.calls)
    callIndexOps(fx, slice.calls.get(id) ?? null, ws.calls.get(id) ?? null, ctx);
  for (const id of ws.changed.agents) {
    const agent = ws.agents.get(id);
    if (agent) {
      fx.push({ op: 'put', kind: 'agent', id, value: agent });
      fx.addToSet({ name: 'agents' }, id);
    }
  }
  for (const id of ws.changed.tickets) {
    ticketIndexOps(fx, slice.tickets.get(id) ?? null, ws.tickets.get(id) ?? null, ctx);
  }
  return { ops: fx.toOps(), records: ws };
}
