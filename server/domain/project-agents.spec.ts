/** Agent projection: wrap-up pairing, late state changes, the live record in any order of events. */
import { describe, expect, it } from 'vitest';
import { counters } from '../../test/support/counters.ts';
import { at, ev } from '../../test/support/events.ts';
import { createHarness, type Harness } from '../../test/support/harness.ts';
import { normalize, observe } from '../../test/support/observe.ts';
import type { CcEvent } from '../contract/events.ts';
import { MAX_BOOKED_STATE_MS } from './agent-timeline.ts';
import type { AgentRecord } from './records.ts';

const MORNING = '2026-03-02/morning';
const EVENING = '2026-03-02/evening';
const B = (hhmmss: string) => `2026-03-02T${hhmmss}+01:00`;

const agentRecord = async (h: Harness, id = 'a1') =>
  ((await h.store.getRecords('agent', [id])) as Array<AgentRecord | null>)[0];

/** A call of agent a1 with its agent states: queued, answered (on_call), ended (wrap_up), available. */
function handledCall(o: {
  callId: string;
  queue?: string;
  queued: string;
  answered: string;
  ended: string;
  available: string;
}): { calls: CcEvent[]; states: CcEvent[] } {
  const { callId, queue = 'sales' } = o;
  return {
    calls: [
      ev.queued({ callId, queue, ts: o.queued }),
      ev.answered({ callId, queue, agentId: 'a1', ts: o.answered }),
      ev.ended({ callId, queue, agentId: 'a1', ts: o.ended }),
    ],
    states: [
      ev.agent({ agentId: 'a1', state: 'on_call', ts: o.answered }),
      ev.agent({ agentId: 'a1', state: 'wrap_up', ts: o.ended }),
      ev.agent({ agentId: 'a1', state: 'available', ts: o.available }),
    ],
  };
}

describe('wrap-up for handle time', () => {
  it("is booked with its call's shift, while the time in wrap_up stays where it happened", async () => {
    const h = createHarness();
    const c = handledCall({
      callId: 'c1',
      queued: B('14:58:00'),
      answered: B('14:58:30'),
      ended: B('15:03:00'),
      available: B('15:04:00'),
    });
    await h.apply([
      ev.agent({ agentId: 'a1', state: 'available', ts: B('14:00:00') }),
      ...c.calls,
      ...c.states,
    ]);
    for (const g of ['calls', 'queue:sales', 'agent:a1']) {
      expect(await counters(h, g, MORNING)).toMatchObject({ talkMs: 270_000, talkCount: 1, wrapMs: 60_000 });
      expect((await counters(h, g, EVENING)).wrapMs).toBeUndefined();
    }
    expect(await counters(h, 'calls', '2026-03-02T14')).toMatchObject({ wrapMs: 60_000 });
    expect(await counters(h, 'agent:a1', EVENING)).toEqual({
      'stateMs:on_call': 180_000,
      'stateMs:wrap_up': 60_000,
    });
    expect(await counters(h, 'agent:a1', MORNING)).toMatchObject({
      'stateMs:available': 3_510_000,
      'stateMs:on_call': 90_000,
    });
  });

  it('is not handle time when no call ended near its start (work on a ticket)', async () => {
    const h = createHarness();
    await h.apply([
      ev.agent({ agentId: 'a1', state: 'available', ts: at(0) }),
      ...handledCall({ callId: 'c1', queued: at(1), answered: at(1), ended: at(3), available: at(4) }).calls,
      ev.agent({ agentId: 'a1', state: 'wrap_up', ts: at(20) }),
      ev.agent({ agentId: 'a1', state: 'available', ts: at(25) }),
    ]);
    expect((await counters(h, 'calls', MORNING)).wrapMs).toBeUndefined();
    expect((await counters(h, 'agent:a1', MORNING)).wrapMs).toBeUndefined();
    expect(await counters(h, 'agent:a1', MORNING)).toMatchObject({ 'stateMs:wrap_up': 300_000 });
  });

  it('pairs with a call ending a few seconds from its start, either side', async () => {
    for (const skew of [-10, 10]) {
      const h = createHarness();
      const c = handledCall({ callId: 'c1', queued: at(0), answered: at(0), ended: at(3), available: at(4) });
      const [onCall, , available] = c.states;
      await h.apply([
        ...c.calls,
        onCall as CcEvent,
        ev.agent({ agentId: 'a1', state: 'wrap_up', ts: at(3 + skew / 60) }),
        available as CcEvent,
      ]);
      expect((await counters(h, 'queue:sales', MORNING)).wrapMs).toBe(60_000 - skew * 1000);
    }
  });

  it("goes to each call's own queue when the agent answers the next call during wrap-up", async () => {
    const h = createHarness();
    await h.apply([
      ev.agent({ agentId: 'a1', state: 'on_call', ts: at(0) }),
      ...handledCall({ callId: 'c1', queued: at(0), answered: at(0), ended: at(3), available: at(9) }).calls,
      ev.agent({ agentId: 'a1', state: 'wrap_up', ts: at(3) }),
      // Still in wrap_up, the agent takes a support call; its source sends no on_call.
      ev.queued({ callId: 'c2', queue: 'support', ts: at(3.25) }),
      ev.answered({ callId: 'c2', queue: 'support', agentId: 'a1', ts: at(3.5) }),
      ev.ended({ callId: 'c2', queue: 'support', agentId: 'a1', ts: at(6) }),
      ev.agent({ agentId: 'a1', state: 'available', ts: at(7) }),
    ]);
    expect(await counters(h, 'queue:sales', MORNING)).toMatchObject({ wrapMs: 30_000 });
    expect(await counters(h, 'queue:support', MORNING)).toMatchObject({ wrapMs: 60_000, talkMs: 150_000 });
    expect(await counters(h, 'agent:a1', MORNING)).toMatchObject({
      wrapMs: 90_000,
      'stateMs:wrap_up': 240_000,
    });
  });

  it('counts once when its reason changes during it', async () => {
    const h = createHarness();
    const c = handledCall({ callId: 'c1', queued: at(0), answered: at(0), ended: at(3), available: at(4) });
    const [onCall, wrapUp, available] = c.states as [CcEvent, CcEvent, CcEvent];
    await h.apply([
      ...c.calls,
      onCall,
      wrapUp,
      ev.agent({ agentId: 'a1', state: 'wrap_up', reason: 'email', ts: at(3.5) }),
      available,
    ]);
    // wrap_up 3:00–3:30 (no reason), 3:30–4:00 (email): one wrap-up of 60 s, all of it the call's.
    for (const g of ['calls', 'queue:sales', 'agent:a1']) {
      expect(await counters(h, g, MORNING)).toMatchObject({ talkCount: 1, wrapMs: 60_000 });
    }
  });

  it('is capped like time in state', async () => {
    const h = createHarness({ now: '2026-05-01T12:00:00+02:00' });
    const c = handledCall({ callId: 'c1', queued: at(0), answered: at(0), ended: at(3), available: at(4) });
    await h.apply([...c.calls, ...c.states.slice(0, 2)]);
    await h.apply([ev.agent({ agentId: 'a1', state: 'available', ts: '2026-04-20T08:00:00+02:00' })]);
    expect(await counters(h, 'calls', MORNING)).toMatchObject({ wrapMs: MAX_BOOKED_STATE_MS });
  });

  it('ends in the same counters whichever topic is read first', async () => {
    const c1 = handledCall({
      callId: 'c1',
      queued: at(0),
      answered: at(0.2),
      ended: at(3),
      available: at(4),
    });
    const c2 = handledCall({
      callId: 'c2',
      queue: 'support',
      queued: at(4),
      answered: at(4.1),
      ended: at(6),
      available: at(7.5),
    });
    const calls = [...c1.calls, ...c2.calls];
    const states = [ev.agent({ agentId: 'a1', state: 'available', ts: at(-1) }), ...c1.states, ...c2.states];
    const results = [];
    for (const order of [
      [calls, states],
      [states, calls],
    ]) {
      const h = createHarness();
      for (const batch of order) for (const e of batch) await h.apply([e]);
      results.push(normalize(await observe(h.store, h.keys, [MORNING, '2026-03-02'])));
    }
    expect(results[0]).toEqual(results[1]);
    expect(results[0]?.aggregates[MORNING]?.['queue:sales']).toMatchObject({ wrapMs: 60_000 });
    expect(results[0]?.aggregates[MORNING]?.['queue:support']).toMatchObject({ wrapMs: 90_000 });
  });

  it('moves with its call when the queue event arrives after the wrap-up', async () => {
    const h = createHarness();
    const c = handledCall({
      callId: 'c1',
      queued: B('14:59:40'),
      answered: B('15:00:10'),
      ended: B('15:03:00'),
      available: B('15:04:00'),
    });
    const [queued, ...rest] = c.calls;
    await h.apply([...rest, ...c.states]);
    expect(await counters(h, 'queue:sales', EVENING)).toMatchObject({ wrapMs: 60_000 });
    await h.apply([queued as CcEvent]);
    expect((await counters(h, 'queue:sales', EVENING)).wrapMs).toBeUndefined();
    for (const g of ['calls', 'queue:sales', 'agent:a1']) {
      expect(await counters(h, g, MORNING)).toMatchObject({ talkMs: 170_000, wrapMs: 60_000 });
    }
  });
});

describe('a late agent.state', () => {
  it('updates the past shift it belongs to', async () => {
    const h = createHarness({ now: B('18:00:00') });
    await h.apply([ev.agent({ agentId: 'a1', state: 'available', ts: B('14:00:00') })]);
    await h.apply([ev.agent({ agentId: 'a1', state: 'break', ts: B('16:00:00') })]);
    expect(await counters(h, 'agent:a1', MORNING)).toEqual({ 'stateMs:available': 3_600_000 });
    await h.apply([ev.agent({ agentId: 'a1', state: 'offline', ts: B('14:30:00') })]);
    expect(await counters(h, 'agent:a1', MORNING)).toEqual({
      'stateMs:available': 1_800_000,
      'stateMs:offline': 1_800_000,
    });
    expect(await counters(h, 'agent:a1', EVENING)).toEqual({ 'stateMs:offline': 3_600_000 });
    expect(await agentRecord(h)).toMatchObject({ state: 'break', since: Date.parse(B('16:00:00')) });
  });

  it('that repeats the state before it changes nothing, and one that matches the next moves it earlier', async () => {
    const h = createHarness();
    await h.apply([
      ev.agent({ agentId: 'a1', state: 'available', ts: at(0) }),
      ev.agent({ agentId: 'a1', state: 'break', ts: at(10) }),
      ev.agent({ agentId: 'a1', state: 'available', ts: at(20) }),
    ]);
    await h.apply([ev.agent({ agentId: 'a1', state: 'available', ts: at(5) })]);
    expect(await counters(h, 'agent:a1', MORNING)).toEqual({
      'stateMs:available': 600_000,
      'stateMs:break': 600_000,
    });
    await h.apply([ev.agent({ agentId: 'a1', state: 'break', ts: at(3) })]);
    expect(await counters(h, 'agent:a1', MORNING)).toEqual({
      'stateMs:available': 180_000 + 300_000, // 0–3, then again from 5 (the repeat) until the break at 10
      'stateMs:break': 120_000 + 600_000, // 3–5 and 10–20
    });
  });

  it('older than everything the agent history still holds is not placed', async () => {
    const h = createHarness({ now: '2026-03-04T12:00:00+01:00' });
    await h.apply([ev.agent({ agentId: 'a1', state: 'available', ts: B('08:00:00') })]);
    // 25 hours later: the history keeps 24 hours, so it forgets the 08:00 change.
    await h.apply([ev.agent({ agentId: 'a1', state: 'break', ts: '2026-03-03T09:00:00+01:00' })]);
    await h.apply([ev.agent({ agentId: 'a1', state: 'offline', ts: B('09:00:00') })]);
    expect(await counters(h, 'agent:a1', MORNING)).toEqual({ 'stateMs:available': 7 * 3_600_000 });
  });
});

describe('the agent record', () => {
  const events = () => ({
    queued: ev.queued({ callId: 'c1', ts: at(0) }),
    answered: ev.answered({ callId: 'c1', agentId: 'a1', ts: at(0.5) }),
    abandoned: ev.abandoned({ callId: 'c1', ts: at(0.4) }),
    ended: ev.ended({ callId: 'c1', agentId: 'a1', ts: at(5) }),
  });
  const permutations = <T>(xs: T[]): T[][] =>
    xs.length <= 1
      ? [xs]
      : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));

  it('is on the call after its answer and off it after its end, in every order of the call events', async () => {
    for (const order of permutations(['queued', 'answered', 'abandoned', 'ended'] as const)) {
      const h = createHarness();
      const e = events();
      await h.apply([ev.agent({ agentId: 'a1', state: 'available', ts: at(-5) })]);
      for (const name of order) {
        await h.apply([e[name]]);
        const seen = order.slice(0, order.indexOf(name) + 1);
        const onCall = seen.includes('answered') && !seen.includes('ended');
        expect((await agentRecord(h))?.activeCallId, `${order.join(', ')}: after ${name}`).toBe(
          onCall ? 'c1' : null,
        );
      }
      expect(await counters(h, 'queue:sales', MORNING), order.join(', ')).toEqual({
        offered: 1,
        answered: 1,
        waitAnsweredMs: 30_000,
        talkMs: 270_000,
        talkCount: 1,
      });
    }
  });

  it('of an agent known only from calls is on a call only while one goes on', async () => {
    const h = createHarness();
    await h.apply([
      ev.queued({ callId: 'c1', ts: at(0) }),
      ev.answered({ callId: 'c1', agentId: 'a9', ts: at(1) }),
    ]);
    expect(await agentRecord(h, 'a9')).toMatchObject({ known: false, state: 'on_call', activeCallId: 'c1' });
    await h.apply([ev.ended({ callId: 'c1', agentId: 'a9', ts: at(4) })]);
    expect(await agentRecord(h, 'a9')).toMatchObject({
      known: false,
      state: 'offline',
      activeCallId: null,
      since: Date.parse(at(4)),
    });
  });

  it('is not on a call whose end never came once the agent has logged off', async () => {
    const h = createHarness();
    await h.apply([
      ev.agent({ agentId: 'a1', state: 'available', ts: at(0) }),
      ev.answered({ callId: 'c1', agentId: 'a1', ts: at(1) }),
      ev.agent({ agentId: 'a1', state: 'offline', ts: at(60) }),
      ev.agent({ agentId: 'a1', state: 'available', ts: at(600) }),
    ]);
    expect(await agentRecord(h)).toMatchObject({ state: 'available', activeCallId: null });
  });
});
