/** The agents: shifts, breaks and the available → on_call → wrap_up → available cycle. */
import type { AgentStateName } from '../../server/contract/events.ts';
import type { BreakReason, RosterEntry } from './catalog.ts';
import type { World } from './world.ts';

const MINUTE = 60_000;

type Pending = { kind: 'break'; reason: BreakReason; minutes: number } | { kind: 'offline' };

/** One simulated agent; `state` is what the last agent.state event said. */
export interface Agent {
  readonly id: string;
  readonly name: string;
  readonly team: string;
  state: AgentStateName;
  /** The call ringing at, or connected to, this agent. */
  callId: string | null;
  /** When the agent last became free (longest-idle routing). */
  idleSince: number;
  /** A break or log-off waiting for the current call to finish. */
  pending: Pending | null;
  /** Bumped on every break, so a stale break end is ignored. */
  breakToken: number;
}

/** The agents and what the call desk may do with them. */
export interface AgentPool {
  readonly agents: readonly Agent[];
  /** Plans every agent's current or next shift. */
  start(): void;
  /** The longest-idle free agent of the first team (in order) that has one. */
  findFree(teams: readonly string[]): Agent | undefined;
  /** Agents of `team` who are logged in (any state but offline). */
  loggedIn(team: string): Agent[];
  /** A call starts ringing at a free agent (who stays `available` publicly). */
  reserve(agent: Agent, callId: string): void;
  /** The ringing call went away (caller hung up). */
  release(agent: Agent): void;
  /** The ringing call was answered: the agent goes on_call. */
  connect(agent: Agent): void;
  /** The call ended: wrap-up for `wrapMs`, then free again (or the pending break / log-off). */
  hangUp(agent: Agent, wrapMs: number): void;
}

/** Creates the pool; `onFree` runs whenever an agent becomes able to take a call. */
export function createAgentPool(
  world: World,
  roster: readonly (RosterEntry & { team: string })[],
  onFree: (agent: Agent) => void,
): AgentPool {
  const agents: Agent[] = roster.map((r) => ({
    id: r.agentId,
    name: r.name,
    team: r.team,
    state: 'offline',
    callId: null,
    idleSince: 0,
    pending: null,
    breakToken: 0,
  }));

  function setState(agent: Agent, state: AgentStateName, reason?: string): void {
    agent.state = state;
    world.emit({
      type: 'agent.state',
      agentId: agent.id,
      name: agent.name,
      team: agent.team,
      state,
      ...(reason ? { reason } : {}),
    });
  }

  const isFree = (a: Agent): boolean => a.state === 'available' && a.callId === null;

  function startBreak(agent: Agent, reason: BreakReason, minutes: number): void {
    setState(agent, 'break', reason);
    const token = ++agent.breakToken;
    world.at(world.now + minutes * MINUTE + world.rng.int(-60, 90) * 1000, () => {
      if (agent.state === 'break' && agent.breakToken === token) becomeFree(agent);
    });
  }

  // The agent has no call any more: take what is pending, else become available and take work.
  function becomeFree(agent: Agent): void {
    const pending = agent.pending;
    agent.pending = null;
    if (pending?.kind === 'offline') return setState(agent, 'offline', 'end of shift');
    if (pending?.kind === 'break') return startBreak(agent, pending.reason, pending.minutes);
    if (agent.state !== 'available') setState(agent, 'available');
    agent.idleSince = world.now;
    onFree(agent);
  }

  function requestBreak(agent: Agent, reason: BreakReason, minutes: number): void {
    if (agent.state === 'offline' || agent.state === 'break' || agent.pending) return;
    if (isFree(agent)) startBreak(agent, reason, minutes);
    else agent.pending = { kind: 'break', reason, minutes };
  }

  function logOff(agent: Agent, entry: RosterEntry): void {
    if (agent.state !== 'offline') {
      if (agent.callId === null) setState(agent, 'offline', 'end of shift');
      else agent.pending = { kind: 'offline' };
    }
    // Next day's shift (at least an hour ahead, so a just-ended shift is not replanned).
    for (const day of [0, 1, 2]) {
      const start = world.clock.atLocal(world.now, day, entry.shiftStart);
      if (start > world.now + 60 * MINUTE) return planShift(agent, entry, start);
    }
  }

  function planShift(agent: Agent, entry: RosterEntry, shiftStart: number): void {
    const { rng } = world;
    const inProgress = shiftStart <= world.now;
    const login = inProgress
      ? world.now + rng.int(1, 90) * 1000
      : Math.max(world.now + 1000, shiftStart + rng.int(-6 * 60, 4 * 60) * 1000);
    world.at(login, () => {
      if (agent.state === 'offline' && agent.callId === null) becomeFree(agent);
    });
    const breaks: [number, BreakReason, number][] = [
      [rng.uniform(95, 135), 'coffee', rng.int(10, 15)],
      [rng.uniform(400, 440), 'coffee', rng.int(10, 15)],
    ];
    if (entry.shiftMinutes >= 360) breaks.push([rng.uniform(215, 300), 'lunch', 30]);
    if (rng.chance(0.15)) breaks.push([rng.uniform(150, 175), 'training', rng.int(30, 45)]);
    if (rng.chance(0.15)) breaks.push([rng.uniform(330, 370), 'meeting', rng.int(15, 30)]);
    for (const [offsetMin, reason, minutes] of breaks) {
      const at = shiftStart + Math.round(offsetMin * MINUTE);
      if (at > login) world.at(at, () => requestBreak(agent, reason, minutes));
    }
    const end = shiftStart + entry.shiftMinutes * MINUTE + rng.int(0, 6 * 60) * 1000;
    world.at(Math.max(end, login + MINUTE), () => logOff(agent, entry));
  }

  return {
    agents,
    start() {
      roster.forEach((entry, i) => {
        const agent = agents[i] as Agent;
        for (const day of [-1, 0, 1]) {
          const start = world.clock.atLocal(world.now, day, entry.shiftStart);
          if (start + entry.shiftMinutes * MINUTE > world.now + 5 * MINUTE)
            return planShift(agent, entry, start);
        }
      });
    },
    findFree(teams) {
      for (const team of teams) {
        let best: Agent | undefined;
        for (const a of agents) {
          if (a.team === team && isFree(a) && (best === undefined || a.idleSince < best.idleSince)) best = a;
        }
        if (best) return best;
      }
      return undefined;
    },
    loggedIn: (team) => agents.filter((a) => a.team === team && a.state !== 'offline'),
    reserve(agent, callId) {
      if (!isFree(agent)) throw new Error(`simulator: agent ${agent.id} is not free`);
      agent.callId = callId;
    },
    release(agent) {
      agent.callId = null;
      becomeFree(agent);
    },
    connect(agent) {
      setState(agent, 'on_call');
    },
    hangUp(agent, wrapMs) {
      setState(agent, 'wrap_up');
      world.at(world.now + wrapMs, () => {
        agent.callId = null;
        becomeFree(agent);
      });
    },
  };
}
