import { describe, expect, it } from 'vitest';
import { Effects } from './effects.ts';
import type { Op } from './ops.ts';
import type { Period } from './shifts.ts';

const DAY = 86_400_000;
const period = (id: string, end: number): Period => ({
  id,
  kind: 'day',
  name: 'day',
  date: id,
  start: end - DAY,
  end,
});

describe('Effects', () => {
  it('merges increments per period, group and field, and keeps each counter for the retention after its period', () => {
    const now = 10 * DAY;
    const fx = new Effects(30, now);
    const past = period('2026-01-01', 2 * DAY);
    const future = period('2026-01-11', 11 * DAY);
    fx.add([past, future], 'calls', 'offered');
    fx.add([past], 'calls', 'offered', 2);
    fx.add([past], 'queue:q', 'answered', 0);
    const ops = fx.toOps();
    expect(ops).toEqual<Op[]>([
      { op: 'incr', counter: { name: 'agg', period: past.id, group: 'calls' }, field: 'offered', by: 3 },
      { op: 'incr', counter: { name: 'agg', period: future.id, group: 'calls' }, field: 'offered', by: 1 },
      { op: 'expireAt', counter: { name: 'agg', period: past.id, group: 'calls' }, at: now + 30 * DAY },
      { op: 'expireAt', counter: { name: 'agg', period: past.id, group: 'queue:q' }, at: now + 30 * DAY },
      {
        op: 'expireAt',
        counter: { name: 'agg', period: future.id, group: 'calls' },
        at: 11 * DAY + 30 * DAY,
      },
      { op: 'sadd', set: { name: 'periodGroups', period: past.id }, member: 'calls' },
      { op: 'sadd', set: { name: 'periodGroups', period: past.id }, member: 'queue:q' },
      { op: 'expireSetAt', set: { name: 'periodGroups', period: past.id }, at: now + 30 * DAY },
      { op: 'sadd', set: { name: 'periodGroups', period: future.id }, member: 'calls' },
      { op: 'expireSetAt', set: { name: 'periodGroups', period: future.id }, at: 11 * DAY + 30 * DAY },
    ]);
  });

  it('writes other operations first, then increments, expiries and set members, and cancels out to nothing', () => {
    const fx = new Effects(1, 0);
    fx.push({ op: 'del', kind: 'call', id: 'c1' });
    fx.incr({ name: 'agentLoad', agentId: 'a' }, 'high', 1);
    fx.incr({ name: 'agentLoad', agentId: 'a' }, 'high', -1);
    fx.incr({ name: 'satMinute', minute: 5 }, 'count');
    fx.expireCounterAt({ name: 'satMinute', minute: 5 }, 100);
    fx.expireCounterAt({ name: 'satMinute', minute: 5 }, 50);
    fx.addToSet({ name: 'queues' }, 'sales');
    fx.addToSet({ name: 'queues' }, 'sales', 7);
    expect(fx.toOps()).toEqual<Op[]>([
      { op: 'del', kind: 'call', id: 'c1' },
      { op: 'incr', counter: { name: 'satMinute', minute: 5 }, field: 'count', by: 1 },
      { op: 'expireAt', counter: { name: 'satMinute', minute: 5 }, at: 100 },
      { op: 'sadd', set: { name: 'queues' }, member: 'sales' },
      { op: 'expireSetAt', set: { name: 'queues' }, at: 7 },
    ]);
  });

  it('keeps counters of periods and groups whose names look alike apart', () => {
    const fx = new Effects(1, 0);
    fx.add([period('a', DAY)], 'bc', 'n');
    fx.add([period('ab', DAY)], 'c', 'n');
    fx.incr({ name: 'agg', period: 'a', group: 'bc' }, 'n');
    fx.incr({ name: 'agg', period: 'ab', group: 'c' }, 'n');
    fx.incr({ name: 'agentLoad', agentId: '1' }, 'x');
    fx.incr({ name: 'satMinute', minute: 1 }, 'x');
    const incrs = fx.toOps().filter((o) => o.op === 'incr');
    expect(incrs).toHaveLength(6);
  });
});
