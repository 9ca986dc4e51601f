/**
 * A deliberately simple, separate model of what the counters must be: it groups the whole event
 * log by entity and computes each figure directly from that entity's events, with none of the
 * projector's streaming machinery. Integration tests compare the stores against it.
 */
import type { CcEvent, TicketEvent } from '../../server/contract/events.ts';
import type { Config } from '../../config/schema.ts';
import { serviceLevelFor } from '../../server/domain/context.ts';
import type { ShiftCalendar } from '../../server/domain/shifts.ts';

/** period id → group → field → value */
export type Aggregates = Record<string, Record<string, Record<string, number>>>;

export interface ReferenceState {
  aggregates: Aggregates;
  waiting: Record<string, string[]>;
  agents: Record<string, { state: string; reason: string | null; since: number }>;
  openTickets: Record<string, { agentId: string | null }>;
  agentLoad: Record<string, Record<string, number>>;
}

/** Fields whose per-queue value depends on cross-topic read order (wrap-up of a queue): not compared. */
export const ORDER_DEPENDENT_FIELDS = new Set(['wrapMs', 'wrapCount']);

const t = (e: CcEvent) => Date.parse(e.ts);

/** Computes the expected state from every event (duplicates by id are counted once). */
export function reference(all: readonly CcEvent[], config: Config, calendar: ShiftCalendar): ReferenceState {
  const seen = new Set<string>();
  const events = all.filter((e) => (seen.has(e.id) ? false : (seen.add(e.id), true)));
  const agg: Aggregates = {};
  const add = (ms: number, group: string, field: string, by = 1) => {
    if (by === 0) return;
    for (const p of calendar.periodsAt(ms)) {
      const g = ((agg[p.id] ??= {})[group] ??= {});
      g[field] = (g[field] ?? 0) + by;
    }
  };
  const byEntity = new Map<string, CcEvent[]>();
  const push = (k: string, e: CcEvent) => byEntity.set(k, [...(byEntity.get(k) ?? []), e]);
  for (const e of events) {
    if (e.type.startsWith('call.') && 'callId' in e) push(`call:${e.callId}`, e);
    else if (e.type === 'agent.state') push(`agent:${e.agentId}`, e);
    else if ('ticketId' in e && e.type.startsWith('ticket.')) push(`ticket:${e.ticketId}`, e);
  }

  const waiting: Record<string, string[]> = {};
  for (const [key, evs] of byEntity) {
    if (!key.startsWith('call:')) continue;
    const first = <T extends CcEvent['type']>(type: T) =>
      evs.filter((e) => e.type === type).sort((a, b) => t(a) - t(b))[0] as
        Extract<CcEvent, { type: T }> | undefined;
    const q = first('call.queued');
    const ans = first('call.answered');
    const ab = first('call.abandoned');
    const end = first('call.ended');
    if (!q) continue;
    const queue = q.queue;
    const groups = ['calls', `queue:${queue}`];
    const sl = serviceLevelFor(config, queue);
    const qt = t(q);
    for (const g of groups) add(qt, g, 'offered');
    if (ans) {
      const wait = Math.max(0, t(ans) - qt);
      for (const g of groups) {
        add(qt, g, 'answered');
        add(qt, g, 'waitAnsweredMs', wait);
        if (wait <= sl.thresholdSeconds * 1000) add(qt, g, 'answeredWithinThreshold');
      }
      add(qt, `agent:${ans.agentId}`, 'handled');
      if (end) {
        const talk = Math.max(0, t(end) - t(ans));
        for (const g of [...groups, `agent:${ans.agentId}`]) {
          add(qt, g, 'talkMs', talk);
          add(qt, g, 'talkCount');
        }
      }
    } else if (ab) {
      const wait = Math.max(0, t(ab) - qt);
      for (const g of groups) {
        add(qt, g, 'abandoned');
        add(qt, g, 'waitAbandonedMs', wait);
        if (wait < sl.shortAbandonSeconds * 1000) add(qt, g, 'shortAbandoned');
      }
    } else if (!end) {
      (waiting[queue] ??= []).push(q.callId);
    }
  }
  for (const list of Object.values(waiting)) list.sort();

  const agents: ReferenceState['agents'] = {};
  for (const [key, evs] of byEntity) {
    if (!key.startsWith('agent:')) continue;
    const states = evs.filter((e) => e.type === 'agent.state');
    // Runs of the same (state, reason) in event order; each run lasts until the next one starts.
    let cur: { state: string; reason: string | null; since: number } | null = null;
    for (const e of states) {
      const reason = e.reason ?? null;
      if (cur && e.state === cur.state && reason === cur.reason) continue;
      if (cur) {
        const end = t(e);
        for (const { period, ms } of calendar.split(cur.since, end)) {
          const g = ((agg[period.id] ??= {})[key] ??= {});
          g[`stateMs:${cur.state}`] = (g[`stateMs:${cur.state}`] ?? 0) + ms;
        }
        if (cur.state === 'wrap_up') {
          for (const g of ['calls', key]) {
            add(cur.since, g, 'wrapMs', end - cur.since);
            add(cur.since, g, 'wrapCount');
          }
        }
      }
      cur = { state: e.state, reason, since: t(e) };
    }
    if (cur) agents[key.slice('agent:'.length)] = cur;
  }

  const openTickets: ReferenceState['openTickets'] = {};
  const agentLoad: ReferenceState['agentLoad'] = {};
  for (const [key, evs] of byEntity) {
    if (key.startsWith('ticket:')) ticketReference(evs as TicketEvent[], config, add, openTickets, agentLoad);
  }

  for (const e of events) {
    if (e.type !== 'survey.submitted') continue;
    const low = Object.values(e.scores).some((s) => s < 3);
    for (const [g, prefix] of [
      ['sat', ''],
      ...(e.agentId ? [[`agent:${e.agentId}`, 'sat:']] : []),
    ] as const) {
      add(t(e), g, `${prefix}count`);
      for (const [d, s] of Object.entries(e.scores)) add(t(e), g, `${prefix}sum:${d}`, s);
      if (low) add(t(e), g, `${prefix}low`);
    }
  }
  return { aggregates: agg, waiting, agents, openTickets, agentLoad };
}

function ticketReference(
  evs: TicketEvent[],
  config: Config,
  add: (ms: number, group: string, field: string, by?: number) => void,
  open: ReferenceState['openTickets'],
  load: ReferenceState['agentLoad'],
): void {
  const created = evs.find((e) => e.type === 'ticket.created');
  if (!created || created.type !== 'ticket.created') return;
  const facets = [`kind:${created.kind}`, `tier:${created.tier}`, `priority:${created.priority}`];
  if (created.category) facets.push(`category:${created.category}`);
  const ct = t(created);
  add(ct, 'tickets', 'created');
  for (const f of facets) add(ct, 'tickets', `created:${f}`);
  const complexity = created.complexity ?? 'routine';
  let agent: string | null = null;
  let accepted: number | null = null;
  let status: 'open' | 'resolved' | 'closed' = 'open';
  let clockStart = ct;
  let lastUpdate: number | null = null;
  // Overdue: a deadline counts once, at its due time, when an event later than it shows it still ran.
  const span = {
    accept: config.sla.acceptMinutes[created.tier] * 60_000,
    update: config.sla.updateMinutes[created.tier] * 60_000,
    resolve: config.sla.resolveMinutes[complexity][created.tier] * 60_000,
  };
  const overdue = new Set<string>();
  const checkDeadlines = (at: number) => {
    if (status !== 'open') return;
    const running: Array<['accept' | 'update' | 'resolve', number]> = [
      ['update', Math.max(ct, lastUpdate ?? ct, accepted ?? ct, clockStart)],
      ['resolve', clockStart],
    ];
    if (accepted === null) running.push(['accept', ct]);
    for (const [kind, base] of running) {
      const due = base + span[kind];
      if (at <= due || overdue.has(`${kind}:${base}`)) continue;
      overdue.add(`${kind}:${base}`);
      add(due, 'tickets', 'overdue');
      add(due, 'tickets', `overdue:${kind}`);
    }
  };
  const resolve = (at: number) => {
    const met = at <= clockStart + config.sla.resolveMinutes[complexity][created.tier] * 60_000;
    add(at, 'tickets', 'resolved');
    add(at, 'tickets', met ? 'resolveMet' : 'resolveMissed');
    for (const f of facets) add(at, 'tickets', `resolved:${f}`);
    if (agent) add(at, `agent:${agent}`, 'ticketsResolved');
  };
  for (const e of evs) {
    const at = t(e);
    checkDeadlines(at);
    if (e.type === 'ticket.progress') lastUpdate = Math.max(lastUpdate ?? at, at);
    if (e.type === 'ticket.assigned') {
      if (agent !== null && agent !== e.agentId) {
        add(at, 'tickets', 'reassigned');
        add(at, `agent:${agent}`, 'reassignedOut');
        add(at, `agent:${e.agentId}`, 'reassignedIn');
      }
      agent = e.agentId;
    }
    if (e.type === 'ticket.assigned' || e.type === 'ticket.progress') accepted = Math.min(accepted ?? at, at);
    if (e.type === 'ticket.resolved' && status === 'open') {
      status = 'resolved';
      resolve(at);
    }
    if (e.type === 'ticket.reopened' && status !== 'open') {
      status = 'open';
      clockStart = at;
      add(at, 'tickets', 'reopened');
    }
    if (e.type === 'ticket.closed') {
      if (status === 'open') resolve(at);
      status = 'closed';
    }
    checkDeadlines(at);
  }
  if (accepted !== null) {
    const met = accepted <= ct + config.sla.acceptMinutes[created.tier] * 60_000;
    add(accepted, 'tickets', met ? 'acceptMet' : 'acceptMissed');
  }
  if (status === 'open') {
    open[created.ticketId] = { agentId: agent };
    if (agent) {
      const l = (load[agent] ??= {});
      l[created.priority] = (l[created.priority] ?? 0) + 1;
    }
  }
}
