/**
 * The stored form of an agent's history (pure): the projector reads and rewrites it on every batch
 * that touches the agent, so it is kept compact — lists of tuples with times as differences.
 */
import type { AgentStateName } from '../contract/events.ts';
import type { AgentCall, AgentHistory, Transition } from './records.ts';

/** An agent history as stored (`agent-history` records). */
export interface StoredAgentHistory {
  v: 1;
  agentId: string;
  horizon: number | null;
  /** Transitions: [ms since the previous one (the first: epoch ms), state, reason]. */
  t: Array<[number, AgentStateName, string | null]>;
  /** Calls: [callId, answeredAt, ended − answered or null, answered − at, queue, queueAt − at]. */
  c: Array<[string, number, number | null, number, string, number]>;
}

/** The compact form of `h`. */
export function encodeHistory(h: AgentHistory): StoredAgentHistory {
  let prev = 0;
  return {
    v: 1,
    agentId: h.agentId,
    horizon: h.horizon,
    t: h.timeline.map(([at, state, reason]) => {
      const d = at - prev;
      prev = at;
      return [d, state, reason];
    }),
    c: h.calls.map((c) => [
      c.callId,
      c.answeredAt,
      c.endedAt === null ? null : c.endedAt - c.answeredAt,
      c.answeredAt - c.at,
      c.queue,
      c.queueAt - c.at,
    ]),
  };
}

/** The history `s` encodes. */
export function decodeHistory(s: StoredAgentHistory): AgentHistory {
  let at = 0;
  const timeline = s.t.map(([d, state, reason]): Transition => {
    at += d;
    return [at, state, reason];
  });
  const calls = s.c.map(([callId, answeredAt, talk, wait, queue, queueOffset]): AgentCall => ({
    callId,
    answeredAt,
    endedAt: talk === null ? null : answeredAt + talk,
    at: answeredAt - wait,
    queue,
    queueAt: answeredAt - wait + queueOffset,
  }));
  return { agentId: s.agentId, timeline, horizon: s.horizon, calls };
}
