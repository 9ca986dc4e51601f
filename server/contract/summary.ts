/** `GET /api/v1/shifts?date=YYYY-MM-DD`: shift and day summaries by the documented metric definitions. */

/** Call metrics (README "Metric definitions"); ratios are null when their denominator is 0. */
export interface CallSummary {
  offered: number;
  answered: number;
  abandoned: number;
  shortAbandoned: number;
  answeredWithinThreshold: number;
  serviceLevel: number | null;
  abandonRate: number | null;
  asaSeconds: number | null;
  ahtSeconds: number | null;
}

export interface SatisfactionSummary {
  count: number;
  mean: {
    speed: number | null;
    resolution: number | null;
    professionalism: number | null;
    recommend: number | null;
  };
  overall: number | null;
  lowCount: number;
  /** share of surveys with any score below 3 */
  lowShare: number | null;
}

export interface AgentSummary {
  agentId: string;
  name: string | null;
  team: string | null;
  handled: number;
  talkSeconds: number;
  wrapSeconds: number;
  ahtSeconds: number | null;
  occupancy: number | null;
  stateSeconds: { available: number; on_call: number; wrap_up: number; break: number; offline: number };
  ticketsResolved: number;
  reassignedIn: number;
  reassignedOut: number;
  satisfaction: SatisfactionSummary;
}

export interface TicketSummary {
  created: number;
  resolved: number;
  createdBy: {
    kind: Record<string, number>;
    tier: Record<string, number>;
    category: Record<string, number>;
    priority: Record<string, number>;
  };
  resolvedBy: {
    kind: Record<string, number>;
    tier: Record<string, number>;
    category: Record<string, number>;
    priority: Record<string, number>;
  };
  acceptMet: number;
  acceptMissed: number;
  /** acceptMet / (acceptMet + acceptMissed) */
  acceptSlaMet: number | null;
  resolveMet: number;
  resolveMissed: number;
  /** resolveMet / (resolveMet + resolveMissed) */
  resolveSlaMet: number | null;
  /** deadlines (accept, update, resolve) that fell in the period and were missed */
  overdue: number;
  /** escalations raised in the period */
  escalated: number;
  reassigned: number;
  reopened: number;
}

export interface Summary {
  calls: CallSummary & { byQueue: Record<string, CallSummary> };
  agents: AgentSummary[];
  tickets: TicketSummary;
  satisfaction: SatisfactionSummary;
}

export interface ShiftSummary extends Summary {
  name: string;
  /** ISO-8601 with offset */
  start: string;
  end: string;
}

export interface ShiftsResponse {
  date: string;
  timezone: string;
  day: Summary & { start: string; end: string };
  shifts: ShiftSummary[];
  /** The centre's calls and satisfaction per local clock hour of `date` (23–25 hours), for charts. */
  hourly: Array<{
    hour: string;
    start: string;
    end: string;
    calls: CallSummary;
    satisfaction: SatisfactionSummary;
  }>;
  /** Complaint categories by tickets created in the 7 days ending on `date`, most frequent first. */
  topComplaintCategories7d: Array<{ category: string; count: number }>;
}
