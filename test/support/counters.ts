/** Reads one shift/day counter hash of a harness as numbers, for assertions. */
import type { Harness } from './harness.ts';

/** The counters of `group` in `period`; a field at 0 (moved away by a later event) is left out. */
export async function counters(h: Harness, group: string, period: string): Promise<Record<string, number>> {
  const [hash] = await h.store.hgetall([h.keys.counter({ name: 'agg', period, group })]);
  return Object.fromEntries(
    Object.entries(hash ?? {})
      .map(([k, v]) => [k, Number(v)] as const)
      .filter(([, v]) => v !== 0),
  );
}
