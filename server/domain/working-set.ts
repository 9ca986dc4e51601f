/** The projector's inputs: its context and the records a batch reads, plus the working copy it edits. */
import type { Config, ServiceLevelSettings, SlaPolicy } from '../../config/schema.ts';
import type { AgentRecord, CallRecord, TicketRecord } from './records.ts';
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
  tickets: Map<string, TicketRecord | null>;
}

/** Working copy of a slice: records as they were, and as the batch leaves them. */
export class WorkingSet {
  readonly calls = new Map<string, CallRecord | null>();
  readonly agents = new Map<string, AgentRecord | null>();
  readonly tickets = new Map<string, TicketRecord | null>();
  readonly changed = { calls: new Set<string>(), agents: new Set<string>(), tickets: new Set<string>() };

  constructor(readonly before: Slice) {
    for (const [id, r] of before.calls) this.calls.set(id, r && structuredClone(r));
    for (const [id, r] of before.agents) this.agents.set(id, r && structuredClone(r));
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
}

/** The periods (day and shift) an event time belongs to. */
export function periodsAt(ctx: ProjectionContext, ms: number): Period[] {
  return ctx.calendar.periodsAt(ms);
}
