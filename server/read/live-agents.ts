/**
 * The agents of the live floor, kept between reads: each agent's record, open-ticket load, this
 * shift's counters and the deadlines of its open tickets, re-read only when the store's change log
 * names the agent (or everything, when it cannot tell). Overdue counts follow the clock from the
 * cached deadlines; an agent whose figures did not change keeps the same LiveAgent object, so diffs
 * of consecutive snapshots skip it by identity.
 */
import type { LiveAgent } from '../contract/api.ts';
import { num } from '../domain/metrics.ts';
import type { AgentRecord } from '../domain/records.ts';
import type { Keys } from '../store/keys.ts';
import type { StoreReader } from '../store/store.ts';

interface AgentEntry {
  agentId: string;
  /** In the agents set, with a record: shown. */
  listed: boolean;
  rec: AgentRecord | null;
  load: LiveAgent['openTickets'];
  /** This shift: handled calls, talk and wrap-up ms. */
  handled: number;
  talkMs: number;
  wrapMs: number;
  /** Due times of the agent's open tickets (their next deadlines), ascending. */
  due: number[];
  /** The LiveAgent last built, and the overdue count it was built with. */
  view: LiveAgent | null;
  viewOverdue: number;
}

/** How many of the ascending `xs` are below `x`. */
function countBelow(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((xs[mid] ?? 0) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class LiveAgents {
  private entries = new Map<string, AgentEntry>();
  /** The listed entries, by id. */
  private rows: AgentEntry[] = [];
  /** The counter key of the shift whose figures the entries hold. */
  private shiftKey: string | null = null;

  constructor(
    private readonly store: StoreReader,
    private readonly keys: Keys,
  ) {}

  /** Forgets everything: the next refresh reads every agent. */
  clear(): void {
    this.entries = new Map();
    this.rows = [];
    this.shiftKey = null;
  }

  /**
   * Brings the entries up to date: `changed` agents (null: all) and, when the shift is another one
   * than last time, every agent's shift counters.
   */
  async refresh(changed: readonly string[] | null, shiftPeriod: string): Promise<void> {
    const shiftKey = this.aggKey(shiftPeriod, '');
    if (changed === null) {
      this.clear();
      const ids = await this.store.smembers(this.keys.set({ name: 'agents' }));
      await this.readAgents(
        ids,
        ids.map(() => true),
        shiftPeriod,
      );
    } else if (changed.length > 0) {
      const inSet = await this.store.smismember(this.keys.set({ name: 'agents' }), changed);
      await this.readAgents(changed, inSet, shiftPeriod);
    }
    if (this.shiftKey !== shiftKey) {
      const fresh = new Set(changed ?? []);
      const stale = changed === null ? [] : this.rows.map((e) => e.agentId).filter((id) => !fresh.has(id));
      await this.readShift(stale, shiftPeriod);
      this.shiftKey = shiftKey;
    }
  }

  /** The listed agents at `now`, by id. */
  build(now: number): LiveAgent[] {
    const out = new Array<LiveAgent>(this.rows.length);
    this.rows.forEach((e, i) => {
      const overdue = e.due.length === 0 ? 0 : countBelow(e.due, now);
      if (e.view === null || e.viewOverdue !== overdue) {
        const rec = e.rec as AgentRecord; // listed entries have one
        e.view = {
          agentId: e.agentId,
          name: rec.name,
          team: rec.team,
          state: rec.state,
          since: rec.since,
          reason: rec.reason,
          activeCallId: rec.activeCallId,
          openTickets: e.load,
          overdueTickets: overdue,
          handled: e.handled,
          talkSeconds: e.talkMs / 1000,
          wrapSeconds: e.wrapMs / 1000,
        };
        e.viewOverdue = overdue;
      }
      out[i] = e.view;
    });
    return out;
  }

  private aggKey(shiftPeriod: string, agentId: string): string {
    return this.keys.counter({ name: 'agg', period: shiftPeriod, group: `agent:${agentId}` });
  }

  private async readAgents(ids: readonly string[], inSet: readonly boolean[], shiftPeriod: string) {
    const [recs, shift, loads, due] = await Promise.all([
      this.store.getRecords('agent', ids),
      this.store.hgetall(ids.map((id) => this.aggKey(shiftPeriod, id))),
      this.store.hgetall(ids.map((agentId) => this.keys.counter({ name: 'agentLoad', agentId }))),
      this.store.zranges(
        ids.map((agentId) => ({
          key: this.keys.index({ name: 'agentDue', agentId }),
          min: Number.NEGATIVE_INFINITY,
          max: Number.POSITIVE_INFINITY,
        })),
      ),
    ]);
    let relist = false;
    ids.forEach((agentId, i) => {
      const rec = (recs[i] ?? null) as AgentRecord | null;
      const listed = (inSet[i] ?? false) && rec !== null;
      const c = shift[i] ?? {};
      const load = loads[i] ?? {};
      const fields = {
        listed,
        rec,
        load: { high: num(load, 'high'), medium: num(load, 'medium'), low: num(load, 'low') },
        handled: num(c, 'handled'),
        talkMs: num(c, 'talkMs'),
        wrapMs: num(c, 'wrapMs'),
        due: (due[i] ?? []).map((s) => s.score),
        view: null,
        viewOverdue: 0,
      };
      const e = this.entries.get(agentId);
      if (e) {
        if (e.listed !== listed) relist = true;
        Object.assign(e, fields); // in place: the rows hold the same objects
      } else {
        this.entries.set(agentId, { agentId, ...fields });
        if (listed) relist = true;
      }
    });
    if (relist) {
      this.rows = [...this.entries.values()].filter((e) => e.listed);
      this.rows.sort((a, b) => (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0));
    }
  }

  /** Re-reads the shift counters of `ids` (the shift changed since they were read). */
  private async readShift(ids: readonly string[], shiftPeriod: string): Promise<void> {
    if (ids.length === 0) return;
    const shift = await this.store.hgetall(ids.map((id) => this.aggKey(shiftPeriod, id)));
    ids.forEach((id, i) => {
      const e = this.entries.get(id);
      if (!e) return;
      const c = shift[i] ?? {};
      e.handled = num(c, 'handled');
      e.talkMs = num(c, 'talkMs');
      e.wrapMs = num(c, 'wrapMs');
      e.view = null;
    });
  }
}
