import { describe, expect, it } from 'vitest';
import { at, ev } from '../../test/support/events.ts';
import { createHarness } from '../../test/support/harness.ts';
import type { Principal } from '../contract/auth.ts';
import { projectionContextFactory } from '../domain/context.ts';
import type { Op } from '../domain/ops.ts';
import type { TicketRecord } from '../domain/records.ts';
import { createEscalation, type EscalationAlert, type EscalationDeps } from './escalation.ts';
import type { AuditSink } from './reassign.ts';

const supervisor: Principal = { kind: 'user', name: 'sue', role: 'supervisor', teams: [] };
const techSupervisor: Principal = { kind: 'user', name: 'tim', role: 'supervisor', teams: ['tech-support'] };
const DAY = '2026-03-02';

let auditSeq = 0;
const audit: AuditSink = {
  record: (e): Op[] => {
    const id = `${e.action}-${e.target ?? ''}-${++auditSeq}`;
    return [
      { op: 'put', kind: 'audit', id, value: e },
      { op: 'zadd', index: { name: 'audit' }, member: id, score: 0 },
    ];
  },
};

type H = ReturnType<typeof createHarness>;

function setup(now: string, over: Partial<EscalationDeps> = {}) {
  const h = createHarness({ now });
  const alerts: EscalationAlert[] = [];
  const esc = createEscalation({
    store: h.store,
    clock: h.clock,
    ctxAt: projectionContextFactory(h.config, h.calendar),
    audit,
    commandsTopic: 'cc.commands',
    log: { warn: () => undefined },
    onAlert: (a) => alerts.push(a),
    ...over,
  });
  const count = async (name: 'audit' | 'outbox' | 'escalations') =>
    (await h.store.zcard([h.keys.index({ name })]))[0] ?? 0;
  return { h, esc, alerts, count };
}

async function counters(h: H, period = DAY) {
  const [hash] = await h.store.hgetall([h.keys.counter({ name: 'agg', period, group: 'tickets' })]);
  return Object.fromEntries(Object.entries(hash ?? {}).map(([k, v]) => [k, Number(v)]));
}

const names = (alerts: EscalationAlert[]) => alerts.map((a) => `${a.ticketId}:${a.deadline}`).sort();

describe('escalation and overdue counts', () => {
  it('counts a breach overdue once whether the sweeper or a later event sees it first', async () => {
    const { h, esc } = setup(at(31));
    await h.apply([ev.ticket({ ticketId: 't1', ts: at(0) })]);
    expect(names(await esc.sweep())).toEqual(['t1:accept']);
    await h.apply([ev.assigned({ ticketId: 't1', agentId: 'a1', ts: at(35) })]);
    expect(await counters(h)).toMatchObject({
      overdue: 1,
      'overdue:accept': 1,
      escalated: 1,
      acceptMissed: 1,
    });
  });

  it('takes back the overdue count, not the escalation, when a late event shows the deadline was met', async () => {
    const { h, esc } = setup(at(31));
    await h.apply([ev.ticket({ ticketId: 't1', ts: at(0) })]);
    await esc.sweep();
    expect(await counters(h)).toMatchObject({ 'overdue:accept': 1, escalated: 1 });
    // The assignment at 20 was stuck in the consumer while the sweeper ran.
    await h.apply([ev.assigned({ ticketId: 't1', agentId: 'a1', ts: at(20) })]);
    expect(await counters(h)).toMatchObject({ overdue: 0, 'overdue:accept': 0, escalated: 1, acceptMet: 1 });
  });

  it('counts breaches of replayed old events as overdue without escalating them', async () => {
    const { h, esc, alerts, count } = setup('2026-03-05T12:00:00+01:00');
    await h.apply([ev.ticket({ ticketId: 'old', ts: at(0) })]);
    expect(await esc.sweep()).toEqual([]);
    expect(alerts).toEqual([]);
    expect(await count('outbox')).toBe(0);
    expect(await count('escalations')).toBe(0);
    expect(await counters(h)).toMatchObject({
      overdue: 3,
      'overdue:accept': 1,
      'overdue:update': 1,
      'overdue:resolve': 1,
    });
    expect(await counters(h)).not.toHaveProperty('escalated');
    // Its later events are counted by event time: nothing twice.
    await h.apply([ev.resolved({ ticketId: 'old', ts: at(500) })]);
    expect(await counters(h)).toMatchObject({ overdue: 3 });
    expect(await esc.sweep()).toEqual([]);
  });

  it('escalates a breach within the horizon', async () => {
    const { h, esc } = setup(at(31 + 60 * 23));
    await h.apply([ev.ticket({ ticketId: 't1', complexity: 'complex', ts: at(0) })]);
    // Accept (30) and update (240) are within 24 h of their due time; resolve (1440) is not due yet.
    expect(names(await esc.sweep())).toEqual(['t1:accept', 't1:update']);
  });

  it('does not sweep while the live state may be incomplete, and catches up after', async () => {
    let complete = false;
    const { h, esc, count } = setup(at(31), { canEscalate: () => complete });
    await h.apply([ev.ticket({ ticketId: 't1', ts: at(0) })]);
    expect(await esc.sweep()).toEqual([]);
    expect(await count('outbox')).toBe(0);
    expect(await counters(h)).not.toHaveProperty('overdue');
    complete = true;
    expect(names(await esc.sweep())).toEqual(['t1:accept']);
  });

  it('finds a new breach behind more than 1000 escalated open tickets', async () => {
    const { h, esc } = setup(at(31));
    await h.apply(Array.from({ length: 1005 }, (_, i) => ev.ticket({ ticketId: `old-${i}`, ts: at(0) })));
    let escalated = 0;
    for (let i = 0; i < 3; i++) escalated += (await esc.sweep()).length;
    expect(escalated).toBe(1005);
    h.clock.set(at(71));
    await h.apply([ev.ticket({ ticketId: 'new', ts: at(40) })]);
    expect(names(await esc.sweep())).toEqual(['new:accept']);
  });

  it('escalates a new update deadline of a ticket assigned after its first one escalated', async () => {
    const { h, esc } = setup(at(241));
    await h.apply([ev.ticket({ ticketId: 't1', complexity: 'complex', ts: at(0) })]);
    expect(names(await esc.sweep())).toEqual(['t1:accept', 't1:update']);
    await h.apply([ev.assigned({ ticketId: 't1', agentId: 'a1', ts: at(250) })]); // update due 490
    h.clock.set(at(480));
    expect(await esc.sweep()).toEqual([expect.objectContaining({ deadline: 'update', level: 'at-risk' })]);
    h.clock.set(at(491));
    expect(names(await esc.sweep())).toEqual(['t1:update']);
    expect(await esc.sweep()).toEqual([]);
    expect(await counters(h)).toMatchObject({ 'overdue:update': 2, escalated: 3 });
  });

  it('sends one at-risk notice per deadline and publishes nothing for it', async () => {
    const { h, esc, count } = setup(at(16));
    await h.apply([ev.ticket({ ticketId: 't1', ts: at(0) })]);
    const [notice, ...rest] = await esc.sweep();
    expect(rest).toEqual([]);
    expect(notice).toMatchObject({
      level: 'at-risk',
      ticketId: 't1',
      deadline: 'accept',
      due: Date.parse(at(30)),
    });
    h.clock.set(at(20));
    expect(await esc.sweep()).toEqual([]);
    expect(await count('outbox')).toBe(0);
    expect(await count('escalations')).toBe(0);
    expect(await counters(h)).not.toHaveProperty('escalated');
    h.clock.set(at(31));
    expect(await esc.sweep()).toEqual([expect.objectContaining({ level: 'breach', deadline: 'accept' })]);
  });
});

describe('escalation alerts', () => {
  async function escalated(count: number, h: H, esc: ReturnType<typeof createEscalation>) {
    for (let i = 0; i < count; i++) {
      await h.apply([
        ev.ticket({ ticketId: `t${i}`, kind: i % 2 ? 'technical' : 'consultation', ts: at(i) }),
      ]);
      h.clock.set(at(i + 31));
      await esc.sweep();
    }
  }

  it('lists open alerts newest first, at most the bound, in the principal’s teams', async () => {
    const { h, esc } = setup(at(0));
    await escalated(5, h, esc);
    const list = await esc.listAlerts(supervisor, 3);
    expect(list.map((a) => a.ticketId)).toEqual(['t4', 't3', 't2']);
    expect(list[0]).toMatchObject({ deadline: 'accept', escalatedAt: Date.parse(at(35)), team: 'sales' });
    expect((await esc.listAlerts(techSupervisor, 10)).map((a) => a.ticketId)).toEqual(['t3', 't1']);
  });

  it('removes a ticket’s alerts when it is resolved or closed', async () => {
    const { h, esc, count } = setup(at(0));
    await escalated(2, h, esc);
    await h.apply([ev.resolved({ ticketId: 't0', ts: at(40) }), ev.closed({ ticketId: 't1', ts: at(41) })]);
    expect(await count('escalations')).toBe(0);
    expect(await esc.listAlerts(supervisor)).toEqual([]);
    await expect(esc.acknowledge(supervisor, { ticketId: 't0', deadline: 'accept' })).rejects.toMatchObject({
      status: 404,
    });
  });

  it('lets exactly one of two concurrent acknowledgements succeed, audited once', async () => {
    const { h, esc, count } = setup(at(0));
    await escalated(1, h, esc);
    const results = await Promise.allSettled([
      esc.acknowledge(supervisor, { ticketId: 't0', deadline: 'accept' }),
      esc.acknowledge({ ...supervisor, name: 'sam' }, { ticketId: 't0', deadline: 'accept' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const failed = results.find((r) => r.status === 'rejected');
    expect(failed?.status === 'rejected' && failed.reason).toMatchObject({ status: 409 });
    expect(await count('audit')).toBe(1);
    expect(await count('escalations')).toBe(0);
  });

  it('refuses to acknowledge an alert outside the supervisor’s teams', async () => {
    const { h, esc, count } = setup(at(0));
    await escalated(1, h, esc); // t0 is a sales ticket
    await expect(
      esc.acknowledge(techSupervisor, { ticketId: 't0', deadline: 'accept' }),
    ).rejects.toMatchObject({
      status: 404,
    });
    expect(await count('escalations')).toBe(1);
    expect(await count('audit')).toBe(0);
  });

  it('moves alerts stored by an earlier version into the acknowledgeable form at start', async () => {
    const { h, esc, count } = setup(at(40));
    await h.apply([
      ev.ticket({ ticketId: 't1', ts: at(0) }),
      ev.ticket({ ticketId: 't2', ts: at(0) }),
      ev.resolved({ ticketId: 't2', ts: at(35) }),
    ]);
    const tx = await h.store.begin();
    const [t] = (await tx.getRecords('ticket', ['t1'])) as TicketRecord[];
    await tx.commit([
      { op: 'zadd', index: { name: 'escalations' }, member: 't1:accept', score: Date.parse(at(31)) },
      { op: 'zadd', index: { name: 'escalations' }, member: 't2:accept', score: Date.parse(at(31)) },
      { op: 'put', kind: 'ticket', id: 't1', value: { ...t, escalated: ['accept'] } },
    ]);
    await esc.prepare();
    expect(await count('escalations')).toBe(1); // t2 is resolved: its alert is dropped
    expect(await esc.listAlerts(supervisor)).toEqual([
      expect.objectContaining({ ticketId: 't1', deadline: 'accept', escalatedAt: Date.parse(at(31)) }),
    ]);
    await esc.acknowledge(supervisor, { ticketId: 't1', deadline: 'accept' });
    expect(await esc.listAlerts(supervisor)).toEqual([]);
  });
});
