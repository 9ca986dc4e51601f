/**
 * Two team leads reassign the same ticket at the same moment, through two server instances sharing
 * Redis and the consumer group: exactly one wins (200), the other gets 409 with the current state,
 * one audit entry is written and one `ticket.assigned` command reaches `cc.commands`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../server/auth/records.ts';
import { systemClock } from '../../server/clock.ts';
import type { LiveTicketAlert } from '../../server/contract/api.ts';
import { startFloorboard, type Floorboard } from '../../server/floorboard.ts';
import { createLogger } from '../../server/log.ts';
import { ev } from '../support/events.ts';
import { isolatedConfig, produceEvents, readTopic, waitUntil } from '../support/kafka.ts';

const running: Floorboard[] = [];
afterAll(async () => {
  for (const f of running) await f.stop();
});

describe('concurrent reassignment', () => {
  it('lets one of two simultaneous reassignments win: one 200, one 409, one audit entry, one outbound event', async () => {
    const base = isolatedConfig('race');
    // The ticket is past its accept deadline: without this the sweeper could publish a
    // ticket.escalated to the same topic and make "exactly one outbound event" fail by chance.
    const config = { ...base, port: 0, escalation: { ...base.escalation, sweepMs: 3_600_000 } };
    const a = await startFloorboard({
      config,
      clock: systemClock,
      log: createLogger('silent'),
      serveWeb: false,
    });
    running.push(a);
    const b = await startFloorboard({
      config,
      clock: systemClock,
      log: createLogger('silent'),
      serveWeb: false,
    });
    running.push(b);
    const t = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
    await produceEvents(config, [
      ev.agent({ agentId: 'x1', team: 'sales', state: 'available', ts: t(60) }),
      ev.agent({ agentId: 'x2', team: 'sales', state: 'available', ts: t(60) }),
      ev.agent({ agentId: 'x3', team: 'sales', state: 'available', ts: t(60) }),
      ev.ticket({ ticketId: 'race-1', subject: 'Refund for order 77', ts: t(45) }),
    ]);
    const token = (await a.access.tokens.create({ role: 'supervisor' }, SYSTEM_ACTOR)).token;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    let alert: LiveTicketAlert | undefined;
    await waitUntil('the ticket to be overdue on the live floor', async () => {
      const live = (await (await fetch(`${a.url}/api/v1/live`, { headers })).json()) as {
        tickets: { overdue: LiveTicketAlert[] };
      };
      alert = live.tickets.overdue.find((o) => o.ticketId === 'race-1');
      return alert !== undefined;
    });
    expect(alert).toMatchObject({ deadline: 'accept', suggestedAgentId: 'x1' });

    const assign = (fb: Floorboard, agentId: string) =>
      fetch(`${fb.url}/api/v1/tickets/race-1/assign`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ agentId, reason: 'overdue', expectedVersion: alert?.version }),
      });
    const [r1, r2] = await Promise.all([assign(a, 'x2'), assign(b, 'x3')]);
    expect([r1.status, r2.status].sort()).toEqual([200, 409]);
    const loser = r1.status === 409 ? r1 : r2;
    const winner = r1.status === 200 ? r1 : r2;
    const won = (await winner.json()) as { ticket: { agentId: string; version: number } };
    expect(await loser.json()).toMatchObject({
      error: expect.stringMatching(/changed since you saw it/),
      current: { agentId: won.ticket.agentId, version: won.ticket.version },
    });

    const manager = (await a.access.tokens.create({ role: 'manager' }, SYSTEM_ACTOR)).token;
    const audit = (await (
      await fetch(`${b.url}/api/v1/audit?action=ticket.reassign`, {
        headers: { authorization: `Bearer ${manager}` },
      })
    ).json()) as { entries: Array<{ target: string }> };
    expect(audit.entries.filter((e) => e.target === 'race-1')).toHaveLength(1);

    const commands = await readTopic(config, config.kafka.topics.commands, 1);
    expect(commands).toHaveLength(1);
    expect(JSON.parse(commands[0]?.value?.toString() ?? '{}')).toMatchObject({
      type: 'ticket.assigned',
      ticketId: 'race-1',
      agentId: won.ticket.agentId,
    });
    // Nothing else arrives: give the relays time to publish a duplicate, then read again.
    await new Promise((r) => setTimeout(r, 1500));
    await expect(readTopic(config, config.kafka.topics.commands, 2, 12_000)).rejects.toThrow(
      /read 1\/2 messages/,
    );
  });
});
