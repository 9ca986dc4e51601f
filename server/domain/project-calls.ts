/** Call events → call records, waiting-queue index and per-shift call counters (pure). */
import type { CallEvent } from '../contract/events.ts';
import type { Effects } from './effects.ts';
import type { AgentRecord, CallRecord } from './records.ts';
import { periodsAt, type ProjectionContext, type WorkingSet } from './working-set.ts';

const HOUR = 3_600_000;
/** A call waiting longer than this is treated as lost upstream and leaves the waiting index. */
export const MAX_WAIT_MS = 24 * HOUR;

function newCall(callId: string, queue: string): CallRecord {
  return {
    callId,
    queue,
    priority: 0,
    tier: 'normal',
    queuedAt: null,
    answeredAt: null,
    abandonedAt: null,
    endedAt: null,
    agentId: null,
    counted: { offered: false, outcome: false, talk: false },
  };
}

/** A placeholder for an agent first seen in a call event, before any agent.state for it. */
export function stubAgent(agentId: string, since: number): AgentRecord {
  return {
    agentId,
    name: null,
    team: null,
    state: 'on_call',
    since,
    reason: null,
    activeCallId: null,
    lastCall: null,
    known: false,
  };
}

/** Applies one call event to the working set. */
export function applyCallEvent(ws: WorkingSet, fx: Effects, e: CallEvent, ctx: ProjectionContext): void {
  const ts = Date.parse(e.ts);
  const call = ws.calls.get(e.callId) ?? newCall(e.callId, e.queue);
  switch (e.type) {
    case 'call.queued':
      call.queue = e.queue;
      if (e.priority !== undefined) call.priority = e.priority;
      if (e.tier !== undefined) call.tier = e.tier;
      if (call.queuedAt === null) call.queuedAt = ts;
      break;
    case 'call.answered': {
      if (call.answeredAt !== null || call.abandonedAt !== null) break;
      call.answeredAt = ts;
      call.agentId = e.agentId;
      const agent = ws.agents.get(e.agentId) ?? stubAgent(e.agentId, ts);
      agent.activeCallId = e.callId;
      agent.lastCall = { callId: e.callId, queue: call.queue, attributeAt: call.queuedAt ?? ts };
      ws.putAgent(agent);
      break;
    }
    case 'call.abandoned':
      if (call.answeredAt === null && call.abandonedAt === null) call.abandonedAt = ts;
      break;
    case 'call.ended': {
      if (call.endedAt !== null) break;
      call.endedAt = ts;
      call.agentId ??= e.agentId;
      const agent = ws.agents.get(e.agentId);
      if (agent && agent.activeCallId === e.callId) {
        agent.activeCallId = null;
        ws.putAgent(agent);
      }
      break;
    }
  }
  settleCall(call, fx, ctx);
  ws.putCall(call);
}

/** Counts whatever the call now has enough information for and has not been counted yet. */
function settleCall(call: CallRecord, fx: Effects, ctx: ProjectionContext): void {
  if (call.queuedAt === null) return;
  const periods = periodsAt(ctx, call.queuedAt);
  // The centre's totals are also kept per clock hour, for the hourly charts of the shift report.
  const withHour = [...periods, ctx.calendar.hourAt(call.queuedAt)];
  const addAll = (field: string, by = 1, agentId?: string | null) => {
    fx.add(withHour, 'calls', field, by);
    fx.add(periods, `queue:${call.queue}`, field, by);
    if (agentId) fx.add(periods, `agent:${agentId}`, field, by);
  };
  const sl = ctx.serviceLevelFor(call.queue);
  if (!call.counted.offered) {
    addAll('offered');
    fx.addToSet({ name: 'queues' }, call.queue);
    call.counted.offered = true;
  }
  if (!call.counted.outcome) {
    if (call.answeredAt !== null) {
      const wait = Math.max(0, call.answeredAt - call.queuedAt);
      addAll('answered');
      addAll('waitAnsweredMs', wait);
      if (wait <= sl.thresholdSeconds * 1000) addAll('answeredWithinThreshold');
      if (call.agentId) fx.add(periods, `agent:${call.agentId}`, 'handled');
      call.counted.outcome = true;
    } else if (call.abandonedAt !== null) {
      const wait = Math.max(0, call.abandonedAt - call.queuedAt);
      addAll('abandoned');
      addAll('waitAbandonedMs', wait);
      if (wait < sl.shortAbandonSeconds * 1000) addAll('shortAbandoned');
      call.counted.outcome = true;
    }
  }
  if (call.counted.outcome && !call.counted.talk && call.answeredAt !== null && call.endedAt !== null) {
    const talk = Math.max(0, call.endedAt - call.answeredAt);
    addAll('talkMs', talk, call.agentId);
    addAll('talkCount', 1, call.agentId);
    call.counted.talk = true;
  }
}

/** Whether a call is finished and fully counted, so its record only lingers for late events. */
function isFinished(c: CallRecord): boolean {
  if (!c.counted.outcome) return false;
  return c.abandonedAt !== null || c.counted.talk;
}

function isWaiting(c: CallRecord | null): c is CallRecord {
  return (
    c !== null && c.queuedAt !== null && c.answeredAt === null && c.abandonedAt === null && c.endedAt === null
  );
}

/** Record write and waiting-index changes for one call, from its state before and after the batch. */
export function callIndexOps(
  fx: Effects,
  before: CallRecord | null,
  after: CallRecord | null,
  ctx: ProjectionContext,
) {
  if (!after) return;
  const finished = isFinished(after);
  fx.push({
    op: 'put',
    kind: 'call',
    id: after.callId,
    value: after,
    // Unfinished calls also expire eventually, so a call whose outcome never arrives cannot leak.
    expireAt: ctx.now + (finished ? ctx.retention.finishedCallHours * HOUR : MAX_WAIT_MS * 2),
  });
  if (isWaiting(before) && (!isWaiting(after) || before.queue !== after.queue)) {
    fx.push({ op: 'zrem', index: { name: 'waiting', queue: before.queue }, member: before.callId });
  }
  if (isWaiting(after)) {
    const index = { name: 'waiting', queue: after.queue } as const;
    fx.push({ op: 'zadd', index, member: after.callId, score: after.queuedAt ?? 0 });
    fx.push({ op: 'zremBelow', index, score: ctx.now - MAX_WAIT_MS });
  }
}
