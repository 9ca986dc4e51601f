/** The projector's inputs: its context and the records a batch reads, plus the working copy it edits. */
import type { Config, ServiceLevelSettings, SlaPolicy } from '../../config/schema.ts';
import type { StoredAgentHistory } from './history-codec.ts';
import type { AgentHistory, AgentRecord, CallRecord, TicketRecord } from './records.ts';
import type { Period, ShiftCalendar } from './shifts.ts';

/** What the projector needs besides the records: policy, calendar and the processing time. */
export interface ProjectionContext {
  calendar: ShiftCalendar;
  sla: SlaPolicy;
  serviceLevelFor(queue: string): ServiceLevelSettings;
  teams: Config['teams'];
  retention: Config['retention'];
  /** Processing time (injected clock): record expiry and the rolling satisfaction window. */
  now: number;
}

/** The records a batch reads, by id; null = not stored. */
export interface Slice {
  calls: Map<string, CallRecord | null>;
  agents: Map<string, AgentRecord | null>;
  /** The agents' histories as stored (read with the agents); an agent without one starts from its record. */
  histories?: Map<string, StoredAgentHistory | null>;
  tickets: Map<string, TicketRecord | null>;
}

/** Working copy of a slice: records as they were, and as the batch leaves them. */
export class WorkingSet {
  readonly calls = new Map<string, CallRecord | null>();
  readonly agents = new Map<string, AgentRecord | null>();
  readonly histories = new Map<string, AgentHistory>();
  readonly tickets = new Map<string, TicketRecord | null>();
  readonly changed = { calls: new Set<string>(), agents: new Set<string>(), tickets: new Set<string>() };
  /** Per agent, the earliest event time from which its wrap-up pairing may have changed this batch. */
  readonly changedFrom = new Map<string, number>();

  /**
   * @param before the records as read (already upgraded)
   * @param histories the agents' histories (decoded)
   * @param newHistory the history of an agent that has none yet
   */
  constructor(
    readonly before: Slice,
    histories: ReadonlyMap<string, AgentHistory>,
    private readonly newHistory: (agentId: string, agent: AgentRecord | null) => AgentHistory = (
      agentId,
    ) => ({
      agentId,
      timeline: [],
      horizon: null,
      calls: [],
    }),
  ) {
    for (const [id, r] of before.calls) this.calls.set(id, r && structuredClone(r));
    for (const [id, r] of before.agents) this.agents.set(id, r && structuredClone(r));
    // Histories are large; their entries are never changed in place, so copying the lists suffices.
    for (const [id, r] of histories)
      this.histories.set(id, { ...r, timeline: [...r.timeline], calls: [...r.calls] });
    for (const [id, r] of before.tickets) this.tickets.set(id, r && structuredClone(r));
  }

  putCall(r: CallRecord): void {
    this.calls.set(r.callId, r);
    this.changed.calls.add(r.callId);
  }
  putAgent(r: AgentRecord): void {
    this.agents.set(r.agentId, r);
    this.changed.agents.add(r.agentId);
  }
  putTicket(r: TicketRecord): void {
    r.version += 1;
    this.tickets.set(r.ticketId, r);
    this.changed.tickets.add(r.ticketId);
  }
  /** Notes that an agent's wrap-up pairing may have changed from event time `at` on. */
  agentChangedFrom(agentId: string, at: number): void {
    this.changedFrom.set(agentId, Math.min(at, this.changedFrom.get(agentId) ?? Number.POSITIVE_INFINITY));
    this.changed.agents.add(agentId);
  }
  /** The working copy of an agent's history (made from its record if it has none). */
  history(agentId: string): AgentHistory {
    let h = this.histories.get(agentId);
    if (!h) {
      h = this.newHistory(agentId, this.agents.get(agentId) ?? null);
      this.histories.set(agentId, h);
    }
    return h;
  }
}

/** The periods (day and shift) an event time belongs to. */
export function periodsAt(ctx: ProjectionContext, ms: number): Period[] {
  return ctx.calendar.periodsAt(ms);
}
