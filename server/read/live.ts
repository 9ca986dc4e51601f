/**
 * The live read model: builds a LiveSnapshot from the store. A LiveReader keeps the agents and the
 * listed tickets between reads and re-reads only those the store's change log names (everything on
 * its first read, after a reconnect, a store rebuild or an error), so a read of a floor of thousands
 * of agents costs what changed since the last one plus a few dozen bounded queries: queues, ticket
 * counts and lists, satisfaction. `readLive` is one read by a fresh reader.
 */
import type { LiveQueue, LiveSatisfaction, LiveSatisfactionMinute, LiveSnapshot } from '../contract/api.ts';
import {
  callMetrics,
  satisfactionMetrics,
  sumCounters,
  type SatisfactionMetrics,
} from '../domain/metrics.ts';
import { ROLLING_WINDOW_MINUTES } from '../domain/project-surveys.ts';
import type { ShiftCalendar } from '../domain/shifts.ts';
import { assigneeSuggester } from '../domain/suggest.ts';
import type { Keys } from '../store/keys.ts';
import type { ChangeMark, StoreReader } from '../store/store.ts';
import { LiveAgents } from './live-agents.ts';
import { LiveTickets, type TicketListing } from './live-tickets.ts';

const MINUTE = 60_000;

export interface LiveReadDeps {
  store: StoreReader;
  keys: Keys;
  calendar: ShiftCalendar;
  atRiskMinutes: number;
}

export interface LiveReader {
  /** The floor at `now`, with at-risk meaning due within `atRiskMinutes`. Reads run one at a time. */
  read(now: number, atRiskMinutes: number): Promise<LiveSnapshot>;
  /** Forgets what it keeps: the next read reads everything (e.g. after the store reconnected, when
   * Redis may have been restored from a backup). */
  reset(): void;
}

function toLiveSatisfaction(m: SatisfactionMetrics): LiveSatisfaction {
  return { count: m.count, mean: m.mean, overall: m.overall, lowCount: m.lowCount };
}

/** A reader that keeps agents and listed tickets between reads (see the module comment). */
export function createLiveReader(deps: Omit<LiveReadDeps, 'atRiskMinutes'>): LiveReader {
  const { store, keys, calendar } = deps;
  const agents = new LiveAgents(store, keys);
  const tickets = new LiveTickets(store, keys);
  let mark: ChangeMark | null = null;
  /** Bumped by reset(): a read that began before must not install its mark. */
  let generation = 0;
  let queue: Promise<unknown> = Promise.resolve();

  async function readOnce(now: number, atRiskMinutes: number): Promise<LiveSnapshot> {
    const began = generation;
    const shift = calendar.shiftAt(now);
    const shiftPeriod = shift?.id ?? 'none';
    const agg = (group: string) => keys.counter({ name: 'agg', period: shiftPeriod, group });
    const thisMinute = Math.floor(now / MINUTE) * MINUTE;
    const minutes = Array.from(
      { length: ROLLING_WINDOW_MINUTES },
      (_, i) => thisMinute - (ROLLING_WINDOW_MINUTES - 1 - i) * MINUTE,
    );
    const [changes, queueNames, ticketTeams, minuteHashes, [shiftSat = {}], [open = 0]] = await Promise.all([
      store.changes(mark),
      store.smembers(keys.set({ name: 'queues' })),
      store.smembers(keys.set({ name: 'ticketTeams' })),
      store.hgetall(minutes.map((minute) => keys.counter({ name: 'satMinute', minute }))),
      store.hgetall([agg('sat')]),
      store.zcard([keys.index({ name: 'openTickets' })]),
    ]);
    // Until this read completes, the next one must not trust what is kept.
    mark = null;
    queueNames.sort();
    const [queues, ticketSection] = await Promise.all([
      readQueues(queueNames, agg),
      tickets.read(changes.tickets, ticketTeams, now, now + atRiskMinutes * MINUTE),
      agents.refresh(changes.agents, shiftPeriod),
    ]);
    const floor = agents.build(now);
    const suggest = assigneeSuggester(floor);
    const alert = (l: TicketListing) => tickets.alertOf(l, suggest(l.rec.team, l.rec.agentId));
    const total = (f: 'overdue' | 'atRisk') => ticketSection.byTeam.reduce((n, t) => n + t[f], 0);
    const snapshot: LiveSnapshot = {
      serverTime: now,
      timezone: calendar.timezone,
      shift: shift ? { id: shift.id, name: shift.name, start: shift.start, end: shift.end } : null,
      queues,
      agents: floor,
      tickets: {
        open,
        overdueCount: total('overdue'),
        atRiskCount: total('atRisk'),
        overdue: ticketSection.overdue.map(alert),
        atRisk: ticketSection.atRisk.map(alert),
        byTeam: ticketSection.byTeam,
      },
      satisfaction: {
        rolling60m: toLiveSatisfaction(satisfactionMetrics(sumCounters(minuteHashes))),
        shift: toLiveSatisfaction(satisfactionMetrics(shiftSat)),
        trend: minutes.map((minute, i): LiveSatisfactionMinute => {
          const m = satisfactionMetrics(minuteHashes[i] ?? {});
          return { minute, count: m.count, mean: m.mean };
        }),
      },
    };
    if (generation === began) mark = changes.mark;
    return snapshot;
  }

  async function readQueues(names: readonly string[], agg: (group: string) => string): Promise<LiveQueue[]> {
    const waitingKeys = names.map((q) => keys.index({ name: 'waiting', queue: q }));
    const [waiting, oldest, counters] = await Promise.all([
      store.zcard(waitingKeys),
      store.zranges(
        waitingKeys.map((key) => ({
          key,
          min: Number.NEGATIVE_INFINITY,
          max: Number.POSITIVE_INFINITY,
          limit: 1,
        })),
      ),
      store.hgetall(names.map((q) => agg(`queue:${q}`))),
    ]);
    return names.map((queue, i) => ({
      queue,
      waiting: waiting[i] ?? 0,
      oldestQueuedAt: oldest[i]?.[0]?.score ?? null,
      shift: callMetrics(counters[i] ?? {}),
    }));
  }

  return {
    read(now, atRiskMinutes) {
      const next = queue.then(() =>
        readOnce(now, atRiskMinutes).catch((err: unknown) => {
          // Part of what is kept may be newer than the mark: start over next time.
          mark = null;
          throw err;
        }),
      );
      queue = next.catch(() => undefined);
      return next;
    },
    reset() {
      generation++;
      mark = null;
    },
  };
}

/** Reads the whole live floor at `now` (a fresh reader: everything is read). */
export function readLive(deps: LiveReadDeps, now: number): Promise<LiveSnapshot> {
  return createLiveReader(deps).read(now, deps.atRiskMinutes);
}
