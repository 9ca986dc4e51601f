/** Drives the real ingestion path (applyBatch → projector → store) without a broker, for tests. */
import { loadConfig } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import type { CcEvent } from '../../server/contract/events.ts';
import { projectionContextFactory } from '../../server/domain/context.ts';
import { createShiftCalendar } from '../../server/domain/shifts.ts';
import { applyBatch, type BatchOutcome } from '../../server/ingest/apply-batch.ts';
import { readLive } from '../../server/read/live.ts';
import { createKeys } from '../../server/store/keys.ts';
import { createMemoryStore } from '../../server/store/memory-store.ts';
import type { LiveStore } from '../../server/store/store.ts';

/** A settable clock. */
export class FakeClock {
  constructor(public ms: number) {}
  now = (): number => this.ms;
  sleep = async (ms: number): Promise<void> => {
    this.ms += ms;
  };
  set(iso: string): void {
    this.ms = Date.parse(iso);
  }
}

/** The default configuration (config/default.json) with no env overrides. */
export function testConfig(over: Partial<Config> = {}): Config {
  return { ...loadConfig({}), ...over };
}

export interface Harness {
  store: LiveStore;
  config: Config;
  clock: FakeClock;
  keys: ReturnType<typeof createKeys>;
  calendar: ReturnType<typeof createShiftCalendar>;
  /** Applies events as one batch of partition 0 with consecutive offsets. */
  apply(events: readonly CcEvent[], opts?: { partition?: number; topic?: string }): Promise<BatchOutcome>;
  live(): ReturnType<typeof readLive>;
}

/** A harness over `store` (default: a fresh in-process store). */
export function createHarness(opts: { store?: LiveStore; config?: Config; now?: string } = {}): Harness {
  const config = opts.config ?? testConfig();
  const clock = new FakeClock(Date.parse(opts.now ?? '2026-03-02T12:00:00+01:00'));
  const store = opts.store ?? createMemoryStore({ prefix: 'test:', now: clock.now });
  const keys = createKeys(store.prefix);
  const calendar = createShiftCalendar(config.timezone, config.shifts);
  const ctxAt = projectionContextFactory(config, calendar);
  const nextOffset = new Map<string, number>();
  return {
    store,
    config,
    clock,
    keys,
    calendar,
    apply(events, o = {}) {
      const topic = o.topic ?? 'test';
      const partition = o.partition ?? 0;
      const k = `${topic}/${partition}`;
      const start = nextOffset.get(k) ?? 0;
      nextOffset.set(k, start + events.length);
      const items = events.map((event, i) => ({ offset: String(start + i), event }));
      return applyBatch(
        store,
        { namespace: 'test', topic, partition, items },
        ctxAt,
        clock.now,
        config.retention.dedupeHours,
      );
    },
    live: () => readLive({ store, keys, calendar, atRiskMinutes: config.sla.atRiskMinutes }, clock.now()),
  };
}
