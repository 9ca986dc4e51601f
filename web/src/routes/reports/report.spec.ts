import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { CallSummary, SatisfactionSummary, ShiftsResponse } from '$contract/summary';
import { hoursOf, pickPeriod } from './report';

const ZONE = 'Europe/Berlin';

function calls(offered: number): CallSummary {
  return {
    offered,
    answered: offered,
    abandoned: 0,
    shortAbandoned: 0,
    answeredWithinThreshold: offered,
    serviceLevel: offered === 0 ? null : 1,
    abandonRate: offered === 0 ? null : 0,
    asaSeconds: offered === 0 ? null : 5,
    ahtSeconds: offered === 0 ? null : 120,
  };
}

const noSurveys: SatisfactionSummary = {
  count: 0,
  mean: { speed: null, resolution: null, professionalism: null, recommend: null },
  overall: null,
  lowCount: 0,
  lowShare: null,
};

/** A report of `date` with its clock hours (as the server makes them) and a night shift 23:00–07:00. */
function report(date: string): ShiftsResponse {
  const start = DateTime.fromISO(date, { zone: ZONE });
  const end = start.plus({ days: 1 });
  const hourly: ShiftsResponse['hourly'] = [];
  for (let t = start; t < end; t = t.plus({ hours: 1 })) {
    const iso = (d: DateTime) => d.toISO({ suppressMilliseconds: true }) ?? '';
    hourly.push({
      hour: t.toFormat('HH:00'),
      start: iso(t),
      end: iso(t.plus({ hours: 1 })),
      calls: calls(t.hour),
      satisfaction: noSurveys,
    });
  }
  const shift = (name: string, from: DateTime, to: DateTime) =>
    ({ name, start: from.toISO(), end: to.toISO() }) as ShiftsResponse['shifts'][number];
  return {
    date,
    timezone: ZONE,
    day: { start: start.toISO(), end: end.toISO() } as ShiftsResponse['day'],
    shifts: [
      shift('morning', start.set({ hour: 7 }), start.set({ hour: 15 })),
      shift('night', start.set({ hour: 23 }), end.set({ hour: 7 })),
    ],
    hourly,
    topComplaintCategories7d: [],
  };
}

describe('hours of a period', () => {
  it('takes every hour of the day for the whole day', () => {
    const r = report('2026-03-02');
    const { hours, missing } = hoursOf(pickPeriod(r, 'day'), r, null);
    expect(hours.map((h) => h.label)).toEqual(r.hourly.map((h) => h.hour));
    expect(hours[8]?.title).toBe('Mon 2 Mar 08:00');
    expect(missing).toBe(false);
  });

  it('takes only the hours that start within a shift', () => {
    const r = report('2026-03-02');
    const { hours } = hoursOf(pickPeriod(r, 'morning'), r, null);
    expect(hours.map((h) => h.label)).toEqual(
      ['07', '08', '09', '10', '11', '12', '13', '14'].map((h) => `${h}:00`),
    );
  });

  it('takes the morning hours of a night shift from the next date, and marks the repeated DST hour', () => {
    const r = report('2026-10-24');
    const next = report('2026-10-25');
    expect(next.hourly).toHaveLength(25);
    const { hours, missing } = hoursOf(pickPeriod(r, 'night'), r, next);
    expect(hours.map((h) => h.label)).toEqual([
      '23:00',
      '00:00',
      '01:00',
      '02:00',
      '02:00 (2nd)',
      '03:00',
      '04:00',
      '05:00',
      '06:00',
    ]);
    expect(hours[4]?.title).toBe('Sun 25 Oct 02:00 (2nd)');
    expect(hours[1]?.calls.offered).toBe(0);
    expect(hours[8]?.calls.offered).toBe(6);
    expect(missing).toBe(false);
  });

  it('says when the next date is needed but missing', () => {
    const r = report('2026-03-02');
    const { hours, missing } = hoursOf(pickPeriod(r, 'night'), r, null);
    expect(hours.map((h) => h.label)).toEqual(['23:00']);
    expect(missing).toBe(true);
  });
});
