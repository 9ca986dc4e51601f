/**
 * Metric definitions (pure). Inputs are the counters the projector keeps per shift/day and group;
 * a ratio with a zero denominator is null, never 0 or NaN. README "Metric definitions" mirrors this.
 */
import { SURVEY_DIMENSIONS, type SurveyDimension } from '../contract/events.ts';
import type { CallSummary } from '../contract/summary.ts';

/** Counter hash as stored (string values); missing fields are 0. */
export type Counters = Record<string, string | number | undefined>;

/** Reads a counter field as a number (0 when absent). */
export function num(c: Counters, field: string): number {
  const v = c[field];
  const n = typeof v === 'number' ? v : v === undefined ? 0 : Number(v);
  return Number.isFinite(n) ? n : 0;
}

/** a / b, or null when b is 0. */
export function ratio(a: number, b: number): number | null {
  return b === 0 ? null : a / b;
}

/** Call metrics of one queue (or all queues) over one period (the contract's CallSummary). */
export type CallMetrics = CallSummary;

/** Computes the call metrics from a counter hash. */
export function callMetrics(c: Counters): CallMetrics {
  const offered = num(c, 'offered');
  const answered = num(c, 'answered');
  const abandoned = num(c, 'abandoned');
  const shortAbandoned = num(c, 'shortAbandoned');
  const answeredWithinThreshold = num(c, 'answeredWithinThreshold');
  const talkCount = num(c, 'talkCount');
  return {
    offered,
    answered,
    abandoned,
    shortAbandoned,
    answeredWithinThreshold,
    serviceLevel: ratio(answeredWithinThreshold, answered + abandoned - shortAbandoned),
    abandonRate: ratio(abandoned - shortAbandoned, offered - shortAbandoned),
    asaSeconds: ratio(num(c, 'waitAnsweredMs') / 1000, answered),
    ahtSeconds: ratio((num(c, 'talkMs') + num(c, 'wrapMs')) / 1000, talkCount),
  };
}

/** (on_call + wrap_up) / (on_call + wrap_up + available) time. */
export function occupancy(stateMs: { on_call: number; wrap_up: number; available: number }): number | null {
  const busy = stateMs.on_call + stateMs.wrap_up;
  return ratio(busy, busy + stateMs.available);
}

/** Satisfaction over a set of surveys. */
export interface SatisfactionMetrics {
  count: number;
  mean: Record<SurveyDimension, number | null>;
  /** mean of the four dimension means' underlying scores (all scores of all surveys) */
  overall: number | null;
  lowCount: number;
  /** share of surveys with any score below 3 */
  lowShare: number | null;
}

/** Computes satisfaction from counters (`count`, `sum:<dimension>`, `low`, with an optional prefix). */
export function satisfactionMetrics(c: Counters, prefix = ''): SatisfactionMetrics {
  const count = num(c, `${prefix}count`);
  const mean = {} as Record<SurveyDimension, number | null>;
  let total = 0;
  for (const d of SURVEY_DIMENSIONS) {
    const sum = num(c, `${prefix}sum:${d}`);
    total += sum;
    mean[d] = ratio(sum, count);
  }
  const lowCount = num(c, `${prefix}low`);
  return {
    count,
    mean,
    overall: ratio(total, count * SURVEY_DIMENSIONS.length),
    lowCount,
    lowShare: ratio(lowCount, count),
  };
}

/** Adds counter hashes field by field (e.g. per-minute buckets into a rolling window). */
export function sumCounters(hashes: readonly Counters[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const h of hashes) for (const k of Object.keys(h)) out[k] = (out[k] ?? 0) + num(h, k);
  return out;
}
