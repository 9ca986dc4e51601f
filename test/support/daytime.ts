/**
 * The simulated centre follows its own clock: quiet at night, busy in the late morning. Tests that
 * need a busy floor whatever the hour they run at put the centre in a real time zone where it is
 * late morning now.
 */
import { DateTime } from 'luxon';

const ZONES = [
  'Pacific/Kiritimati',
  'Pacific/Auckland',
  'Australia/Sydney',
  'Asia/Tokyo',
  'Asia/Singapore',
  'Asia/Bangkok',
  'Asia/Dhaka',
  'Asia/Kolkata',
  'Asia/Karachi',
  'Asia/Dubai',
  'Europe/Moscow',
  'Europe/Athens',
  'Europe/Berlin',
  'Europe/London',
  'Atlantic/Azores',
  'Atlantic/South_Georgia',
  'America/Sao_Paulo',
  'America/Halifax',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/Anchorage',
  'Pacific/Honolulu',
  'Pacific/Pago_Pago',
] as const;

/** The zone (of a fixed list of real ones) whose local time at `now` is closest to 11:00. */
export function daytimeZone(now: number = Date.now()): string {
  const distance = (zone: string) => {
    const t = DateTime.fromMillis(now, { zone });
    return Math.abs(t.hour * 60 + t.minute - 11 * 60);
  };
  return [...ZONES].sort((a, b) => distance(a) - distance(b))[0] ?? 'Europe/Berlin';
}
