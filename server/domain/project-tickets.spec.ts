import { describe, expect, it } from 'vitest';
import { at, ev } from '../../test/support/events.ts';
import { createHarness } from '../../test/support/harness.ts';
import type { TicketRecord } from './records.ts';
import { deadlinesOf } from './sla.ts';

const MORNING = '2026-03-02/morning';
const EVENING = '2026-03-02/evening';
const DAY = '2026-03-02';
const HOUR = 3_600_000;

type H = ReturnType<typeof createHarness>;

async function counters(h: H, group: string, period = DAY) {
  const [hash] = await h.store.hgetall([h.keys.counter({ name: 'agg', period, group })]);
  return Object.fromEntries(Object.entries(hash ?? {}).map(([k, v]) => [k, Number(v)]));
}

async function ticket(h: H, id: string) {
  return ((await h.store.getRecords('ticket', [id])) as Array<TicketRecord | null>)[0] ?? null;
}

async function score(h: H, kind: 'accept' | 'update' | 'resolve', id: string) {
  const due = await h.store.zrange(h.keys.index({ name: 'due', kind }), -Infinity, Infinity);
  return due.find((d) => d.member === id)?.score ?? null;
}

describe('overdue by event time', () => {
  it('counts missed deadlines in the period of their due time when old events are replayed without a sweeper', async () => {
    const h = createHarness({ now: '2026-06-01T12:00:00+02:00' });
    await h.apply([
      ev.ticket({ ticketId: 't1', ts: at(0) }),
      ev.assigned({ ticketId: 't1', agentId: 'a1', ts: at(40) }), // accept due at 30
      ev.progress({ ticketId: 't1', ts: at(300) }), // update due 40 + 240 = 280
      ev.resolved({ ticketId: 't1', ts: at(600) }), // resolve due 240; update due 300 + 240 = 540
    ]);
    expect(await counters(h, 'tickets')).toMatchObject({
      overdue: 4,
      'overdue:accept': 1,
      'overdue:update': 2,
      'overdue:resolve': 1,
    });
    // 08:30, 12:00 and 12:40 fall in the morning shift; 17:00 in the evening shift.
    expect(await counters(h, 'tickets', MORNING)).toMatchObject({ overdue: 3, 'overdue:update': 1 });
    expect(await counters(h, 'tickets', EVENING)).toMatchObject({ overdue: 1, 'overdue:update': 1 });
  });

  it('counts nothing overdue for a ticket whose events all meet their deadlines', async () => {
    const h = createHarness({ now: at(600) });
    await h.apply([
      ev.ticket({ ticketId: 't1', ts: at(0) }),
      ev.assigned({ ticketId: 't1', agentId: 'a1', ts: at(20) }),
      ev.progress({ ticketId: 't1', ts: at(200) }),
      ev.resolved({ ticketId: 't1', ts: at(230) }),
    ]);
    expect(await counters(h, 'tickets')).not.toHaveProperty('overdue');
  });

  it('counts a deadline once however many later events show that it passed', async () => {
    const h = createHarness({ now: at(1500) });
    await h.apply([
      ev.ticket({ ticketId: 't1', complexity: 'complex', ts: at(0) }), // resolve due at 1440
      ev.assigned({ ticketId: 't1', agentId: 'a1', ts: at(1) }), // update due at 241
    ]);
    await h.apply([ev.assigned({ ticketId: 't1', agentId: 'a2', ts: at(250) })]);
    await h.apply([ev.assigned({ ticketId: 't1', agentId: 'a1', ts: at(260) })]);
    expect(await counters(h, 'tickets')).toMatchObject({ overdue: 1, 'overdue:update': 1 });
    await h.apply([ev.resolved({ ticketId: 't1', ts: at(1450) })]);
    expect(await counters(h, 'tickets')).toMatchObject({ overdue: 1, 'overdue:update': 1 });
    // The resolve deadline fell on the next morning: counted there.
    expect(await counters(h, 'tickets', '2026-03-03')).toMatchObject({ overdue: 1, 'overdue:resolve': 1 });
  });

  it('takes an overdue count back when a late event shows the deadline was met', async () => {
    const h = createHarness({ now: at(600) });
    await h.apply([
      ev.ticket({ ticketId: 't1', complexity: 'complex', ts: at(0) }),
      ev.assigned({ ticketId: 't1', agentId: 'a1', ts: at(1) }),
      ev.assigned({ ticketId: 't1', agentId: 'a2', ts: at(250) }),
    ]);
    expect(await counters(h, 'tickets')).toMatchObject({ 'overdue:update': 1 });
    await h.apply([ev.progress({ ticketId: 't1', ts: at(200) })]); // an update before the 241 deadline
    expect(await counters(h, 'tickets')).toMatchObject({ overdue: 0, 'overdue:update': 0 });
    expect(await score(h, 'update', 't1')).toBe(Date.parse(at(440)));
  });
});

describe('ticket deadlines', () => {
  it('gives a reopened ticket a full update interval from the reopening', async () => {
    const h = createHarness({ now: at(601) });
    await h.apply([
      ev.ticket({ ticketId: 't1', ts: at(0) }),
      ev.assigned({ ticketId: 't1', agentId: 'a1', ts: at(1) }),
      ev.progress({ ticketId: 't1', ts: at(10) }),
      ev.resolved({ ticketId: 't1', ts: at(20) }),
      ev.reopened({ ticketId: 't1', ts: at(600) }),
    ]);
    expect(await score(h, 'update', 't1')).toBe(Date.parse(at(840)));
    expect(await score(h, 'resolve', 't1')).toBe(Date.parse(at(840)));
    expect((await h.live()).tickets.overdue).toEqual([]);
  });

  it('holds a VIP ticket to the VIP update and resolve targets', async () => {
    const h = createHarness({ now: at(10) });
    await h.apply([
      ev.ticket({ ticketId: 'routine', tier: 'vip', ts: at(0) }),
      ev.assigned({ ticketId: 'routine', agentId: 'a1', ts: at(5) }),
      ev.ticket({ ticketId: 'complex', tier: 'vip', complexity: 'complex', ts: at(0) }),
    ]);
    expect(await score(h, 'update', 'routine')).toBe(Date.parse(at(5 + 120)));
    expect(await score(h, 'resolve', 'routine')).toBe(Date.parse(at(120)));
    expect(await score(h, 'update', 'complex')).toBe(Date.parse(at(120)));
    expect(await score(h, 'resolve', 'complex')).toBe(Date.parse(at(720)));
  });
});

describe('tickets follow event time', () => {
  it('keeps the latest assignment by event time as the assignee when an older one arrives late', async () => {
    const h = createHarness({ now: at(30) });
    await h.apply([
      ev.ticket({ ticketId: 't1', priority: 'high', ts: at(0) }),
      ev.assigned({ ticketId: 't1', agentId: 'a1', ts: at(10) }),
      ev.assigned({ ticketId: 't1', agentId: 'a2', ts: at(20) }),
    ]);
    await h.apply([ev.assigned({ ticketId: 't1', agentId: 'a3', ts: at(15) })]);
    expect((await ticket(h, 't1'))?.agentId).toBe('a2');
    // a1 → a3 at 15, then a3 → a2 at 20.
    expect(await counters(h, 'tickets')).toMatchObject({ reassigned: 2 });
    expect(await counters(h, 'agent:a1')).toMatchObject({ reassignedOut: 1 });
    expect(await counters(h, 'agent:a3')).toMatchObject({ reassignedIn: 1, reassignedOut: 1 });
    expect(await counters(h, 'agent:a2')).toEqual({ reassignedIn: 1 });
    const [load] = await h.store.hgetall([h.keys.counter({ name: 'agentLoad', agentId: 'a2' })]);
    expect(load).toEqual({ high: '1' });
  });

  it('moves the accept count when an earlier acceptance arrives late', async () => {
    const h = createHarness({ now: at(60) });
    await h.apply([
      ev.ticket({ ticketId: 't1', ts: at(0) }),
      ev.progress({ ticketId: 't1', ts: at(40) }), // accept due at 30: missed
    ]);
    expect(await counters(h, 'tickets')).toMatchObject({ acceptMissed: 1, 'overdue:accept': 1 });
    await h.apply([ev.assigned({ ticketId: 't1', agentId: 'a1', ts: at(10) })]);
    expect(await counters(h, 'tickets')).toMatchObject({
      acceptMet: 1,
      acceptMissed: 0,
      'overdue:accept': 0,
    });
    expect((await ticket(h, 't1'))?.agentId).toBe('a1');
  });

  it('reopens a ticket whose reopening arrives before its resolution', async () => {
    const h = createHarness({ now: at(120) });
    await h.apply([
      ev.ticket({ ticketId: 't1', ts: at(0) }),
      ev.assigned({ ticketId: 't1', agentId: 'a1', ts: at(5) }),
      ev.reopened({ ticketId: 't1', ts: at(100) }),
    ]);
    await h.apply([ev.resolved({ ticketId: 't1', ts: at(50) })]);
    const t = await ticket(h, 't1');
    expect(t).toMatchObject({ status: 'open', reopenedAt: Date.parse(at(100)), resolvedAt: null });
    expect(await counters(h, 'tickets')).toMatchObject({ resolved: 1, resolveMet: 1, reopened: 1 });
    expect(await score(h, 'resolve', 't1')).toBe(Date.parse(at(100 + 240)));
    expect((await h.live()).tickets.open).toBe(1);
    // Resolved again later: the second resolution counts against the clock restarted at 100.
    await h.apply([ev.resolved({ ticketId: 't1', ts: at(400) })]);
    expect(await counters(h, 'tickets')).toMatchObject({ resolved: 2, resolveMet: 1, resolveMissed: 1 });
  });

  it('counts a resolution missed when it arrives after its reopening and came after its deadline', async () => {
    const h = createHarness({ now: at(400) });
    await h.apply([
      ev.ticket({ ticketId: 't1', ts: at(0) }),
      ev.assigned({ ticketId: 't1', agentId: 'a1', ts: at(5) }),
      ev.reopened({ ticketId: 't1', ts: at(300) }),
      ev.resolved({ ticketId: 't1', ts: at(260) }), // resolve due at 240
    ]);
    expect(await counters(h, 'tickets')).toMatchObject({
      resolved: 1,
      resolveMissed: 1,
      'overdue:resolve': 1,
      'overdue:update': 1, // the update due at 245 ran until the resolution at 260
    });
  });
});

describe('ticket placeholders', () => {
  it('lets a placeholder expire when its ticket.created never arrives', async () => {
    const h = createHarness({ now: at(10) });
    await h.apply([ev.assigned({ ticketId: 'lost', agentId: 'a1', ts: at(5) })]);
    expect(await ticket(h, 'lost')).toMatchObject({ known: false });
    h.clock.ms += 49 * HOUR; // retention.placeholderTicketHours is 48
    expect(await ticket(h, 'lost')).toBeNull();
  });

  it('keeps a placeholder whose ticket.created arrives in time, for as long as the ticket is open', async () => {
    const h = createHarness({ now: at(10) });
    await h.apply([ev.assigned({ ticketId: 't1', agentId: 'a1', ts: at(5) })]);
    h.clock.ms += HOUR;
    await h.apply([ev.ticket({ ticketId: 't1', ts: at(0) })]);
    h.clock.ms += 30 * 24 * HOUR;
    const t = await ticket(h, 't1');
    expect(t).toMatchObject({ known: true, agentId: 'a1', status: 'open' });
    expect(t && deadlinesOf(t, h.config.sla).update).toBe(Date.parse(at(245)));
  });
});
