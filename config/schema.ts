/** The shape of floorboard's configuration (config/default.json, a FLOORBOARD_CONFIG file, env vars). */
import { z } from 'zod';
import { IANAZone } from 'luxon';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24 h)');
const perTier = z.object({
  vip: z.number().positive(),
  key: z.number().positive(),
  normal: z.number().positive(),
});

export const shiftDefinition = z.object({
  name: z
    .string()
    .min(1)
    .max(40)
    .regex(/^[a-z0-9_-]+$/i, 'shift names are letters, digits, - and _'),
  start: hhmm,
  end: hhmm,
});
export type ShiftDefinition = z.infer<typeof shiftDefinition>;

export const serviceLevelSettings = z.object({
  thresholdSeconds: z.number().nonnegative(),
  shortAbandonSeconds: z.number().nonnegative(),
});
export type ServiceLevelSettings = z.infer<typeof serviceLevelSettings>;

export const slaPolicy = z.object({
  acceptMinutes: perTier,
  updateMinutes: perTier,
  resolveMinutes: z.object({ routine: perTier, complex: perTier }),
  atRiskMinutes: z.number().nonnegative(),
});
export type SlaPolicy = z.infer<typeof slaPolicy>;

const levels = z.object({
  amber: z.number().optional(),
  red: z.number().optional(),
  critical: z.number().optional(),
});
const thresholdMetrics = {
  serviceLevel: levels.optional(),
  abandonRate: levels.optional(),
  longestWaitSeconds: levels.optional(),
  waiting: levels.optional(),
  asaSeconds: levels.optional(),
};

export const configSchema = z.object({
  port: z.number().int().min(0).max(65535),
  timezone: z.string().refine((tz) => IANAZone.isValidZone(tz), 'not an IANA time zone name'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  redis: z.object({ url: z.string().nullable(), keyPrefix: z.string().min(1) }),
  kafka: z.object({
    brokers: z.array(z.string().min(1)),
    clientId: z.string().min(1),
    groupId: z.string().min(1),
    sessionTimeoutMs: z.number().int().min(6000),
    maxBytesPerPartition: z.number().int().min(1024),
    topics: z.object({
      calls: z.string().min(1),
      agents: z.string().min(1),
      tickets: z.string().min(1),
      surveys: z.string().min(1),
      deadletter: z.string().min(1),
      commands: z.string().min(1),
    }),
  }),
  simulator: z.object({
    enabled: z.union([z.boolean(), z.literal('auto')]),
    speed: z.number().positive(),
    backfillMinutes: z.number().nonnegative(),
    seed: z.number().int(),
  }),
  shifts: z.array(shiftDefinition).min(1),
  serviceLevel: serviceLevelSettings.extend({
    perQueue: z.record(z.string(), serviceLevelSettings.partial()),
  }),
  sla: slaPolicy,
  teams: z.object({ consultation: z.string(), technical: z.string(), complaint: z.string() }),
  /** Wallboard colours: up to three limits per metric, with per-queue overrides (server/contract/ui.ts). */
  thresholds: z.object({
    ...thresholdMetrics,
    satisfaction: levels.optional(),
    overdueTickets: levels.optional(),
    breakSeconds: levels.optional(),
    wrapUpSeconds: levels.optional(),
    perQueue: z.record(z.string(), z.object(thresholdMetrics)).optional(),
  }),
  escalation: z.object({
    sweepMs: z.number().int().min(100),
    /** Breaches older than this (hours past due) are counted overdue but never escalated (replays, outages). */
    horizonHours: z.number().positive(),
    /** The sweeper pauses while the consumer is further behind than this many messages. */
    maxConsumerLag: z.number().int().nonnegative(),
  }),
  /** Express `trust proxy`: which proxies' X-Forwarded-* headers to believe (client address, https). */
  http: z.object({ trustProxy: z.union([z.boolean(), z.number().int().nonnegative(), z.string().min(1)]) }),
  /** Queue name → owning team: which queues a team-scoped view or principal sees. */
  queueTeams: z.record(z.string(), z.string()),
  realtime: z.object({
    /** Live push coalescing: one flush of deltas per this many ms. */
    flushMs: z.number().int().min(100).max(250),
  }),
  retention: z.object({
    dedupeHours: z.number().positive(),
    finishedCallHours: z.number().positive(),
    closedTicketHours: z.number().positive(),
    /** How long a ticket known only from events that arrived before its ticket.created is kept. */
    placeholderTicketHours: z.number().positive(),
    summaryDays: z.number().min(400, 'summaries are kept at least 400 days'),
    lowScoreSurveyDays: z.number().positive(),
    auditDays: z.number().min(180, 'the audit log is kept at least 180 days'),
  }),
  auth: z.object({
    /** Mark the session cookie `Secure` even on plain-HTTP requests (TLS terminated by a proxy). */
    forceSecureCookie: z.boolean(),
  }),
  ingest: z.object({
    maxMessageBytes: z.number().int().positive(),
    retryInitialMs: z.number().int().positive(),
    retryMaxMs: z.number().int().positive(),
  }),
});
export type Config = z.infer<typeof configSchema>;
