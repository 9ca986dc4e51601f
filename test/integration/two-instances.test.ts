/**
 * Two server instances behind one Redis and one consumer group, with live clients on each: a
 * reassignment made through one instance reaches the clients of both.
 */
import { io as connect } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../server/auth/records.ts';
import { systemClock } from '../../server/clock.ts';
import { startFloorboard, type Floorboard } from '../../server/floorboard.ts';
import { createLogger } from '../../server/log.ts';
import type { ReassignedEvent } from '../../server/contract/realtime.ts';
import { LiveFeed, type FeedSocket } from '../../server/realtime/client.ts';
import { ev } from '../support/events.ts';
import { isolatedConfig, produceEvents, waitUntil } from '../support/kafka.ts';

const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

describe('two instances', () => {
  it('shows a reassignment made on one instance to the clients of both', async () => {
    const config = { ...isolatedConfig('pair'), port: 0 };
    const start = async () => {
      const fb = await startFloorboard({
        config,
        clock: systemClock,
        log: createLogger('silent'),
        serveWeb: false,
      });
      cleanup.push(() => fb.stop());
      return fb;
    };
    const [a, b] = [await start(), await start()];
    const t = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
    await produceEvents(config, [
      ev.agent({ agentId: 'p1', team: 'sales', state: 'available', ts: t(90) }),
      ev.agent({ agentId: 'p2', team: 'sales', state: 'available', ts: t(90) }),
      ev.ticket({ ticketId: 'pair-1', ts: t(60) }),
      ev.assigned({ ticketId: 'pair-1', agentId: 'p1', ts: t(59) }),
      ev.ticket({ ticketId: 'pair-2', ts: t(45) }),
    ]);
    const token = (await a.access.tokens.create({ role: 'supervisor', name: 'sup-pair' }, SYSTEM_ACTOR))
      .token;
    const notices: Array<{ on: string; e: ReassignedEvent }> = [];
    const feed = (fb: Floorboard) => {
      const socket: FeedSocket = connect(fb.url, { auth: { token }, transports: ['websocket'] });
      socket.on('reassigned', (e) => notices.push({ on: fb.url, e }));
      const f = new LiveFeed(socket);
      cleanup.push(() => f.close());
      return f;
    };
    const [fa, fb2] = [feed(a), feed(b)];
    const load = (f: LiveFeed, agentId: string) =>
      f.snapshot?.agents.find((x) => x.agentId === agentId)?.openTickets.medium;
    await waitUntil(
      'both clients to see the tickets',
      async () => load(fa, 'p1') === 1 && load(fb2, 'p1') === 1,
    );
    const overdue = fa.snapshot?.tickets.overdue.find((o) => o.ticketId === 'pair-2');
    expect(overdue).toBeDefined();

    const res = await fetch(`${a.url}/api/v1/tickets/pair-2/assign`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ agentId: 'p2', reason: 'balance load', expectedVersion: overdue?.version }),
    });
    expect(res.status).toBe(200);
    const made = Date.now();
    await waitUntil(
      'the change on both instances',
      async () => load(fa, 'p2') === 1 && load(fb2, 'p2') === 1,
      5000,
    );
    expect(Date.now() - made).toBeLessThan(1000);
    // A REST reassignment tells live clients the same way a socket one does, on both instances.
    await waitUntil('the reassigned notice on both instances', async () => notices.length === 2, 5000);
    expect(notices.map((n) => n.on).sort()).toEqual([a.url, b.url].sort());
    for (const { e } of notices) {
      expect(e).toMatchObject({ by: 'sup-pair', agentId: 'p2', team: 'sales' });
      expect(e.tickets.map((t) => t.ticketId)).toEqual(['pair-2']);
    }
  });
});
