/** Escalation on Redis with two instances sharing it: each breach escalates once, each alert is acknowledged once. */
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { Principal } from '../../server/contract/auth.ts';
import { createEscalation } from '../../server/commands/escalation.ts';
import type { AuditSink } from '../../server/commands/reassign.ts';
import { projectionContextFactory } from '../../server/domain/context.ts';
import type { Op } from '../../server/domain/ops.ts';
import { createRedisStore } from '../../server/store/redis-store.ts';
import type { LiveStore } from '../../server/store/store.ts';
import { at, ev } from '../support/events.ts';
import { createHarness } from '../support/harness.ts';
import { uniqueName } from '../support/services.ts';

const supervisor: Principal = { kind: 'user', name: 'sue', role: 'supervisor', teams: [] };
let seq = 0;
const audit: AuditSink = {
  record: (e): Op[] => {
    const id = `${e.action}-${++seq}`;
    return [
      { op: 'put', kind: 'audit', id, value: e },
      { op: 'zadd', index: { name: 'audit' }, member: id, score: 0 },
    ];
  },
};

const stores: LiveStore[] = [];
afterAll(async () => {
  for (const s of stores) await s.clear();
  await Promise.all(stores.map((s) => s.close()));
});

describe('escalation on Redis with two instances', () => {
  it('escalates each breach once and lets one of two concurrent acknowledgements succeed', async () => {
    const prefix = `${uniqueName('escalation')}:`;
    const [a, b] = await Promise.all([
      createRedisStore({ url: inject('redisUrl'), prefix }),
      createRedisStore({ url: inject('redisUrl'), prefix }),
    ]);
    if (!a || !b) throw new Error('no store');
    stores.push(a, b);
    // Real time: Redis expires keys (the acknowledgement record) by its own clock.
    const base = new Date(Date.now() - 31 * 60_000).toISOString();
    const h = createHarness({ store: a, now: at(31, base) });
    await h.apply(Array.from({ length: 20 }, (_, i) => ev.ticket({ ticketId: `t${i}`, ts: at(0, base) })));
    const instance = (store: LiveStore) =>
      createEscalation({
        store,
        clock: h.clock,
        ctxAt: projectionContextFactory(h.config, h.calendar),
        audit,
        commandsTopic: 'cc.commands',
        log: { warn: () => undefined },
      });
    const [x, y] = [instance(a), instance(b)];
    const [fromX, fromY] = await Promise.all([x.sweep(), y.sweep()]);
    expect([...fromX, ...fromY].map((al) => al.ticketId).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `t${i}`).sort(),
    );
    const count = async (name: 'outbox' | 'escalations' | 'audit') =>
      (await a.zcard([h.keys.index({ name })]))[0] ?? 0;
    expect(await count('outbox')).toBe(20);
    const results = await Promise.allSettled([
      x.acknowledge(supervisor, { ticketId: 't3', deadline: 'accept' }),
      y.acknowledge({ ...supervisor, name: 'sam' }, { ticketId: 't3', deadline: 'accept' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const failed = results.find((r) => r.status === 'rejected');
    expect(failed?.status === 'rejected' && failed.reason).toMatchObject({ status: 409 });
    expect(await count('audit')).toBe(1);
    expect(await count('escalations')).toBe(19);
    expect((await y.listAlerts(supervisor, 5)).length).toBe(5);
  });
});
