/** Live records kept per entity; the projector reads and rewrites them, stores keep them as JSON. */
import type {
  AgentStateName,
  ComplaintCategory,
  Complexity,
  TicketKind,
  TicketPriority,
  Tier,
} from '../contract/events.ts';

/** A queue the call entered (one call.queued event); a transfer to another queue adds one. */
export interface QueueEntry {
  queue: string;
  at: number;
}

/** Counter changes: `fields` added to `group` in the day and shift of `at` (and, for the centre's
 * `calls` group, in its clock hour). Records keep what they booked so a later event can move it. */
export interface Booking {
  group: string;
  at: number;
  fields: Record<string, number>;
}

/** One call, from queue entry to its end. Fields are null until the event that sets them arrives. */
export interface CallRecord {
  callId: string;
  /** Queue entries by time (at most MAX_QUEUE_ENTRIES); identical repeats are kept once. */
  queues: QueueEntry[];
  priority: number;
  tier: Tier;
  /** The earliest answer and the agent who gave it; an answer outranks an abandon. */
  answeredAt: number | null;
  agentId: string | null;
  /** The queue named by the answer event: where the call counts if no call.queued is known. */
  answerQueue: string | null;
  abandonedAt: number | null;
  abandonQueue: string | null;
  endedAt: number | null;
  /** What this call has added to the shift counters (see project-calls.ts `callBookings`). */
  booked: Booking[];
}

/** One state change of an agent: [event time, state, reason]. */
export type Transition = [at: number, state: AgentStateName, reason: string | null];

/** A call an agent answered, as far as the agent's projection needs it (wrap-up pairing, active call). */
export interface AgentCall {
  callId: string;
  answeredAt: number;
  endedAt: number | null;
  /** Where the call's talk and wrap-up are booked: the centre and agent at `at`, the queue at `queueAt`. */
  at: number;
  queue: string;
  queueAt: number;
}

/**
 * What the projector remembers of an agent's recent past so that late and out-of-order events land
 * where they belong: state changes (a late one is placed and the time around it re-booked) and
 * answered calls (wrap-up pairs with them). What is booked is derived from it, so comparing it before
 * and after a batch gives what to re-book. Kept apart from AgentRecord, which live views read often.
 */
export interface AgentHistory {
  agentId: string;
  /** State changes by event time (arrival order among equal times), bounded (agent-timeline.ts). */
  timeline: Transition[];
  /** State changes before this time were dropped: an event older than it is too late to place. */
  horizon: number | null;
  /** Recent answered calls by answer time, bounded. */
  calls: AgentCall[];
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
