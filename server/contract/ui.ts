/**
 * Payloads the web UI reads besides the live snapshot: wallboard colour thresholds
 * (`GET /api/v1/settings/thresholds`) and the shapes of the ticket, alert and survey routes. Types and
 * plain data only (no zod here), so the browser bundle can import it without pulling in a validator.
 */
import type { LiveTicketAlert } from './api.ts';
import type { TicketView } from './commands.ts';

/** Metrics the wallboard colours green / amber / red. */
export type ThresholdMetric =
  /** answered within T / (answered + abandoned − short abandoned), 0–1; higher is better */
  | 'serviceLevel'
  /** 0–1; lower is better */
  | 'abandonRate'
  /** the longest current wait of a queue, seconds */
  | 'longestWaitSeconds'
  /** calls waiting in a queue */
  | 'waiting'
  /** average speed of answer this shift, seconds */
  | 'asaSeconds'
  /** rolling mean satisfaction score per dimension, 1–5; higher is better */
  | 'satisfaction'
  /** an agent's overdue tickets */
  | 'overdueTickets'
  /** an agent's time in `break`, seconds */
  | 'breakSeconds'
  /** an agent's time in `wrap_up`, seconds */
  | 'wrapUpSeconds';

/** The metrics that may be set per queue. */
export type QueueThresholdMetric =
  'serviceLevel' | 'abandonRate' | 'longestWaitSeconds' | 'waiting' | 'asaSeconds';

/**
 * Up to three limits for one metric. For a "higher is better" metric a value below `amber` is amber,
 * below `red` red, below `critical` critical (red, flashing); for a "lower is better" metric a value at
 * or above the limit takes the colour. A limit left out is not used; everything else is green.
 */
export interface ThresholdLevels {
  amber?: number;
  red?: number;
  critical?: number;
}

/**
 * Config key `thresholds` and the body of `GET /api/v1/settings/thresholds`: defaults per metric and
 * overrides per queue (merged over the defaults metric by metric).
 */
export type ThresholdsResponse = Partial<Record<ThresholdMetric, ThresholdLevels>> & {
  perQueue?: Record<string, Partial<Record<QueueThresholdMetric, ThresholdLevels>>>;
};

/** Which way is good, per metric. */
export const THRESHOLD_DIRECTION: Record<ThresholdMetric, 'higher-is-better' | 'lower-is-better'> = {
  serviceLevel: 'higher-is-better',
  abandonRate: 'lower-is-better',
  longestWaitSeconds: 'lower-is-better',
  waiting: 'lower-is-better',
  asaSeconds: 'lower-is-better',
  satisfaction: 'higher-is-better',
  overdueTickets: 'lower-is-better',
  breakSeconds: 'lower-is-better',
  wrapUpSeconds: 'lower-is-better',
};

/** The defaults (a suggested `thresholds` in config/default.json; the UI falls back to them). */
export const DEFAULT_THRESHOLDS: ThresholdsResponse = {
  serviceLevel: { amber: 0.8, red: 0.7 },
  abandonRate: { amber: 0.05, red: 0.1 },
  longestWaitSeconds: { amber: 60, red: 120, critical: 300 },
  waiting: { amber: 5, red: 10 },
  asaSeconds: { amber: 30, red: 60 },
  satisfaction: { amber: 4, red: 3.5 },
  overdueTickets: { amber: 1, red: 3 },
  breakSeconds: { amber: 900, red: 1800 },
  wrapUpSeconds: { amber: 120, red: 300 },
  perQueue: {},
};

/** Minutes per customer tier. */
export interface PerTierMinutes {
  vip: number;
  key: number;
  normal: number;
}

/**
 * Config key `sla`: accept, update and resolve deadlines in minutes per tier (resolve also per
 * complexity), and how long before a deadline a ticket counts as at risk.
 */
export interface SlaPolicyView {
  acceptMinutes: PerTierMinutes;
  updateMinutes: PerTierMinutes;
  resolveMinutes: { routine: PerTierMinutes; complex: PerTierMinutes };
  atRiskMinutes: number;
}

/** Config key `teams`: the team that owns each ticket kind (suggested assignees come from it). */
export interface TicketKindTeams {
  consultation: string;
  technical: string;
  complaint: string;
}

/** The parts of the settings an admin may change at run time (`PUT /api/v1/settings` takes any of them). */
export type SettingsSection = 'thresholds' | 'sla' | 'teams';

/**
 * `GET` and `PUT /api/v1/settings` (admin): the settings in force, and which sections were set at run
 * time (they replace the config file's section as a whole; the others come from the config file).
 */
export interface SettingsResponse {
  thresholds: ThresholdsResponse;
  sla: SlaPolicyView;
  teams: TicketKindTeams;
  overridden: SettingsSection[];
}

/** One item of `GET /api/v1/alerts`: an unacknowledged escalation. */
export interface EscalationAlertView {
  ticketId: string;
  deadline: 'accept' | 'update' | 'resolve';
  /** When it was escalated, epoch ms. */
  escalatedAt: number;
  team: string | null;
  subject: string;
  tier: LiveTicketAlert['tier'];
  agentId: string | null;
}

/** `GET /api/v1/tickets/:id`. Times are epoch ms. */
export interface TicketDetailResponse extends TicketView {
  category: string | null;
  complexity: 'routine' | 'complex';
  channel: string | null;
  customerId: string | null;
  createdAt: number | null;
  acceptedAt: number | null;
  lastUpdateAt: number | null;
  progress: number;
  escalated: Array<'accept' | 'update' | 'resolve'>;
  deadlines: { accept: number | null; update: number | null; resolve: number | null };
}

/** One item of `GET /api/v1/surveys/low` (newest first). */
export interface LowScoreSurveyView {
  surveyId: string;
  /** When it was submitted, epoch ms. */
  ts: number;
  ticketId: string | null;
  callId: string | null;
  agentId: string | null;
  scores: { speed: number; resolution: number; professionalism: number; recommend: number };
}
