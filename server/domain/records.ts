/** Live records kept per entity; the projector reads and rewrites them, stores keep them as JSON. */
import type {
  AgentStateName,
  ComplaintCategory,
  Complexity,
  TicketKind,
  TicketPriority,
  Tier,
} from '../contract/events.ts';

/** One call, from queue entry to its end. Fields are null until the event that sets them arrives. */
export interface CallRecord {
  callId: string;
  queue: string;
  priority: number;
  tier: Tier;
  queuedAt: number | null;
  answeredAt: number | null;
  abandonedAt: number | null;
  endedAt: number | null;
  agentId: string | null;
  /** Which shift counters this call has already contributed to; each is counted exactly once. */
  counted: { offered: boolean; outcome: boolean; talk: boolean };
}

/** The most recent call an agent answered: where its wrap-up time is attributed. */
export interface LastCall {
  callId: string;
  queue: string;
  /** When the call was queued (its shift), or when it was answered if the queue event is missing. */
  attributeAt: number;
}

/** One agent's live state. */
export interface AgentRecord {
  agentId: string;
  name: string | null;
  team: string | null;
  state: AgentStateName;
  /** When the current state began (event time). */
  since: number;
  reason: string | null;
  activeCallId: string | null;
  lastCall: LastCall | null;
  /** False for a stub made from a call event before any agent.state for this agent. */
  known: boolean;
}

export type TicketStatus = 'open' | 'resolved' | 'closed';

/** One ticket's live state with its SLA clock inputs. */
export interface TicketRecord {
  ticketId: string;
  /** False for a stub made by an event that arrived before ticket.created. */
  known: boolean;
  kind: TicketKind | null;
  category: ComplaintCategory | null;
  priority: TicketPriority;
  tier: Tier;
  complexity: Complexity;
  channel: string | null;
  subject: string;
  customerId: string | null;
  team: string | null;
  status: TicketStatus;
  agentId: string | null;
  createdAt: number | null;
  acceptedAt: number | null;
  lastUpdateAt: number | null;
  progress: number;
  resolvedAt: number | null;
  reopenedAt: number | null;
  /** Deadline kinds already escalated for the current SLA clock. */
  escalated: DeadlineKind[];
  /** Bumped on every change; reassignment requests carry the version they saw. */
  version: number;
  counted: { created: boolean; accept: boolean; resolve: boolean };
}

export const DEADLINE_KINDS = ['accept', 'update', 'resolve'] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];
