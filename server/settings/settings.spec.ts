import { describe, expect, it } from 'vitest';
import { at, ev } from '../../test/support/events.ts';
import { createHarness } from '../../test/support/harness.ts';
import { createAuditLog } from '../audit/audit.ts';
import type { Principal } from '../contract/auth.ts';
import type { TicketRecord } from '../domain/records.ts';
import { deadlinesOf } from '../domain/sla.ts';
import { createSettings } from './settings.ts';

const admin: Principal = { kind: 'user', name: 'ada', role: 'admin', teams: [] };
const quiet = { warn: () => undefined };

function setup() {
  const h = createHarness({ now: at(0) });
  const audit = createAuditLog({ store: h.store, clock: h.clock });
  const settings = createSettings({ store: h.store, config: h.config, audit, log: quiet });
  return { h, audit, settings };
}

describe('run-time settings', () => {
  it('starts from the config file and applies an admin change at once, audited with before and after', async () => {
    const { h, audit, settings } = setup();
    await settings.start();
    expect(settings.current().sla.acceptMinutes.vip).toBe(15);
    const sla = { ...h.config.sla, acceptMinutes: { vip: 5, key: 20, normal: 30 } };
    const after = await settings.update(admin, { sla });
    expect(after.sla.acceptMinutes).toEqual({ vip: 5, key: 20, normal: 30 });
    expect(settings.current().thresholds).toEqual(h.config.thresholds);
    const [entry] = await audit.query({ action: 'config.change' });
    expect(entry).toMatchObject({ actor: 'ada', role: 'admin', action: 'config.change', target: 'sla' });
    expect(JSON.stringify(entry?.details)).toContain('"before"');
    settings.stop();
  });

  it('says which sections were set at run time', async () => {
    const { h, settings } = setup();
    await settings.start();
    expect(settings.overridden()).toEqual([]);
    await settings.update(admin, { teams: { ...h.config.teams, complaint: 'quality' } });
    expect(settings.overridden()).toEqual(['teams']);
    settings.stop();
  });

  it('refuses an invalid change with a 400 and keeps the settings', async () => {
    const { settings } = setup();
    await settings.start();
    await expect(settings.update(admin, { sla: { acceptMinutes: { vip: -1 } } })).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/^invalid settings: sla\./),
    });
    await expect(settings.update(admin, { port: 1 })).rejects.toMatchObject({ status: 400 });
    expect(settings.current().sla.acceptMinutes.vip).toBe(15);
    settings.stop();
  });

  it('reaches another instance on its next refresh', async () => {
    const { h, audit, settings } = setup();
    const other = createSettings({ store: h.store, config: h.config, audit, log: quiet });
    await settings.update(admin, { teams: { ...h.config.teams, complaint: 'quality' } });
    expect(other.current().teams.complaint).toBe('supervisors');
    await other.refresh();
    expect(other.current().teams.complaint).toBe('quality');
  });

  it('drives new tickets through the policy in force', async () => {
    const { h, settings } = setup();
    const { projectionContextFactory } = await import('../domain/context.ts');
    const ctxAt = projectionContextFactory(h.config, h.calendar, settings.current);
    await settings.update(admin, {
      sla: { ...h.config.sla, acceptMinutes: { vip: 5, key: 30, normal: 30 } },
      teams: { ...h.config.teams, complaint: 'quality' },
    });
    const ctx = ctxAt(h.clock.now());
    expect(ctx.teams.complaint).toBe('quality');
    await h.apply([ev.ticket({ ticketId: 't1', tier: 'vip', kind: 'complaint', ts: at(0) })]);
    const [t] = (await h.store.getRecords('ticket', ['t1'])) as TicketRecord[];
    expect(t && deadlinesOf(t, ctx.sla).accept).toBe(Date.parse(at(5)));
  });
});

describe('SLA policy changes', () => {
  const dueOf = async (h: ReturnType<typeof createHarness>, name: 'due' | 'toEscalate', id: string) =>
    (await h.store.zrange(h.keys.index({ name, kind: 'accept' }), -Infinity, Infinity)).find(
      (d) => d.member === id,
    )?.score;

  it('moves the deadlines of open tickets at once, so the sweeper escalates by the new policy', async () => {
    const { h, audit, settings } = setup();
    await settings.start();
    await h.apply([
      ev.ticket({ ticketId: 't1', ts: at(0) }),
      ev.ticket({ ticketId: 't2', tier: 'vip', ts: at(0) }),
      ev.agent({ agentId: 'a1', state: 'available', ts: at(0) }),
    ]);
    expect(await dueOf(h, 'due', 't1')).toBe(Date.parse(at(30)));
    await settings.update(admin, {
      sla: { ...h.config.sla, acceptMinutes: { vip: 5, key: 10, normal: 10 } },
    });
    expect(await dueOf(h, 'due', 't1')).toBe(Date.parse(at(10)));
    expect(await dueOf(h, 'toEscalate', 't1')).toBe(Date.parse(at(10)));
    expect(await dueOf(h, 'due', 't2')).toBe(Date.parse(at(5)));
    const { createEscalation } = await import('../commands/escalation.ts');
    const { projectionContextFactory } = await import('../domain/context.ts');
    h.clock.set(at(11));
    const esc = createEscalation({
      store: h.store,
      clock: h.clock,
      ctxAt: projectionContextFactory(h.config, h.calendar, settings.current),
      audit,
      commandsTopic: 'c',
      log: quiet,
    });
    expect((await esc.sweep()).map((a) => `${a.ticketId}:${a.deadline}`).sort()).toEqual([
      't1:accept',
      't2:accept',
    ]);
    settings.stop();
  });

  it('re-indexes on another instance when its refresh picks up a new policy', async () => {
    const { h, audit, settings } = setup();
    const other = createSettings({ store: h.store, config: h.config, audit, log: quiet });
    await other.start();
    await settings.update(admin, {
      sla: { ...h.config.sla, acceptMinutes: { vip: 5, key: 10, normal: 10 } },
    });
    // Meanwhile the other instance's projector, still on the old policy, indexes a new ticket.
    await h.apply([ev.ticket({ ticketId: 't1', ts: at(0) })]);
    expect(await dueOf(h, 'due', 't1')).toBe(Date.parse(at(30)));
    await other.refresh();
    expect(await dueOf(h, 'due', 't1')).toBe(Date.parse(at(10)));
    other.stop();
  });
});
