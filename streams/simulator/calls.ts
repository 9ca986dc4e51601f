/** The call desk: arrivals, queueing, routing to a free agent, talk, wrap-up and abandons. */
import type { Tier } from '../../server/contract/events.ts';
import type { Agent, AgentPool } from './agents.ts';
import { callRate, MAX_CALL_RATE, type QueueDef } from './catalog.ts';
import { poissonArrivals, type World } from './world.ts';

const SECOND = 1000;
const MINUTE = 60_000;

type CallState = 'waiting' | 'ringing' | 'talking' | 'done';

interface Call {
  readonly id: string;
  readonly queue: QueueDef;
  readonly priority: number;
  readonly tier: Tier;
  readonly arrivedAt: number;
  state: CallState;
  agent: Agent | null;
}

/** What the rest of the centre learns about a finished call. */
export interface EndedCall {
  readonly callId: string;
  readonly queue: QueueDef;
  readonly agent: Agent;
  readonly tier: Tier;
  readonly waitedMs: number;
}

/** The call desk. */
export interface CallDesk {
  /** Starts the arrival process. */
  start(): void;
  /** Offers the best waiting call to an agent who just became free. */
  onAgentFree(agent: Agent): void;
  /** Calls waiting, ringing or in progress. */
  readonly active: number;
}

/** Creates the call desk over `queues`, routing to agents of `pool`; `onEnded` runs after each answered call. */
export function createCallDesk(
  world: World,
  pool: AgentPool,
  queues: readonly QueueDef[],
  onEnded: (call: EndedCall) => void,
): CallDesk {
  const { rng } = world;
  const calls = new Map<string, Call>();
  const waiting: Call[] = [];

  function unqueue(call: Call): void {
    const i = waiting.indexOf(call);
    if (i >= 0) waiting.splice(i, 1);
  }

  function ring(call: Call, agent: Agent): void {
    pool.reserve(agent, call.id);
    unqueue(call);
    call.state = 'ringing';
    call.agent = agent;
    world.at(world.now + rng.int(2, 6) * SECOND + rng.int(0, 999), () => answer(call, agent));
  }

  function answer(call: Call, agent: Agent): void {
    if (call.state !== 'ringing') return; // the caller hung up while it rang
    call.state = 'talking';
    pool.connect(agent);
    world.emit({ type: 'call.answered', callId: call.id, queue: call.queue.name, agentId: agent.id });
    const talkMin = Math.min(10, Math.max(2, rng.logNormal(call.queue.talkMedianMin, 0.45)));
    const waitedMs = world.now - call.arrivedAt;
    world.at(world.now + Math.round(talkMin * MINUTE), () => end(call, agent, waitedMs));
  }

  function end(call: Call, agent: Agent, waitedMs: number): void {
    world.emit({ type: 'call.ended', callId: call.id, queue: call.queue.name, agentId: agent.id });
    call.state = 'done';
    calls.delete(call.id);
    pool.hangUp(agent, rng.int(20, 90) * SECOND);
    onEnded({ callId: call.id, queue: call.queue, agent, tier: call.tier, waitedMs });
  }

  function abandon(call: Call): void {
    if (call.state === 'talking' || call.state === 'done') return;
    world.emit({ type: 'call.abandoned', callId: call.id, queue: call.queue.name });
    calls.delete(call.id);
    unqueue(call);
    const agent = call.agent;
    call.state = 'done'; // a pending answer() must not connect it
    if (agent) pool.release(agent);
  }

  function patienceMs(tier: Tier): number {
    // A few callers hang up at once (misdials: short abandons); the rest wait a few minutes at most.
    if (rng.chance(0.015)) return rng.int(800, 4900);
    const mean = tier === 'vip' ? 240 : tier === 'key' ? 180 : 140;
    return Math.round(Math.min(20 * 60, 12 + rng.exponential(mean)) * SECOND);
  }

  function arrive(): void {
    const queue = rng.weighted(queues.map((q) => [q, q.weight] as const));
    const tier = rng.weighted<Tier>([
      ['vip', 0.05],
      ['key', 0.2],
      ['normal', 0.75],
    ]);
    const priority = tier === 'vip' ? 2 : tier === 'key' ? 1 : rng.chance(0.05) ? 1 : 0;
    const identified = tier !== 'normal' || rng.chance(0.7);
    const call: Call = {
      id: world.newId('call'),
      queue,
      priority,
      tier,
      arrivedAt: world.now,
      state: 'waiting',
      agent: null,
    };
    calls.set(call.id, call);
    world.emit({
      type: 'call.queued',
      callId: call.id,
      queue: queue.name,
      ...(identified ? { priority, tier } : {}),
    });
    world.at(world.now + patienceMs(tier), () => abandon(call));
    const agent = pool.findFree(queue.teams);
    if (agent) ring(call, agent);
    else waiting.push(call);
  }

  return {
    start() {
      poissonArrivals(world, (ms) => callRate(world.clock.minuteOfDay(ms)), MAX_CALL_RATE, arrive);
    },
    onAgentFree(agent) {
      let best: Call | undefined;
      let bestRank = -Infinity;
      for (const call of waiting) {
        const pref = call.queue.teams.indexOf(agent.team);
        if (pref < 0) continue;
        // Priority first, then the agent's own queues, then the longest wait (waiting is in arrival order).
        const rank = call.priority * 10 - pref;
        if (rank > bestRank) {
          best = call;
          bestRank = rank;
        }
      }
      if (best) ring(best, agent);
    },
    get active() {
      return calls.size;
    },
  };
}
