/** A deterministic discrete-event simulation of a call centre, producing contract events. */
import type { Config } from '../../config/schema.ts';
import type { CcEvent } from '../../server/contract/events.ts';
import { createAgentPool } from './agents.ts';
import { createCallDesk } from './calls.ts';
import { queuesFor, ROSTER, teamOf } from './catalog.ts';
import { createRng } from './random.ts';
import { createAgenda } from './scheduler.ts';
import { createSurveys } from './surveys.ts';
import { createTicketDesk } from './tickets.ts';
import { createLocalClock, type World } from './world.ts';

/** Anything that yields events as simulated time advances. */
export interface Simulation {
  /** Every event with a time in (previous now, ms], in timestamp order; then now = ms. */
  advanceTo(ms: number): CcEvent[];
  readonly now: number;
}

/** The built-in simulation, which can also say how much it is holding. */
export interface CallCentreSimulation extends Simulation {
  readonly runId: string;
  /** Live calls, open tickets and scheduled actions: bounded however long it runs. */
  size(): { calls: number; tickets: number; scheduled: number };
}

export interface SimulationOptions {
  seed: number;
  /** Epoch ms the simulation starts at; the first events come after it. */
  startAt: number;
  /** IANA zone of the centre: shifts and the demand curve follow its local time. */
  timezone: string;
  /** Ticket kind → owning team (config `teams`). */
  teams: Config['teams'];
  /** Prefix of every id; defaults to one derived from seed and startAt. */
  runId?: string;
}

/** The default run id for a seed and start time. */
export function defaultRunId(seed: number, startAt: number): string {
  return `s${seed}-${startAt.toString(36)}`;
}

/** Creates a simulation; the same options always produce the same events, however time is advanced. */
export function createSimulation(opts: SimulationOptions): CallCentreSimulation {
  const runId = opts.runId ?? defaultRunId(opts.seed, opts.startAt);
  const clock = createLocalClock(opts.timezone);
  const rng = createRng(opts.seed);
  const agenda = createAgenda();
  let current = opts.startAt; // time of the action being run
  let now = opts.startAt; // how far advanceTo has gone
  let out: CcEvent[] = [];
  let eventSeq = 0;
  const entitySeq = new Map<string, number>();

  const world: World = {
    rng,
    clock,
    get now() {
      return current;
    },
    emit(body) {
      out.push({ id: `${runId}-${++eventSeq}`, ts: clock.iso(current), ...body } as CcEvent);
    },
    at(ms, action) {
      // Never at or before startAt: advanceTo reports times in (previous now, ms].
      agenda.push(Math.max(Math.round(ms), current, opts.startAt + 1), action);
    },
    newId(prefix) {
      const n = (entitySeq.get(prefix) ?? 0) + 1;
      entitySeq.set(prefix, n);
      return `${prefix}-${runId}-${n}`;
    },
  };

  const roster = ROSTER.map((r) => ({ ...r, team: teamOf(r.role, opts.teams) }));
  const surveys = createSurveys(world);
  const pool = createAgentPool(world, roster, (agent) => calls.onAgentFree(agent));
  const tickets = createTicketDesk(world, pool, opts.teams, surveys);
  const calls = createCallDesk(world, pool, queuesFor(opts.teams), (call) => {
    tickets.afterCall(call);
    surveys.afterCall(call.callId, call.agent.id, call.waitedMs);
  });
  pool.start();
  calls.start();
  tickets.start();

  return {
    runId,
    get now() {
      return now;
    },
    advanceTo(ms) {
      if (!(ms > now)) return [];
      out = [];
      for (let at = agenda.peek(); at !== undefined && at <= ms; at = agenda.peek()) {
        const next = agenda.pop();
        if (!next) break;
        current = next.at;
        next.action();
      }
      now = ms;
      current = ms;
      const events = out;
      out = [];
      return events;
    },
    size: () => ({ calls: calls.active, tickets: tickets.active, scheduled: agenda.size }),
  };
}
