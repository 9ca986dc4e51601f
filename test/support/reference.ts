/**
 * A deliberately simple, separate model of what the counters must be: it groups the whole event log
 * by entity, orders each entity's events by event time and computes each figure directly, with none
 * of the projector's streaming machinery, bounds or bookkeeping — and with its own calendar and
 * service-level settings, so a calendar or formula bug in the product cannot cancel out here.
 * Integration tests compare the stores against it. It has no clock-hour counters.
 *
 * Two figures depend on real time, not only on the events: a deadline still running when the
 * escalation sweeper looks counts as overdue once it has passed (`asOf`: the instant of the last sweep),
 * and `escalated` counts the escalations the sweepers raised, in the period they were raised
 * (`escalations`: read from what the server published; `escalationProblems` checks each against the
 * deadlines the events set).
 */
import { DateTime } from 'luxon';
import type { Config } from '../../config/schema.ts';
import type { CcEvent, TicketEvent } from '../../server/contract/events.ts';

/** period id → group → field → value */
export type Aggregates = Record<string, Record<string, Record<string, number>>>;

export interface ReferenceState {
  aggregates: Aggregates;
  waiting: Record<string, string[]>;
  agents: Record<string, { state: string; reason: string | null; since: number }>;
  openTickets: Record<string, { agentId: string | null }>;
  agentLoad: Record<string, Record<string, number>>;
}

const DAY_MS = 86_400_000;
/** Longest stretch of one state that counts (a longer one is a missed event upstream). */
const STATE_CAP_MS = 31 * DAY_MS;
/** How far a wrap-up's start may be from the end of the call it follows. */
const WRAP_PAIR_MS = 15_000;

const t = (e: CcEvent) => Date.parse(e.ts);
/** `items` in event-time order; equal times keep their order in the log (their arrival order). */
const byTime = <T>(items: readonly T[], time: (x: T) => number) =>
  items
    .map((x, i) => ({ x, i }))
    .sort((a, b) => time(a.x) - time(b.x) || a.i - b.i)
    .map((y) => y.x);

interface RefPeriod {
  id: string;
  start: number;
  end: number;
}

/** Days and shifts in the centre's zone, straight from luxon: each period is [start, end) of wall times. */
export function referenceCalendar(config: Pick<Config, 'timezone' | 'shifts'>) {
  const zone = config.timezone;
  const wall = (date: string, hhmm: string) => DateTime.fromISO(`${date}T${hhmm}`, { zone }).toMillis();
  const dateOf = (ms: number) => DateTime.fromMillis(ms, { zone }).toISODate() as string;
  const addDays = (date: string, n: number) => DateTime.fromISO(date).plus({ days: n }).toISODate() as string;
  // Remembered per date only because luxon is slow and a day of events asks for the same dates often.
  const known = new Map<string, RefPeriod[]>();
  const periodsOf = (date: string): RefPeriod[] => {
    const cached = known.get(date);
    if (cached) return cached;
    const periods = [
      { id: date, start: wall(date, '00:00'), end: wall(addDays(date, 1), '00:00') },
      ...config.shifts.map((s) => ({
        id: `${date}/${s.name}`,
        start: wall(date, s.start),
        end: wall(s.end <= s.start ? addDays(date, 1) : date, s.end),
      })),
    ];
    known.set(date, periods);
    return periods;
  };
  return {
    periodsAt(ms: number): string[] {
      const date = dateOf(ms);
      return [...periodsOf(addDays(date, -1)), ...periodsOf(date)]
        .filter((p) => p.start <= ms && ms < p.end)
        .map((p) => p.id);
    },
    split(from: number, to: number): Array<{ id: string; ms: number }> {
      const out: Array<{ id: string; ms: number }> = [];
      for (let d = addDays(dateOf(from), -1); d <= dateOf(to); d = addDays(d, 1)) {
        for (const p of periodsOf(d)) {
          const ms = Math.min(to, p.end) - Math.max(from, p.start);
          if (ms > 0) out.push({ id: p.id, ms });
        }
      }
      return out;
    },
  };
}

/** Real-time inputs: see the module comment. */
export interface ReferenceOptions {
  /** The instant the escalation sweeper last looked: deadlines still running and passed then are overdue. */
  asOf?: number;
  /** Escalations the sweepers raised (each counted once, at `at`). */
  escalations?: readonly RaisedEscalation[];
}

/** One escalation as the server published it (`ticket.escalated`). */
export interface RaisedEscalation {
  id: string;
  ticketId: string;
  deadline: DeadlineKind;
  due: number;
  /** When it was raised. */
  at: number;
}

type DeadlineKind = 'accept' | 'update' | 'resolve';

/** One SLA deadline a ticket was held to: its clock started at `base`; `running` if nothing ended it. */
export interface ReferenceDeadline {
  ticketId: string;
  kind: DeadlineKind;
  base: number;
  due: number;
  running: boolean;
}

/** An answered call as its agent's wrap-up needs it. */
interface AnsweredCall {
  callId: string;
  answeredAt: number;
  endedAt: number | null;
  at: number;
  queue: string;
  queueAt: number;
}

/** Computes the expected state from every event (duplicates by id are counted once). */
export function reference(
  all: readonly CcEvent[],
  config: Config,
  opts: ReferenceOptions = {},
): ReferenceState {
  return compute(all, config, opts).state;
}

/** Every deadline the events set, in force or ended. */
export function referenceDeadlines(all: readonly CcEvent[], config: Config): ReferenceDeadline[] {
  return compute(all, config, {}).deadlines;
}

/**
 * What is wrong with the escalations raised, given the events and the last sweep at `asOf`: each must
 * be of a deadline the events set, raised after it passed and within `escalation.horizonHours`, once;
 * and every deadline still running at `asOf` that passed within the horizon must have been escalated.
 */
export function escalationProblems(
  all: readonly CcEvent[],
  config: Config,
  raised: readonly RaisedEscalation[],
  asOf: number,
): string[] {
  const horizon = config.escalation.horizonHours * 3_600_000;
  const deadlines = referenceDeadlines(all, config);
  const key = (x: { ticketId: string; kind: string; due: number }) => `${x.ticketId}:${x.kind}@${x.due}`;
  const known = new Set(deadlines.map(key));
  const problems: string[] = [];
  const seen = new Set<string>();
  const iso = (ms: number) => new Date(ms).toISOString();
  for (const r of raised) {
    const k = key({ ticketId: r.ticketId, kind: r.deadline, due: r.due });
    if (!known.has(k)) problems.push(`${k}: escalated, but the events never set that deadline`);
    if (r.at <= r.due) problems.push(`${k}: escalated at ${iso(r.at)}, before it was due`);
    if (r.at - r.due > horizon) problems.push(`${k}: escalated at ${iso(r.at)}, past the horizon`);
    if (seen.has(k)) problems.push(`${k}: escalated more than once`);
    seen.add(k);
  }
  for (const d of deadlines) {
    if (d.running && asOf > d.due && asOf - d.due <= horizon && !seen.has(key(d)))
      problems.push(`${key(d)}: passed at ${iso(d.due)} and still running, but never escalated`);
  }
  return problems;
}

function compute(
  all: readonly CcEvent[],
  config: Config,
  opts: ReferenceOptions,
): { state: ReferenceState; deadlines: ReferenceDeadline[] } {
  const calendar = referenceCalendar(config);
  const seen = new Set<string>();
  const events = all.filter((e) => (seen.has(e.id) ? false : (seen.add(e.id), true)));
  const agg: Aggregates = {};
  const bump = (period: string, group: string, field: string, by: number) => {
    if (by === 0) return;
    const g = ((agg[period] ??= {})[group] ??= {});
    g[field] = (g[field] ?? 0) + by;
  };
  const add = (ms: number, group: string, field: string, by = 1) => {
    for (const p of calendar.periodsAt(ms)) bump(p, group, field, by);
  };
  const threshold = (queue: string) =>
    (config.serviceLevel.perQueue[queue]?.thresholdSeconds ?? config.serviceLevel.thresholdSeconds) * 1000;
  const shortAbandon = (queue: string) =>
    (config.serviceLevel.perQueue[queue]?.shortAbandonSeconds ?? config.serviceLevel.shortAbandonSeconds) *
    1000;

  const byEntity = new Map<string, CcEvent[]>();
  const push = (k: string, e: CcEvent) => byEntity.set(k, [...(byEntity.get(k) ?? []), e]);
  for (const e of events) {
    if (e.type.startsWith('call.') && 'callId' in e) push(`call:${e.callId}`, e);
    else if (e.type === 'agent.state') push(`agent:${e.agentId}`, e);
    else if ('ticketId' in e && e.type.startsWith('ticket.')) push(`ticket:${e.ticketId}`, e);
  }

  const waiting: Record<string, string[]> = {};
  const answeredBy = new Map<string, AnsweredCall[]>();
  for (const [key, evs] of byEntity) {
    if (!key.startsWith('call:')) continue;
    const callId = key.slice('call:'.length);
    const first = <T extends CcEvent['type']>(type: T) =>
      byTime(
        evs.filter((e) => e.type === type),
        t,
      )[0] as Extract<CcEvent, { type: T }> | undefined;
    const ans = first('call.answered');
    const ab = first('call.abandoned');
    const end = first('call.ended');
    const outcome = ans ?? ab;
    // Every queue the call entered (once per queue and time), in time order.
    const entries: Array<{ queue: string; at: number }> = [];
    for (const q of byTime(
      evs.filter((e) => e.type === 'call.queued'),
      t,
    )) {
      if (!entries.some((x) => x.queue === q.queue && x.at === t(q)))
        entries.push({ queue: q.queue, at: t(q) });
    }
    if (!outcome && !end && entries.length > 0)
      (waiting[entries[entries.length - 1]!.queue] ??= []).push(callId);
    // Offers: the first entry, and the others that began no later than the outcome. No entry at all:
    // the outcome is the offer, in the queue its event names.
    let offers = entries.filter((q, i) => i === 0 || !outcome || q.at <= t(outcome));
    if (offers.length === 0 && outcome) offers = [{ queue: outcome.queue, at: t(outcome) }];
    if (offers.length === 0) continue;
    const start = offers[0]!.at;
    add(start, 'calls', 'offered');
    for (const q of offers) add(q.at, `queue:${q.queue}`, 'offered');
    if (!outcome) continue;
    const inQueue = [...offers].reverse().find((q) => q.at <= t(outcome)) ?? offers[0]!;
    const scopes = [
      { group: 'calls', at: start, wait: Math.max(0, t(outcome) - start) },
      { group: `queue:${inQueue.queue}`, at: inQueue.at, wait: Math.max(0, t(outcome) - inQueue.at) },
    ];
    for (const { group, at, wait } of scopes) {
      if (ans) {
        add(at, group, 'answered');
        add(at, group, 'waitAnsweredMs', wait);
        if (wait <= threshold(inQueue.queue)) add(at, group, 'answeredWithinThreshold');
      } else {
        add(at, group, 'abandoned');
        add(at, group, 'waitAbandonedMs', wait);
        if (wait < shortAbandon(inQueue.queue)) add(at, group, 'shortAbandoned');
      }
    }
    if (!ans) continue;
    const agent = `agent:${ans.agentId}`;
    add(start, agent, 'handled');
    if (end) {
      const talk = Math.max(0, t(end) - t(ans));
      for (const { group, at } of [...scopes, { group: agent, at: start }]) {
        add(at, group, 'talkMs', talk);
        add(at, group, 'talkCount');
      }
    }
    const list = answeredBy.get(ans.agentId) ?? [];
    list.push({
      callId,
      answeredAt: t(ans),
      endedAt: end ? t(end) : null,
      at: start,
      queue: inQueue.queue,
      queueAt: inQueue.at,
    });
    answeredBy.set(ans.agentId, list);
  }
  for (const list of Object.values(waiting)) list.sort();

  const agents: ReferenceState['agents'] = {};
  for (const [key, evs] of byEntity) {
    if (!key.startsWith('agent:')) continue;
    const agentId = key.slice('agent:'.length);
    // Runs of the same (state, reason) in event-time order; each lasts until the next one starts.
    const runs: Array<{ state: string; reason: string | null; from: number; to: number | null }> = [];
    for (const e of byTime(evs, t)) {
      if (e.type !== 'agent.state') continue;
      const last = runs[runs.length - 1];
      if (last && last.state === e.state && last.reason === (e.reason ?? null)) continue;
      if (last) last.to = t(e);
      runs.push({ state: e.state, reason: e.reason ?? null, from: t(e), to: null });
    }
    const countedFrom = (r: (typeof runs)[number]) =>
      r.to === null ? null : Math.max(r.from, r.to - STATE_CAP_MS);
    for (const r of runs) {
      const from = countedFrom(r);
      if (from === null || r.to === null) continue;
      for (const { id, ms } of calendar.split(from, r.to)) bump(id, key, `stateMs:${r.state}`, ms);
    }
    const cur = runs[runs.length - 1];
    if (cur) agents[agentId] = { state: cur.state, reason: cur.reason, since: cur.from };

    // Wrap-up: consecutive wrap_up runs form one wrap-up, which counts for the call ending nearest its
    // start (within WRAP_PAIR_MS). The agent's answers and call ends during it cut it: after an answer
    // the agent is talking, after a call's end the wrap-up is that call's.
    const calls = answeredBy.get(agentId) ?? [];
    for (let i = 0; i < runs.length; i++) {
      if (runs[i]!.state !== 'wrap_up' || (i > 0 && runs[i - 1]!.state === 'wrap_up')) continue;
      let j = i;
      while (j + 1 < runs.length && runs[j + 1]!.state === 'wrap_up') j++;
      const start = runs[i]!.from;
      const end = runs[j + 1]?.from ?? Infinity;
      const inside = calls
        .flatMap((c) => [c.answeredAt, c.endedAt ?? start])
        .filter((x) => x > start && x < end);
      const cuts = [...new Set([start, ...inside])].sort((a, b) => a - b);
      cuts.forEach((from, k) => {
        const owner =
          k === 0
            ? calls
                .filter(
                  (c) =>
                    c.endedAt !== null && c.answeredAt < start && Math.abs(start - c.endedAt) <= WRAP_PAIR_MS,
                )
                .sort(
                  (a, b) =>
                    Math.abs(start - a.endedAt!) - Math.abs(start - b.endedAt!) ||
                    b.endedAt! - a.endedAt! ||
                    (a.callId < b.callId ? 1 : -1),
                )[0]
            : calls.filter((c) => c.endedAt === from).sort((a, b) => (a.callId < b.callId ? 1 : -1))[0];
        if (!owner) return;
        const until = cuts[k + 1] ?? end;
        let ms = 0;
        for (let r = i; r <= j; r++) {
          const counted = countedFrom(runs[r]!);
          if (counted !== null) ms += Math.max(0, Math.min(runs[r]!.to!, until) - Math.max(counted, from));
        }
        add(owner.at, 'calls', 'wrapMs', ms);
        add(owner.at, key, 'wrapMs', ms);
        add(owner.queueAt, `queue:${owner.queue}`, 'wrapMs', ms);
      });
    }
  }

  const openTickets: ReferenceState['openTickets'] = {};
  const agentLoad: ReferenceState['agentLoad'] = {};
  const deadlines: ReferenceDeadline[] = [];
  for (const [key, evs] of byEntity) {
    if (key.startsWith('ticket:'))
      ticketReference(evs as TicketEvent[], config, opts.asOf ?? null, add, {
        open: openTickets,
        load: agentLoad,
        deadlines,
      });
  }
  const counted = new Set<string>();
  for (const e of opts.escalations ?? []) {
    if (counted.has(e.id)) continue;
    counted.add(e.id);
    add(e.at, 'tickets', 'escalated');
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
  return { state: { aggregates: agg, waiting, agents, openTickets, agentLoad }, deadlines };
}

function ticketReference(
  evs: TicketEvent[],
  config: Config,
  asOf: number | null,
  add: (ms: number, group: string, field: string, by?: number) => void,
  out: {
    open: ReferenceState['openTickets'];
    load: ReferenceState['agentLoad'];
    deadlines: ReferenceDeadline[];
  },
): void {
  const { open, load } = out;
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
  // Every deadline the ticket was held to, by kind and base; those in force at the end are `running`.
  const held = new Map<string, ReferenceDeadline>();
  const running = (): Array<[DeadlineKind, number]> => {
    if (status !== 'open') return [];
    const list: Array<[DeadlineKind, number]> = [
      ['update', Math.max(ct, lastUpdate ?? ct, accepted ?? ct, clockStart)],
      ['resolve', clockStart],
    ];
    if (accepted === null) list.push(['accept', ct]);
    return list;
  };
  const checkDeadlines = (at: number) => {
    for (const [kind, base] of running()) {
      const due = base + span[kind];
      if (!held.has(`${kind}:${base}`))
        held.set(`${kind}:${base}`, { ticketId: created.ticketId, kind, base, due, running: false });
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
  for (const [kind, base] of running()) {
    const d = held.get(`${kind}:${base}`);
    if (d) d.running = true;
  }
  out.deadlines.push(...held.values());
  // The sweeper saw the deadlines still running pass in real time.
  if (asOf !== null) checkDeadlines(asOf);
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
