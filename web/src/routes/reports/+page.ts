/**
 * Loads the shift report of the chosen date, the six days before it for trends and comparison, and
 * the day after when a shift runs past midnight (its morning hours are in that date's hourly figures).
 */
import type { ShiftsResponse } from '$contract/summary';
import { api, ApiError } from '$lib/api';
import { addDays } from '$lib/format';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url }) => {
  const asked = url.searchParams.get('date');
  const date = asked !== null && /^\d{4}-\d{2}-\d{2}$/.test(asked) ? asked : null;
  try {
    // Without a date the server answers for today in the centre's time zone.
    const report = await api<ShiftsResponse>(date === null ? '/shifts' : `/shifts?date=${date}`, { fetch });
    const get = (d: string) => api<ShiftsResponse>(`/shifts?date=${d}`, { fetch }).catch(() => null);
    const dayEnd = Date.parse(report.day.end);
    const crossesMidnight = report.shifts.some((s) => Date.parse(s.end) > dayEnd);
    const [next, earlier] = await Promise.all([
      crossesMidnight ? get(addDays(report.date, 1)) : Promise.resolve(null),
      Promise.all([1, 2, 3, 4, 5, 6].map((d) => get(addDays(report.date, -d)))),
    ]);
    return { report, earlier, next, error: null };
  } catch (err) {
    return {
      report: null,
      earlier: [],
      next: null,
      error: err instanceof ApiError || err instanceof Error ? err.message : String(err),
    };
  }
};
