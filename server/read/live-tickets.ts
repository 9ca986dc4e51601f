/**
 * The ticket section of the live floor: exact overdue / at-risk / open counts per owning team, and the
 * overdue and at-risk lists, VIP first. They come from the per-team, per-tier next-deadline indexes
 * (score = a ticket's earliest deadline), so a count is one ZCOUNT per index however many tickets are
 * late, and a list reads only the first LIVE_ALERTS_LISTED of each team, tier by tier. The records of
 * listed tickets are kept between reads and re-read only when the change log names them.
 */
import type { LiveTeamTickets, LiveTicketAlert } from '../contract/api.ts';
import { LIVE_ALERTS_LISTED } from '../contract/api.ts';
import { TIERS, type Tier } from '../contract/events.ts';
import { DEADLINE_KINDS, type DeadlineKind, type TicketRecord } from '../domain/records.ts';
import type { Keys } from '../store/keys.ts';
import type { RangeRead, Scored, StoreReader } from '../store/store.ts';

/** The largest number below `x` (a finite double): `score <= below(x)` is `score < x`, exactly. */
export function below(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  const f = new Float64Array([x]);
  const bits = new BigInt64Array(f.buffer);
  bits[0] = (bits[0] ?? 0n) + (x > 0 ? -1n : 1n);
  return f[0] ?? x;
}

const TIER_RANK: Record<Tier, number> = { vip: 0, key: 1, normal: 2 };

/** What the ticket section is built from, before suggestions are added. */
export interface TicketSection {
  byTeam: LiveTeamTickets[];
  /** Each team's first LIVE_ALERTS_LISTED, merged: VIP first, then by due time, then id. */
  overdue: TicketListing[];
  atRisk: TicketListing[];
}

/** A listed ticket: its record, the deadline that is (or is nearly) late, and when it is due. */
export interface TicketListing {
  ticketId: string;
  deadline: DeadlineKind;
  due: number;
  rec: TicketRecord;
}

interface TicketEntry {
  rec: TicketRecord | null;
  /** The ticket's due time per deadline kind (null where none applies). */
  dues: Array<number | null>;
  /** The alert last built from it (kept while nothing in it changes, so diffs skip it). */
  alert: LiveTicketAlert | null;
}

type Group = string | null;

/** Orders listings VIP first, then by due time, then by id (as Redis orders equal scores). */
function byTierThenDue(a: TicketListing, b: TicketListing): number {
  return (
    TIER_RANK[a.rec.tier] - TIER_RANK[b.rec.tier] ||
    a.due - b.due ||
    (a.ticketId < b.ticketId ? -1 : a.ticketId > b.ticketId ? 1 : 0)
  );
}

export class LiveTickets {
  private entries = new Map<string, TicketEntry>();

  constructor(
    private readonly store: StoreReader,
    private readonly keys: Keys,
  ) {}

  /** Forgets the cached records. */
  clear(): void {
    this.entries = new Map();
  }

  /**
   * Reads the counts and lists at `now` (at risk: due within [now, horizon]); `changed` names the
   * tickets whose cached records are out of date (null: all of them).
   */
  async read(
    changed: readonly string[] | null,
    ticketTeams: readonly string[],
    now: number,
    horizon: number,
  ): Promise<TicketSection> {
    if (changed === null) this.clear();
    else for (const id of changed) this.entries.delete(id);
    const groups: Group[] = [...[...ticketTeams].sort(), null];
    const index = (team: Group, tier: Tier) => this.keys.index({ name: 'nextDue', team, tier });
    const cells = groups.flatMap((team) => TIERS.map((tier) => ({ team, tier, key: index(team, tier) })));
    const cellKeys = cells.map((c) => c.key);
    const late = below(now);
    const [overdueN, atRiskN, openN] = await Promise.all([
      this.store.zcount(cellKeys, Number.NEGATIVE_INFINITY, late),
      this.store.zcount(cellKeys, now, horizon),
      this.store.zcard(cellKeys),
    ]);
    const byTeam: LiveTeamTickets[] = [];
    groups.forEach((team, g) => {
      const row = { team, open: 0, overdue: 0, atRisk: 0 };
      for (let t = 0; t < TIERS.length; t++) {
        const i = g * TIERS.length + t;
        row.open += openN[i] ?? 0;
        row.overdue += overdueN[i] ?? 0;
        row.atRisk += atRiskN[i] ?? 0;
      }
      if (row.open > 0) byTeam.push(row);
    });
    // Each team's first LIVE_ALERTS_LISTED: its VIP tickets, then key, then normal, as many as fit.
    const ranges = (counts: readonly number[], min: number, max: number): RangeRead[] =>
      groups.flatMap((_, g) => {
        let room = LIVE_ALERTS_LISTED;
        return TIERS.flatMap((_t, t) => {
          const i = g * TIERS.length + t;
          const take = Math.min(room, counts[i] ?? 0);
          room -= take;
          return take === 0 ? [] : [{ key: cells[i]?.key ?? '', min, max, limit: take }];
        });
      });
    const overdueReads = ranges(overdueN, Number.NEGATIVE_INFINITY, late);
    const got = await this.store.zranges([...overdueReads, ...ranges(atRiskN, now, horizon)]);
    const overdueIds = got.slice(0, overdueReads.length).flat();
    const atRiskIds = got.slice(overdueReads.length).flat();
    const listed = [...overdueIds, ...atRiskIds];
    await this.load(listed.map((s) => s.member));
    const keep = new Set(listed.map((s) => s.member));
    for (const id of this.entries.keys()) if (!keep.has(id)) this.entries.delete(id);
    return { byTeam, overdue: this.listings(overdueIds), atRisk: this.listings(atRiskIds) };
  }

  /** Reads the records and due times of the tickets not cached. */
  private async load(ids: readonly string[]): Promise<void> {
    const missing = [...new Set(ids.filter((id) => !this.entries.has(id)))];
    if (missing.length === 0) return;
    const [recs, ...dues] = await Promise.all([
      this.store.getRecords('ticket', missing),
      ...DEADLINE_KINDS.map((kind) => this.store.zmscore(this.keys.index({ name: 'due', kind }), missing)),
    ]);
    missing.forEach((id, i) => {
      this.entries.set(id, {
        rec: (recs[i] ?? null) as TicketRecord | null,
        dues: DEADLINE_KINDS.map((_, k) => dues[k]?.[i] ?? null),
        alert: null,
      });
    });
  }

  private listings(scored: readonly Scored[]): TicketListing[] {
    const out: TicketListing[] = [];
    for (const { member, score } of scored) {
      const e = this.entries.get(member);
      if (!e?.rec) continue; // gone since the index was read: the next read settles it
      // The deadline due then; if the index moved on meanwhile, the earliest one the ticket has.
      let k = e.dues.indexOf(score);
      if (k < 0) {
        for (let j = 0; j < e.dues.length; j++) {
          const d = e.dues[j];
          if (d != null && (k < 0 || d < (e.dues[k] ?? Number.POSITIVE_INFINITY))) k = j;
        }
      }
      out.push({ ticketId: member, deadline: DEADLINE_KINDS[k] ?? 'resolve', due: score, rec: e.rec });
    }
    return out.sort(byTierThenDue);
  }

  /** A listing as the snapshot shows it, with its suggested assignee (the same object as last time
   * when nothing in it changed). */
  alertOf(l: TicketListing, suggestedAgentId: string | null): LiveTicketAlert {
    const e = this.entries.get(l.ticketId);
    const kept = e?.alert;
    if (
      kept &&
      kept.due === l.due &&
      kept.deadline === l.deadline &&
      kept.suggestedAgentId === suggestedAgentId
    )
      return kept;
    const t = l.rec;
    const alert: LiveTicketAlert = {
      ticketId: l.ticketId,
      deadline: l.deadline,
      due: l.due,
      kind: t.kind,
      category: t.category,
      tier: t.tier,
      priority: t.priority,
      team: t.team,
      agentId: t.agentId,
      subject: t.subject,
      version: t.version,
      suggestedAgentId,
    };
    if (e) e.alert = alert;
    return alert;
  }
}
