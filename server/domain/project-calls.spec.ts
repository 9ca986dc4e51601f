/** Call projection: transfers, missing queue events, outcomes in any order, records of older versions. */
import { describe, expect, it } from 'vitest';
import { counters } from '../../test/support/counters.ts';
import { at, ev } from '../../test/support/events.ts';
import { createHarness } from '../../test/support/harness.ts';
import type { CcEvent } from '../contract/events.ts';

const MORNING = '2026-03-02/morning';
const EVENING = '2026-03-02/evening';
const B = (hhmmss: string) => `2026-03-02T${hhmmss}+01:00`;

describe('a call re-queued to another queue', () => {
  const transfer = (): CcEvent[] => [
    ev.queued({ callId: 'c1', queue: 'sales', ts: at(0) }),
    ev.queued({ callId: 'c1', queue: 'support', ts: at(1) }), // transferred after a minute
    ev.answered({ callId: 'c1', queue: 'support', agentId: 'a1', ts: at(1 + 10 / 60) }),
    ev.ended({ callId: 'c1', queue: 'support', agentId: 'a1', ts: at(5 + 10 / 60) }),
  ];

  it('is an offer in both queues, answered in the one it was in, and counted once for the centre', async () => {
    const h = createHarness();
    await h.apply(transfer());
    expect(await counters(h, 'queue:sales', MORNING)).toEqual({ offered: 1 });
    expect(await counters(h, 'queue:support', MORNING)).toEqual({
      offered: 1,
      answered: 1,
      waitAnsweredMs: 10_000, // from entering support
      answeredWithinThreshold: 1,
      talkMs: 240_000,
      talkCount: 1,
    });
    expect(await counters(h, 'calls', MORNING)).toEqual({
      offered: 1,
      answered: 1,
      waitAnsweredMs: 70_000, // the caller waited from the first queue entry
      talkMs: 240_000,
      talkCount: 1,
    });
    expect(await counters(h, 'agent:a1', MORNING)).toEqual({ handled: 1, talkMs: 240_000, talkCount: 1 });
  });

  it('ends in the same counters whatever order its events arrive in, one per batch', async () => {
    const expected = createHarness();
    await expected.apply(transfer());
    const [q1, q2, ans, end] = transfer();
    for (const order of [
      [q2, ans, q1, end],
      [end, ans, q2, q1],
      [ans, q1, end, q2],
    ]) {
      const h = createHarness();
      for (const e of order) await h.apply([e as CcEvent]);
      for (const g of ['calls', 'queue:sales', 'queue:support', 'agent:a1']) {
        expect(await counters(h, g, MORNING)).toEqual(await counters(expected, g, MORNING));
      }
    }
  });

  it('waits in the queue it was moved to', async () => {
    const h = createHarness({ now: at(2) });
    await h.apply(transfer().slice(0, 2));
    const queues = (await h.live()).queues.map((q) => [q.queue, q.waiting, q.oldestQueuedAt]);
    expect(queues).toEqual([
      ['sales', 0, null],
      ['support', 1, Date.parse(at(1))],
    ]);
  });

  it('is not offered again in a queue it entered after it was answered', async () => {
    const h = createHarness();
    await h.apply([
      ev.queued({ callId: 'c1', queue: 'sales', ts: at(0) }),
      ev.answered({ callId: 'c1', queue: 'sales', agentId: 'a1', ts: at(0.5) }),
      ev.queued({ callId: 'c1', queue: 'support', ts: at(3) }),
    ]);
    expect(await counters(h, 'queue:sales', MORNING)).toMatchObject({ offered: 1, answered: 1 });
    expect(await counters(h, 'queue:support', MORNING)).toEqual({});
  });
});

describe('a call whose queue event is missing', () => {
  it('counts the answer, the agent and the talk at the answer time, and moves them when the queue event comes', async () => {
    const h = createHarness();
    await h.apply([
      ev.answered({ callId: 'c1', agentId: 'a1', ts: B('15:00:10') }),
      ev.ended({ callId: 'c1', agentId: 'a1', ts: B('15:04:10') }),
    ]);
    expect(await counters(h, 'queue:sales', EVENING)).toEqual({
      offered: 1,
      answered: 1,
      answeredWithinThreshold: 1,
      talkMs: 240_000,
      talkCount: 1,
    });
    expect(await counters(h, 'agent:a1', EVENING)).toEqual({ handled: 1, talkMs: 240_000, talkCount: 1 });
    await h.apply([ev.queued({ callId: 'c1', ts: B('14:59:40') })]);
    expect(await counters(h, 'queue:sales', EVENING)).toEqual({});
    expect(await counters(h, 'agent:a1', EVENING)).toEqual({});
    expect(await counters(h, 'queue:sales', MORNING)).toEqual({
      offered: 1,
      answered: 1,
      waitAnsweredMs: 30_000,
      talkMs: 240_000,
      talkCount: 1,
    });
    expect(await counters(h, 'agent:a1', MORNING)).toEqual({ handled: 1, talkMs: 240_000, talkCount: 1 });
  });

  it('counts an abandon without a queue event as a short abandon in the queue it names', async () => {
    const h = createHarness();
    await h.apply([ev.abandoned({ callId: 'c1', queue: 'billing', ts: at(0) })]);
    expect(await counters(h, 'queue:billing', MORNING)).toEqual({
      offered: 1,
      abandoned: 1,
      shortAbandoned: 1,
    });
  });
});

describe('call outcomes', () => {
  it('counts the answer when both an answer and an abandon arrive, in either order', async () => {
    for (const outcomeFirst of [true, false]) {
      const h = createHarness();
      const answer = ev.answered({ callId: 'c1', agentId: 'a1', ts: at(0.5) });
      const abandon = ev.abandoned({ callId: 'c1', ts: at(0.4) });
      await h.apply([ev.queued({ callId: 'c1', ts: at(0) })]);
      await h.apply([outcomeFirst ? abandon : answer]);
      await h.apply([outcomeFirst ? answer : abandon]);
      expect(await counters(h, 'queue:sales', MORNING)).toEqual({
        offered: 1,
        answered: 1,
        waitAnsweredMs: 30_000,
      });
    }
  });

  it('keeps the earliest answer of a call whichever arrives first', async () => {
    const h = createHarness();
    await h.apply([
      ev.queued({ callId: 'c1', ts: at(0) }),
      ev.answered({ callId: 'c1', agentId: 'a2', ts: at(1) }),
    ]);
    await h.apply([ev.answered({ callId: 'c1', agentId: 'a1', ts: at(0.25) })]);
    expect(await counters(h, 'queue:sales', MORNING)).toEqual({
      offered: 1,
      answered: 1,
      waitAnsweredMs: 15_000,
      answeredWithinThreshold: 1,
    });
    expect(await counters(h, 'agent:a1', MORNING)).toEqual({ handled: 1 });
    expect(await counters(h, 'agent:a2', MORNING)).toEqual({});
  });
});

describe('call records written by an older version', () => {
  it('are upgraded on read and counted once', async () => {
    const h = createHarness();
    const legacy = {
      callId: 'c1',
      queue: 'sales',
      priority: 0,
      tier: 'normal',
      queuedAt: Date.parse(at(0)),
      answeredAt: Date.parse(at(0.25)),
      abandonedAt: null,
      endedAt: null,
      agentId: 'a1',
      counted: { offered: true, outcome: true, talk: false },
    };
    // What the older version had counted for it.
    const agg = (group: string) => ({ name: 'agg', period: MORNING, group }) as const;
    const tx = await h.store.begin();
    await tx.commit([
      { op: 'put', kind: 'call', id: 'c1', value: legacy },
      {
        op: 'put',
        kind: 'agent',
        id: 'a1',
        value: {
          agentId: 'a1',
          name: null,
          team: null,
          state: 'on_call',
          since: Date.parse(at(0.25)),
          reason: null,
          activeCallId: 'c1',
          lastCall: null,
          known: true,
        },
      },
      ...['offered', 'answered', 'answeredWithinThreshold'].map((field) => ({
        op: 'incr' as const,
        counter: agg('queue:sales'),
        field,
        by: 1,
      })),
      { op: 'incr', counter: agg('queue:sales'), field: 'waitAnsweredMs', by: 15_000 },
      { op: 'incr', counter: agg('agent:a1'), field: 'handled', by: 1 },
    ]);
    await h.apply([ev.ended({ callId: 'c1', agentId: 'a1', ts: at(4.25) })]);
    expect(await counters(h, 'queue:sales', MORNING)).toEqual({
      offered: 1,
      answered: 1,
      answeredWithinThreshold: 1,
      waitAnsweredMs: 15_000,
      talkMs: 240_000,
      talkCount: 1,
    });
    expect(await counters(h, 'agent:a1', MORNING)).toEqual({ handled: 1, talkMs: 240_000, talkCount: 1 });
    expect((await h.live()).agents[0]).toMatchObject({ agentId: 'a1', activeCallId: null });
  });
});
