/** Builders for contract events, so a test states only what matters to it. */
import type {
  AgentStateEvent,
  CallAbandoned,
  CallAnswered,
  CallEnded,
  CallQueued,
  SurveySubmitted,
  TicketAssigned,
  TicketClosed,
  TicketCreated,
  TicketProgress,
  TicketReopened,
  TicketResolved,
} from '../../server/contract/events.ts';

let counter = 0;
/** A fresh unique event id. */
export function nextId(prefix = 'ev'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

/** ISO time `minutes` after a base instant (default 2026-03-02 08:00 Berlin, a morning shift). */
export function at(minutes: number, base = '2026-03-02T08:00:00+01:00'): string {
  return new Date(Date.parse(base) + minutes * 60_000).toISOString().replace('Z', '+00:00');
}

type Opt<T, K extends keyof T> = Omit<T, 'id' | 'type' | K> & Partial<Pick<T, K>> & { id?: string };

export const ev = {
  queued: (o: Opt<CallQueued, 'queue'>): CallQueued => ({
    id: nextId(),
    type: 'call.queued',
    queue: 'sales',
    ...o,
  }),
  answered: (o: Opt<CallAnswered, 'queue'>): CallAnswered => ({
    id: nextId(),
    type: 'call.answered',
    queue: 'sales',
    ...o,
  }),
  abandoned: (o: Opt<CallAbandoned, 'queue'>): CallAbandoned => ({
    id: nextId(),
    type: 'call.abandoned',
    queue: 'sales',
    ...o,
  }),
  ended: (o: Opt<CallEnded, 'queue'>): CallEnded => ({
    id: nextId(),
    type: 'call.ended',
    queue: 'sales',
    ...o,
  }),
  agent: (o: Opt<AgentStateEvent, never>): AgentStateEvent => ({ id: nextId(), type: 'agent.state', ...o }),
  ticket: (o: Opt<TicketCreated, 'kind' | 'priority' | 'tier' | 'subject'>): TicketCreated => ({
    id: nextId(),
    type: 'ticket.created',
    kind: 'consultation',
    priority: 'medium',
    tier: 'normal',
    subject: 'Question about my contract',
    ...o,
  }),
  assigned: (o: Opt<TicketAssigned, never>): TicketAssigned => ({
    id: nextId(),
    type: 'ticket.assigned',
    ...o,
  }),
  progress: (o: Opt<TicketProgress, 'percent'>): TicketProgress => ({
    id: nextId(),
    type: 'ticket.progress',
    percent: 50,
    ...o,
  }),
  resolved: (o: Opt<TicketResolved, never>): TicketResolved => ({
    id: nextId(),
    type: 'ticket.resolved',
    ...o,
  }),
  reopened: (o: Opt<TicketReopened, never>): TicketReopened => ({
    id: nextId(),
    type: 'ticket.reopened',
    ...o,
  }),
  closed: (o: Opt<TicketClosed, never>): TicketClosed => ({ id: nextId(), type: 'ticket.closed', ...o }),
  survey: (o: Opt<SurveySubmitted, 'scores'>): SurveySubmitted => ({
    id: nextId(),
    type: 'survey.submitted',
    scores: { speed: 5, resolution: 5, professionalism: 5, recommend: 5 },
    ...o,
  }),
};
