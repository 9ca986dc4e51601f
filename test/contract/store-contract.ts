/**
 * The contract every LiveStore passes: the Redis store and the in-process store run this same
 * suite, so the embedded default behaves like production.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Op } from '../../server/domain/ops.ts';
import { createKeys } from '../../server/store/keys.ts';
import type { LiveStore } from '../../server/store/store.ts';
import { at, ev } from '../support/events.ts';
import { createHarness } from '../support/harness.ts';

export interface StoreFactory {
  /** A fresh, empty store under its own prefix; `now` is the clock that expiry follows. */
  make(now: () => number): Promise<LiveStore>;
  /** A second handle on the same data (another instance), or null where stores are per process. */
  twin(store: LiveStore, now: () => number): Promise<LiveStore | null>;
}

/** Registers the store contract tests for one implementation. */
export function storeContract(name: string, factory: StoreFactory): void {
  describe(`${name} store contract`, () => {
    // Real time: Redis expires keys on its own clock.
    let now = Date.now();
    const clock = () => now;
    let store: LiveStore;
    const opened: LiveStore[] = [];

    beforeEach(async () => {
      now = Date.now();
      store = await factory.make(clock);
      opened.push(store);
    });
    afterEach(async () => {
      for (const s of opened.splice(0)) {
        await s.clear();
        await s.close();
      }
    });

    it('commits records, indexes, counters and sets together', async () => {
      const keys = createKeys(store.prefix);
      const tx = await store.begin();
      const ops: Op[] = [
        { op: 'put', kind: 'call', id: 'c1', value: { a: 1 } },
        { op: 'zadd', index: { name: 'waiting', queue: 'q' }, member: 'c1', score: 5 },
        { op: 'zadd', index: { name: 'waiting', queue: 'q' }, member: 'c2', score: 3 },
        { op: 'incr', counter: { name: 'agentLoad', agentId: 'a' }, field: 'high', by: 2 },
        { op: 'sadd', set: { name: 'queues' }, member: 'q' },
        { op: 'setOffset', namespace: 'n', topic: 't', partition: 1, offset: '41' },
        { op: 'markSeen', bucket: 7, ids: ['e1', 'e2'], expireAt: now + 60_000 },
        { op: 'stats', incr: { eventsProcessed: 3 }, set: { lastEventAt: 'x' } },
      ];
      expect(await tx.commit(ops)).toBe(true);
      expect(await store.getRecords('call', ['c1', 'nope'])).toEqual([{ a: 1 }, null]);
      const waiting = keys.index({ name: 'waiting', queue: 'q' });
      expect(await store.zrange(waiting, -Infinity, Infinity)).toEqual([
        { member: 'c2', score: 3 },
        { member: 'c1', score: 5 },
      ]);
      expect(await store.zrange(waiting, 4, Infinity, 1)).toEqual([{ member: 'c1', score: 5 }]);
      expect(await store.zcard([waiting, keys.index({ name: 'openTickets' })])).toEqual([2, 0]);
      expect(await store.zcount([waiting], -Infinity, 4)).toEqual([1]);
      expect(await store.hgetall([keys.counter({ name: 'agentLoad', agentId: 'a' })])).toEqual([
        { high: '2' },
      ]);
      expect(await store.smembers(keys.set({ name: 'queues' }))).toEqual(['q']);
      expect(await store.hgetall([keys.stats()])).toEqual([{ eventsProcessed: '3', lastEventAt: 'x' }]);
      const tx2 = await store.begin();
      expect(await tx2.getOffset('n', 't', 1)).toBe('41');
      expect(await tx2.getOffset('n', 't', 2)).toBeNull();
      expect(
        await tx2.seen([
          { id: 'e1', bucket: 7 },
          { id: 'e3', bucket: 7 },
          { id: 'e1', bucket: 8 },
        ]),
      ).toEqual([true, false, false]);
      await tx2.abort();
    });

    it('removes index members and ranges', async () => {
      const keys = createKeys(store.prefix);
      const idx = { name: 'lowSurveys' } as const;
      let tx = await store.begin();
      await tx.commit([
        { op: 'zadd', index: idx, member: 'a', score: 1 },
        { op: 'zadd', index: idx, member: 'b', score: 2 },
        { op: 'zadd', index: idx, member: 'c', score: 3 },
      ]);
      tx = await store.begin();
      await tx.commit([
        { op: 'zrem', index: idx, member: 'c' },
        { op: 'zremBelow', index: idx, score: 1 },
      ]);
      expect(await store.zrange(keys.index(idx), -Infinity, Infinity)).toEqual([{ member: 'b', score: 2 }]);
    });

    it('expires records and counters at their time', async () => {
      const tx = await store.begin();
      await tx.commit([
        { op: 'put', kind: 'ticket', id: 't1', value: 1, expireAt: now + 1000 },
        { op: 'incr', counter: { name: 'satMinute', minute: 1 }, field: 'count', by: 1 },
        { op: 'expireAt', counter: { name: 'satMinute', minute: 1 }, at: now + 1000 },
      ]);
      const keys = createKeys(store.prefix);
      expect(await store.getRecords('ticket', ['t1'])).toEqual([1]);
      now += 1500;
      if (store.kind === 'redis') await new Promise((r) => setTimeout(r, 1600)); // Redis expires on its own clock
      expect(await store.getRecords('ticket', ['t1'])).toEqual([null]);
      expect(await store.hgetall([keys.counter({ name: 'satMinute', minute: 1 })])).toEqual([{}]);
    });

    it('never loses an update when two writers read-modify-write the same record', async () => {
      const twin = (await factory.twin(store, clock)) ?? store;
      if (twin !== store) opened.push(twin);
      const bump = async (s: LiveStore) => {
        for (;;) {
          const tx = await s.begin();
          const [cur] = (await tx.getRecords('agent', ['a1'])) as Array<number | null>;
          await new Promise((r) => setTimeout(r, 1));
          if (await tx.commit([{ op: 'put', kind: 'agent', id: 'a1', value: (cur ?? 0) + 1 }])) return;
        }
      };
      await Promise.all(Array.from({ length: 20 }, (_, i) => bump(i % 2 ? twin : store)));
      expect(await store.getRecords('agent', ['a1'])).toEqual([20]);
    });

    it('reads offset, epoch, dedupe flags and records of a batch at once, and guards the commit', async () => {
      const tx = await store.begin();
      const ids = [
        { id: 'e1', bucket: 3 },
        { id: 'e2', bucket: 4 },
      ];
      const req = {
        namespace: 'n',
        topic: 't',
        partition: 2,
        ids,
        records: [{ kind: 'call' as const, ids: ['c1'] }],
      };
      const read = await tx.readIngest(req);
      expect(read).toEqual({ epoch: null, offset: null, seen: [false, false], records: [[null]] });
      const ops: Op[] = [
        { op: 'put', kind: 'call', id: 'c1', value: { n: 1 } },
        { op: 'setOffset', namespace: 'n', topic: 't', partition: 2, offset: '7' },
        { op: 'markSeen', bucket: 3, ids: ['e1'], expireAt: now + 60_000 },
      ];
      expect(await tx.commit(ops, { epoch: null, newEpoch: 'E1', unseen: [ids[0]!] })).toBe(true);
      expect(await store.epoch()).toBe('E1');
      expect(
        await store.offsets('n', [
          { topic: 't', partition: 2 },
          { topic: 't', partition: 3 },
        ]),
      ).toEqual(['7', null]);
      const again = await store.begin();
      expect(await again.readIngest(req)).toEqual({
        epoch: 'E1',
        offset: '7',
        seen: [true, false],
        records: [[{ n: 1 }]],
      });
      expect(
        await again.readRecords([
          { kind: 'call', ids: ['c1', 'c9'] },
          { kind: 'agent', ids: [] },
        ]),
      ).toEqual([[{ n: 1 }, null], []]);
      // A commit that expects no epoch fails once there is one; one that expects another epoch fails too.
      expect(
        await again.commit([{ op: 'put', kind: 'call', id: 'c1', value: 2 }], {
          epoch: null,
          newEpoch: 'E2',
          unseen: [],
        }),
      ).toBe(false);
      const stale = await store.begin();
      expect(
        await stale.commit([{ op: 'put', kind: 'call', id: 'c1', value: 3 }], {
          epoch: 'E0',
          newEpoch: 'E0',
          unseen: [],
        }),
      ).toBe(false);
      // A commit applying an id that is applied already fails, and writes nothing.
      const dup = await store.begin();
      expect(
        await dup.commit([{ op: 'put', kind: 'call', id: 'c1', value: 4 }], {
          epoch: 'E1',
          newEpoch: 'E1',
          unseen: [ids[0]!],
        }),
      ).toBe(false);
      expect(await store.getRecords('call', ['c1'])).toEqual([{ n: 1 }]);
    });

    it('does not abort a transaction on one partition when another instance commits another partition of the same hour', async () => {
      const twin = await factory.twin(store, clock);
      if (twin === null) return; // one process, one transaction at a time: nothing can interleave
      opened.push(twin);
      const batch = (partition: number, id: string, callId: string): Op[] => [
        { op: 'put', kind: 'call', id: callId, value: { partition } },
        { op: 'setOffset', namespace: 'n', topic: 't', partition, offset: '0' },
        { op: 'markSeen', bucket: 9, ids: [id], expireAt: now + 60_000 },
        { op: 'stats', incr: { eventsProcessed: 1 }, set: {} },
      ];
      const a = await store.begin();
      expect(await a.getOffset('n', 't', 0)).toBeNull();
      expect(await a.seen([{ id: 'ea', bucket: 9 }])).toEqual([false]);
      expect(await a.getRecords('call', ['ca'])).toEqual([null]);
      const b = await twin.begin();
      expect(await b.getOffset('n', 't', 1)).toBeNull();
      expect(await b.seen([{ id: 'eb', bucket: 9 }])).toEqual([false]);
      expect(await b.getRecords('call', ['cb'])).toEqual([null]);
      expect(await b.commit(batch(1, 'eb', 'cb'))).toBe(true);
      expect(await a.commit(batch(0, 'ea', 'ca'))).toBe(true);

      // The same through the ingestion path: readIngest and a guarded commit (under an existing epoch).
      const first = await store.begin();
      expect(await first.commit([], { epoch: null, newEpoch: 'E0', unseen: [] })).toBe(true);
      const req = (partition: number, id: string, callId: string) => ({
        namespace: 'm',
        topic: 't',
        partition,
        ids: [{ id, bucket: 9 }],
        records: [{ kind: 'call' as const, ids: [callId] }],
      });
      const c = await store.begin();
      const readC = await c.readIngest(req(0, 'ec', 'cc'));
      const d = await twin.begin();
      const readD = await d.readIngest(req(1, 'ed', 'cd'));
      const guard = (id: string) => ({ epoch: 'E0', newEpoch: 'E0', unseen: [{ id, bucket: 9 }] });
      expect([readC.epoch, readD.epoch]).toEqual(['E0', 'E0']);
      expect(await d.commit(batch(1, 'ed', 'cd'), guard('ed'))).toBe(true);
      expect(await c.commit(batch(0, 'ec', 'cc'), guard('ec'))).toBe(true);
      // But applying an id another instance applied meanwhile fails: dedupe stays exact without WATCH.
      const e = await store.begin();
      await e.readIngest(req(0, 'ee', 'ce'));
      const f = await twin.begin();
      await f.readIngest(req(1, 'ee', 'cf'));
      expect(await f.commit(batch(1, 'ee', 'cf'), guard('ee'))).toBe(true);
      expect(await e.commit(batch(0, 'ee', 'ce'), guard('ee'))).toBe(false);
    });

    it('reads many scores, ranges and set memberships in one call', async () => {
      const keys = createKeys(store.prefix);
      const idx = { name: 'nextDue', team: 'sales', tier: 'vip' } as const;
      const tx = await store.begin();
      await tx.commit([
        { op: 'zadd', index: idx, member: 't1', score: 5 },
        { op: 'zadd', index: idx, member: 't2', score: -1.5 },
        { op: 'sadd', set: { name: 'ticketTeams' }, member: 'sales' },
      ]);
      expect(await store.zmscore(keys.index(idx), ['t2', 'nope', 't1'])).toEqual([-1.5, null, 5]);
      expect(await store.zmscore(keys.index({ ...idx, team: null }), ['t1'])).toEqual([null]);
      expect(await store.zmscore(keys.index(idx), [])).toEqual([]);
      expect(
        await store.zranges([
          { key: keys.index(idx), min: -Infinity, max: Infinity },
          { key: keys.index(idx), min: 0, max: Infinity, limit: 1 },
          { key: keys.index({ ...idx, tier: 'key' }), min: -Infinity, max: Infinity },
          { key: keys.index(idx), min: -Infinity, max: 4.9 },
        ]),
      ).toEqual([
        [
          { member: 't2', score: -1.5 },
          { member: 't1', score: 5 },
        ],
        [{ member: 't1', score: 5 }],
        [],
        [{ member: 't2', score: -1.5 }],
      ]);
      expect(await store.zranges([])).toEqual([]);
      const teams = keys.set({ name: 'ticketTeams' });
      expect(await store.smismember(teams, ['x', 'sales'])).toEqual([false, true]);
      expect(await store.smismember(teams, [])).toEqual([]);
    });

    it('logs which agents and tickets each commit changes, and tells a reader what changed since its mark', async () => {
      const fresh = await store.changes(null);
      expect(fresh).toEqual({ mark: { epoch: null, seq: 0 }, agents: null, tickets: null });
      const sorted = (c: { agents: string[] | null; tickets: string[] | null }) => ({
        agents: c.agents && [...c.agents].sort(),
        tickets: c.tickets && [...c.tickets].sort(),
      });
      let tx = await store.begin();
      await tx.commit([
        { op: 'put', kind: 'agent', id: 'a1', value: {} },
        { op: 'incr', counter: { name: 'agentLoad', agentId: 'a2' }, field: 'high', by: 1 },
        { op: 'incr', counter: { name: 'agg', period: 'p', group: 'agent:a3' }, field: 'handled', by: 1 },
        { op: 'zadd', index: { name: 'agentDue', agentId: 'a4' }, member: 't9', score: 1 },
        { op: 'incr', counter: { name: 'agg', period: 'p', group: 'queue:q' }, field: 'offered', by: 1 },
        { op: 'put', kind: 'ticket', id: 't1', value: {} },
        { op: 'zadd', index: { name: 'nextDue', team: null, tier: 'key' }, member: 't2', score: 1 },
        { op: 'zrem', index: { name: 'due', kind: 'accept' }, member: 't3' },
        { op: 'put', kind: 'call', id: 'c1', value: {} },
      ]);
      const first = await store.changes(fresh.mark);
      expect(first.mark).toEqual({ epoch: null, seq: 1 });
      expect(sorted(first)).toEqual({ agents: ['a1', 'a2', 'a3', 'a4'], tickets: ['t1', 't2', 't3'] });
      expect(await store.changes(first.mark)).toEqual({ mark: first.mark, agents: [], tickets: [] });
      // A commit that changes nothing the live board shows leaves the log as it was.
      tx = await store.begin();
      await tx.commit([{ op: 'put', kind: 'call', id: 'c2', value: {} }]);
      expect(await store.changes(first.mark)).toEqual({ mark: first.mark, agents: [], tickets: [] });
      tx = await store.begin();
      await tx.commit([{ op: 'put', kind: 'ticket', id: 't1', value: { v: 2 } }]);
      tx = await store.begin();
      await tx.commit([{ op: 'del', kind: 'agent', id: 'a2' }]);
      const third = await store.changes(first.mark);
      expect(third).toEqual({ mark: { epoch: null, seq: 3 }, agents: ['a2'], tickets: ['t1'] });
      // Another epoch (the store was emptied and rebuilt), or a sequence gone back: read everything.
      tx = await store.begin();
      await tx.commit([{ op: 'put', kind: 'agent', id: 'a1', value: {} }], {
        epoch: null,
        newEpoch: 'E1',
        unseen: [],
      });
      const epochChanged = await store.changes(third.mark);
      expect(epochChanged).toEqual({ mark: { epoch: 'E1', seq: 4 }, agents: null, tickets: null });
      await store.clear();
      tx = await store.begin();
      await tx.commit([{ op: 'put', kind: 'agent', id: 'a1', value: {} }], {
        epoch: null,
        newEpoch: 'E1',
        unseen: [],
      });
      expect(await store.changes(epochChanged.mark)).toEqual({
        mark: { epoch: 'E1', seq: 1 },
        agents: null,
        tickets: null,
      });
    });

    it('clears only its own prefix', async () => {
      const tx = await store.begin();
      await tx.commit([{ op: 'put', kind: 'call', id: 'c1', value: 1 }]);
      expect(await store.clear()).toBeGreaterThan(0);
      expect(await store.getRecords('call', ['c1'])).toEqual([null]);
    });

    it('runs the projection with the same results as every other store', async () => {
      const base = new Date(now - 30 * 60_000).toISOString();
      const t = (m: number) => at(m, base);
      const h = createHarness({ store, now: new Date(now).toISOString() });
      // The calls in the current shift, however recently it began (the queue figures are the shift's).
      const callBase = Math.max(now - 30 * 60_000, h.calendar.shiftAt(now)?.start ?? 0);
      const call = (f: number) => new Date(callBase + f * (now - callBase)).toISOString();
      await h.apply([
        ev.queued({ callId: 'c1', ts: call(0) }),
        ev.answered({ callId: 'c1', agentId: 'a1', ts: call(0.01) }),
        ev.queued({ callId: 'c2', ts: call(0.03) }),
        ev.ticket({ ticketId: 't1', tier: 'vip', ts: t(0) }),
        ev.survey({
          surveyId: 's1',
          ts: t(10),
          scores: { speed: 1, resolution: 5, professionalism: 5, recommend: 5 },
        }),
      ]);
      const live = await h.live();
      expect(live.queues).toEqual([
        expect.objectContaining({ queue: 'sales', waiting: 1, oldestQueuedAt: Date.parse(call(0.03)) }),
      ]);
      expect(live.queues[0]?.shift).toMatchObject({ offered: 2, answered: 1, serviceLevel: 1 });
      expect(live.tickets.overdue.map((t) => t.ticketId)).toEqual(['t1']);
      expect(live.satisfaction.rolling60m).toMatchObject({ count: 1, lowCount: 1 });
    });
  });
}
