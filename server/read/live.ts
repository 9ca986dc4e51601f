/** The live read model: builds a LiveSnapshot from the store with a bounded number of round trips. */
import type { LiveAgent, LiveSatisfaction, LiveSnapshot, LiveTicketAlert } from '../contract/api.ts';
import {
  callMetrics,
  num,
  satisfactionMetrics,
  sumCounters,
  type SatisfactionMetrics,
} from '../domain/metrics.ts';
import { ROLLING_WINDOW_MINUTES } from '../domain/project-surveys.ts';
import { DEADLINE_KINDS, type AgentRecord, type DeadlineKind, type TicketRecord } from '../domain/records.ts';
import type { ShiftCalendar } from '../domain/shifts.ts';
import { suggestAssignee } from '../domain/suggest.ts';
import type { Keys } from '../store/keys.ts';
import type { StoreReader } from '../store/store.ts';

const MINUTE = 60_000;
/** At most this many overdue / at-risk tickets are listed (the count of open tickets is exact). */
export const MAX_ALERTS = 500;

export interface LiveReadDeps {
  store: StoreReader;
  keys: Keys;
  calendar: ShiftCalendar;
  atRiskMinutes: number;
}

function toLiveSatisfaction(m: SatisfactionMetrics): LiveSatisfaction {
  return { count: m.count, mean: m.mean, overall: m.overall, lowCount: m.lowCount };
}

/** Reads the whole live floor at `now`. */
export async function readLive(deps: LiveReadDeps, now: number): Promise<LiveSnapshot> {
  const { store, keys, calendar } = deps;
  const shift = calendar.shiftAt(now);
  const shiftId = shift?.id ?? null;
  const agg = (group: string) => keys.counter({ name: 'agg', period: shiftId ?? 'none', group });

  const [queueNames, agentIds] = await Promise.all([
    store.smembers(keys.set({ name: 'queues' })),
    store.smembers(keys.set({ name: 'agents' })),
  ]);
  queueNames.sort();
  agentIds.sort();
  const waitingKeys = queueNames.map((q) => keys.index({ name: 'waiting', queue: q }));
  const minuteKeys = Array.from({ length: ROLLING_WINDOW_MINUTES }, (_, i) =>
    keys.counter({ name: 'satMinute', minute: Math.floor(now / MINUTE) * MINUTE - i * MINUTE }),
  );
  const [
    waiting,
    oldest,
    queueCounters,
    agentRecs,
    agentCounters,
    loads,
    overdueCounts,
    minuteHashes,
    shiftHashes,
    openCount,
  ] = await Promise.all([
    store.zcard(waitingKeys),
    Promise.all(
      waitingKeys.map((k) => store.zrange(k, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, 1)),
    ),
    store.hgetall(queueNames.map((q) => agg(`queue:${q}`))),
    store.getRecords('agent', agentIds),
    store.hgetall(agentIds.map((a) => agg(`agent:${a}`))),
    store.hgetall(agentIds.map((a) => keys.counter({ name: 'agentLoad', agentId: a }))),
    store.zcount(
      agentIds.map((a) => keys.index({ name: 'agentDue', agentId: a })),
      Number.NEGATIVE_INFINITY,
      now - 1,
    ),
    store.hgetall(minuteKeys),
    store.hgetall([agg('sat')]),
    store.zcard([keys.index({ name: 'openTickets' })]),
  ]);

  const queues = queueNames.map((queue, i) => ({
    queue,
    waiting: waiting[i] ?? 0,
    oldestQueuedAt: oldest[i]?.[0]?.score ?? null,
    shift: callMetrics(queueCounters[i] ?? {}),
  }));

  const agents: LiveAgent[] = [];
  agentIds.forEach((agentId, i) => {
    const rec = agentRecs[i] as AgentRecord | null;
    if (!rec) return;
    const c = agentCounters[i] ?? {};
    const load = loads[i] ?? {};
    agents.push({
      agentId,
      name: rec.name,
      team: rec.team,
      state: rec.state,
      since: rec.since,
      reason: rec.reason,
      activeCallId: rec.activeCallId,
      openTickets: { high: num(load, 'high'), medium: num(load, 'medium'), low: num(load, 'low') },
      overdueTickets: overdueCounts[i] ?? 0,
      handled: num(c, 'handled'),
      talkSeconds: num(c, 'talkMs') / 1000,
      wrapSeconds: num(c, 'wrapMs') / 1000,
    });
  });

  const { overdue, atRisk } = await readTicketAlerts(deps, now);
  for (const alert of [...overdue, ...atRisk])
    alert.suggestedAgentId = suggestAssignee(agents, alert.team, alert.agentId);
  return {
    serverTime: now,
    timezone: calendar.timezone,
    shift: shift ? { id: shift.id, name: shift.name, start: shift.start, end: shift.end } : null,
    queues,
    agents,
    tickets: { open: openCount[0] ?? 0, overdue, atRisk },
    satisfaction: {
      rolling60m: toLiveSatisfaction(satisfactionMetrics(sumCounters(minuteHashes))),
      shift: toLiveSatisfaction(satisfactionMetrics(shiftHashes[0] ?? {})),
    },
  };
}

/** Overdue and at-risk tickets, VIP first, then by how late / how soon. */
export async function readTicketAlerts(
  deps: LiveReadDeps,
  now: number,
): Promise<{ overdue: LiveTicketAlert[]; atRisk: LiveTicketAlert[] }> {
  const { store, keys } = deps;
  const horizon = now + deps.atRiskMinutes * MINUTE;
  const due = await Promise.all(
    DEADLINE_KINDS.map((kind) =>
      store.zrange(keys.index({ name: 'due', kind }), Number.NEGATIVE_INFINITY, horizon, MAX_ALERTS),
    ),
  );
  // A ticket can be late on several deadlines: keep its earliest.
  const earliest = new Map<string, { kind: DeadlineKind; due: number }>();
  DEADLINE_KINDS.forEach((kind, i) => {
    for (const { member, score } of due[i] ?? []) {
      const cur = earliest.get(member);
      if (!cur || score < cur.due) earliest.set(member, { kind, due: score });
    }
  });
  const ids = [...earliest.keys()];
  const recs = (await store.getRecords('ticket', ids)) as Array<TicketRecord | null>;
  const tierRank = { vip: 0, key: 1, normal: 2 } as const;
  const alerts: LiveTicketAlert[] = [];
  ids.forEach((id, i) => {
    const t = recs[i];
    const d = earliest.get(id);
    if (!t || !d) return;
    alerts.push({
      ticketId: id,
      deadline: d.kind,
      due: d.due,
      kind: t.kind,
      category: t.category,
      tier: t.tier,
      priority: t.priority,
      team: t.team,
      agentId: t.agentId,
      subject: t.subject,
      version: t.version,
      suggestedAgentId: null,
    });
  });
  alerts.sort((a, b) => tierRank[a.tier] - tierRank[b.tier] || a.due - b.due);
  return { overdue: alerts.filter((a) => a.due < now), atRisk: alerts.filter((a) => a.due >= now) };
}
