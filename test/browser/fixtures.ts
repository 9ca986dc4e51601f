/** Contract events that put known tickets on the floor, for tests that must not depend on the simulator. */
import { randomUUID } from 'node:crypto';

const MINUTE = 60_000;

export interface TicketFixture {
  ticketId: string;
  subject: string;
  events: object[];
}

/**
 * A VIP technical ticket created and assigned to `agentId` `minutesAgo` minutes ago (default 180): its
 * update deadline (VIP: 120 min) is `minutesAgo − 120` minutes overdue, and it stays overdue after a
 * reassignment.
 */
export function overdueOwnedTicket(
  agentId: string,
  subject = 'Overdue test ticket',
  minutesAgo = 180,
): TicketFixture {
  const ticketId = `e2e-${randomUUID().slice(0, 8)}`;
  const at = new Date(Date.now() - minutesAgo * MINUTE).toISOString();
  return {
    ticketId,
    subject,
    events: [
      {
        id: `${ticketId}-c`,
        type: 'ticket.created',
        ts: at,
        ticketId,
        kind: 'technical',
        priority: 'high',
        tier: 'vip',
        subject,
      },
      { id: `${ticketId}-a`, type: 'ticket.assigned', ts: at, ticketId, agentId },
    ],
  };
}

/** The event that closes ticket `ticketId` now. */
export function closeTicket(ticketId: string): object {
  return {
    id: `${ticketId}-x-${randomUUID().slice(0, 4)}`,
    type: 'ticket.closed',
    ts: new Date().toISOString(),
    ticketId,
  };
}

const QUEUES_10 = [
  'sales',
  'support',
  'billing',
  'complaints',
  'retention',
  'onboarding',
  'premium-support',
  'returns',
  'payments',
  'business-accounts',
] as const;

const FIRST = ['Anna', 'Lukas', 'Priya', 'Alexandra', 'Mateo', 'Chloé', 'Tomasz', 'Fatima', 'Oliver', 'Sara'];
const LAST = ['Schmidt', 'Weber', 'Patel', 'Kowalczyk-Nowak', 'García', 'Lindqvist'];
const TEAMS = ['sales', 'tech-support', 'supervisors'] as const;
const STATES = ['available', 'on_call', 'on_call', 'wrap_up', 'break', 'on_call'] as const;

/**
 * A large floor for the layout test: 10 queues with waiting, answered and abandoned calls, 60 agents
 * in every state (long names among them), 24 overdue or at-risk tickets and some surveys. Every id is
 * new, so it adds to whatever the server holds.
 */
export function bigFloor(now = Date.now()): {
  events: object[];
  queues: string[];
  agents: string[];
  tickets: string[];
} {
  const run = randomUUID().slice(0, 6);
  const iso = (msAgo: number) => new Date(now - msAgo).toISOString();
  const events: object[] = [];
  let n = 0;
  const id = () => `${run}-${++n}`;
  const agents = Array.from({ length: 60 }, (_, i) => `${run}-a${String(i + 1).padStart(2, '0')}`);
  agents.forEach((agentId, i) => {
    const state = STATES[i % STATES.length] ?? 'available';
    events.push({
      id: id(),
      type: 'agent.state',
      ts: iso((3 + ((i * 7) % 40)) * MINUTE),
      agentId,
      name: `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}`,
      team: TEAMS[i % TEAMS.length],
      state,
      ...(state === 'break' ? { reason: i % 4 === 0 ? 'training' : 'lunch' } : {}),
    });
  });
  QUEUES_10.forEach((queue, qi) => {
    // Calls answered earlier in the shift (by agents who are on a call now or were), some abandoned.
    for (let c = 0; c < 6 + qi; c++) {
      const callId = `${run}-q${qi}-c${c}`;
      const agentId = agents[(qi * 6 + c) % agents.length] ?? 'a';
      events.push({ id: id(), type: 'call.queued', ts: iso((60 - c) * MINUTE), callId, queue });
      if (c % 5 === 4) {
        events.push({ id: id(), type: 'call.abandoned', ts: iso((60 - c) * MINUTE - 40_000), callId, queue });
      } else {
        events.push({
          id: id(),
          type: 'call.answered',
          ts: iso((60 - c) * MINUTE - (10 + qi * 4) * 1000),
          callId,
          queue,
          agentId,
        });
        events.push({ id: id(), type: 'call.ended', ts: iso((55 - c) * MINUTE), callId, queue, agentId });
      }
    }
    // Callers waiting now, the longest for up to a few minutes.
    for (let w = 0; w < qi % 7; w++) {
      events.push({
        id: id(),
        type: 'call.queued',
        ts: iso((20 + qi * 25 - w * 5) * 1000),
        callId: `${run}-q${qi}-w${w}`,
        queue,
      });
    }
  });
  const tickets: string[] = [];
  for (let t = 0; t < 24; t++) {
    const ticketId = `${run}-t${t}`;
    tickets.push(ticketId);
    // Two in three overdue (owned: the update deadline passed; unassigned: the accept deadline), the
    // rest unassigned and due within the at-risk window.
    const kind = t % 3;
    const createdAgo = kind === 0 ? (250 + t * 5) * MINUTE : kind === 1 ? (40 + t * 3) * MINUTE : 20 * MINUTE;
    events.push({
      id: id(),
      type: 'ticket.created',
      ts: iso(createdAgo),
      ticketId,
      kind: t % 4 === 3 ? 'technical' : 'consultation',
      priority: t % 3 === 0 ? 'high' : 'medium',
      tier: kind === 2 ? 'normal' : t % 5 === 0 ? 'vip' : t % 5 === 1 ? 'key' : 'normal',
      subject: `Customer ${t + 1}: ${t % 2 === 0 ? 'invoice shows a charge for a cancelled contract' : 'cannot log in'}`,
    });
    if (kind === 0) {
      events.push({
        id: id(),
        type: 'ticket.assigned',
        ts: iso(createdAgo - MINUTE),
        ticketId,
        agentId: agents[t],
      });
    }
  }
  for (let s = 0; s < 12; s++) {
    events.push({
      id: id(),
      type: 'survey.submitted',
      ts: iso((5 + s) * MINUTE),
      surveyId: `${run}-s${s}`,
      scores: { speed: 2 + (s % 4), resolution: 3 + (s % 3), professionalism: 5, recommend: 1 + (s % 5) },
    });
  }
  return { events, queues: [...QUEUES_10], agents, tickets };
}
