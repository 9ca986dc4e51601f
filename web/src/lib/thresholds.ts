/** Green / amber / red / critical for a metric value, from the configured thresholds (pure). */
import {
  DEFAULT_THRESHOLDS,
  THRESHOLD_DIRECTION,
  type QueueThresholdMetric,
  type ThresholdLevels,
  type ThresholdMetric,
  type ThresholdsResponse,
} from '$contract/ui';

export type Level = 'none' | 'ok' | 'amber' | 'red' | 'critical';

const ORDER: Level[] = ['none', 'ok', 'amber', 'red', 'critical'];

/** The limits that apply to `metric`, for `queue` when given (queue overrides win). */
export function levelsFor(
  t: ThresholdsResponse,
  metric: ThresholdMetric,
  queue?: string,
): ThresholdLevels | undefined {
  if (queue !== undefined) {
    const q = t.perQueue?.[queue]?.[metric as QueueThresholdMetric];
    if (q !== undefined) return q;
  }
  return t[metric];
}

/** The colour of `value` for `metric` (`none` when there is no value). */
export function levelOf(
  t: ThresholdsResponse,
  metric: ThresholdMetric,
  value: number | null | undefined,
  queue?: string,
): Level {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'none';
  const limits = levelsFor(t, metric, queue);
  if (limits === undefined) return 'ok';
  const worse =
    THRESHOLD_DIRECTION[metric] === 'higher-is-better'
      ? (limit: number) => value < limit
      : (limit: number) => value >= limit;
  if (limits.critical !== undefined && worse(limits.critical)) return 'critical';
  if (limits.red !== undefined && worse(limits.red)) return 'red';
  if (limits.amber !== undefined && worse(limits.amber)) return 'amber';
  return 'ok';
}

/** The worst of several levels. */
export function worst(...levels: Level[]): Level {
  return levels.reduce((a, b) => (ORDER.indexOf(b) > ORDER.indexOf(a) ? b : a), 'none' as Level);
}

/** Whether a level counts as red (for the alarm sound). */
export function isRed(l: Level): boolean {
  return l === 'red' || l === 'critical';
}

/** Merges a (possibly partial) server answer over the defaults. */
export function withDefaults(t: ThresholdsResponse | null): ThresholdsResponse {
  return { ...DEFAULT_THRESHOLDS, ...(t ?? {}), perQueue: { ...(t?.perQueue ?? {}) } };
}
