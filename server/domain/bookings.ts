/**
 * Moving counter contributions (pure). A call or an agent's wrap-up keeps what it has booked; when a
 * later event changes where or how it counts (a queue event arriving after the answer, a transfer, a
 * late state change), the projector books only the difference, so each ends counted exactly once.
 */
import type { Effects } from './effects.ts';
import type { Booking } from './records.ts';
import { periodsAt, type ProjectionContext } from './working-set.ts';

/** Adds `by` to `field` of the booking for (`group`, `at`) in `into`, creating it if needed. */
export function addToBooking(into: Booking[], group: string, at: number, field: string, by = 1): void {
  if (by === 0) return;
  let b = into.find((x) => x.group === group && x.at === at);
  if (!b) {
    b = { group, at, fields: {} };
    into.push(b);
  }
  b.fields[field] = (b.fields[field] ?? 0) + by;
}

/** Books `after` in place of `before`: only the net differences reach the counters. */
export function rebook(
  fx: Effects,
  ctx: ProjectionContext,
  before: readonly Booking[],
  after: readonly Booking[],
): void {
  const net = new Map<string, { group: string; at: number; fields: Map<string, number> }>();
  const collect = (list: readonly Booking[], sign: number) => {
    for (const b of list) {
      const key = `${b.at}\u0000${b.group}`;
      let entry = net.get(key);
      if (!entry) {
        entry = { group: b.group, at: b.at, fields: new Map() };
        net.set(key, entry);
      }
      for (const [field, v] of Object.entries(b.fields)) {
        entry.fields.set(field, (entry.fields.get(field) ?? 0) + sign * v);
      }
    }
  };
  collect(before, -1);
  collect(after, 1);
  for (const { group, at, fields } of net.values()) {
    const changed = [...fields].filter(([, v]) => v !== 0);
    if (changed.length === 0) continue;
    // The centre's totals are also kept per clock hour, for the hourly charts of the shift report.
    const periods = group === 'calls' ? [...periodsAt(ctx, at), ctx.calendar.hourAt(at)] : periodsAt(ctx, at);
    for (const [field, v] of changed) fx.add(periods, group, field, v);
  }
}
