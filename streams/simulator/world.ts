/** What every part of the simulation shares: the simulated clock, the RNG, the agenda and the event sink. */
import { DateTime, IANAZone } from 'luxon';
import type { CcEvent } from '../../server/contract/events.ts';
import type { Rng } from './random.ts';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event without its envelope (`id`, `ts`), which the world stamps on emit. */
export type EventBody = DistributiveOmit<CcEvent, 'id' | 'ts'>;

const DAY_MS = 86_400_000;

/** Local-time arithmetic in the centre's time zone. */
export interface LocalClock {
  /** ISO-8601 with the zone's offset, e.g. `2026-03-02T10:15:00.000+01:00`. */
  iso(ms: number): string;
  /** Minutes since local midnight (fractional). */
  minuteOfDay(ms: number): number;
  /** Epoch ms of local `minute` (minutes after midnight) on the local day of `ms` shifted by `dayOffset` days. */
  atLocal(ms: number, dayOffset: number, minute: number): number;
}

/** A LocalClock for an IANA zone; throws if the zone is unknown. */
export function createLocalClock(timezone: string): LocalClock {
  if (!IANAZone.isValidZone(timezone)) throw new Error(`simulator: unknown time zone "${timezone}"`);
  const zone = IANAZone.create(timezone);
  return {
    iso(ms) {
      const iso = DateTime.fromMillis(ms, { zone }).toISO();
      if (iso === null) throw new Error(`simulator: cannot format ${ms} in ${timezone}`);
      return iso;
    },
    minuteOfDay(ms) {
      const local = ms + zone.offset(ms) * 60_000;
      return (((local % DAY_MS) + DAY_MS) % DAY_MS) / 60_000;
    },
    atLocal(ms, dayOffset, minute) {
      return DateTime.fromMillis(ms, { zone })
        .startOf('day')
        .plus({ days: dayOffset })
        .set({ hour: Math.floor(minute / 60), minute: Math.round(minute % 60) })
        .toMillis();
    },
  };
}

/** The shared simulation context handed to the agent pool, call desk, ticket desk and surveys. */
export interface World {
  readonly rng: Rng;
  readonly clock: LocalClock;
  /** Simulated time of the action being run (epoch ms). */
  readonly now: number;
  /** Emits an event stamped with the current simulated time. */
  emit(event: EventBody): void;
  /** Schedules `action` at `ms` (never earlier than now). */
  at(ms: number, action: () => void): void;
  /** A new entity id, unique across runs, e.g. `call-s7-lx2c-42`. */
  newId(prefix: string): string;
}

/** Schedules a non-homogeneous Poisson process (by thinning): `fire` runs at each arrival, forever. */
export function poissonArrivals(
  world: World,
  perMinute: (ms: number) => number,
  maxPerMinute: number,
  fire: () => void,
): void {
  const meanGapMs = 60_000 / maxPerMinute;
  const scheduleNext = (from: number): void => {
    let t = from;
    for (;;) {
      t += Math.max(1, Math.round(world.rng.exponential(meanGapMs)));
      if (world.rng.next() * maxPerMinute < perMinute(t)) break;
    }
    world.at(t, () => {
      fire();
      scheduleNext(t);
    });
  };
  scheduleNext(world.now);
}
