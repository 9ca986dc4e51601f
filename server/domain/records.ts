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
  /** Assignments by event time, oldest first (at most MAX_ASSIGNMENTS): the last is the current one. */
  assignments: Array<{ agentId: string; at: number }>;
  /** Latest event time seen for this ticket: evidence of how far its deadlines are known to have run. */
  seenAt: number | null;
  /**
   * A reopening that arrived before the resolution it undid: the earlier cycle's resolve clock start
   * (null = creation), its deadlines' bookkeeping, and the resolution time once it arrives.
   */
  pendingResolve: {
    reopenedAt: number;
    clockStart: number | null;
    resolvedAt: number | null;
    deadlines: Partial<Record<'update' | 'resolve', DeadlineState>>;
  } | null;
  /** Deadline kinds escalated (alert raised) for the deadline currently in force of each kind. */
  escalated: DeadlineKind[];
  /** SLA bookkeeping per deadline kind, for the deadline currently in force of that kind. */
  deadlines: Partial<Record<DeadlineKind, DeadlineState>>;
  /** Bumped on every change; reassignment requests carry the version they saw. */
  version: number;
  counted: { created: boolean; accept: boolean; resolve: boolean };
  /** The acceptance counted as met or missed (so an earlier one arriving later can re-book it). */
  acceptCounted: { at: number; met: boolean } | null;
}

export const DEADLINE_KINDS = ['accept', 'update', 'resolve'] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

/**
 * One deadline of a ticket. A deadline is identified by its kind and the time its clock started
 * (`base`): progress, a first acceptance or a reopening starts a new one, which may breach, be
 * counted overdue and escalate again.
 */
export interface DeadlineState {
  base: number;
  /** The due time under which it was counted overdue (in that time's shift and day), or null. */
  overdueAt: number | null;
  /** When it stopped applying (acceptance, resolution), as far as known; null while it runs. */
  endedAt: number | null;
  /** Breached longer ago than the escalation horizon when first swept: counted, never escalated. */
  skipped: boolean;
  /** The due time an at-risk notice was sent for, or null. */
  warnedFor: number | null;
}
