/** Shift summaries in time: midnight, DST days in both directions, late events, replays of old data. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ev } from '../../test/support/events.ts';
import { createHarness, testConfig, type Harness } from '../../test/support/harness.ts';
import type { CcEvent } from '../contract/events.ts';
import { projectionContextFactory } from '../domain/context.ts';
import { replayFile } from '../ingest/replay.ts';
import { shiftReport } from './summary.ts';

const report = (h: Harness, date: string) => shiftReport(h, date, h.clock.now());
const B = (hhmmss: string, date = '2026-03-02') => `${date}T${hhmmss}+01:00`; // Berlin winter time

describe('shift summaries in time', () => {
  it('attributes a shift across midnight to the date it starts on', async () => {
    const h = createHarness({ now: B('12:00:00', '2026-03-03') });
    await h.apply([
      ev.queued({ callId: 'n1', ts: B('23:30:00', '2026-03-01') }),
      ev.queued({ callId: 'n2', ts: B('01:00:00', '2026-03-02') }),
      ev.queued({ callId: 'n3', ts: B('07:00:00', '2026-03-02') }),
    ]);
    const first = await report(h, '2026-03-01');
    expect(first.shifts[2]).toMatchObject({
      name: 'night',
      start: '2026-03-01T23:00:00+01:00',
      end: '2026-03-02T07:00:00+01:00',
    });
    expect(first.shifts[2]?.calls.offered).toBe(2);
    expect(first.day.calls.offered).toBe(1);
    const second = await report(h, '2026-03-02');
    expect(second.day.calls.offered).toBe(2);
    expect(second.shifts[0]?.calls.offered).toBe(1);
  });

  it('handles the spring-forward day in Europe/Berlin (a 7-hour night, a 23-hour day)', async () => {
    const h = createHarness({ now: '2026-04-01T12:00:00+02:00' });
    await h.apply([
      ev.agent({ agentId: 'a1', state: 'available', ts: '2026-03-28T23:00:00+01:00' }),
      ev.queued({ callId: 'd1', ts: '2026-03-29T01:30:00+01:00' }),
      ev.queued({ callId: 'd2', ts: '2026-03-29T03:30:00+02:00' }),
      ev.agent({ agentId: 'a1', state: 'offline', ts: '2026-03-30T00:00:00+02:00' }),
    ]);
    const r = await report(h, '2026-03-28');
    const night = r.shifts[2];
    expect(night).toMatchObject({ start: '2026-03-28T23:00:00+01:00', end: '2026-03-29T07:00:00+02:00' });
    expect(night?.calls.offered).toBe(2);
    expect(night?.agents[0]?.stateSeconds.available).toBe(7 * 3600); // the night is 7 h long
    const day = await report(h, '2026-03-29');
    expect(day.day).toMatchObject({ start: '2026-03-29T00:00:00+01:00', end: '2026-03-30T00:00:00+02:00' });
    expect(day.day.agents[0]?.stateSeconds.available).toBe(23 * 3600);
  });

  it('handles the fall-back day in America/New_York (a 9-hour night, a 25-hour day)', async () => {
    const config = { ...testConfig(), timezone: 'America/New_York' };
    const h = createHarness({ config, now: '2026-11-05T12:00:00-05:00' });
    await h.apply([
      ev.agent({ agentId: 'a1', state: 'available', ts: '2026-10-31T23:00:00-04:00' }),
      ev.queued({ callId: 'y1', ts: '2026-11-01T01:30:00-04:00' }),
      ev.queued({ callId: 'y2', ts: '2026-11-01T01:30:00-05:00' }), // the repeated hour
      ev.agent({ agentId: 'a1', state: 'offline', ts: '2026-11-02T00:00:00-05:00' }),
    ]);
    const night = (await report(h, '2026-10-31')).shifts[2];
    expect(night).toMatchObject({ start: '2026-10-31T23:00:00-04:00', end: '2026-11-01T07:00:00-05:00' });
    expect(night?.calls.offered).toBe(2);
    expect(night?.agents[0]?.stateSeconds.available).toBe(9 * 3600);
    const nov1 = await report(h, '2026-11-01');
    expect(nov1.hourly).toHaveLength(25);
    expect(nov1.hourly.slice(1, 3).map((x) => [x.start, x.calls.offered])).toEqual([
      ['2026-11-01T01:00:00-04:00', 1],
      ['2026-11-01T01:00:00-05:00', 1],
    ]);
    expect((await report(h, '2026-11-01')).day.agents[0]?.stateSeconds.available).toBe(25 * 3600);
  });

  it('updates a past shift when a late event for it arrives', async () => {
    const h = createHarness({ now: B('18:00:00') });
    await h.apply([ev.queued({ callId: 'c1', ts: B('09:00:00') })]);
    expect((await report(h, '2026-03-02')).shifts[0]?.calls.answered).toBe(0);
    await h.apply([ev.answered({ callId: 'c1', agentId: 'a1', ts: B('09:00:05') })]); // arrives in the evening
    const r = await report(h, '2026-03-02');
    expect(r.shifts[0]?.calls).toMatchObject({ answered: 1, answeredWithinThreshold: 1, asaSeconds: 5 });
    expect(r.shifts[1]?.calls.answered).toBe(0);
  });

  it('handles the fall-back day in Europe/Berlin (a 9-hour night, a 25-hour day)', async () => {
    const h = createHarness({ now: '2026-10-28T12:00:00+01:00' });
    await h.apply([
      ev.agent({ agentId: 'a1', state: 'available', ts: '2026-10-24T23:00:00+02:00' }),
      ev.queued({ callId: 'f1', ts: '2026-10-25T02:30:00+02:00' }),
      ev.queued({ callId: 'f2', ts: '2026-10-25T02:30:00+01:00' }), // the repeated hour
      ev.agent({ agentId: 'a1', state: 'offline', ts: '2026-10-26T00:00:00+01:00' }),
    ]);
    const night = (await report(h, '2026-10-24')).shifts[2];
    expect(night).toMatchObject({ start: '2026-10-24T23:00:00+02:00', end: '2026-10-25T07:00:00+01:00' });
    expect(night?.calls.offered).toBe(2);
    expect(night?.agents[0]?.stateSeconds.available).toBe(9 * 3600);
    const oct25 = await report(h, '2026-10-25');
    expect(oct25.day).toMatchObject({ start: '2026-10-25T00:00:00+02:00', end: '2026-10-26T00:00:00+01:00' });
    expect(oct25.day.agents[0]?.stateSeconds.available).toBe(25 * 3600);
    expect(oct25.hourly).toHaveLength(25);
    expect(oct25.hourly.slice(2, 4).map((x) => [x.hour, x.start, x.calls.offered])).toEqual([
      ['02:00', '2026-10-25T02:00:00+02:00', 1],
      ['02:00', '2026-10-25T02:00:00+01:00', 1],
    ]);
  });

  it('handles the spring-forward day in America/New_York (a 7-hour night, a 23-hour day)', async () => {
    const config = { ...testConfig(), timezone: 'America/New_York' };
    const h = createHarness({ config, now: '2026-03-12T12:00:00-04:00' });
    await h.apply([
      ev.agent({ agentId: 'a1', state: 'available', ts: '2026-03-07T23:00:00-05:00' }),
      ev.queued({ callId: 's1', ts: '2026-03-08T01:30:00-05:00' }),
      ev.queued({ callId: 's2', ts: '2026-03-08T03:30:00-04:00' }), // 02:00–03:00 does not exist
      ev.agent({ agentId: 'a1', state: 'offline', ts: '2026-03-09T00:00:00-04:00' }),
    ]);
    const night = (await report(h, '2026-03-07')).shifts[2];
    expect(night).toMatchObject({ start: '2026-03-07T23:00:00-05:00', end: '2026-03-08T07:00:00-04:00' });
    expect(night?.calls.offered).toBe(2);
    expect(night?.agents[0]?.stateSeconds.available).toBe(7 * 3600);
    const mar8 = await report(h, '2026-03-08');
    expect(mar8.day).toMatchObject({ start: '2026-03-08T00:00:00-05:00', end: '2026-03-09T00:00:00-04:00' });
    expect(mar8.day.agents[0]?.stateSeconds.available).toBe(23 * 3600);
    expect(mar8.hourly).toHaveLength(23);
    expect(mar8.hourly.slice(1, 3).map((x) => [x.hour, x.calls.offered])).toEqual([
      ['01:00', 1],
      ['03:00', 1],
    ]);
  });

  it('gives the same summaries for a replay years later in one batch as for live ingestion event by event', async () => {
    const S = (hhmmss: string) => `2023-06-14T${hhmmss}+02:00`; // Berlin summer time
    // [when it arrived, the event]: the live consumer saw them in this order, its clock advancing.
    const arrivals: Array<[string, CcEvent]> = [
      [S('06:50:00'), ev.agent({ agentId: 'a1', name: 'Ana', state: 'available', ts: S('06:50:00') })],
      [S('08:00:00'), ev.agent({ agentId: 'a2', state: 'available', ts: S('08:00:00') })],
      [S('09:10:05'), ev.answered({ callId: 'c2', agentId: 'a2', ts: S('09:10:05') })], // before its queue event
      [S('09:10:06'), ev.queued({ callId: 'c2', ts: S('09:10:00') })],
      [S('09:14:05'), ev.ended({ callId: 'c2', agentId: 'a2', ts: S('09:14:05') })],
      [S('10:00:00'), ev.agent({ agentId: 'a2', state: 'break', ts: S('10:00:00') })],
      [S('10:30:00'), ev.queued({ callId: 'c3', ts: S('10:30:00') })],
      [S('10:31:00'), ev.abandoned({ callId: 'c3', ts: S('10:31:00') })],
      [S('12:00:00'), ev.agent({ agentId: 'a2', state: 'offline', ts: S('12:00:00') })],
      // a2's state source was late: two of its changes arrive after later ones.
      [S('12:05:00'), ev.agent({ agentId: 'a2', state: 'available', ts: S('11:00:00') })],
      [S('12:06:00'), ev.agent({ agentId: 'a2', state: 'offline', ts: S('09:30:00') })],
      [S('13:00:00'), ev.ticket({ ticketId: 't1', kind: 'complaint', category: 'other', ts: S('13:00:00') })],
      [S('13:10:00'), ev.survey({ surveyId: 's1', agentId: 'a2', ts: S('13:10:00') })],
      // A call queued at the end of the morning, wrapped up in the evening.
      [S('14:58:00'), ev.queued({ callId: 'c1', ts: S('14:58:00') })],
      [S('14:58:30'), ev.answered({ callId: 'c1', agentId: 'a1', ts: S('14:58:30') })],
      [S('14:58:30'), ev.agent({ agentId: 'a1', state: 'on_call', ts: S('14:58:30') })],
      [S('15:03:00'), ev.ended({ callId: 'c1', agentId: 'a1', ts: S('15:03:00') })],
      [S('15:03:01'), ev.agent({ agentId: 'a1', state: 'wrap_up', ts: S('15:03:00') })],
      [S('15:04:00'), ev.agent({ agentId: 'a1', state: 'available', ts: S('15:04:00') })],
      [S('15:30:00'), ev.agent({ agentId: 'a1', state: 'offline', ts: S('15:30:00') })],
    ];
    const live = createHarness({ now: S('06:50:00') });
    for (const [arrived, e] of arrivals) {
      live.clock.set(arrived);
      await live.apply([e]);
    }
    live.clock.set(S('18:00:00'));
    const replayed = createHarness({ now: '2026-11-23T10:00:00+01:00' });
    const file = join(mkdtempSync(join(tmpdir(), 'old-')), 'old.ndjson');
    writeFileSync(file, arrivals.map(([, e]) => JSON.stringify(e)).join('\n'));
    await replayFile(file, {
      store: replayed.store,
      ctxAt: projectionContextFactory(replayed.config, replayed.calendar),
      now: replayed.clock.now,
      maxMessageBytes: 65536,
      dedupeHours: 72,
    });
    const a = await report(live, '2023-06-14');
    expect(await report(replayed, '2023-06-14')).toEqual(a);

    const [morning, evening] = a.shifts;
    // c1: talk 270 s and its 60 s wrap-up; c2: talk 240 s, no wrap-up. Both queued in the morning.
    expect(morning?.calls).toMatchObject({
      offered: 3,
      answered: 2,
      abandoned: 1,
      ahtSeconds: (270 + 60 + 240) / 2,
    });
    expect(evening?.calls).toMatchObject({ offered: 0, ahtSeconds: null });
    const a1 = (s: typeof morning) => s?.agents.find((x) => x.agentId === 'a1');
    expect(a1(morning)).toMatchObject({ handled: 1, talkSeconds: 270, wrapSeconds: 60, ahtSeconds: 330 });
    expect(a1(evening)).toMatchObject({ handled: 0, wrapSeconds: 0 });
    expect(a1(evening)?.stateSeconds).toMatchObject({ on_call: 180, wrap_up: 60, available: 1560 });
    // a2: available 08:00–09:30, offline 09:30–10:00, break 10:00–11:00, available 11:00–12:00.
    const a2 = morning?.agents.find((x) => x.agentId === 'a2');
    expect(a2?.stateSeconds).toEqual({ available: 9000, on_call: 0, wrap_up: 0, break: 3600, offline: 1800 });
  });
});
