/**
 * Collects the effects of one batch: counter increments (merged per field), period registrations
 * with their retention, and record writes. Pure; the projector fills it, a store applies `toOps()`.
 */
import type { CounterRef, Op, SetRef } from './ops.ts';
import type { Period } from './shifts.ts';

const DAY = 86_400_000;

/** A map key for a counter or set reference (only counters and sets are merged). Built by hand: this
 * runs for every counter an event touches, and JSON.stringify was the projector's largest cost. The
 * length prefix keeps keys unambiguous whatever the names contain. */
function refKey(ref: CounterRef | SetRef): string {
  switch (ref.name) {
    case 'agg':
      return `g${ref.period.length}:${ref.period}${ref.group}`;
    case 'agentLoad':
      return `l${ref.agentId}`;
    case 'satMinute':
      return `m${ref.minute}`;
    case 'queues':
      return 'q';
    case 'agents':
      return 'a';
    case 'periodGroups':
      return `p${ref.period}`;
    case 'ticketTeams':
      return 't';
  }
}

/** One period's aggregates in a batch: group → field → increment. */
interface PeriodAggregates {
  period: Period;
  keepUntil: number;
  groups: Map<string, Map<string, number>>;
}

/** Accumulates a batch's effects; `toOps()` returns them in a stable order. */
export class Effects {
  private readonly counters = new Map<string, { counter: CounterRef; fields: Map<string, number> }>();
  private readonly expiries = new Map<string, { counter: CounterRef; at: number }>();
  private readonly sets = new Map<string, { set: SetRef; members: Set<string>; expireAt?: number }>();
  /** Shift/day/hour aggregates by period id: the bulk of a batch's effects, kept apart so that each
   * `add` is two map lookups per period instead of building keys for a counter, its expiry and its set. */
  private readonly aggregates = new Map<string, PeriodAggregates>();
  private readonly other: Op[] = [];

  /**
   * @param summaryRetentionDays how long shift/day counters are kept after the later of the period's end
   *   and `now` (so a replay of old events keeps its summaries for the full retention too)
   */
  constructor(
    private readonly summaryRetentionDays: number,
    private readonly now: number,
  ) {}

  /** Adds `by` to `field` of a counter hash. */
  incr(counter: CounterRef, field: string, by = 1): void {
    if (by === 0) return;
    const k = refKey(counter);
    let entry = this.counters.get(k);
    if (!entry) {
      entry = { counter, fields: new Map() };
      this.counters.set(k, entry);
    }
    entry.fields.set(field, (entry.fields.get(field) ?? 0) + by);
  }

  /**
   * Adds to a shift/day aggregate: `group` is e.g. `calls`, `queue:sales`, `agent:a-1`, `tickets`, `sat`.
   * The counter is kept until the later of the period's end and now, plus the summary retention, and
   * the group is registered in the period's group set (even when `by` is 0).
   */
  add(periods: readonly Period[], group: string, field: string, by = 1): void {
    for (const period of periods) {
      let agg = this.aggregates.get(period.id);
      if (!agg) {
        const keepUntil = Math.max(period.end, this.now) + this.summaryRetentionDays * DAY;
        agg = { period, keepUntil, groups: new Map() };
        this.aggregates.set(period.id, agg);
      }
      let fields = agg.groups.get(group);
      if (!fields) {
        fields = new Map();
        agg.groups.set(group, fields);
      }
      if (by !== 0) fields.set(field, (fields.get(field) ?? 0) + by);
    }
  }

  /** Sets a counter hash to expire at `at` (the latest request wins). */
  expireCounterAt(counter: CounterRef, at: number): void {
    const k = refKey(counter);
    const cur = this.expiries.get(k);
    if (!cur || cur.at < at) this.expiries.set(k, { counter, at });
  }

  /** Adds a member to a set, optionally keeping the set until `expireAt`. */
  addToSet(set: SetRef, member: string, expireAt?: number): void {
    const k = refKey(set);
    let entry = this.sets.get(k);
    if (!entry) {
      entry = { set, members: new Set() };
      this.sets.set(k, entry);
    }
    entry.members.add(member);
    if (expireAt !== undefined && (entry.expireAt === undefined || entry.expireAt < expireAt)) {
      entry.expireAt = expireAt;
    }
  }

  /** Queues any other operation (record writes, index changes) in order. */
  push(op: Op): void {
    this.other.push(op);
  }

  /** Every operation of the batch: other operations, then increments, then expiries (after the
   * increments that create their keys), then set members with their expiry. */
  toOps(): Op[] {
    const ops: Op[] = [...this.other];
    for (const { counter, fields } of this.counters.values()) {
      for (const [field, by] of fields) if (by !== 0) ops.push({ op: 'incr', counter, field, by });
    }
    const aggCounters = [...this.aggregates.values()].map((agg) =>
      [...agg.groups].map(([group, fields]) => {
        const counter: CounterRef = { name: 'agg', period: agg.period.id, group };
        for (const [field, by] of fields) if (by !== 0) ops.push({ op: 'incr', counter, field, by });
        return counter;
      }),
    );
    for (const { counter, at } of this.expiries.values()) ops.push({ op: 'expireAt', counter, at });
    [...this.aggregates.values()].forEach((agg, i) => {
      for (const counter of aggCounters[i] ?? []) ops.push({ op: 'expireAt', counter, at: agg.keepUntil });
    });
    for (const { set, members, expireAt } of this.sets.values()) {
      for (const member of members) ops.push({ op: 'sadd', set, member });
      if (expireAt !== undefined) ops.push({ op: 'expireSetAt', set, at: expireAt });
    }
    for (const agg of this.aggregates.values()) {
      const set: SetRef = { name: 'periodGroups', period: agg.period.id };
      for (const group of agg.groups.keys()) ops.push({ op: 'sadd', set, member: group });
      ops.push({ op: 'expireSetAt', set, at: agg.keepUntil });
    }
    return ops;
  }
}
