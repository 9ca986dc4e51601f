/**
 * Shift and day boundaries in the centre's time zone, as epoch-ms periods.
 *
 * A date's shifts are the shifts that start on that date; a shift whose end is not after its start
 * crosses midnight. The day is 00:00–24:00 local. Boundaries come from wall times in the zone, so on a
 * DST day a day or a shift is 23 or 25 hours long. A wall time skipped by a forward transition maps to
 * the first instant after the gap (02:30 on a spring-forward night becomes 03:00); a wall time that
 * occurs twice (fall back) takes luxon's choice, the later occurrence.
 */
import { DateTime, IANAZone, type Zone } from 'luxon';
import type { ShiftDefinition } from '../../config/schema.ts';

/** A shift or a calendar day: the half-open interval [start, end) in epoch ms. */
export interface Period {
  id: string;
  kind: 'shift' | 'day' | 'hour';
  name: string;
  /** YYYY-MM-DD (local) that the period starts on. */
  date: string;
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive. */
  end: number;
}

/** Shift and day boundaries for one centre; every method is pure and the periods it returns are frozen. */
export interface ShiftCalendar {
  timezone: string;
  /** The shifts that start on `date`, in definition order. */
  shiftsForDate(date: string): Period[];
  /** The calendar day `date`, 00:00 to 24:00 local. */
  dayOf(date: string): Period;
  /** The shift containing `ms` (it may have started the previous date), or null between shifts. */
  shiftAt(ms: number): Period | null;
  /** The calendar day containing `ms`. */
  dayAt(ms: number): Period;
  /** How much of [fromMs, toMs) falls in each day and each shift, by period start (day first on ties). */
  split(fromMs: number, toMs: number): Array<{ period: Period; ms: number }>;
  /** The day containing `ms`, then the shift containing it if there is one (a frozen, shared array). */
  periodsAt(ms: number): Period[];
  /** The local clock hour containing `ms` (id `YYYY-MM-DDTHH`, kind 'hour'; DST-safe: the repeated
   * hour of a fall-back night is two periods, `…T02` and `…T02+1`). */
  hourAt(ms: number): Period;
  /** The local clock hours of `date`, in order (23, 24 or 25 of them). */
  hoursOfDate(date: string): Period[];
  /** The local date (YYYY-MM-DD) of `ms`. */
  isoDate(ms: number): string;
  /** `ms` as ISO-8601 with the centre's offset, e.g. 2026-03-01T07:00:00+01:00. */
  toIso(ms: number): string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const MINUTES_PER_DAY = 24 * 60;
/** Dates whose periods a calendar keeps; enough for the few dates live traffic touches. */
const CACHE_DATES = 64;
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

interface ParsedShift {
  name: string;
  label: string;
  startMin: number;
  endMin: number;
  /** Wall-clock length in minutes, 1..1439. */
  length: number;
  crossesMidnight: boolean;
}

interface DateEntry {
  day: Period;
  shifts: Period[];
}

/** Returns `date` if it is a real calendar date written YYYY-MM-DD; otherwise throws a readable Error. */
export function parseIsoDate(date: string): string {
  const match = ISO_DATE.exec(date);
  if (!match) {
    throw new Error(`Invalid date "${date}": expected YYYY-MM-DD, e.g. 2026-03-01`);
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (!DateTime.fromObject({ year, month, day }, { zone: 'utc' }).isValid) {
    throw new Error(`Invalid date "${date}": there is no such day in the calendar`);
  }
  return date;
}

export interface ShiftCalendarOptions {
  /** Cache answers per UTC hour (default true); false gives the uncached answers tests compare with. */
  memo?: boolean;
}

/** Builds the calendar for `shifts` in `timezone`; throws a readable Error for a config that cannot work. */
export function createShiftCalendar(
  timezone: string,
  shifts: ShiftDefinition[],
  options: ShiftCalendarOptions = {},
): ShiftCalendar {
  if (!IANAZone.isValidZone(timezone)) {
    throw new Error(`Unknown time zone "${timezone}": use an IANA zone name such as "Europe/Berlin"`);
  }
  const zone = IANAZone.create(timezone);
  const defs = parseShifts(shifts);
  const cache = new Map<string, DateEntry>();

  const offsetMs = (ms: number): number => zone.offset(ms) * MINUTE;

  /** Epoch ms of wall time `minutes` after local midnight of `date`; a skipped wall time maps to the gap's end. */
  const wallToMs = (date: string, minutes: number): number => {
    const [year, month, day] = dateParts(date);
    const hour = Math.floor(minutes / 60);
    const minute = minutes % 60;
    const dt = DateTime.fromObject({ year, month, day, hour, minute }, { zone });
    if (dt.day === day && dt.hour === hour && dt.minute === minute) return dt.toMillis();
    // luxon moves a skipped wall time forward by the size of the gap; we want the transition itself,
    // the first instant whose local wall time is at or after the one asked for.
    const wall = utcMs(year, month, day, minutes);
    let lo = dt.toMillis() - 26 * HOUR;
    let hi = dt.toMillis();
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (mid + offsetMs(mid) >= wall) hi = mid;
      else lo = mid;
    }
    return hi;
  };

  const entryFor = (date: string): DateEntry => {
    const cached = cache.get(date);
    if (cached) return cached;
    const next = addDays(date, 1);
    const day = period({
      id: date,
      kind: 'day',
      name: 'day',
      date,
      start: wallToMs(date, 0),
      end: wallToMs(next, 0),
    });
    const periods = defs.map((def) =>
      period({
        id: `${date}/${def.name}`,
        kind: 'shift',
        name: def.name,
        date,
        start: wallToMs(date, def.startMin),
        end: wallToMs(def.crossesMidnight ? next : date, def.endMin),
      }),
    );
    const entry: DateEntry = { day, shifts: periods };
    if (cache.size >= CACHE_DATES) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    cache.set(date, entry);
    return entry;
  };

  const rawIsoDate = (ms: number): string => {
    const local = new Date(ms + offsetMs(ms));
    return formatDate(local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate());
  };

  // Memos by UTC hour bucket. Finding the zone offset costs microseconds (Intl), and ingestion asks
  // for the date, periods and clock hour of every event, so answers are cached where they are
  // provably the same for the whole bucket: the offset is equal at both ends of the bucket (tz
  // offsets change at most once in any hour, so it is then constant throughout) and no period
  // boundary falls inside it. Other buckets (those with a transition, a local midnight or a shift
  // change) are computed every time, so results are exactly those of the uncached code.
  const dateMemo = new Map<number, string>();
  const periodsMemo = new Map<number, readonly Period[]>();
  const hourMemo = new Map<number, Period[]>();
  const constantOffset = (from: number, to: number): boolean => zone.offset(from) === zone.offset(to);
  const memoize = options.memo ?? true;

  const isoDate = (ms: number): string => {
    checkMs(ms);
    const bucket = Math.floor(ms / HOUR);
    const memo = dateMemo.get(bucket);
    if (memo !== undefined) return memo;
    const date = rawIsoDate(ms);
    const start = bucket * HOUR;
    const last = start + HOUR - 1;
    if (memoize && constantOffset(start, last) && rawIsoDate(start) === date && rawIsoDate(last) === date) {
      remember(dateMemo, bucket, date);
    }
    return date;
  };

  const shiftAt = (ms: number): Period | null => {
    const date = isoDate(ms);
    // Shifts are shorter than a day, so only today's and yesterday's shifts can contain ms.
    for (const candidate of [date, addDays(date, -1)]) {
      for (const shift of entryFor(candidate).shifts) {
        if (shift.start <= ms && ms < shift.end) return shift;
      }
    }
    return null;
  };

  const dayAt = (ms: number): Period => entryFor(isoDate(ms)).day;

  const split = (fromMs: number, toMs: number): Array<{ period: Period; ms: number }> => {
    checkMs(fromMs);
    checkMs(toMs);
    if (toMs <= fromMs) return [];
    const parts: Array<{ period: Period; ms: number }> = [];
    const add = (p: Period): void => {
      const ms = Math.min(toMs, p.end) - Math.max(fromMs, p.start);
      if (ms > 0) parts.push({ period: p, ms });
    };
    const last = isoDate(toMs - 1);
    // One step per date: the day before `from` contributes only a shift that runs past its midnight.
    for (let date = addDays(isoDate(fromMs), -1); date <= last; date = addDays(date, 1)) {
      const entry = entryFor(date);
      add(entry.day);
      entry.shifts.forEach(add);
    }
    return parts.sort((a, b) => a.period.start - b.period.start || kindOrder(a.period) - kindOrder(b.period));
  };

  return {
    timezone,
    shiftsForDate: (date) => [...entryFor(parseIsoDate(date)).shifts],
    dayOf: (date) => entryFor(parseIsoDate(date)).day,
    shiftAt,
    dayAt,
    split,
    periodsAt: (ms) => {
      checkMs(ms);
      const bucket = Math.floor(ms / HOUR);
      const memo = periodsMemo.get(bucket);
      if (memo !== undefined) return memo as Period[];
      const shift = shiftAt(ms);
      const periods = Object.freeze(shift ? [dayAt(ms), shift] : [dayAt(ms)]);
      const start = bucket * HOUR;
      const end = start + HOUR;
      const date = isoDate(ms);
      // The periods cannot change inside the bucket when its date is constant (dateMemo) and no shift
      // that could contain it (this date's and the previous date's) starts or ends strictly inside.
      if (dateMemo.get(bucket) === date) {
        const inside = (t: number) => t > start && t < end;
        const candidates = [...entryFor(date).shifts, ...entryFor(addDays(date, -1)).shifts];
        if (!candidates.some((p) => inside(p.start) || inside(p.end))) remember(periodsMemo, bucket, periods);
      }
      return periods as Period[];
    },
    hourAt(ms) {
      checkMs(ms);
      const bucket = Math.floor(ms / HOUR);
      for (const h of hourMemo.get(bucket) ?? []) if (h.start <= ms && ms < h.end) return h;
      const hour = hourPeriod(ms, zone);
      // hourPeriod gives the same hour for every instant of [start, end) when the offset is constant there.
      if (memoize && constantOffset(hour.start, hour.end - 1)) {
        for (let b = Math.floor(hour.start / HOUR); b * HOUR < hour.end; b++) {
          const list = hourMemo.get(b) ?? [];
          list.push(hour);
          remember(hourMemo, b, list);
        }
      }
      return hour;
    },
    hoursOfDate(date) {
      const day = dayAt(DateTime.fromISO(parseIsoDate(date), { zone }).toMillis());
      const out: Period[] = [];
      for (let t = day.start; t < day.end;) {
        const h = hourPeriod(t, zone);
        out.push(h);
        t = h.end;
      }
      return out;
    },
    isoDate,
    toIso: (ms) => {
      checkMs(ms);
      const iso = DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true });
      if (iso === null) throw new Error(`Cannot format ${ms} as a date in ${timezone}: it is out of range`);
      return iso;
    },
  };
}

/** Buckets a memo keeps; enough for weeks of event time, and bounded for a long replay. */
const MEMO_BUCKETS = 4096;

function remember<V>(memo: Map<number, V>, bucket: number, value: V): void {
  if (!memo.has(bucket) && memo.size >= MEMO_BUCKETS) {
    const oldest = memo.keys().next().value;
    if (oldest !== undefined) memo.delete(oldest);
  }
  memo.set(bucket, value);
}

/** The clock hour of `ms` in `zone`: from the last instant the local time was HH:00 to the next hour. */
function hourPeriod(ms: number, zone: Zone): Period {
  const local = DateTime.fromMillis(ms, { zone });
  // Hours start at a whole UTC-offset-aligned instant; offsets here are whole or half hours, so use minutes.
  const start = ms - (local.minute * MINUTE + local.second * 1000 + local.millisecond);
  const end = start + HOUR;
  const date = local.toISODate() ?? '';
  const hh = String(local.hour).padStart(2, '0');
  // The repeated hour of a fall-back night: the second pass gets its own id.
  const earlier = DateTime.fromMillis(start - HOUR, { zone });
  const repeat = earlier.hour === local.hour && earlier.toISODate() === date;
  const id = `${date}T${hh}${repeat ? '+1' : ''}`;
  return Object.freeze({ id, kind: 'hour' as const, name: `${hh}:00`, date, start, end });
}

function parseShifts(shifts: ShiftDefinition[]): ParsedShift[] {
  const seen = new Set<string>();
  const parsed = shifts.map((shift): ParsedShift => {
    if (shift.name.length === 0) throw new Error('A shift has an empty name: give every shift a name');
    if (seen.has(shift.name)) {
      throw new Error(`Shift name "${shift.name}" is used twice: every shift needs its own name`);
    }
    seen.add(shift.name);
    const startMin = parseHhmm(shift.name, 'start', shift.start);
    const endMin = parseHhmm(shift.name, 'end', shift.end);
    if (startMin === endMin) {
      throw new Error(
        `Shift "${shift.name}" starts and ends at ${shift.start}: a shift must be shorter than 24 hours, so give it a different end`,
      );
    }
    return {
      name: shift.name,
      label: `"${shift.name}" (${shift.start}-${shift.end})`,
      startMin,
      endMin,
      length: (endMin - startMin + MINUTES_PER_DAY) % MINUTES_PER_DAY,
      crossesMidnight: endMin < startMin,
    };
  });
  // On an ordinary day each shift is an arc of the 24-hour clock; two arcs overlap when either one's
  // start falls inside the other.
  parsed.forEach((a, i) => {
    for (const b of parsed.slice(i + 1)) {
      const bInA = (b.startMin - a.startMin + MINUTES_PER_DAY) % MINUTES_PER_DAY < a.length;
      const aInB = (a.startMin - b.startMin + MINUTES_PER_DAY) % MINUTES_PER_DAY < b.length;
      if (bInA || aInB) {
        throw new Error(
          `Shifts ${a.label} and ${b.label} overlap: change their times so that each moment is in at most one shift (gaps are fine)`,
        );
      }
    }
  });
  return parsed;
}

function parseHhmm(name: string, field: 'start' | 'end', value: string): number {
  const match = HHMM.exec(value);
  if (!match)
    throw new Error(`Shift "${name}" has ${field} "${value}": expected HH:MM in 24-hour time, e.g. 07:00`);
  return Number(match[1]) * 60 + Number(match[2]);
}

function period(p: Period): Period {
  return Object.freeze(p);
}

function kindOrder(p: Period): number {
  return p.kind === 'day' ? 0 : 1;
}

function checkMs(ms: number): void {
  if (!Number.isFinite(ms)) throw new Error(`Expected a time in epoch milliseconds, got ${ms}`);
}

function dateParts(date: string): [number, number, number] {
  return [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
}

/** The wall time as if it were UTC; setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 19xx. */
function utcMs(year: number, month: number, day: number, minutes = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d.getTime() + minutes * MINUTE;
}

function addDays(date: string, days: number): string {
  const [year, month, day] = dateParts(date);
  const d = new Date(utcMs(year, month, day + days));
  return formatDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

function formatDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
