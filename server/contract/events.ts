/**
 * Event contract v1: every message floorboard consumes from (or publishes to) Kafka.
 *
 * Values are UTF-8 JSON; the Kafka key is the entity id (callId, agentId, ticketId, surveyId).
 * Every event carries `id` (unique; the idempotency key), `type` and `ts` (ISO-8601 with an offset:
 * when it happened at the source). JSON Schema files in `server/contract/schemas/` are generated
 * from these schemas (`npm run schemas`); a test keeps them in sync.
 */
import { z } from 'zod';

/** Event times must fall in this range (older or later ones are input errors, not history). */
export const TS_RANGE = { min: Date.UTC(1970, 0, 1), max: Date.UTC(3000, 0, 1) } as const;

/** ISO-8601 date-time with an explicit offset (`Z` or `±hh:mm`), e.g. `2026-03-01T08:15:00+01:00`. */
export const isoTimestamp = z.iso.datetime({ offset: true }).refine((v) => {
  const ms = Date.parse(v);
  return ms >= TS_RANGE.min && ms < TS_RANGE.max;
}, 'timestamp out of range: must be from 1970 to 2999');

const entityId = z.string().min(1).max(200);
const shortText = z.string().min(1).max(200);

const base = {
  id: z.string().min(1).max(200).describe('Unique event id; the idempotency key'),
  ts: isoTimestamp.describe('When it happened at the source: ISO-8601 with offset'),
};

export const TIERS = ['vip', 'key', 'normal'] as const;
export const tier = z.enum(TIERS);
export type Tier = z.infer<typeof tier>;

export const AGENT_STATES = ['available', 'on_call', 'wrap_up', 'break', 'offline'] as const;
export const agentStateName = z.enum(AGENT_STATES);
export type AgentStateName = z.infer<typeof agentStateName>;

export const TICKET_KINDS = ['consultation', 'technical', 'complaint'] as const;
export const ticketKind = z.enum(TICKET_KINDS);
export type TicketKind = z.infer<typeof ticketKind>;

export const TICKET_PRIORITIES = ['high', 'medium', 'low'] as const;
export const ticketPriority = z.enum(TICKET_PRIORITIES);
export type TicketPriority = z.infer<typeof ticketPriority>;

export const COMPLAINT_CATEGORIES = [
  'product_quality',
  'service_attitude',
  'price',
  'false_advertising',
  'other',
] as const;
export const complaintCategory = z.enum(COMPLAINT_CATEGORIES);
export type ComplaintCategory = z.infer<typeof complaintCategory>;

export const COMPLEXITIES = ['routine', 'complex'] as const;
export const complexity = z.enum(COMPLEXITIES);
export type Complexity = z.infer<typeof complexity>;

export const SURVEY_DIMENSIONS = ['speed', 'resolution', 'professionalism', 'recommend'] as const;
export type SurveyDimension = (typeof SURVEY_DIMENSIONS)[number];
const score = z.number().int().min(1).max(5);

// ---- cc.calls (key: callId) ----
export const callQueued = z.object({
  ...base,
  type: z.literal('call.queued'),
  callId: entityId,
  queue: shortText,
  priority: z.number().int().min(0).max(2).optional().describe('0 = normal … 2 = highest'),
  tier: tier.optional(),
});
export const callAnswered = z.object({
  ...base,
  type: z.literal('call.answered'),
  callId: entityId,
  queue: shortText,
  agentId: entityId,
});
export const callAbandoned = z.object({
  ...base,
  type: z.literal('call.abandoned'),
  callId: entityId,
  queue: shortText,
});
export const callEnded = z.object({
  ...base,
  type: z.literal('call.ended'),
  callId: entityId,
  queue: shortText,
  agentId: entityId,
});

// ---- cc.agents (key: agentId) ----
export const agentState = z.object({
  ...base,
  type: z.literal('agent.state'),
  agentId: entityId,
  name: shortText.optional(),
  team: shortText.optional(),
  state: agentStateName,
  reason: shortText.optional().describe('Why, e.g. "lunch", "training", "meeting"'),
});

// ---- cc.tickets (key: ticketId) ----
export const ticketCreated = z
  .object({
    ...base,
    type: z.literal('ticket.created'),
    ticketId: entityId,
    kind: ticketKind,
    category: complaintCategory.optional().describe('Complaint category; only for kind = complaint'),
    priority: ticketPriority,
    tier,
    complexity: complexity.optional().describe('Defaults to routine'),
    channel: shortText.optional(),
    subject: z.string().min(1).max(500),
    customerId: entityId.optional(),
    team: shortText.optional().describe('Owning team; defaults to the team mapped to the kind'),
  })
  .refine((e) => e.category === undefined || e.kind === 'complaint', {
    message: 'category is only allowed on complaint tickets',
    path: ['category'],
  });
export const ticketAssigned = z.object({
  ...base,
  type: z.literal('ticket.assigned'),
  ticketId: entityId,
  agentId: entityId,
  by: shortText.optional().describe('Who reassigned it (user or system)'),
});
export const ticketProgress = z.object({
  ...base,
  type: z.literal('ticket.progress'),
  ticketId: entityId,
  percent: z.number().min(0).max(100),
  note: z.string().max(2000).optional(),
});
export const ticketResolved = z.object({ ...base, type: z.literal('ticket.resolved'), ticketId: entityId });
export const ticketReopened = z.object({ ...base, type: z.literal('ticket.reopened'), ticketId: entityId });
export const ticketClosed = z.object({ ...base, type: z.literal('ticket.closed'), ticketId: entityId });

// ---- cc.surveys (key: surveyId) ----
export const surveySubmitted = z.object({
  ...base,
  type: z.literal('survey.submitted'),
  surveyId: entityId,
  ticketId: entityId.optional(),
  callId: entityId.optional(),
  agentId: entityId.optional(),
  scores: z.object({
    speed: score,
    resolution: score,
    professionalism: score,
    recommend: score,
  }),
});

/** Schemas by event type, in contract order. */
export const EVENT_SCHEMAS = {
  'call.queued': callQueued,
  'call.answered': callAnswered,
  'call.abandoned': callAbandoned,
  'call.ended': callEnded,
  'agent.state': agentState,
  'ticket.created': ticketCreated,
  'ticket.assigned': ticketAssigned,
  'ticket.progress': ticketProgress,
  'ticket.resolved': ticketResolved,
  'ticket.reopened': ticketReopened,
  'ticket.closed': ticketClosed,
  'survey.submitted': surveySubmitted,
} as const;

export type EventType = keyof typeof EVENT_SCHEMAS;
export const EVENT_TYPES = Object.keys(EVENT_SCHEMAS) as EventType[];

export type CallQueued = z.infer<typeof callQueued>;
export type CallAnswered = z.infer<typeof callAnswered>;
export type CallAbandoned = z.infer<typeof callAbandoned>;
export type CallEnded = z.infer<typeof callEnded>;
export type AgentStateEvent = z.infer<typeof agentState>;
export type TicketCreated = z.infer<typeof ticketCreated>;
export type TicketAssigned = z.infer<typeof ticketAssigned>;
export type TicketProgress = z.infer<typeof ticketProgress>;
export type TicketResolved = z.infer<typeof ticketResolved>;
export type TicketReopened = z.infer<typeof ticketReopened>;
export type TicketClosed = z.infer<typeof ticketClosed>;
export type SurveySubmitted = z.infer<typeof surveySubmitted>;

export type CallEvent = CallQueued | CallAnswered | CallAbandoned | CallEnded;
export type TicketEvent =
  TicketCreated | TicketAssigned | TicketProgress | TicketResolved | TicketReopened | TicketClosed;
/** Any event of contract v1. */
export type CcEvent = CallEvent | AgentStateEvent | TicketEvent | SurveySubmitted;

/** The logical topics; their Kafka names come from configuration. */
export const TOPIC_ROLES = ['calls', 'agents', 'tickets', 'surveys'] as const;
export type TopicRole = (typeof TOPIC_ROLES)[number];

/** Which topic an event type belongs on. */
export function topicRoleOf(type: EventType): TopicRole {
  const prefix = type.slice(0, type.indexOf('.'));
  switch (prefix) {
    case 'call':
      return 'calls';
    case 'agent':
      return 'agents';
    case 'ticket':
      return 'tickets';
    default:
      return 'surveys';
  }
}

/** The Kafka key of an event: its entity id. */
export function entityKeyOf(e: CcEvent): string {
  switch (e.type) {
    case 'call.queued':
    case 'call.answered':
    case 'call.abandoned':
    case 'call.ended':
      return e.callId;
    case 'agent.state':
      return e.agentId;
    case 'survey.submitted':
      return e.surveyId;
    default:
      return e.ticketId;
  }
}

// ---- cc.deadletter ----
/**
 * A rejected message is republished to the dead-letter topic with its original key and value bytes
 * untouched; why and where it came from travel in these headers (as Kafka Connect does).
 */
export const DEAD_LETTER_HEADERS = {
  reason: 'floorboard-dlq-reason',
  sourceTopic: 'floorboard-dlq-topic',
  sourcePartition: 'floorboard-dlq-partition',
  sourceOffset: 'floorboard-dlq-offset',
  rejectedAt: 'floorboard-dlq-rejected-at',
} as const;
