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
  }
}

/** Accumulates a batch's effects; `toOps()` returns them in a stable order. */
export class Effects {
  private readonly counters = new Map<string, { counter: CounterRef; fields: Map<string, number> }>();
  private readonly expiries = new Map<string, { counter: CounterRef; at: number }>();
  private readonly sets = new Map<string, { set: SetRef; members: Set<string>; expireAt?: number }>();
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

  /** Adds to a shift/day aggregate: `group` is e.g. `calls`, `queue:sales`, `agent:a-1`, `tickets`, `sat`. */
  add(periods: readonly Period[], group: string, field: string, by = 1): void {
    for (const period of periods) {
      const counter: CounterRef = { name: 'agg', period: period.id, group };
      this.incr(counter, field, by);
      const keepUntil = Math.max(period.end, this.now) + this.summaryRetentionDays * DAY;
      this.expireCounterAt(counter, keepUntil);
      this.addToSet({ name: 'periodGroups', period: period.id }, group, keepUntil);
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

  /** Every operation of the batch. */
  toOps(): Op[] {
    const ops: Op[] = [...this.other];
    for (const { counter, fields } of this.counters.values()) {
      for (const [field, by] of fields) if (by !== 0) ops.push({ op: 'incr', counter, field, by });
    }
    for (const { counter, at } of this.expiries.values()) ops.push({ op: 'expireAt', counter, at });
    for (const { set, members, expireAt } of this.sets.values()) {
      for (const member of members) ops.push({ op: 'sadd', set, member });
      if (expireAt !== undefined) ops.push({ op: 'expireSetAt', set, at: expireAt });
    }
    return ops;
  }
}
