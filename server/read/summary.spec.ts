/** Shift summaries against hand-computed fixtures for every formula. */
import { describe, expect, it } from 'vitest';
import { ev } from '../../test/support/events.ts';
import { createHarness, testConfig, type Harness } from '../../test/support/harness.ts';
import { createMemoryStore } from '../store/memory-store.ts';
import { shiftReport } from './summary.ts';

const report = (h: Harness, date: string) => shiftReport(h, date, h.clock.now());
const B = (hhmmss: string, date = '2026-03-02') => `${date}T${hhmmss}+01:00`; // Berlin winter time

describe('shift summaries', () => {
  it('reports zeros and null ratios when there were no calls', async () => {
    const h = createHarness({ now: B('20:00:00') });
    const r = await report(h, '2026-03-02');
    expect(r.shifts.map((s) => s.name)).toEqual(['morning', 'evening', 'night']);
    expect(r.day.calls).toEqual({
      offered: 0,
      answered: 0,
      abandoned: 0,
      shortAbandoned: 0,
      answeredWithinThreshold: 0,
      serviceLevel: null,
      abandonRate: null,
      asaSeconds: null,
      ahtSeconds: null,
      byQueue: {},
    });
    expect(r.day.satisfaction).toMatchObject({ count: 0, overall: null, lowShare: null });
    expect(r.day.tickets).toMatchObject({ created: 0, acceptSlaMet: null, resolveSlaMet: null });
  });

  it('gives null service level and abandon rate when every call was short-abandoned', async () => {
    const h = createHarness({ now: B('20:00:00') });
    await h.apply(
      [1, 2, 3].flatMap((i) => [
        ev.queued({ callId: `c${i}`, ts: B(`08:0${i}:00`) }),
        ev.abandoned({ callId: `c${i}`, ts: B(`08:0${i}:04`) }),
      ]),
    );
    const calls = (await report(h, '2026-03-02')).shifts[0]?.calls;
    expect(calls).toMatchObject({
      offered: 3,
      abandoned: 3,
      shortAbandoned: 3,
      serviceLevel: null,
      abandonRate: null,
    });
  });

  it('computes every call formula as by hand', async () => {
    const h = createHarness({ now: B('20:00:00') });
    await h.apply([
      ev.agent({ agentId: 'a1', name: 'Ana', team: 'sales', state: 'available', ts: B('07:00:00') }),
      ev.agent({ agentId: 'a2', team: 'sales', state: 'available', ts: B('07:30:00') }),
      ev.queued({ callId: 'c1', ts: B('08:00:00') }),
      ev.answered({ callId: 'c1', agentId: 'a1', ts: B('08:00:10') }), // wait 10
      ev.agent({ agentId: 'a1', state: 'on_call', ts: B('08:00:10') }),
      ev.ended({ callId: 'c1', agentId: 'a1', ts: B('08:05:10') }), // talk 300
      ev.agent({ agentId: 'a1', state: 'wrap_up', ts: B('08:05:10') }),
      ev.agent({ agentId: 'a1', state: 'available', ts: B('08:06:10') }), // wrap 60
      ev.queued({ callId: 'c2', ts: B('08:01:00') }),
      ev.answered({ callId: 'c2', agentId: 'a2', ts: B('08:01:30') }), // wait 30 > T
      ev.ended({ callId: 'c2', agentId: 'a2', ts: B('08:03:30') }), // talk 120
      ev.agent({ agentId: 'a2', state: 'wrap_up', ts: B('08:03:30') }),
      ev.agent({ agentId: 'a2', state: 'available', ts: B('08:04:00') }), // wrap 30
      ev.queued({ callId: 'c3', ts: B('08:02:00') }),
      ev.abandoned({ callId: 'c3', ts: B('08:02:03') }), // short
      ev.queued({ callId: 'c4', ts: B('08:03:00'), queue: 'support' }),
      ev.abandoned({ callId: 'c4', ts: B('08:04:00'), queue: 'support' }),
      ev.queued({ callId: 'c5', ts: B('08:04:00') }),
      ev.answered({ callId: 'c5', agentId: 'a1', ts: B('08:04:20') }), // wait 20 = T: within
      ev.answered({ callId: 'c6', agentId: 'a2', ts: B('07:59:58') }), // stamped before its queue entry
      ev.queued({ callId: 'c6', ts: B('07:59:59') }), // and arriving after the answer: wait 0
      ev.agent({ agentId: 'a1', state: 'offline', ts: B('15:00:00') }),
      ev.agent({ agentId: 'a2', state: 'offline', ts: B('15:00:00') }),
    ]);
    const r = await report(h, '2026-03-02');
    const morning = r.shifts[0];
    expect(morning?.calls).toMatchObject({
      offered: 6,
      answered: 4,
      abandoned: 2,
      shortAbandoned: 1,
      answeredWithinThreshold: 3,
      serviceLevel: 3 / 5, // 3 / (4 + 2 − 1)
      abandonRate: 1 / 5, // (2 − 1) / (6 − 1)
      asaSeconds: 15, // (10 + 30 + 20 + 0) / 4
      ahtSeconds: 255, // (300 + 120 + 60 + 30) / 2 ended calls
    });
    expect(morning?.calls.byQueue.support).toMatchObject({ offered: 1, abandoned: 1, abandonRate: 1 });
    const a1 = morning?.agents.find((a) => a.agentId === 'a1');
    // a1: available 07:00–08:00:10 and 08:06:10–15:00 (3600+10 + 24830 = 28440 s), on_call 300 s, wrap 60 s.
    expect(a1).toMatchObject({ name: 'Ana', handled: 2, talkSeconds: 300, wrapSeconds: 60, ahtSeconds: 360 });
    expect(a1?.stateSeconds).toMatchObject({ available: 28_440, on_call: 300, wrap_up: 60 });
    expect(a1?.occupancy).toBeCloseTo(360 / (360 + 28_440), 10);
    expect(r.day.calls.offered).toBe(6);
    expect(r.shifts[1]?.calls.offered).toBe(0);
    // Per clock hour: c6 was queued at 07:59:59, the others between 08:00 and 08:04.
    expect(r.hourly).toHaveLength(24);
    expect(r.hourly[7]).toMatchObject({
      hour: '07:00',
      start: '2026-03-02T07:00:00+01:00',
      calls: { offered: 1, answered: 1, asaSeconds: 0 },
    });
    expect(r.hourly[8]?.calls).toMatchObject({
      offered: 5,
      answered: 3,
      abandoned: 2,
      serviceLevel: 2 / 4,
      ahtSeconds: 255,
    });
    expect(r.hourly.reduce((n, h) => n + h.calls.offered, 0)).toBe(6);
  });

  it("applies a queue's own service-level threshold and short-abandon time", async () => {
    const config = testConfig();
    config.serviceLevel = {
      ...config.serviceLevel,
      perQueue: { vip: { thresholdSeconds: 10, shortAbandonSeconds: 2 } },
    };
    const h = createHarness({ config, now: B('20:00:00') });
    const call = (callId: string, queue: string, outcome: 'answered' | 'abandoned', afterSeconds: number) => [
      ev.queued({ callId, queue, ts: B('09:00:00') }),
      outcome === 'answered'
        ? ev.answered({
            callId,
            queue,
            agentId: 'a1',
            ts: B(`09:00:${String(afterSeconds).padStart(2, '0')}`),
          })
        : ev.abandoned({ callId, queue, ts: B(`09:00:${String(afterSeconds).padStart(2, '0')}`) }),
    ];
    await h.apply([
      ...call('v1', 'vip', 'answered', 8), // within vip's 10 s
      ...call('v2', 'vip', 'answered', 15), // not within 10 s (within the default 20)
      ...call('v3', 'vip', 'abandoned', 3), // not short for vip (short by the default 5)
      ...call('v4', 'vip', 'abandoned', 1), // short
      ...call('s1', 'sales', 'answered', 15), // within the default 20 s
      ...call('s2', 'sales', 'abandoned', 3), // short by the default 5 s
    ]);
    const calls = (await report(h, '2026-03-02')).shifts[0]?.calls;
    expect(calls?.byQueue.vip).toMatchObject({
      offered: 4,
      answeredWithinThreshold: 1,
      shortAbandoned: 1,
      serviceLevel: 1 / 3, // 1 / (2 + 2 − 1)
      abandonRate: 1 / 3, // (2 − 1) / (4 − 1)
    });
    expect(calls?.byQueue.sales).toMatchObject({
      answeredWithinThreshold: 1,
      shortAbandoned: 1,
      serviceLevel: 1,
    });
    // The centre counts each call by its own queue's settings.
    expect(calls).toMatchObject({
      offered: 6,
      answeredWithinThreshold: 2,
      shortAbandoned: 2,
      serviceLevel: 2 / 4,
    });
  });

  it('puts the wrap-up of a call queued before a shift change into the handle time of its shift', async () => {
    const h = createHarness({ now: B('20:00:00') });
    await h.apply([
      ev.agent({ agentId: 'a1', state: 'available', ts: B('14:00:00') }),
      ev.queued({ callId: 'c1', ts: B('14:58:00') }),
      ev.answered({ callId: 'c1', agentId: 'a1', ts: B('14:58:20') }),
      ev.agent({ agentId: 'a1', state: 'on_call', ts: B('14:58:20') }),
      ev.ended({ callId: 'c1', agentId: 'a1', ts: B('15:03:00') }), // talk 280 s
      ev.agent({ agentId: 'a1', state: 'wrap_up', ts: B('15:03:00') }),
      ev.agent({ agentId: 'a1', state: 'available', ts: B('15:04:00') }), // wrap-up 60 s, in the evening
      ev.agent({ agentId: 'a1', state: 'offline', ts: B('16:00:00') }),
    ]);
    const [morning, evening] = (await report(h, '2026-03-02')).shifts;
    expect(morning?.calls).toMatchObject({ ahtSeconds: 340 });
    expect(morning?.calls.byQueue.sales?.ahtSeconds).toBe(340);
    expect(morning?.agents[0]).toMatchObject({ talkSeconds: 280, wrapSeconds: 60, ahtSeconds: 340 });
    expect(evening?.calls).toMatchObject({ offered: 0, ahtSeconds: null });
    // Time in state stays where it happened: the wrap-up and 3 minutes on the call were in the evening.
    expect(evening?.agents[0]).toMatchObject({ wrapSeconds: 0, ahtSeconds: null });
    expect(evening?.agents[0]?.stateSeconds).toMatchObject({ on_call: 180, wrap_up: 60, available: 3360 });
    expect(evening?.agents[0]?.occupancy).toBeCloseTo(240 / 3600, 10);
  });

  it('counts satisfaction per dimension, overall and the share of low scores', async () => {
    const h = createHarness({ now: B('20:00:00') });
    await h.apply([
      ev.survey({
        surveyId: 's1',
        agentId: 'a1',
        ts: B('09:00:00'),
        scores: { speed: 5, resolution: 4, professionalism: 5, recommend: 4 },
      }),
      ev.survey({
        surveyId: 's2',
        agentId: 'a1',
        ts: B('10:00:00'),
        scores: { speed: 2, resolution: 3, professionalism: 4, recommend: 3 },
      }),
      ev.survey({
        surveyId: 's3',
        ts: B('16:00:00'),
        scores: { speed: 1, resolution: 1, professionalism: 1, recommend: 1 },
      }),
    ]);
    const r = await report(h, '2026-03-02');
    expect(r.shifts[0]?.satisfaction).toEqual({
      count: 2,
      mean: { speed: 3.5, resolution: 3.5, professionalism: 4.5, recommend: 3.5 },
      overall: 30 / 8,
      lowCount: 1,
      lowShare: 0.5,
    });
    expect(r.day.satisfaction).toMatchObject({ count: 3, lowCount: 2, lowShare: 2 / 3 });
    expect(r.shifts[0]?.agents.find((a) => a.agentId === 'a1')?.satisfaction.count).toBe(2);
  });

  it('counts tickets by kind, tier and category with accept and resolve SLA met', async () => {
    const h = createHarness({ now: B('20:00:00') });
    await h.apply([
      ev.ticket({ ticketId: 't1', kind: 'complaint', category: 'price', tier: 'vip', ts: B('08:00:00') }),
      ev.assigned({ ticketId: 't1', agentId: 'a1', ts: B('08:20:00') }), // VIP accept 15 min: missed
      ev.resolved({ ticketId: 't1', ts: B('09:00:00') }), // VIP resolve 2 h: met
      ev.ticket({ ticketId: 't2', kind: 'technical', ts: B('08:00:00') }),
      ev.assigned({ ticketId: 't2', agentId: 'a2', ts: B('08:10:00') }), // met
      ev.assigned({ ticketId: 't2', agentId: 'a1', ts: B('09:00:00') }), // reassigned
      ev.resolved({ ticketId: 't2', ts: B('13:00:00') }), // routine 4 h: missed (5 h)
      ev.reopened({ ticketId: 't2', ts: B('13:30:00') }),
      ev.ticket({ ticketId: 't3', kind: 'complaint', category: 'price', ts: B('16:00:00') }),
    ]);
    const r = await report(h, '2026-03-02');
    expect(r.shifts[0]?.tickets).toMatchObject({
      created: 2,
      resolved: 2,
      createdBy: {
        kind: { complaint: 1, technical: 1 },
        tier: { vip: 1, normal: 1 },
        category: { price: 1 },
      },
      acceptMet: 1,
      acceptMissed: 1,
      acceptSlaMet: 0.5,
      resolveMet: 1,
      resolveMissed: 1,
      resolveSlaMet: 0.5,
      reassigned: 1,
      reopened: 1,
    });
    expect(r.shifts[0]?.agents.find((a) => a.agentId === 'a1')).toMatchObject({
      ticketsResolved: 2,
      reassignedIn: 1,
    });
    expect(r.topComplaintCategories7d).toEqual([{ category: 'price', count: 2 }]);
  });

  it('keeps a queue whose name is an Object.prototype member', async () => {
    const h = createHarness({ now: B('20:00:00') });
    await h.apply([ev.queued({ callId: 'p1', queue: '__proto__', ts: B('09:00:00') })]);
    const r = await report(h, '2026-03-02');
    expect(Object.keys(r.day.calls.byQueue)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(r.day.calls.byQueue, '__proto__')?.value).toMatchObject({
      offered: 1,
    });
  });

  it('keeps summaries at least 400 days', async () => {
    const store = createMemoryStore({ prefix: 'r:', now: () => clockMs });
    let clockMs = Date.parse(B('09:00:00'));
    const h = createHarness({ store, now: B('09:00:00') });
    await h.apply([ev.queued({ callId: 'c1', ts: B('08:00:00') })]);
    clockMs = Date.parse(B('16:00:00')) + 399 * 86_400_000;
    expect((await report(h, '2026-03-02')).day.calls.offered).toBe(1);
    clockMs += 2 * 86_400_000;
    expect((await report(h, '2026-03-02')).day.calls.offered).toBe(0);
  });
});
