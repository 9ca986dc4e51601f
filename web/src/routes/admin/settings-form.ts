/**
 * The admin page's settings forms (pure): thresholds, SLA policy and team mapping as the text of their
 * fields and back. Fields are named by the path the server reports in a 400 (`sla.acceptMinutes.vip`,
 * `thresholds.perQueue.sales.waiting.red`), so the server's validation messages land on the field they
 * concern. The client checks only what the server cannot tell from a number: that a field holds one,
 * and that a metric's limits are in an order where every level can show.
 */
import {
  THRESHOLD_DIRECTION,
  type PerTierMinutes,
  type QueueThresholdMetric,
  type SlaPolicyView,
  type ThresholdLevels,
  type ThresholdMetric,
  type ThresholdsResponse,
  type TicketKindTeams,
} from '$contract/ui';
import { withDefaults } from '$lib/thresholds';

export const LEVEL_KEYS = ['amber', 'red', 'critical'] as const;
export type LevelKey = (typeof LEVEL_KEYS)[number];

export interface MetricInfo {
  metric: ThresholdMetric;
  label: string;
  /** What the number in the field means. */
  unit: string;
  /** Field value = stored value × scale (ratios are edited as percentages). */
  scale: number;
}

/** The metrics in the order the form lists them. */
export const METRICS: readonly MetricInfo[] = [
  { metric: 'serviceLevel', label: 'Service level', unit: '%', scale: 100 },
  { metric: 'abandonRate', label: 'Abandon rate', unit: '%', scale: 100 },
  { metric: 'longestWaitSeconds', label: 'Longest wait', unit: 'seconds', scale: 1 },
  { metric: 'waiting', label: 'Calls waiting', unit: 'calls', scale: 1 },
  { metric: 'asaSeconds', label: 'Average speed of answer', unit: 'seconds', scale: 1 },
  { metric: 'satisfaction', label: 'Satisfaction', unit: 'score 1–5', scale: 1 },
  { metric: 'overdueTickets', label: 'Overdue tickets per agent', unit: 'tickets', scale: 1 },
  { metric: 'breakSeconds', label: 'Time on break', unit: 'seconds', scale: 1 },
  { metric: 'wrapUpSeconds', label: 'Time in wrap-up', unit: 'seconds', scale: 1 },
];

/** The metrics a queue may override. */
export const QUEUE_METRICS: readonly QueueThresholdMetric[] = [
  'serviceLevel',
  'abandonRate',
  'longestWaitSeconds',
  'waiting',
  'asaSeconds',
];

export function metricInfo(metric: ThresholdMetric): MetricInfo {
  const info = METRICS.find((m) => m.metric === metric);
  if (!info) throw new Error(`unknown metric ${metric}`);
  return info;
}

/** How a metric's limits read, e.g. "lower is better: at or above a limit takes its colour". */
export function directionText(metric: ThresholdMetric): string {
  return THRESHOLD_DIRECTION[metric] === 'higher-is-better'
    ? 'higher is better: below a limit takes its colour'
    : 'lower is better: at or above a limit takes its colour';
}

/** Field id → message. */
export type FieldErrors = Record<string, string>;
export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

export type LevelsForm = Record<LevelKey, string>;
export interface QueueMetricForm {
  override: boolean;
  levels: LevelsForm;
}
export interface QueueForm {
  queue: string;
  metrics: Record<QueueThresholdMetric, QueueMetricForm>;
}
export interface ThresholdsForm {
  defaults: Record<ThresholdMetric, LevelsForm>;
  queues: QueueForm[];
}

/** A stored number as field text (scaled, without binary-float noise such as 7.000000000000001). */
export function numberText(value: number | undefined, scale = 1): string {
  if (value === undefined) return '';
  return String(Number((value * scale).toPrecision(12)));
}

/** Field text as a number: '' is undefined, a decimal comma is accepted, anything else is an error. */
export function parseNumber(text: string): { ok: true; value: number | undefined } | { ok: false } {
  const t = text.trim().replace(',', '.');
  if (t === '') return { ok: true, value: undefined };
  const n = Number(t);
  return Number.isFinite(n) ? { ok: true, value: n } : { ok: false };
}

function levelsToForm(levels: ThresholdLevels | undefined, scale: number): LevelsForm {
  return {
    amber: numberText(levels?.amber, scale),
    red: numberText(levels?.red, scale),
    critical: numberText(levels?.critical, scale),
  };
}

/**
 * The thresholds as form fields (per-queue overrides sorted by queue). A metric the settings leave out
 * shows the built-in defaults, which is what the wallboard applies to it.
 */
export function thresholdsToForm(settings: ThresholdsResponse): ThresholdsForm {
  const t = withDefaults(settings);
  const defaults = Object.fromEntries(
    METRICS.map(({ metric, scale }) => [metric, levelsToForm(t[metric], scale)]),
  ) as Record<ThresholdMetric, LevelsForm>;
  const queues = Object.keys(t.perQueue ?? {})
    .sort((a, b) => a.localeCompare(b))
    .map((queue) => queueForm(queue, defaults, t.perQueue?.[queue] ?? {}));
  return { defaults, queues };
}

/** A queue's rows: its overrides, and the defaults (not overridden) where it has none. */
export function queueForm(
  queue: string,
  defaults: Record<ThresholdMetric, LevelsForm>,
  overrides: Partial<Record<QueueThresholdMetric, ThresholdLevels>> = {},
): QueueForm {
  const metrics = Object.fromEntries(
    QUEUE_METRICS.map((m) => {
      const o = overrides[m];
      return [
        m,
        o === undefined
          ? { override: false, levels: { ...defaults[m] } }
          : { override: true, levels: levelsToForm(o, metricInfo(m).scale) },
      ];
    }),
  ) as Record<QueueThresholdMetric, QueueMetricForm>;
  return { queue, metrics };
}

/**
 * Reads one metric's fields into `errors` (keyed `${path}.${level}`). Out-of-order limits are refused:
 * with "lower is better", amber ≤ red ≤ critical, else a level could never show.
 */
function parseLevels(
  form: LevelsForm,
  metric: ThresholdMetric,
  path: string,
  errors: FieldErrors,
): ThresholdLevels {
  const { scale } = metricInfo(metric);
  const out: ThresholdLevels = {};
  for (const k of LEVEL_KEYS) {
    const r = parseNumber(form[k]);
    if (!r.ok) errors[`${path}.${k}`] = 'enter a number, or leave it empty for no limit';
    else if (r.value !== undefined) out[k] = Number((r.value / scale).toPrecision(12));
  }
  const higher = THRESHOLD_DIRECTION[metric] === 'higher-is-better';
  let previous: { key: LevelKey; value: number } | null = null;
  for (const k of LEVEL_KEYS) {
    const v = out[k];
    if (v === undefined) continue;
    if (previous !== null && (higher ? v > previous.value : v < previous.value)) {
      errors[`${path}.${k}`] ??=
        `${k} must be ${higher ? 'at or below' : 'at or above'} ${previous.key} (${directionText(metric).split(':')[0]})`;
    }
    previous = { key: k, value: v };
  }
  return out;
}

/**
 * The form as the `thresholds` to save, or the fields in error. Every metric is saved, one without
 * limits as `{}` (always green: left out, the wallboard would apply the built-in defaults instead).
 * Queues without overrides are left out.
 */
export function thresholdsFromForm(form: ThresholdsForm): Parsed<ThresholdsResponse> {
  const errors: FieldErrors = {};
  const value: ThresholdsResponse = {};
  for (const { metric } of METRICS) {
    value[metric] = parseLevels(form.defaults[metric], metric, `thresholds.${metric}`, errors);
  }
  const perQueue: NonNullable<ThresholdsResponse['perQueue']> = {};
  for (const q of form.queues) {
    const own: Partial<Record<QueueThresholdMetric, ThresholdLevels>> = {};
    for (const m of QUEUE_METRICS) {
      const row = q.metrics[m];
      if (row.override) own[m] = parseLevels(row.levels, m, `thresholds.perQueue.${q.queue}.${m}`, errors);
    }
    if (Object.keys(own).length > 0) perQueue[q.queue] = own;
  }
  value.perQueue = perQueue;
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value };
}

/** Why a queue cannot be added to the overrides, or null. */
export function newQueueProblem(name: string, form: ThresholdsForm): string | null {
  const q = name.trim();
  if (q === '') return 'enter the queue name as the events name it';
  if (form.queues.some((x) => x.queue === q)) return `${q} is already listed`;
  return null;
}

// ---- SLA policy ----

export const TIERS = ['vip', 'key', 'normal'] as const;
export type TierForm = Record<(typeof TIERS)[number], string>;

/** The SLA policy's rows, by the server's path of each. */
export const SLA_ROWS = [
  { path: 'acceptMinutes', label: 'Accept' },
  { path: 'updateMinutes', label: 'Update' },
  { path: 'resolveMinutes.routine', label: 'Resolve (routine)' },
  { path: 'resolveMinutes.complex', label: 'Resolve (complex)' },
] as const;
export type SlaRowPath = (typeof SLA_ROWS)[number]['path'];

export interface SlaForm {
  rows: Record<SlaRowPath, TierForm>;
  atRiskMinutes: string;
}

function tierForm(t: PerTierMinutes): TierForm {
  return { vip: numberText(t.vip), key: numberText(t.key), normal: numberText(t.normal) };
}

export function slaToForm(s: SlaPolicyView): SlaForm {
  return {
    rows: {
      acceptMinutes: tierForm(s.acceptMinutes),
      updateMinutes: tierForm(s.updateMinutes),
      'resolveMinutes.routine': tierForm(s.resolveMinutes.routine),
      'resolveMinutes.complex': tierForm(s.resolveMinutes.complex),
    },
    atRiskMinutes: numberText(s.atRiskMinutes),
  };
}

function required(text: string, path: string, errors: FieldErrors): number {
  const r = parseNumber(text);
  if (!r.ok || r.value === undefined) {
    errors[path] = r.ok ? 'required' : 'enter a number of minutes';
    return Number.NaN;
  }
  return r.value;
}

/** The form as the `sla` to save; whether each number is allowed is the server's to say. */
export function slaFromForm(form: SlaForm): Parsed<SlaPolicyView> {
  const errors: FieldErrors = {};
  const tiers = (path: SlaRowPath): PerTierMinutes => {
    const row = form.rows[path];
    return {
      vip: required(row.vip, `sla.${path}.vip`, errors),
      key: required(row.key, `sla.${path}.key`, errors),
      normal: required(row.normal, `sla.${path}.normal`, errors),
    };
  };
  const value: SlaPolicyView = {
    acceptMinutes: tiers('acceptMinutes'),
    updateMinutes: tiers('updateMinutes'),
    resolveMinutes: { routine: tiers('resolveMinutes.routine'), complex: tiers('resolveMinutes.complex') },
    atRiskMinutes: required(form.atRiskMinutes, 'sla.atRiskMinutes', errors),
  };
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value };
}

// ---- team mapping ----

export const TICKET_KINDS = ['consultation', 'technical', 'complaint'] as const;

/** The mapping to save: every kind needs a team (an empty name would leave its tickets without one). */
export function teamsFromForm(form: TicketKindTeams): Parsed<TicketKindTeams> {
  const errors: FieldErrors = {};
  const value = { ...form };
  for (const k of TICKET_KINDS) {
    value[k] = form[k].trim();
    if (value[k] === '') errors[`teams.${k}`] = 'enter the team that owns these tickets';
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value };
}

// ---- the server's answer ----

/**
 * Splits a 400 such as `invalid settings: sla.acceptMinutes.vip: Too small; sla.atRiskMinutes: …` into
 * field messages; what names no field (or a field the form does not have) stays in `rest`.
 */
export function serverFieldErrors(
  message: string,
  fields: ReadonlySet<string>,
): { errors: FieldErrors; rest: string[] } {
  const body = message.replace(/^invalid settings:\s*/, '');
  const errors: FieldErrors = {};
  const rest: string[] = [];
  for (const part of body.split('; ')) {
    const at = part.indexOf(': ');
    const path = at > 0 ? part.slice(0, at) : '';
    if (fields.has(path)) errors[path] = part.slice(at + 2);
    else rest.push(part);
  }
  return { errors, rest };
}

/** An element id for a field path (queue names may hold spaces and other characters ids cannot). */
export function fieldId(path: string): string {
  return `f-${path.replace(/[^A-Za-z0-9_.-]/g, (c) => `_${c.codePointAt(0)?.toString(16) ?? ''}_`)}`;
}
