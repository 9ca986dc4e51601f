/**
 * Shift and day summaries from the per-period counters the projector keeps (attributed by event time,
 * so late events and replays land in the right period), by the formulas in domain/metrics.ts.
 */
import { AGENT_STATES } from '../contract/events.ts';
import type { AgentSummary, ShiftsResponse, Summary, TicketSummary } from '../contract/summary.ts';
import { callMetrics, num, occupancy, ratio, satisfactionMetrics, type Counters } from '../domain/metrics.ts';
import { MAX_BOOKED_STATE_MS } from '../domain/project-agents.ts';
import type { AgentRecord } from '../domain/records.ts';
import type { Period, ShiftCalendar } from '../domain/shifts.ts';
import type { Keys } from '../store/keys.ts';
import type { StoreReader } from '../store/store.ts';

const DAY = 86_400_000;

export interface SummaryDeps {
  store: StoreReader;
  keys: Keys;
  calendar: ShiftCalendar;
}

async function readPeriod(deps: SummaryDeps, period: string): Promise<Map<string, Counters>> {
  const groups = (await deps.store.smembers(deps.keys.set({ name: 'periodGroups', period }))).sort();
  const hashes = await deps.store.hgetall(
    groups.map((group) => deps.keys.counter({ name: 'agg', period, group })),
  );
  return new Map(groups.map((g, i) => [g, hashes[i] ?? {}]));
}

function facets(c: Counters, prefix: string): TicketSummary['createdBy'] {
  const out: TicketSummary['createdBy'] = { kind: {}, tier: {}, category: {}, priority: {} };
  for (const [field, value] of Object.entries(c)) {
    if (!field.startsWith(`${prefix}:`)) continue;
    const [, facet, name] = field.split(':');
    if (facet && name && facet in out) out[facet as keyof typeof out][name] = Number(value);
  }
  return out;
}

/** The ticket figures of one period's `tickets` counters. */
export function ticketSummary(c: Counters): TicketSummary {
  const acceptMet = num(c, 'acceptMet');
  const acceptMissed = num(c, 'acceptMissed');
  const resolveMet = num(c, 'resolveMet');
  const resolveMissed = num(c, 'resolveMissed');
  return {
    created: num(c, 'created'),
    resolved: num(c, 'resolved'),
    createdBy: facets(c, 'created'),
    resolvedBy: facets(c, 'resolved'),
    acceptMet,
    acceptMissed,
    acceptSlaMet: ratio(acceptMet, acceptMet + acceptMissed),
    resolveMet,
    resolveMissed,
    resolveSlaMet: ratio(resolveMet, resolveMet + resolveMissed),
    overdue: num(c, 'overdue'),
    escalated: num(c, 'escalated'),
    reassigned: num(c, 'reassigned'),
    reopened: num(c, 'reopened'),
  };
}

/** Milliseconds of [a, b) inside [c, d). */
function overlap(a: number, b: number, c: number, d: number): number {
  return Math.max(0, Math.min(b, d) - Math.max(a, c));
}

/**
 * Time an agent's current, still open state adds to `period`: up to `now`, in the period containing
 * `now` only (a past period's figures come from events alone, so a replay years later reports them
 * the same). Never for offline, for an agent known only from calls, or for a state older than the
 * longest stretch booking accepts (a missed event upstream, or the last state of replayed old data).
 */
function openStateMs(rec: AgentRecord, period: Period, now: number): number {
  if (!rec.known || rec.state === 'offline' || rec.since < now - MAX_BOOKED_STATE_MS) return 0;
  if (now < period.start || now >= period.end) return 0;
  return overlap(rec.since, now, period.start, period.end);
}

/** One period's summary. */
async function summarize(
  deps: SummaryDeps,
  period: Period,
  agentRecs: Map<string, AgentRecord>,
  now: number,
): Promise<Summary> {
  const groups = await readPeriod(deps, period.id);
  const queueEntries: Array<[string, ReturnType<typeof callMetrics>]> = [];
  const agents: AgentSummary[] = [];
  const agentIds = new Set<string>();
  for (const g of groups.keys()) if (g.startsWith('agent:')) agentIds.add(g.slice('agent:'.length));
  for (const [id, rec] of agentRecs) if (openStateMs(rec, period, now) > 0) agentIds.add(id);
  for (const [g, c] of groups)
    if (g.startsWith('queue:')) queueEntries.push([g.slice('queue:'.length), callMetrics(c)]);
  // fromEntries defines own properties, so a queue named like an Object.prototype member survives.
  const byQueue: Summary['calls']['byQueue'] = Object.fromEntries(queueEntries);
  for (const agentId of [...agentIds].sort()) {
    const c = groups.get(`agent:${agentId}`) ?? {};
    const rec = agentRecs.get(agentId);
    const stateSeconds = Object.fromEntries(
      AGENT_STATES.map((s) => {
        const open = rec && rec.state === s ? openStateMs(rec, period, now) : 0;
        return [s, (num(c, `stateMs:${s}`) + open) / 1000];
      }),
    ) as AgentSummary['stateSeconds'];
    agents.push({
      agentId,
      name: rec?.name ?? null,
      team: rec?.team ?? null,
      handled: num(c, 'handled'),
      talkSeconds: num(c, 'talkMs') / 1000,
      wrapSeconds: num(c, 'wrapMs') / 1000,
      ahtSeconds: ratio((num(c, 'talkMs') + num(c, 'wrapMs')) / 1000, num(c, 'talkCount')),
      occupancy: occupancy(stateSeconds),
      stateSeconds,
      ticketsResolved: num(c, 'ticketsResolved'),
      reassignedIn: num(c, 'reassignedIn'),
      reassignedOut: num(c, 'reassignedOut'),
      satisfaction: satisfactionMetrics(c, 'sat:'),
    });
  }
  return {
    calls: { ...callMetrics(groups.get('calls') ?? {}), byQueue },
    agents,
    tickets: ticketSummary(groups.get('tickets') ?? {}),
    satisfaction: satisfactionMetrics(groups.get('sat') ?? {}),
  };
}

/** The summaries of `date` (YYYY-MM-DD, the centre's calendar): the day and each shift starting that day. */
export async function shiftReport(deps: SummaryDeps, date: string, now: number): Promise<ShiftsResponse> {
  const { calendar } = deps;
  const day = calendar.dayOf(date);
  const agentIds = await deps.store.smembers(deps.keys.set({ name: 'agents' }));
  const recs = (await deps.store.getRecords('agent', agentIds)) as Array<AgentRecord | null>;
  const agentRecs = new Map<string, AgentRecord>();
  recs.forEach((r) => r && agentRecs.set(r.agentId, r));
  const shifts = calendar.shiftsForDate(date);
  const [daySummary, ...shiftSummaries] = await Promise.all(
    [day, ...shifts].map((p) => summarize(deps, p, agentRecs, now)),
  );
  const categories = new Map<string, number>();
  for (let i = 0; i < 7; i++) {
    const d = calendar.isoDate(day.start - i * DAY + DAY / 2);
    const [tickets] = await deps.store.hgetall([
      deps.keys.counter({ name: 'agg', period: d, group: 'tickets' }),
    ]);
    for (const [cat, n] of Object.entries(facets(tickets ?? {}, 'created').category)) {
      categories.set(cat, (categories.get(cat) ?? 0) + n);
    }
  }
  const hours = calendar.hoursOfDate(date);
  const hourly = await deps.store.hgetall(
    hours.flatMap((h) =>
      ['calls', 'sat'].map((group) => deps.keys.counter({ name: 'agg', period: h.id, group })),
    ),
  );
  return {
    date,
    timezone: calendar.timezone,
    hourly: hours.map((h, i) => ({
      hour: h.name,
      start: calendar.toIso(h.start),
      end: calendar.toIso(h.end),
      calls: callMetrics(hourly[2 * i] ?? {}),
      satisfaction: satisfactionMetrics(hourly[2 * i + 1] ?? {}),
    })),
    day: { ...(daySummary as Summary), start: calendar.toIso(day.start), end: calendar.toIso(day.end) },
    shifts: shifts.map((s, i) => ({
      name: s.name,
      start: calendar.toIso(s.start),
      end: calendar.toIso(s.end),
      ...(shiftSummaries[i] as Summary),
    })),
    topComplaintCategories7d: [...categories]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map(([category, count]) => ({ category, count })),
  };
}
