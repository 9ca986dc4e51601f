import { describe, expect, it } from 'vitest';
import { at, ev } from '../../test/support/events.ts';
import { createHarness } from '../../test/support/harness.ts';
import type { Principal } from '../contract/auth.ts';
import { projectionContextFactory } from '../domain/context.ts';
import type { Op } from '../domain/ops.ts';
import type { TicketRecord } from '../domain/records.ts';
import { createMemoryBus } from '../../streams/memory-bus.ts';
import { createEscalation } from './escalation.ts';
import { createOutboxRelay } from './outbox.ts';
import { CommandError, createReassign, type AuditSink } from './reassign.ts';

const supervisor: Principal = { kind: 'user', name: 'sue', role: 'supervisor', teams: [] };
const salesLead: Principal = { kind: 'user', name: 'leo', role: 'lead', teams: ['sales'] };

/** An audit sink that stores entries as records, so tests can count them. */
const audit: AuditSink = {
  record: (e): Op[] => {
    const id = `${e.action}-${e.target ?? ''}-${Math.random()}`;
    return [
      { op: 'put', kind: 'audit', id, value: e },
      { op: 'zadd', index: { name: 'audit' }, member: id, score: 0 },
    ];
  },
};

async function setup(now = at(40)) {
  const h = createHarness({ now });
  const ctxAt = projectionContextFactory(h.config, h.calendar);
  await h.apply([
    ev.agent({ agentId: 'a1', team: 'sales', state: 'available', ts: at(0) }),
    ev.agent({ agentId: 'a2', team: 'sales', state: 'available', ts: at(0) }),
    ev.agent({ agentId: 't1', team: 'tech-support', state: 'available', ts: at(0) }),
    ev.ticket({ ticketId: 'k1', priority: 'high', ts: at(0) }),
    ev.assigned({ ticketId: 'k1', agentId: 'a1', ts: at(1) }),
    ev.ticket({ ticketId: 'k2', kind: 'technical', ts: at(0) }),
  ]);
  const reassign = createReassign({
    store: h.store,
    clock: h.clock,
    ctxAt,
    audit,
    commandsTopic: 'cc.commands',
    dedupeHours: 72,
  });
  const version = async (id: string) =>
    ((await h.store.getRecords('ticket', [id])) as TicketRecord[])[0]?.version ?? -1;
  const count = async (name: 'audit' | 'outbox' | 'escalations') =>
    (await h.store.zcard([h.keys.index({ name })]))[0] ?? 0;
  return { h, ctxAt, reassign, version, count };
}

describe('reassign', () => {
  it('moves the ticket and its load, audits it, queues the outbound command, and ignores its echo', async () => {
    const { h, reassign, version, count } = await setup();
    const v = await version('k1');
    const { results } = await reassign(supervisor, {
      agentId: 'a2',
      reason: 'a1 is overloaded',
      items: [{ ticketId: 'k1', expectedVersion: v }],
    });
    expect(results).toEqual([
      expect.objectContaining({
        ticketId: 'k1',
        status: 'ok',
        ticket: expect.objectContaining({ agentId: 'a2', version: v + 1 }),
      }),
    ]);
    const live = await h.live();
    expect(live.agents.find((a) => a.agentId === 'a1')?.openTickets.high).toBe(0);
    expect(live.agents.find((a) => a.agentId === 'a2')?.openTickets.high).toBe(1);
    expect(await count('audit')).toBe(1);
    expect(await count('outbox')).toBe(1);
    // The ticketing system echoes the command back on cc.tickets with the same event id: a duplicate.
    const [entry] = (await h.store.getRecords('outbox', [
      (await h.store.zrange(h.keys.index({ name: 'outbox' }), -Infinity, Infinity))[0]?.member ?? '',
    ])) as Array<{ value: string }>;
    const echo = JSON.parse(entry?.value ?? '{}') as ReturnType<typeof ev.assigned>;
    expect(echo).toMatchObject({ type: 'ticket.assigned', ticketId: 'k1', agentId: 'a2', by: 'sue' });
    const out = await h.apply([echo]);
    expect(out.duplicates).toBe(1);
    const [agg] = await h.store.hgetall([
      h.keys.counter({ name: 'agg', period: '2026-03-02/morning', group: 'tickets' }),
    ]);
    expect(agg?.reassigned).toBe('1');
  });

  it('lets exactly one of two concurrent reassignments of a ticket win', async () => {
    const { reassign, version, count } = await setup();
    const v = await version('k1');
    const [r1, r2] = await Promise.all([
      reassign(supervisor, { agentId: 'a2', reason: 'x', items: [{ ticketId: 'k1', expectedVersion: v }] }),
      reassign(supervisor, { agentId: 't1', reason: 'y', items: [{ ticketId: 'k1', expectedVersion: v }] }),
    ]);
    const statuses = [r1.results[0]?.status, r2.results[0]?.status].sort();
    expect(statuses).toEqual(['conflict', 'ok']);
    const loser = [r1, r2].find((r) => r.results[0]?.status === 'conflict')?.results[0];
    expect(loser).toMatchObject({ current: { version: v + 1 } });
    expect(await count('audit')).toBe(1);
    expect(await count('outbox')).toBe(1);
  });

  it('keeps a lead to the own team and reports unknown and closed tickets', async () => {
    const { h, reassign, version } = await setup();
    const { results } = await reassign(salesLead, {
      agentId: 'a2',
      reason: 'r',
      items: [
        { ticketId: 'k2', expectedVersion: await version('k2') },
        { ticketId: 'nope', expectedVersion: 0 },
      ],
    });
    expect(results.map((r) => r.status)).toEqual(['forbidden', 'not_found']);
    await h.apply([ev.closed({ ticketId: 'k1', ts: at(2) })]);
    const closed = await reassign(supervisor, {
      agentId: 'a2',
      reason: 'r',
      items: [{ ticketId: 'k1', expectedVersion: await version('k1') }],
    });
    expect(closed.results[0]?.status).toBe('closed');
    await expect(
      reassign(supervisor, {
        agentId: 'ghost',
        reason: 'r',
        items: [{ ticketId: 'k2', expectedVersion: 1 }],
      }),
    ).rejects.toThrow(CommandError);
  });
});

describe('escalation', () => {
  it('escalates each breach exactly once, driven by the clock', async () => {
    const { h, ctxAt, count } = await setup(at(10));
    const alerts: string[] = [];
    const esc = createEscalation({
      store: h.store,
      clock: h.clock,
      ctxAt,
      audit,
      commandsTopic: 'cc.commands',
      log: { warn: () => undefined },
      onAlert: (a) => alerts.push(`${a.ticketId}:${a.deadline}`),
    });
    expect(await esc.sweep()).toEqual([]); // k2 accept due at 30 min
    h.clock.set(at(31));
    expect((await esc.sweep()).map((a) => `${a.ticketId}:${a.deadline}`)).toEqual(['k2:accept']);
    expect(await esc.sweep()).toEqual([]);
    h.clock.set(at(60));
    expect(await esc.sweep()).toEqual([]);
    expect(alerts).toEqual(['k2:accept']);
    expect(await count('outbox')).toBe(1);
    expect(await count('escalations')).toBe(1);
    // k1 was accepted at 1 min: its update deadline (4 h later) breaches next, once.
    h.clock.set(at(241 + 1));
    expect((await esc.sweep()).map((a) => `${a.ticketId}:${a.deadline}`).sort()).toEqual([
      'k1:resolve',
      'k1:update',
      'k2:resolve',
      'k2:update',
    ]);
    expect(await esc.sweep()).toEqual([]);
    const [agg] = await h.store.hgetall([
      h.keys.counter({ name: 'agg', period: '2026-03-02', group: 'tickets' }),
    ]);
    expect(agg).toMatchObject({ overdue: '5', 'overdue:accept': '1', 'overdue:update': '2', escalated: '5' });
  });

  it('acknowledges an open alert once and refuses an unknown one', async () => {
    const { h, ctxAt, count } = await setup(at(31));
    const esc = createEscalation({
      store: h.store,
      clock: h.clock,
      ctxAt,
      audit,
      commandsTopic: 'c',
      log: { warn: () => undefined },
    });
    await esc.sweep();
    await esc.acknowledge(supervisor, { ticketId: 'k2', deadline: 'accept' });
    expect(await count('escalations')).toBe(0);
    expect(await count('audit')).toBe(1);
    await expect(esc.acknowledge(supervisor, { ticketId: 'k2', deadline: 'accept' })).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/already acknowledged by sue/),
    });
    await expect(esc.acknowledge(supervisor, { ticketId: 'k1', deadline: 'accept' })).rejects.toMatchObject({
      status: 404,
      message: expect.stringMatching(/no open escalation/),
    });
  });
});

describe('outbox relay', () => {
  it('publishes queued commands and removes them', async () => {
    const { h, reassign, version, count } = await setup();
    await reassign(supervisor, {
      agentId: 'a2',
      reason: 'r',
      items: [{ ticketId: 'k1', expectedVersion: await version('k1') }],
    });
    const bus = createMemoryBus();
    const relay = createOutboxRelay({
      store: h.store,
      publisher: bus,
      clock: h.clock,
      log: { warn: () => undefined },
    });
    expect(await relay.drain()).toBe(1);
    expect(await count('outbox')).toBe(0);
    const [msg] = bus.read('cc.commands');
    expect(msg?.key?.toString()).toBe('k1');
    expect(JSON.parse(msg?.value?.toString() ?? '{}')).toMatchObject({
      type: 'ticket.assigned',
      agentId: 'a2',
      by: 'sue',
    });
    expect(await relay.drain()).toBe(0);
  });

  it('publishes each command once when two relays drain at the same time', async () => {
    const { h, reassign, version } = await setup();
    await reassign(supervisor, {
      agentId: 'a2',
      reason: 'r',
      items: [{ ticketId: 'k1', expectedVersion: await version('k1') }],
    });
    const bus = createMemoryBus();
    const relay = () =>
      createOutboxRelay({ store: h.store, publisher: bus, clock: h.clock, log: { warn: () => undefined } });
    const [a, b] = [relay(), relay()];
    const counts = await Promise.all([a.drain(), b.drain()]);
    expect(counts.sort()).toEqual([0, 1]);
    expect(bus.read('cc.commands')).toHaveLength(1);
  });

  it('publishes a command whose claiming relay died, once its claim lapses', async () => {
    const { h, reassign, version, count } = await setup();
    await reassign(supervisor, {
      agentId: 'a2',
      reason: 'r',
      items: [{ ticketId: 'k1', expectedVersion: await version('k1') }],
    });
    const failing = createOutboxRelay({
      store: h.store,
      publisher: { send: async () => Promise.reject(new Error('broker down')), close: async () => undefined },
      clock: h.clock,
      log: { warn: () => undefined },
    });
    await expect(failing.drain()).rejects.toThrow('broker down');
    const bus = createMemoryBus();
    const healthy = createOutboxRelay({
      store: h.store,
      publisher: bus,
      clock: h.clock,
      log: { warn: () => undefined },
    });
    expect(await healthy.drain()).toBe(0); // still claimed
    h.clock.ms += 31_000;
    expect(await healthy.drain()).toBe(1);
    expect(await count('outbox')).toBe(0);
  });
});
