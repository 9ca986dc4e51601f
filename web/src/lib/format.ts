/** Formatting for the screen: times in the centre's time zone (luxon), durations, ratios. */
import { DateTime } from 'luxon';

/** `HH:mm:ss` in `zone`. */
export function clockTime(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat('HH:mm:ss');
}

/** `HH:mm` in `zone`. */
export function shortTime(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat('HH:mm');
}

/** `EEE d MMM` (e.g. "Mon 2 Mar") in `zone`. */
export function dayLabel(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat('EEE d MMM');
}

/** `yyyy-MM-dd HH:mm:ss` in `zone`. */
export function dateTime(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM-dd HH:mm:ss');
}

/** An ISO-8601 instant shown as `yyyy-MM-dd HH:mm:ss` in the offset it carries. */
export function isoDateTime(iso: string): string {
  const d = DateTime.fromISO(iso, { setZone: true });
  return d.isValid ? d.toFormat('yyyy-MM-dd HH:mm:ss') : iso;
}

/** An ISO-8601 instant shown as `HH:mm` in the offset it carries. */
export function isoShortTime(iso: string): string {
  const d = DateTime.fromISO(iso, { setZone: true });
  return d.isValid ? d.toFormat('HH:mm') : iso;
}

/** Today's date (`yyyy-MM-dd`) in `zone`. */
export function isoDateIn(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toISODate() ?? '';
}

/** A date `days` away from an ISO date. */
export function addDays(isoDate: string, days: number): string {
  return DateTime.fromISO(isoDate).plus({ days }).toISODate() ?? isoDate;
}

/** Seconds as `m:ss`, or `h:mm:ss` from an hour on; negative values are shown as 0:00. */
export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A coarse duration for "how late": `45 s`, `12 min`, `3 h 05 min`, `2 d 4 h`. */
export function lateness(seconds: number): string {
  const s = Math.abs(Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** A 0–1 ratio as a whole percentage, `–` for null. */
export function percent(r: number | null, digits = 0): string {
  return r === null || !Number.isFinite(r) ? '–' : `${(r * 100).toFixed(digits)}%`;
}

/** A number with fixed decimals, `–` for null. */
export function fixed(n: number | null, digits = 1): string {
  return n === null || !Number.isFinite(n) ? '–' : n.toFixed(digits);
}

/** A count with thousands separators. */
export function count(n: number): string {
  return n.toLocaleString('en-GB');
}

/** Human label for an identifier like `on_call` or `tech-support`. */
export function label(id: string | null): string {
  if (id === null || id === '') return '–';
  return id.replace(/[_-]+/g, ' ').replace(/^./, (c) => c.toUpperCase());
}
