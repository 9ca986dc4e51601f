/** survey.submitted → satisfaction sums per shift/day, the rolling per-minute window, low scores (pure). */
import { SURVEY_DIMENSIONS, type SurveySubmitted } from '../contract/events.ts';
import type { Effects } from './effects.ts';
import { periodsAt, type ProjectionContext } from './working-set.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** Satisfaction scores below this are flagged for follow-up. */
export const LOW_SCORE = 3;
/** The rolling satisfaction window. */
export const ROLLING_WINDOW_MINUTES = 60;

/** Whether any score of a survey is low enough to need a follow-up. */
export function isLowScore(e: SurveySubmitted): boolean {
  return SURVEY_DIMENSIONS.some((d) => e.scores[d] < LOW_SCORE);
}

/** The low-score survey kept for follow-up. */
export interface LowScoreSurvey {
  surveyId: string;
  ts: number;
  ticketId: string | null;
  callId: string | null;
  agentId: string | null;
  scores: SurveySubmitted['scores'];
}

/** Applies one survey. */
export function applySurvey(fx: Effects, e: SurveySubmitted, ctx: ProjectionContext): void {
  const ts = Date.parse(e.ts);
  const low = isLowScore(e);
  const periods = periodsAt(ctx, ts);
  const groups = ['sat', ...(e.agentId ? [`agent:${e.agentId}`] : [])];
  for (const g of groups) {
    const prefix = g === 'sat' ? '' : 'sat:';
    const at = g === 'sat' ? [...periods, ctx.calendar.hourAt(ts)] : periods; // hourly for the report charts
    fx.add(at, g, `${prefix}count`);
    for (const d of SURVEY_DIMENSIONS) fx.add(at, g, `${prefix}sum:${d}`, e.scores[d]);
    if (low) fx.add(at, g, `${prefix}low`);
  }
  const minute = Math.floor(ts / MINUTE) * MINUTE;
  // Only surveys inside the rolling window (plus a minute of slack) touch it; older ones would be dead keys.
  if (minute > ctx.now - (ROLLING_WINDOW_MINUTES + 1) * MINUTE) {
    const counter = { name: 'satMinute', minute } as const;
    fx.incr(counter, 'count');
    for (const d of SURVEY_DIMENSIONS) fx.incr(counter, `sum:${d}`, e.scores[d]);
    if (low) fx.incr(counter, 'low');
    fx.expireCounterAt(counter, minute + 2 * ROLLING_WINDOW_MINUTES * MINUTE);
  }
  if (low) {
    const keepUntil = ts + ctx.retention.lowScoreSurveyDays * DAY;
    if (keepUntil > ctx.now) {
      const value: LowScoreSurvey = {
        surveyId: e.surveyId,
        ts,
        ticketId: e.ticketId ?? null,
        callId: e.callId ?? null,
        agentId: e.agentId ?? null,
        scores: e.scores,
      };
      fx.push({ op: 'put', kind: 'survey', id: e.surveyId, value, expireAt: keepUntil });
      fx.push({ op: 'zadd', index: { name: 'lowSurveys' }, member: e.surveyId, score: ts });
    }
    fx.push({
      op: 'zremBelow',
      index: { name: 'lowSurveys' },
      score: ctx.now - ctx.retention.lowScoreSurveyDays * DAY,
    });
  }
}
