/**
 * Maintenance of the ticket deadline indexes outside ingestion: re-indexing every open ticket under
 * a new SLA policy (the indexes hold due times computed when a ticket last changed), and paging
 * through a sorted set in bounded reads.
 */
import type { SlaPolicy } from '../../config/schema.ts';
import { TIERS } from '../contract/events.ts';
import type { Op } from '../domain/ops.ts';
import { DEADLINE_KINDS, type TicketRecord } from '../domain/records.ts';
import { deadlineIndexOps, upgradeTicket } from '../domain/ticket-deadlines.ts';
import { createKeys } from '../store/keys.ts';
import type { LiveStore, Scored, StoreReader } from '../store/store.ts';

/**
 * Pages through a sorted set in ascending score order, `batch` members per read, without an offset:
 * each page starts at the previous page's last score and skips the members already seen there.
 * Members added or removed meanwhile do not derail it.
 */
export async function* scanIndex(store: StoreReader, key: string, batch: number): AsyncGenerator<Scored[]> {
  let min = Number.NEGATIVE_INFINITY;
  let seenAtMin = new Set<string>();
  let limit = batch;
  for (;;) {
    const got = await store.zrange(key, min, Number.POSITIVE_INFINITY, limit);
    const fresh = got.filter((s) => !(s.score === min && seenAtMin.has(s.member)));
    if (fresh.length > 0) {
      yield fresh;
      const last = fresh[fresh.length - 1]?.score ?? min;
      if (last !== min) {
        min = last;
        seenAtMin = new Set();
      }
      for (const s of fresh) if (s.score === min) seenAtMin.add(s.member);
    }
    if (got.length < limit) return;
    limit = batch + seenAtMin.size;
  }
}

/** Ops that take a ticket that is gone out of every deadline index (`teams`: those with tickets). */
function forgetOps(ticketId: string, teams: readonly string[]): Op[] {
  return [
    { op: 'zrem', index: { name: 'openTickets' }, member: ticketId },
    ...DEADLINE_KINDS.flatMap((kind): Op[] => [
      { op: 'zrem', index: { name: 'due', kind }, member: ticketId },
      { op: 'zrem', index: { name: 'toEscalate', kind }, member: ticketId },
    ]),
    ...[null, ...teams].flatMap((team) =>
      TIERS.map((tier): Op => ({ op: 'zrem', index: { name: 'nextDue', team, tier }, member: ticketId })),
    ),
  ];
}

/**
 * The index ops that make a ticket's deadline entries match its record, or remove a vanished one
 * (from the next-deadline indexes of `teams`, the members of the store's ticketTeams set).
 */
export function reindexOps(
  ticketId: string,
  rec: TicketRecord | null,
  sla: SlaPolicy,
  teams: readonly string[],
): Op[] {
  return rec ? deadlineIndexOps(upgradeTicket(rec, sla), sla) : forgetOps(ticketId, teams);
}

/** The teams that own tickets (whose next-deadline indexes a vanished ticket may be in). */
export function ticketTeams(store: LiveStore): Promise<string[]> {
  return store.smembers(createKeys(store.prefix).set({ name: 'ticketTeams' }));
}

export interface ReindexDeps {
  store: LiveStore;
  sla: SlaPolicy;
  /** Tickets per transaction (default 500). */
  batch?: number;
}

/**
 * Rewrites the deadline indexes of every open ticket under `sla`, one transaction per batch (a batch
 * whose tickets change meanwhile is re-read and rewritten). Returns how many tickets it visited.
 */
export async function reindexDeadlines(deps: ReindexDeps): Promise<number> {
  const keys = createKeys(deps.store.prefix);
  let visited = 0;
  for await (const page of scanIndex(deps.store, keys.index({ name: 'openTickets' }), deps.batch ?? 500)) {
    const ids = page.map((s) => s.member);
    let done = false;
    for (let attempt = 0; attempt < 20 && !done; attempt++) {
      const tx = await deps.store.begin();
      const recs = (await tx.getRecords('ticket', ids)) as Array<TicketRecord | null>;
      const teams = recs.includes(null) ? await ticketTeams(deps.store) : [];
      done = await tx.commit(ids.flatMap((id, i) => reindexOps(id, recs[i] ?? null, deps.sla, teams)));
    }
    if (!done) throw new Error('re-indexing deadlines: tickets kept changing; try again');
    visited += ids.length;
  }
  return visited;
}
