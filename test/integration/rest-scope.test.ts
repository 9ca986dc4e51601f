/**
 * What the REST API shows and answers, per principal, over the composed server: the live floor and
 * the low-score surveys narrowed to a team-scoped principal's teams, health details only with
 * credentials, and bulk reassignment answering 200, 207, 409 or 400 by what was applied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../server/auth/records.ts';
import { systemClock } from '../../server/clock.ts';
import type { HealthResponse, LiveSnapshot } from '../../server/contract/api.ts';
import type { BulkReassignResponse } from '../../server/contract/commands.ts';
import type { LowScoreSurveyView, TicketDetailResponse } from '../../server/contract/ui.ts';
import { startFloorboard, type Floorboard } from '../../server/floorboard.ts';
import { createLogger } from '../../server/log.ts';
import { publishEvents } from '../../server/runtime.ts';
import { ev } from '../support/events.ts';
import { testConfig } from '../support/harness.ts';
import { waitUntil } from '../support/kafka.ts';
import { freePort, uniqueName } from '../support/services.ts';

let fb: Floorboard;
const tokens: Record<'salesTv' | 'sup' | 'manager', string> = { salesTv: '', sup: '', manager: '' };

beforeAll(async () => {
  const base = testConfig();
  const config = {
    ...base,
    port: 0,
    logLevel: 'silent' as const,
    redis: { url: null, keyPrefix: `${uniqueName('rest-scope')}:` },
    kafka: { ...base.kafka, brokers: [] },
    simulator: { ...base.simulator, enabled: false },
    // No escalations while the test runs: they would change ticket versions under it.
    escalation: { ...base.escalation, sweepMs: 3_600_000 },
  };
  fb = await startFloorboard({
    config,
    clock: systemClock,
    log: createLogger('silent'),
    localRedisUrl: `redis://127.0.0.1:${await freePort()}`,
    serveWeb: false,
  });
  const t = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
  const low = { speed: 1, resolution: 2, professionalism: 2, recommend: 1 };
  const events = [
    ev.agent({ agentId: 's1', team: 'sales', state: 'available', ts: t(90) }),
    ev.agent({ agentId: 's2', team: 'sales', state: 'available', ts: t(90) }),
    ev.agent({ agentId: 't1', team: 'tech-support', state: 'available', ts: t(90) }),
    ev.queued({ callId: 'c-sales', queue: 'sales', ts: t(2) }),
    ev.queued({ callId: 'c-support', queue: 'support', ts: t(2) }),
    ...['k1', 'k2', 'k3', 'k4'].map((ticketId) => ev.ticket({ ticketId, ts: t(45) })),
    ev.ticket({ ticketId: 'k-tech', kind: 'technical', ts: t(45) }),
    ev.survey({ surveyId: 'v-sales', agentId: 's1', scores: low, ts: t(30) }),
    ev.survey({ surveyId: 'v-tech', agentId: 't1', scores: low, ts: t(29) }),
    ev.survey({ surveyId: 'v-none', scores: low, ts: t(28) }),
  ];
  await publishEvents(fb.runtime.publisher, config.kafka.topics, events);
  await waitUntil(
    'the events applied',
    async () => (await fb.runtime.health()).eventsProcessed === events.length,
  );
  const make = (role: 'wallboard' | 'supervisor' | 'manager', teams: string[] = []) =>
    fb.access.tokens.create({ role, teams }, SYSTEM_ACTOR).then((c) => c.token);
  tokens.salesTv = await make('wallboard', ['sales']);
  tokens.sup = await make('supervisor');
  tokens.manager = await make('manager');
});
afterAll(async () => {
  await fb?.stop();
});

async function get<T>(path: string, token?: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${fb.url}/api/v1${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function bulk(items: Array<{ ticketId: string; expectedVersion: number }>, agentId = 's2') {
  const res = await fetch(`${fb.url}/api/v1/tickets/reassign`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.sup}`, 'content-type': 'application/json' },
    body: JSON.stringify({ agentId, reason: 'balance the load', items }),
  });
  return { status: res.status, body: (await res.json()) as BulkReassignResponse };
}

const version = async (ticketId: string) =>
  (await get<TicketDetailResponse>(`/tickets/${ticketId}`, tokens.sup)).body.version;

describe('REST scoping', () => {
  it('narrows the live floor to a team-scoped principal’s teams, and shows an unscoped one all of it', async () => {
    const scoped = await get<LiveSnapshot>('/live', tokens.salesTv);
    expect(scoped.status).toBe(200);
    expect(scoped.body.agents.map((a) => a.agentId).sort()).toEqual(['s1', 's2']);
    expect(scoped.body.queues.map((q) => q.queue)).not.toContain('support');
    expect(scoped.body.queues.map((q) => q.queue)).toContain('sales');
    const tickets = [...scoped.body.tickets.overdue, ...scoped.body.tickets.atRisk];
    expect(tickets.length).toBeGreaterThan(0);
    expect(tickets.every((x) => x.team === 'sales')).toBe(true);

    const all = await get<LiveSnapshot>('/live', tokens.sup);
    expect(all.body.agents.map((a) => a.agentId).sort()).toEqual(['s1', 's2', 't1']);
    expect(all.body.queues.map((q) => q.queue)).toContain('support');
  });

  it('shows a team-scoped principal only its teams’ low-score surveys', async () => {
    const scoped = await get<LowScoreSurveyView[]>('/surveys/low', tokens.salesTv);
    expect(scoped.body.map((s) => s.surveyId)).toEqual(['v-sales']);
    const all = await get<LowScoreSurveyView[]>('/surveys/low', tokens.sup);
    expect(all.body.map((s) => s.surveyId)).toEqual(['v-none', 'v-tech', 'v-sales']);
  });

  it('answers health with its status to anyone and its details only with credentials', async () => {
    const anonymous = await get<Record<string, unknown>>('/health');
    expect([200, 503]).toContain(anonymous.status);
    expect(anonymous.body).toEqual({ status: anonymous.status === 200 ? 'ok' : 'degraded' });
    const detailed = await get<HealthResponse>('/health', tokens.salesTv);
    expect(detailed.status).toBe(anonymous.status);
    expect(detailed.body).toMatchObject({ store: { kind: 'in-memory' }, lastError: null });
    expect(detailed.body.source.topics.length).toBeGreaterThan(0);
  });
});

describe('bulk reassignment', () => {
  it('refuses a request listing a ticket twice with 400, and changes nothing', async () => {
    const v = await version('k1');
    const res = await bulk([
      { ticketId: 'k1', expectedVersion: v },
      { ticketId: 'k1', expectedVersion: v },
    ]);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: expect.stringMatching(/k1 is listed more than once/) });
    expect(await version('k1')).toBe(v);
    expect(await fb.access.audit.query({ action: 'ticket.reassign' })).toEqual([]);
  });

  it('answers 409 when every item conflicts, 207 when some do, 200 when none does', async () => {
    const [v1, v2, v3, v4] = await Promise.all(['k1', 'k2', 'k3', 'k4'].map(version));
    const stale = await bulk([
      { ticketId: 'k1', expectedVersion: (v1 ?? 0) + 7 },
      { ticketId: 'k2', expectedVersion: (v2 ?? 0) + 7 },
    ]);
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatch(/no ticket was reassigned \(2 conflict\)/);
    expect(stale.body.results.map((r) => r.status)).toEqual(['conflict', 'conflict']);

    const mixed = await bulk([
      { ticketId: 'k1', expectedVersion: v1 ?? 0 },
      { ticketId: 'k2', expectedVersion: (v2 ?? 0) + 7 },
    ]);
    expect(mixed.status).toBe(207);
    expect(mixed.body.error).toBeUndefined();
    expect(mixed.body.results.map((r) => [r.ticketId, r.status])).toEqual([
      ['k1', 'ok'],
      ['k2', 'conflict'],
    ]);

    const fine = await bulk([
      { ticketId: 'k3', expectedVersion: v3 ?? 0 },
      { ticketId: 'k4', expectedVersion: v4 ?? 0 },
    ]);
    expect(fine.status).toBe(200);
    expect(fine.body.results.map((r) => r.status)).toEqual(['ok', 'ok']);

    const unknown = await bulk([{ ticketId: 'nope-1', expectedVersion: 0 }]);
    expect(unknown.status).toBe(404);
    const audited = await fb.access.audit.query({ action: 'ticket.reassign' });
    expect(audited.map((e) => e.target).sort()).toEqual(['k1', 'k3', 'k4']);
  });
});
