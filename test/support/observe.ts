/** Reads a store back into the reference model's shape, for comparison in tests. */
import { Redis } from 'ioredis';
import type { AgentRecord, TicketRecord } from '../../server/domain/records.ts';
import type { Keys } from '../../server/store/keys.ts';
import type { StoreReader } from '../../server/store/store.ts';
import type { Aggregates, ReferenceState } from './reference.ts';

/** Reads the store's state for the given periods. */
export async function observe(
  store: StoreReader,
  keys: Keys,
  periods: readonly string[],
): Promise<ReferenceState> {
  const aggregates: Aggregates = {};
  for (const period of periods) {
    const groups = await store.smembers(keys.set({ name: 'periodGroups', period }));
    const hashes = await store.hgetall(groups.map((group) => keys.counter({ name: 'agg', period, group })));
    groups.forEach((g, i) => {
      (aggregates[period] ??= {})[g] = Object.fromEntries(
        Object.entries(hashes[i] ?? {}).map(([k, v]) => [k, Number(v)]),
      );
    });
  }
  const waiting: ReferenceState['waiting'] = {};
  for (const queue of await store.smembers(keys.set({ name: 'queues' }))) {
    const members = await store.zrange(keys.index({ name: 'waiting', queue }), -Infinity, Infinity);
    if (members.length > 0) waiting[queue] = members.map((m) => m.member).sort();
  }
  const agentIds = await store.smembers(keys.set({ name: 'agents' }));
  const recs = (await store.getRecords('agent', agentIds)) as Array<AgentRecord | null>;
  const agents: ReferenceState['agents'] = {};
  recs.forEach((r) => {
    if (r && r.known) agents[r.agentId] = { state: r.state, reason: r.reason, since: r.since };
  });
  const open = await store.zrange(keys.index({ name: 'openTickets' }), -Infinity, Infinity);
  const tickets = (await store.getRecords(
    'ticket',
    open.map((o) => o.member),
  )) as Array<TicketRecord | null>;
  const openTickets: ReferenceState['openTickets'] = {};
  const loadAgents = new Set(agentIds);
  tickets.forEach((t) => {
    if (!t) return;
    openTickets[t.ticketId] = { agentId: t.agentId };
    if (t.agentId) loadAgents.add(t.agentId);
  });
  const ids = [...loadAgents];
  const loads = await store.hgetall(ids.map((agentId) => keys.counter({ name: 'agentLoad', agentId })));
  const agentLoad: ReferenceState['agentLoad'] = {};
  ids.forEach((id, i) => {
    const l = Object.fromEntries(Object.entries(loads[i] ?? {}).map(([k, v]) => [k, Number(v)]));
    agentLoad[id] = l;
  });
  return { aggregates, waiting, agents, openTickets, agentLoad };
}

/** A clock-hour period id (`2026-03-02T08`, `…T02+1` for a repeated hour): the reference has none. */
const HOUR_PERIOD = /T\d\d(\+1)?$/;

/**
 * Every day and shift period the Redis store at `redisUrl` holds counters for, found by scanning its
 * keys, so a comparison also catches counters booked in a period the reference has nothing in.
 */
export async function storedPeriods(redisUrl: string, keys: Keys): Promise<string[]> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  const marker = keys.set({ name: 'periodGroups', period: '' });
  const periods = new Set<string>();
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${marker}*`, 'COUNT', 1000);
      for (const key of found) periods.add(key.slice(marker.length));
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return [...periods].filter((p) => !HOUR_PERIOD.test(p)).sort();
}

/** The store's state over every day and shift period it holds (see `storedPeriods`). */
export async function observeAll(store: StoreReader, keys: Keys, redisUrl: string): Promise<ReferenceState> {
  return observe(store, keys, await storedPeriods(redisUrl, keys));
}

/** Drops zero counters and empty groups, so two states compare. */
export function normalize(s: ReferenceState): ReferenceState {
  const aggregates: Aggregates = {};
  for (const [p, groups] of Object.entries(s.aggregates)) {
    for (const [g, fields] of Object.entries(groups)) {
      const kept = Object.entries(fields).filter(([, v]) => v !== 0);
      if (kept.length > 0)
        (aggregates[p] ??= {})[g] = Object.fromEntries(kept.sort(([a], [b]) => (a < b ? -1 : 1)));
    }
  }
  const agentLoad: ReferenceState['agentLoad'] = {};
  for (const [a, l] of Object.entries(s.agentLoad)) {
    const kept = Object.entries(l).filter(([, v]) => v !== 0);
    if (kept.length > 0) agentLoad[a] = Object.fromEntries(kept.sort(([x], [y]) => (x < y ? -1 : 1)));
  }
  return { ...s, aggregates, agentLoad };
}
