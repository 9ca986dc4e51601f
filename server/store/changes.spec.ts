import { describe, expect, it } from 'vitest';
import type { Op } from '../domain/ops.ts';
import { changesSince, TICKET_LOG_COMMITS, touchedBy } from './changes.ts';
import { createKeys } from './keys.ts';
import { createMemoryStore } from './memory-store.ts';

describe('touchedBy', () => {
  it('names the agents and tickets whose live view the ops change, once each', () => {
    const ops: Op[] = [
      { op: 'put', kind: 'agent', id: 'a1', value: {} },
      { op: 'put', kind: 'agent-history', id: 'h1', value: {} },
      { op: 'incr', counter: { name: 'agentLoad', agentId: 'a2' }, field: 'low', by: -1 },
      { op: 'incr', counter: { name: 'agg', period: 'p', group: 'agent:a:3' }, field: 'handled', by: 1 },
      { op: 'incr', counter: { name: 'agg', period: 'p', group: 'calls' }, field: 'offered', by: 1 },
      { op: 'zrem', index: { name: 'agentDue', agentId: 'a4' }, member: 't5' },
      { op: 'zremBelow', index: { name: 'agentDue', agentId: 'a5' }, score: 3 },
      { op: 'zadd', index: { name: 'toEscalate', kind: 'accept' }, member: 't9', score: 1 },
      { op: 'del', kind: 'ticket', id: 't1' },
      { op: 'zadd', index: { name: 'due', kind: 'resolve' }, member: 't2', score: 1 },
      { op: 'zrem', index: { name: 'nextDue', team: 'x', tier: 'vip' }, member: 't3' },
      { op: 'put', kind: 'ticket', id: 't1', value: {} },
      { op: 'put', kind: 'agent', id: 'a1', value: {} },
    ];
    expect(touchedBy(ops)).toEqual({ agents: ['a1', 'a2', 'a:3', 'a4', 'a5'], tickets: ['t1', 't2', 't3'] });
    expect(touchedBy([{ op: 'put', kind: 'call', id: 'c', value: {} }])).toEqual({ agents: [], tickets: [] });
  });
});

describe('changesSince', () => {
  const logged = { agents: ['a'], tickets: ['t'] };
  it('lists what was logged after a mark of the same epoch', () => {
    expect(changesSince({ epoch: 'E', seq: 3 }, 'E', 5, logged, 6)).toEqual({
      mark: { epoch: 'E', seq: 5 },
      ...logged,
    });
  });

  it('asks for everything without a mark, after an epoch change or when the sequence went back', () => {
    const all = { agents: null, tickets: null };
    expect(changesSince(null, 'E', 5, null, 5)).toEqual({ mark: { epoch: 'E', seq: 5 }, ...all });
    expect(changesSince({ epoch: 'D', seq: 3 }, 'E', 5, logged, 5)).toMatchObject(all);
    expect(changesSince({ epoch: 'E', seq: 7 }, 'E', 5, logged, 5)).toMatchObject(all);
  });

  it('asks for every ticket once the reader is further behind than the ticket log keeps', () => {
    const since = { epoch: 'E', seq: 10 };
    expect(changesSince(since, 'E', 10 + TICKET_LOG_COMMITS, logged, 10 + TICKET_LOG_COMMITS)).toEqual({
      mark: { epoch: 'E', seq: 10 + TICKET_LOG_COMMITS },
      ...logged,
    });
    // Commits between the two reads of the sequence number may have trimmed it too.
    expect(changesSince(since, 'E', 10 + TICKET_LOG_COMMITS, logged, 11 + TICKET_LOG_COMMITS)).toEqual({
      mark: { epoch: 'E', seq: 10 + TICKET_LOG_COMMITS },
      agents: ['a'],
      tickets: null,
    });
  });
});

describe('the in-process change log', () => {
  it('keeps a ticket for the commits the log keeps after its last change, and agents for good', async () => {
    const store = createMemoryStore({ prefix: 'log:', now: () => 0 });
    const keys = createKeys('log:');
    const commit = async (ops: Op[]) => {
      const tx = await store.begin();
      expect(await tx.commit(ops)).toBe(true);
    };
    await commit([
      { op: 'put', kind: 'ticket', id: 'old', value: {} },
      { op: 'put', kind: 'agent', id: 'a', value: {} },
    ]);
    await commit([{ op: 'put', kind: 'ticket', id: 'kept', value: {} }]);
    for (let i = 0; i < TICKET_LOG_COMMITS; i++)
      await commit([{ op: 'put', kind: 'ticket', id: 'n', value: i }]);
    const seq = TICKET_LOG_COMMITS + 2;
    // The last commit dropped what no commit after the first changed.
    expect(await store.zrange(keys.changeLog('tickets'), -Infinity, Infinity)).toEqual([
      { member: 'kept', score: 2 },
      { member: 'n', score: seq },
    ]);
    expect(await store.changes({ epoch: null, seq: 2 })).toEqual({
      mark: { epoch: null, seq },
      agents: [],
      tickets: ['n'],
    });
    expect(await store.changes({ epoch: null, seq: 0 })).toEqual({
      mark: { epoch: null, seq },
      agents: ['a'],
      tickets: null,
    });
  });
});
