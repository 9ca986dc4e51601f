/** Drives a Simulation against the wall clock: fast catch-up of a backfill, then paced at `speed`. */
import type { CcEvent } from '../../server/contract/events.ts';
import type { Simulation } from './simulation.ts';

/** Most simulated time one tick covers, so a backfill is published in chunks with the event loop free between them. */
export const MAX_CHUNK_MS = 5 * 60_000;

export interface RunnerLog {
  info(obj: object, msg?: string): void;
  warn?(obj: object, msg?: string): void;
}

export interface RunnerOptions {
  simulation: Simulation;
  /** Publishes one tick's events; awaited before the next tick. Throwing means "retry these later". */
  publish: (events: CcEvent[]) => Promise<void>;
  /** The wall clock (epoch ms). */
  now: () => number;
  /** Simulated ms per wall-clock ms once caught up: 1 = real time. */
  speed: number;
  /** What a simulation behind the wall clock catches up to first; the wall clock is the only choice (and the default). */
  catchUpTo?: 'wall-clock';
  /** Wall-clock ms between ticks once caught up (default 250). */
  tickMs?: number;
  log?: RunnerLog;
}

export interface SimulatorRunner {
  /** Stops ticking; resolves once an in-flight publish settled and unpublished events had one last try. */
  stop(): Promise<void>;
  /** Events published so far. */
  readonly published: number;
}

/** Runs `simulation` until stopped; see RunnerOptions for the pacing rules. */
export function runSimulator(opts: RunnerOptions): SimulatorRunner {
  const { simulation, now, log } = opts;
  const tickMs = opts.tickMs ?? 250;
  if (!(opts.speed > 0)) throw new Error(`simulator: speed must be positive, got ${opts.speed}`);
  let pending: CcEvent[] = [];
  let published = 0;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> | undefined;
  // Pacing anchor: simulated time `sim` corresponded to wall-clock `wall`. Unset while catching up.
  let anchor: { wall: number; sim: number } | undefined;

  const warn = (obj: object, msg: string): void => (log?.warn ? log.warn(obj, msg) : log?.info(obj, msg));

  const startWall = now();
  if (simulation.now < startWall) {
    log?.info(
      { from: new Date(simulation.now).toISOString(), behindMs: startWall - simulation.now },
      'simulator catching up with the wall clock',
    );
  } else {
    anchor = { wall: startWall, sim: simulation.now };
  }

  // Where this tick should advance to, and whether the simulation is still behind after it.
  function target(): { to: number; behind: boolean } {
    const wall = now();
    if (!anchor) {
      if (simulation.now + MAX_CHUNK_MS < wall) return { to: simulation.now + MAX_CHUNK_MS, behind: true };
      anchor = { wall, sim: Math.max(wall, simulation.now) };
      log?.info({ at: new Date(anchor.sim).toISOString() }, 'simulator caught up; running in real time');
      return { to: anchor.sim, behind: false };
    }
    const desired = Math.floor(anchor.sim + (wall - anchor.wall) * opts.speed);
    const to = Math.min(desired, simulation.now + MAX_CHUNK_MS);
    return { to, behind: to < desired };
  }

  async function flush(): Promise<void> {
    if (pending.length === 0) return;
    await opts.publish(pending);
    published += pending.length;
    pending = [];
  }

  async function tick(): Promise<void> {
    let delay = tickMs;
    try {
      // Unpublished events from a failed tick go out (again, unchanged) before time moves on.
      if (pending.length === 0) {
        const { to, behind } = target();
        if (to > simulation.now) pending = simulation.advanceTo(to);
        if (behind) delay = 0;
      }
      await flush();
    } catch (err) {
      warn({ err, unpublished: pending.length }, 'simulator: publishing failed; retrying next tick');
    }
    if (!stopped) timer = setTimeout(run, delay);
  }

  function run(): void {
    timer = undefined;
    inFlight = tick().finally(() => {
      inFlight = undefined;
    });
  }

  timer = setTimeout(run, 0);

  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await inFlight;
      try {
        await flush();
      } catch (err) {
        warn({ err, lost: pending.length }, 'simulator: final publish failed');
      }
    },
    get published() {
      return published;
    },
  };
}
