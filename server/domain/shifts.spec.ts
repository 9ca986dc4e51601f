import { describe, expect, it } from 'vitest';
import type { ShiftDefinition } from '../../config/schema.ts';
import { createShiftCalendar, parseIsoDate, type Period } from './shifts.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;

const threeShifts: ShiftDefinition[] = [
  { name: 'morning', start: '07:00', end: '15:00' },
  { name: 'late', start: '15:00', end: '23:00' },
  { name: 'night', start: '23:00', end: '07:00' },
];
const withGap: ShiftDefinition[] = [
  { name: 'morning', start: '07:00', end: '15:00' },
  { name: 'late', start: '15:00', end: '22:00' },
];
const berlin = createShiftCalendar('Europe/Berlin', threeShifts);
const newYork = createShiftCalendar('America/New_York', threeShifts);

/** Epoch ms of an ISO timestamp written with its offset. */
const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad fixture ${iso}`);
  return ms;
};
const length = (p: Period): number => p.end - p.start;
const shift = (periods: Period[], name: string): Period => {
  const found = periods.find((p) => p.name === name);
  if (!found) throw new Error(`no shift ${name}`);
  return found;
};
const asIso = (cal: typeof berlin, p: Period | null) => p && [p.id, cal.toIso(p.start), cal.toIso(p.end)];
const summary = (parts: Array<{ period: Period; ms: number }>) =>
  parts.map((p) => [p.period.id, p.ms / HOUR]);
const total = (parts: Array<{ period: Period; ms: number }>, kind: Period['kind']) =>
  parts.filter((p) => p.period.kind === kind).reduce((sum, p) => sum + p.ms, 0);

describe('shiftsForDate', () => {
  it('lists the shifts that start on a date with their local starts and ends', () => {
    expect(berlin.shiftsForDate('2026-03-01').map((p) => asIso(berlin, p))).toEqual([
      ['2026-03-01/morning', '2026-03-01T07:00:00+01:00', '2026-03-01T15:00:00+01:00'],
      ['2026-03-01/late', '2026-03-01T15:00:00+01:00', '2026-03-01T23:00:00+01:00'],
      ['2026-03-01/night', '2026-03-01T23:00:00+01:00', '2026-03-02T07:00:00+01:00'],
    ]);
  });

  it('describes each shift as a period of kind shift on the date it starts', () => {
    expect(berlin.shiftsForDate('2026-03-01')[2]).toEqual({
      id: '2026-03-01/night',
      kind: 'shift',
      name: 'night',
      date: '2026-03-01',
      start: at('2026-03-01T23:00:00+01:00'),
      end: at('2026-03-02T07:00:00+01:00'),
    });
  });

  it('keeps the definition order rather than the order of the day', () => {
    const cal = createShiftCalendar('Europe/Berlin', [threeShifts[2]!, threeShifts[0]!, threeShifts[1]!]);
    expect(cal.shiftsForDate('2026-03-01').map((p) => p.name)).toEqual(['night', 'morning', 'late']);
  });

  it('rejects a date that is not YYYY-MM-DD', () => {
    expect(() => berlin.shiftsForDate('2026-3-1')).toThrow(/Invalid date "2026-3-1"/);
  });
});

describe('dayOf', () => {
  it('runs from local midnight to the next local midnight', () => {
    expect(asIso(berlin, berlin.dayOf('2026-03-01'))).toEqual([
      '2026-03-01',
      '2026-03-01T00:00:00+01:00',
      '2026-03-02T00:00:00+01:00',
    ]);
    expect(berlin.dayOf('2026-03-01')).toMatchObject({ kind: 'day', name: 'day', date: '2026-03-01' });
  });
});

describe('shiftAt', () => {
  it('gives the night shift of the previous date just before the morning shift starts', () => {
    expect(berlin.shiftAt(at('2026-03-02T06:59:00+01:00'))?.id).toBe('2026-03-01/night');
    expect(berlin.shiftAt(at('2026-03-02T07:00:00+01:00') - 1)?.id).toBe('2026-03-01/night');
  });

  it('gives the morning shift from the instant it starts', () => {
    expect(berlin.shiftAt(at('2026-03-02T07:00:00+01:00'))?.id).toBe('2026-03-02/morning');
  });

  it('gives the night shift of the same date before midnight', () => {
    expect(berlin.shiftAt(at('2026-03-01T23:30:00+01:00'))?.id).toBe('2026-03-01/night');
  });

  it('returns null between shifts', () => {
    const cal = createShiftCalendar('Europe/Berlin', withGap);
    expect(cal.shiftAt(at('2026-03-01T22:00:00+01:00'))).toBeNull();
    expect(cal.shiftAt(at('2026-03-02T03:00:00+01:00'))).toBeNull();
    expect(cal.shiftAt(at('2026-03-01T21:59:59.999+01:00'))?.id).toBe('2026-03-01/late');
  });
});

describe('dayAt, periodsAt, isoDate and toIso', () => {
  it('attributes an instant to its local day, not its UTC day', () => {
    const ms = at('2026-03-01T23:30:00Z');
    expect(berlin.isoDate(ms)).toBe('2026-03-02');
    expect(berlin.dayAt(ms).id).toBe('2026-03-02');
    expect(berlin.toIso(ms)).toBe('2026-03-02T00:30:00+01:00');
  });

  it('lists the day and then the shift containing an instant', () => {
    expect(berlin.periodsAt(at('2026-03-02T06:59:00+01:00')).map((p) => p.id)).toEqual([
      '2026-03-02',
      '2026-03-01/night',
    ]);
  });

  it('lists only the day for an instant between shifts', () => {
    const cal = createShiftCalendar('Europe/Berlin', withGap);
    expect(cal.periodsAt(at('2026-03-01T22:30:00+01:00')).map((p) => p.id)).toEqual(['2026-03-01']);
  });

  it('keeps milliseconds in toIso only when there are some', () => {
    expect(berlin.toIso(at('2026-07-01T12:00:00.250Z'))).toBe('2026-07-01T14:00:00.250+02:00');
  });

  it('rejects a time that is not a number of milliseconds', () => {
    expect(() => berlin.dayAt(Number.NaN)).toThrow(/epoch milliseconds/);
  });
});

describe('daylight saving time', () => {
  it('makes the Berlin spring-forward day 23 hours and the night shift before it 7 hours', () => {
    expect(length(berlin.dayOf('2026-03-29'))).toBe(23 * HOUR);
    const night = shift(berlin.shiftsForDate('2026-03-28'), 'night');
    expect(length(night)).toBe(7 * HOUR);
    expect(asIso(berlin, night)).toEqual([
      '2026-03-28/night',
      '2026-03-28T23:00:00+01:00',
      '2026-03-29T07:00:00+02:00',
    ]);
    expect(length(shift(berlin.shiftsForDate('2026-03-29'), 'morning'))).toBe(8 * HOUR);
  });

  it('makes the Berlin fall-back day 25 hours and the night shift before it 9 hours', () => {
    expect(length(berlin.dayOf('2026-10-25'))).toBe(25 * HOUR);
    const night = shift(berlin.shiftsForDate('2026-10-24'), 'night');
    expect(length(night)).toBe(9 * HOUR);
    expect(asIso(berlin, night)).toEqual([
      '2026-10-24/night',
      '2026-10-24T23:00:00+02:00',
      '2026-10-25T07:00:00+01:00',
    ]);
  });

  it('makes the New York spring-forward day 23 hours and the night shift before it 7 hours', () => {
    expect(length(newYork.dayOf('2026-03-08'))).toBe(23 * HOUR);
    expect(length(shift(newYork.shiftsForDate('2026-03-07'), 'night'))).toBe(7 * HOUR);
    expect(newYork.toIso(newYork.dayOf('2026-03-08').end)).toBe('2026-03-09T00:00:00-04:00');
  });

  it('makes the New York fall-back day 25 hours and the night shift before it 9 hours', () => {
    expect(length(newYork.dayOf('2026-11-01'))).toBe(25 * HOUR);
    expect(length(shift(newYork.shiftsForDate('2026-10-31'), 'night'))).toBe(9 * HOUR);
    expect(newYork.toIso(newYork.dayOf('2026-11-01').start)).toBe('2026-11-01T00:00:00-04:00');
  });

  it('starts a shift set in the spring-forward gap at the first instant after the gap', () => {
    const defs: ShiftDefinition[] = [
      { name: 'overnight', start: '22:00', end: '02:30' },
      { name: 'early', start: '02:30', end: '10:30' },
    ];
    const cal = createShiftCalendar('Europe/Berlin', defs);
    const early = shift(cal.shiftsForDate('2026-03-29'), 'early');
    expect(cal.toIso(early.start)).toBe('2026-03-29T03:00:00+02:00');
    expect(length(early)).toBe(7.5 * HOUR);
    const overnight = shift(cal.shiftsForDate('2026-03-28'), 'overnight');
    expect(overnight.end).toBe(early.start);
    expect(cal.shiftAt(early.start - 1)?.id).toBe('2026-03-28/overnight');
    expect(cal.shiftAt(early.start)?.id).toBe('2026-03-29/early');

    const ny = createShiftCalendar('America/New_York', defs);
    expect(ny.toIso(shift(ny.shiftsForDate('2026-03-08'), 'early').start)).toBe('2026-03-08T03:00:00-04:00');
  });

  it('starts a shift set at a repeated fall-back wall time at its second occurrence', () => {
    const cal = createShiftCalendar('Europe/Berlin', [{ name: 'early', start: '02:30', end: '10:30' }]);
    expect(cal.toIso(cal.shiftsForDate('2026-10-25')[0]!.start)).toBe('2026-10-25T02:30:00+01:00');
  });

  it('attributes both passes through the repeated hour to the same day and night shift', () => {
    const first = at('2026-10-25T02:30:00+02:00');
    const second = at('2026-10-25T02:30:00+01:00');
    expect(berlin.periodsAt(first).map((p) => p.id)).toEqual(['2026-10-25', '2026-10-24/night']);
    expect(berlin.periodsAt(second).map((p) => p.id)).toEqual(['2026-10-25', '2026-10-24/night']);
  });
});

describe('split', () => {
  it('divides an interval across midnight and a shift change among days and shifts', () => {
    const from = at('2026-03-01T22:00:00+01:00');
    const to = at('2026-03-02T08:30:00+01:00');
    const parts = berlin.split(from, to);
    expect(summary(parts)).toEqual([
      ['2026-03-01', 2],
      ['2026-03-01/late', 1],
      ['2026-03-01/night', 8],
      ['2026-03-02', 8.5],
      ['2026-03-02/morning', 1.5],
    ]);
    expect(total(parts, 'day')).toBe(to - from);
    expect(total(parts, 'shift')).toBe(to - from);
  });

  it('counts the real length of a DST night', () => {
    const from = at('2026-03-28T20:00:00+01:00');
    const to = at('2026-03-29T12:00:00+02:00');
    expect(summary(berlin.split(from, to))).toEqual([
      ['2026-03-28', 4],
      ['2026-03-28/late', 3],
      ['2026-03-28/night', 7],
      ['2026-03-29', 11],
      ['2026-03-29/morning', 5],
    ]);
    expect(to - from).toBe(15 * HOUR);
  });

  it('leaves time between shifts out of the shifts but not out of the day', () => {
    const cal = createShiftCalendar('Europe/Berlin', withGap);
    const from = at('2026-03-01T21:00:00+01:00');
    const to = at('2026-03-02T08:00:00+01:00');
    const parts = cal.split(from, to);
    expect(summary(parts)).toEqual([
      ['2026-03-01', 3],
      ['2026-03-01/late', 1],
      ['2026-03-02', 8],
      ['2026-03-02/morning', 1],
    ]);
    expect(total(parts, 'day')).toBe(to - from);
  });

  it('covers a three-day interval with every shift and day it touches', () => {
    const from = at('2026-03-01T07:00:00+01:00');
    const to = at('2026-03-04T07:00:00+01:00');
    const parts = berlin.split(from, to);
    const shifts = parts.filter((p) => p.period.kind === 'shift');
    expect(shifts).toHaveLength(9);
    expect(shifts.every((p) => p.ms === 8 * HOUR)).toBe(true);
    expect(shifts.at(-1)?.period.id).toBe('2026-03-03/night');
    expect(summary(parts.filter((p) => p.period.kind === 'day'))).toEqual([
      ['2026-03-01', 17],
      ['2026-03-02', 24],
      ['2026-03-03', 24],
      ['2026-03-04', 7],
    ]);
    expect(total(parts, 'shift')).toBe(72 * HOUR);
  });

  it('walks a year-long interval by period boundaries', () => {
    const from = at('2026-01-01T00:00:00+01:00');
    const to = at('2027-01-01T00:00:00+01:00');
    const parts = berlin.split(from, to);
    expect(parts.filter((p) => p.period.kind === 'day')).toHaveLength(365);
    // The night of 31 Dec 2025 runs into the year; the night of 31 Dec 2026 starts inside it.
    expect(parts.filter((p) => p.period.kind === 'shift')).toHaveLength(1 + 365 * 3);
    expect(total(parts, 'day')).toBe(365 * 24 * HOUR);
    expect(total(parts, 'shift')).toBe(365 * 24 * HOUR);
  });

  it('gives part of a single shift for an interval inside it', () => {
    const from = at('2026-03-01T08:00:00+01:00');
    expect(summary(berlin.split(from, from + 30 * MINUTE))).toEqual([
      ['2026-03-01', 0.5],
      ['2026-03-01/morning', 0.5],
    ]);
  });

  it('is empty when the interval is empty or reversed', () => {
    const ms = at('2026-03-01T08:00:00+01:00');
    expect(berlin.split(ms, ms)).toEqual([]);
    expect(berlin.split(ms, ms - HOUR)).toEqual([]);
  });
});

describe('createShiftCalendar', () => {
  it('accepts shifts that meet end to start', () => {
    expect(() => createShiftCalendar('Europe/Berlin', threeShifts)).not.toThrow();
  });

  it('rejects overlapping shifts and names both', () => {
    const defs: ShiftDefinition[] = [
      { name: 'morning', start: '07:00', end: '15:00' },
      { name: 'late', start: '14:00', end: '22:00' },
    ];
    expect(() => createShiftCalendar('Europe/Berlin', defs)).toThrow(
      'Shifts "morning" (07:00-15:00) and "late" (14:00-22:00) overlap',
    );
  });

  it('rejects a shift overlapping a night shift across midnight', () => {
    const defs: ShiftDefinition[] = [
      { name: 'night', start: '22:00', end: '06:00' },
      { name: 'early', start: '05:00', end: '13:00' },
    ];
    expect(() => createShiftCalendar('Europe/Berlin', defs)).toThrow(/"night".*"early".*overlap/);
  });

  it('rejects duplicate shift names', () => {
    const defs: ShiftDefinition[] = [
      { name: 'morning', start: '07:00', end: '11:00' },
      { name: 'morning', start: '12:00', end: '15:00' },
    ];
    expect(() => createShiftCalendar('Europe/Berlin', defs)).toThrow('Shift name "morning" is used twice');
  });

  it('rejects a time zone that is not an IANA name', () => {
    expect(() => createShiftCalendar('Mars/Olympus', threeShifts)).toThrow(
      'Unknown time zone "Mars/Olympus": use an IANA zone name',
    );
  });

  it('rejects a shift that starts and ends at the same time', () => {
    expect(() =>
      createShiftCalendar('Europe/Berlin', [{ name: 'allday', start: '07:00', end: '07:00' }]),
    ).toThrow('Shift "allday" starts and ends at 07:00');
  });

  it('rejects a time that is not HH:MM', () => {
    expect(() =>
      createShiftCalendar('Europe/Berlin', [{ name: 'morning', start: '7:00', end: '15:00' }]),
    ).toThrow('Shift "morning" has start "7:00": expected HH:MM');
  });
});

describe('parseIsoDate', () => {
  it('returns a real calendar date unchanged', () => {
    expect(parseIsoDate('2026-03-01')).toBe('2026-03-01');
    expect(parseIsoDate('2028-02-29')).toBe('2028-02-29');
  });

  it('rejects a day the calendar does not have', () => {
    expect(() => parseIsoDate('2026-02-30')).toThrow('Invalid date "2026-02-30": there is no such day');
    expect(() => parseIsoDate('2026-13-01')).toThrow(/no such day/);
  });

  it('rejects a date without zero padding', () => {
    expect(() => parseIsoDate('2026-2-3')).toThrow('Invalid date "2026-2-3": expected YYYY-MM-DD');
  });

  it('rejects text that is not a date', () => {
    expect(() => parseIsoDate('yesterday')).toThrow(/expected YYYY-MM-DD/);
  });
});

describe('cached answers', () => {
  // periodsAt, hourAt and isoDate cache per UTC hour where the answer cannot change within it.
  const zones = [
    'Europe/Berlin',
    'America/New_York',
    'America/Santiago', // DST changes at local midnight
    'Australia/Lord_Howe', // 30-minute DST shift
    'Asia/Kathmandu', // +05:45
    'Pacific/Chatham', // +12:45 / +13:45
    'America/St_Johns', // -03:30 / -02:30
    'Africa/Casablanca', // DST suspended for Ramadan
  ];
  const configs: ShiftDefinition[][] = [
    threeShifts,
    withGap,
    [
      { name: 'early', start: '00:00', end: '02:30' },
      { name: 'mid', start: '02:45', end: '13:15' },
      { name: 'late', start: '13:40', end: '23:50' },
    ],
  ];
  /** Instants around each offset change of 2026 (every 5 minutes, and a millisecond before the next minute) and over the year. */
  const instants = (timezone: string): number[] => {
    const probe = createShiftCalendar(timezone, threeShifts, { memo: false });
    const offset = (ms: number) => probe.toIso(ms).slice(19);
    const out: number[] = [];
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 6 * HOUR) {
      if (rand() < 0.25) out.push(t + Math.floor(rand() * 6 * HOUR));
      if (offset(t) !== offset(t + 6 * HOUR)) {
        for (let m = -3 * 60; m <= 9 * 60; m += 5) out.push(t + m * MINUTE, t + m * MINUTE + 59_999);
      }
    }
    // A shuffled order, so cache entries are made from every part of an hour.
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  };

  it.each(zones)(
    'are the uncached answers at every probed instant in %s',
    (timezone) => {
      const probes = instants(timezone);
      for (const shifts of configs) {
        const cached = createShiftCalendar(timezone, shifts);
        const uncached = createShiftCalendar(timezone, shifts, { memo: false });
        const mismatches: string[] = [];
        for (const ms of probes) {
          const got = [cached.periodsAt(ms), cached.hourAt(ms), cached.isoDate(ms)];
          const want = [uncached.periodsAt(ms), uncached.hourAt(ms), uncached.isoDate(ms)];
          if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(new Date(ms).toISOString());
        }
        expect(mismatches.slice(0, 5)).toEqual([]);
      }
    },
    60_000,
  );
});
