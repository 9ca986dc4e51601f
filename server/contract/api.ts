/** REST payloads shared by the server and its clients. */
import type { CallSummary } from './summary.ts';

/** `GET /api/v1/health` without credentials: the status only (200 ok, 503 degraded). */
export interface HealthStatusResponse {
  status: 'ok' | 'degraded';
}

/** `GET /api/v1/health` with credentials (any signed-in principal or token): the details. */
export interface HealthResponse {
  status: 'ok' | 'degraded';
  store: { kind: 'redis' | 'in-memory'; location: string; reachable: boolean };
  source: { kind: 'kafka' | 'in-process'; connected: boolean; topics: string[] };
  simulator: { running: boolean; published: number };
  /** Events applied to the live state (all instances sharing the store); the last value read while the
   * store is unreachable. */
  eventsProcessed: number;
  /** Messages rejected to the dead-letter topic (all instances sharing the store). */
  deadLettered: number;
  /** Repeats of already-applied event ids that were ignored. */
  duplicates: number;
  /** When the last event was applied (processing time), ISO-8601, or null. */
  lastEventAt: string | null;
  /** Event time of the newest event applied, ISO-8601, or null. */
  lastEventTs: string | null;
  /** Set while ingestion is retrying a batch (the store is failing, or the dead-letter topic is unreachable). */
  degradedSince: string | null;
  /** True while partitions are re-read from their earliest retained offset because the store lost its
   * state (or never had it): the figures are incomplete until it turns false. */
  rebuilding: boolean;
  lastError: string | null;
  /** Messages not yet processed on the partitions this instance owns. */
  consumerLag: number;
  uptimeSeconds: number;
}

/** A JSON error body for every 4xx/5xx. */
export interface ErrorResponse {
  error: string;
}

/** One queue on the live floor. Times are epoch ms; clients compute "how long ago" from `serverTime`. */
export interface LiveQueue {
  queue: string;
  waiting: number;
  /** When the longest-waiting call was queued, or null when none waits. */
  oldestQueuedAt: number | null;
  /** This shift, by the documented metric definitions. */
  shift: CallSummary;
}

/** One agent on the live floor. */
export interface LiveAgent {
  agentId: string;
  name: string | null;
  team: string | null;
  state: 'available' | 'on_call' | 'wrap_up' | 'break' | 'offline';
  since: number;
  reason: string | null;
  activeCallId: string | null;
  openTickets: { high: number; medium: number; low: number };
  overdueTickets: number;
  /** This shift. */
  handled: number;
  talkSeconds: number;
  wrapSeconds: number;
}

/** An open ticket past or near one of its deadlines. */
export interface LiveTicketAlert {
  ticketId: string;
  deadline: 'accept' | 'update' | 'resolve';
  due: number;
  kind: 'consultation' | 'technical' | 'complaint' | null;
  category: string | null;
  tier: 'vip' | 'key' | 'normal';
  priority: 'high' | 'medium' | 'low';
  team: string | null;
  agentId: string | null;
  subject: string;
  version: number;
  /** The least-loaded working agent of the owning team (not the current owner), or null. */
  suggestedAgentId: string | null;
}

/** Satisfaction figures over a window. */
export interface LiveSatisfaction {
  count: number;
  mean: {
    speed: number | null;
    resolution: number | null;
    professionalism: number | null;
    recommend: number | null;
  };
  overall: number | null;
  lowCount: number;
}

/** One minute of the rolling satisfaction window: the surveys submitted in it. */
export interface LiveSatisfactionMinute {
  /** The minute's start, epoch ms. */
  minute: number;
  count: number;
  /** Mean score per dimension, null when no survey came in that minute. */
  mean: LiveSatisfaction['mean'];
}

/** Open, overdue and at-risk tickets owned by one team (null: tickets of no team). */
export interface LiveTeamTickets {
  team: string | null;
  open: number;
  overdue: number;
  atRisk: number;
}

/** At most this many overdue (and as many at-risk) tickets are listed in a snapshot of any view. */
export const LIVE_ALERTS_LISTED = 500;

/** The ticket section of the live floor. A ticket is overdue once its earliest deadline has passed,
 * at risk while that deadline is within the at-risk window (config `sla.atRiskMinutes`). */
export interface LiveTickets {
  /** Open tickets. */
  open: number;
  /** How many tickets are overdue / at risk, all of them, listed or not. */
  overdueCount: number;
  atRiskCount: number;
  /** VIP first, then key, then normal; within a tier the longest overdue first. At most
   * LIVE_ALERTS_LISTED. */
  overdue: LiveTicketAlert[];
  /** VIP first, then key, then normal; within a tier the soonest due first. At most LIVE_ALERTS_LISTED. */
  atRisk: LiveTicketAlert[];
  /** The same counts per owning team, by team name (tickets of no team last). */
  byTeam: LiveTeamTickets[];
}

/** `GET /api/v1/live`: the floor now (narrowed to the principal's teams, if it is scoped to some). */
export interface LiveSnapshot {
  serverTime: number;
  timezone: string;
  shift: { id: string; name: string; start: number; end: number } | null;
  queues: LiveQueue[];
  agents: LiveAgent[];
  tickets: LiveTickets;
  satisfaction: {
    rolling60m: LiveSatisfaction;
    shift: LiveSatisfaction;
    /** The rolling window minute by minute, oldest first: the 60 minutes up to the current one. */
    trend: LiveSatisfactionMinute[];
  };
}
