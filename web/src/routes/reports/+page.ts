/** Loads the shift report of the chosen date, and the six days before it for trends and comparison. */
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
    const earlier = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((d) =>
        api<ShiftsResponse>(`/shifts?date=${addDays(report.date, -d)}`, { fetch }).catch(() => null),
      ),
    );
    return { report, earlier, error: null };
  } catch (err) {
    return {
      report: null,
      earlier: [],
      error: err instanceof ApiError || err instanceof Error ? err.message : String(err),
    };
  }
};
