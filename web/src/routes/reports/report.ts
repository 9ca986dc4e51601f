/** Picking periods out of shift reports and comparing them (pure). */
import { DateTime } from 'luxon';
import type { CallSummary, SatisfactionSummary, ShiftsResponse, Summary } from '$contract/summary';

/** A period of a report: a whole day or one shift of it. */
export interface Period {
  /** `day` or the shift name. */
  key: string;
  /** e.g. "2026-03-02 morning" */
  title: string;
  date: string;
  start: string;
  end: string;
  summary: Summary;
}

/** The periods of one date's report: the day, then each shift. */
export function periodsOf(r: ShiftsResponse): Period[] {
  return [
    {
      key: 'day',
      title: `${r.date} whole day`,
      date: r.date,
      start: r.day.start,
      end: r.day.end,
      summary: r.day,
    },
    ...r.shifts.map((s) => ({
      key: s.name,
      title: `${r.date} ${s.name}`,
      date: r.date,
      start: s.start,
      end: s.end,
      summary: s,
    })),
  ];
}

/** The period `key` of a report (the day when there is no such shift). */
export function pickPeriod(r: ShiftsResponse, key: string): Period {
  const all = periodsOf(r);
  return all.find((p) => p.key === key) ?? (all[0] as Period);
}

/**
 * What a period is compared with: for a shift, the shift before it (possibly on the previous date);
 * for a day, the previous day.
 */
export function previousPeriod(
  current: Period,
  today: ShiftsResponse,
  yesterday: ShiftsResponse | null,
): Period | null {
  if (current.key === 'day') return yesterday ? pickPeriod(yesterday, 'day') : null;
  const shifts = [...(yesterday ? periodsOf(yesterday) : []), ...periodsOf(today)]
    .filter((p) => p.key !== 'day')
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  const i = shifts.findIndex((p) => p.date === current.date && p.key === current.key);
  return i > 0 ? (shifts[i - 1] ?? null) : null;
}

/** One clock hour of a period, labelled for a chart. */
export interface HourRow {
  /** `hour`, e.g. "08:00"; the repeated hour of a fall-back night is "02:00 (2nd)". */
  label: string;
  /** For tooltips, in the centre's time zone, e.g. "Sun 1 Nov 01:00 (2nd)". */
  title: string;
  start: string;
  calls: CallSummary;
  satisfaction: SatisfactionSummary;
}

/**
 * The clock hours whose start lies in the period, from the period's report and (for a shift past
 * midnight) the next date's. `missing` says the period runs past the hours the reports cover.
 */
export function hoursOf(
  period: Period,
  report: ShiftsResponse,
  next: ShiftsResponse | null,
): { hours: HourRow[]; missing: boolean } {
  const from = Date.parse(period.start);
  const to = Date.parse(period.end);
  const hours: HourRow[] = [];
  const sources = next && next.date > report.date ? [report, next] : [report];
  for (const r of sources) {
    // Labels per date, so a repeated hour is told apart even when only its second pass is shown.
    const seen = new Set<string>();
    for (const h of r.hourly) {
      const repeat = seen.has(h.hour);
      seen.add(h.hour);
      const t = Date.parse(h.start);
      if (t < from || t >= to) continue;
      hours.push({
        label: repeat ? `${h.hour} (2nd)` : h.hour,
        title: hourTitle(h.start, r.timezone) + (repeat ? ' (2nd)' : ''),
        start: h.start,
        calls: h.calls,
        satisfaction: h.satisfaction,
      });
    }
  }
  const covered = Date.parse((sources.at(-1) ?? report).day.end);
  return { hours, missing: to > covered };
}

/** The start of an hour in the centre's time zone, e.g. "Sun 1 Nov 01:00". */
function hourTitle(start: string, zone: string): string {
  const t = DateTime.fromISO(start, { zone });
  return t.isValid ? t.toFormat('ccc d LLL HH:mm') : start;
}

/** Whether a period has any data at all (a day before the records begin has none). */
export function hasData(s: Summary): boolean {
  return s.calls.offered + s.tickets.created + s.tickets.resolved + s.satisfaction.count > 0;
}

/** A KPI: its value now and in the comparison period, and whether higher is better. */
export interface Kpi {
  label: string;
  value: number | null;
  previous: number | null;
  format: 'count' | 'percent' | 'seconds' | 'score';
  better: 'higher' | 'lower' | 'neither';
}

/** The KPI cards of a period. */
export function kpis(s: Summary, prev: Summary | null): Kpi[] {
  const k = (
    label: string,
    pick: (x: Summary) => number | null,
    format: Kpi['format'],
    better: Kpi['better'],
  ): Kpi => ({ label, value: pick(s), previous: prev ? pick(prev) : null, format, better });
  return [
    k('Calls offered', (x) => x.calls.offered, 'count', 'neither'),
    k('Answered', (x) => x.calls.answered, 'count', 'neither'),
    k('Service level', (x) => x.calls.serviceLevel, 'percent', 'higher'),
    k('Abandon rate', (x) => x.calls.abandonRate, 'percent', 'lower'),
    k('Avg speed of answer', (x) => x.calls.asaSeconds, 'seconds', 'lower'),
    k('Avg handling time', (x) => x.calls.ahtSeconds, 'seconds', 'lower'),
    k('Satisfaction', (x) => x.satisfaction.overall, 'score', 'higher'),
    k('Low-score share', (x) => x.satisfaction.lowShare, 'percent', 'lower'),
    k('Tickets created', (x) => x.tickets.created, 'count', 'neither'),
    k('Tickets resolved', (x) => x.tickets.resolved, 'count', 'higher'),
    k('Accept SLA met', (x) => x.tickets.acceptSlaMet, 'percent', 'higher'),
    k('Resolve SLA met', (x) => x.tickets.resolveSlaMet, 'percent', 'higher'),
    k('Deadlines missed', (x) => x.tickets.overdue, 'count', 'lower'),
    k('Escalations', (x) => x.tickets.escalated, 'count', 'lower'),
    k('Reassignments', (x) => x.tickets.reassigned, 'count', 'neither'),
  ];
}

/** Whether a change is good, bad or neither. */
export function trend(k: Kpi): 'good' | 'bad' | 'same' | 'none' {
  if (k.value === null || k.previous === null) return 'none';
  if (k.value === k.previous || k.better === 'neither') return 'same';
  return k.value > k.previous === (k.better === 'higher') ? 'good' : 'bad';
}

/** Counts of a breakdown as rows, largest first. */
export function breakdown(
  counts: Record<string, number>,
): Array<{ key: string; count: number; share: number }> {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return Object.entries(counts)
    .map(([key, count]) => ({ key, count, share: total === 0 ? 0 : count / total }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}
