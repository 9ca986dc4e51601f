/** Agents in shift summaries: which current states count up to now, and occupancy without time. */
import { describe, expect, it } from 'vitest';
import { ev } from '../../test/support/events.ts';
import { createHarness, type Harness } from '../../test/support/harness.ts';
import { shiftReport } from './summary.ts';

const report = (h: Harness, date: string) => shiftReport(h, date, h.clock.now());
const B = (hhmmss: string, date = '2026-03-02') => `${date}T${hhmmss}+01:00`;

describe('agents in shift summaries', () => {
  it('count a current state up to now only in the periods that contain now', async () => {
    const h = createHarness({ now: B('16:00:00') });
    await h.apply([ev.agent({ agentId: 'a1', state: 'available', ts: B('14:00:00') })]);
    const r = await report(h, '2026-03-02');
    expect(r.day.agents[0]?.stateSeconds.available).toBe(7200);
    expect(r.shifts[1]?.agents[0]?.stateSeconds.available).toBe(3600); // evening, holding now
    // The morning is over: its figures come from events alone (the 14:00–15:00 hour is booked when
    // the state ends), so a replay reports it the same.
    expect(r.shifts[0]?.agents).toEqual([]);
  });

  it('leave out an agent offline since long ago', async () => {
    const h = createHarness({ now: B('12:00:00') });
    await h.apply([
      ev.agent({ agentId: 'a1', state: 'available', ts: B('08:00:00', '2026-01-10') }),
      ev.agent({ agentId: 'a1', state: 'offline', ts: B('16:00:00', '2026-01-10') }),
    ]);
    const r = await report(h, '2026-03-02');
    expect(r.day.agents).toEqual([]);
    expect(r.shifts.every((s) => s.agents.length === 0)).toBe(true);
  });

  it('do not stretch the state of an agent known only from calls', async () => {
    const h = createHarness({ now: B('12:00:00') });
    await h.apply([
      ev.queued({ callId: 'c1', ts: B('09:00:00') }),
      ev.answered({ callId: 'c1', agentId: 'a9', ts: B('09:00:10') }),
    ]);
    const a9 = (await report(h, '2026-03-02')).shifts[0]?.agents.find((a) => a.agentId === 'a9');
    expect(a9).toMatchObject({ handled: 1, occupancy: null });
    expect(a9?.stateSeconds).toEqual({ available: 0, on_call: 0, wrap_up: 0, break: 0, offline: 0 });
  });

  it('do not stretch the last state of replayed old events to today', async () => {
    const h = createHarness({ now: B('12:00:00') });
    await h.apply([
      ev.agent({ agentId: 'a1', state: 'available', ts: '2023-06-14T08:00:00+02:00' }),
      ev.agent({ agentId: 'a1', state: 'break', ts: '2023-06-14T10:00:00+02:00' }),
    ]);
    expect((await report(h, '2026-03-02')).day.agents).toEqual([]);
    const old = await report(h, '2023-06-14');
    expect(old.day.agents[0]?.stateSeconds).toMatchObject({ available: 7200, break: 0 });
  });

  it('give a null occupancy, not 0 or NaN, to an agent with no on-call, wrap-up or available time', async () => {
    const h = createHarness({ now: B('20:00:00') });
    await h.apply([
      ev.agent({ agentId: 'a1', state: 'break', ts: B('08:00:00') }),
      ev.agent({ agentId: 'a1', state: 'offline', ts: B('09:00:00') }),
    ]);
    const a1 = (await report(h, '2026-03-02')).shifts[0]?.agents[0];
    expect(a1).toMatchObject({ agentId: 'a1', occupancy: null, ahtSeconds: null, handled: 0 });
    expect(a1?.stateSeconds.break).toBe(3600);
  });
});
