/** Ticket detail, reassignment (single and bulk), escalation alerts and low-score surveys. */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import {
  acknowledgeRequest,
  reassignRequest,
  type BulkReassignResponse,
  type ReassignItemResult,
} from '../../contract/commands.ts';
import type { Principal } from '../../contract/auth.ts';
import { inScope } from '../../auth/permissions.ts';
import type { Escalation } from '../../commands/escalation.ts';
import { CommandError, ticketView, type Reassign } from '../../commands/reassign.ts';
import type { LowScoreSurvey } from '../../domain/project-surveys.ts';
import type { AgentRecord, TicketRecord } from '../../domain/records.ts';
import { deadlinesOf } from '../../domain/sla.ts';
import type { SlaPolicy } from '../../../config/schema.ts';
import type { Keys } from '../../store/keys.ts';
import type { StoreReader } from '../../store/store.ts';
import { routeDeclarer, type RouteSpec } from '../guard.ts';

export interface TicketRoutesDeps {
  store: StoreReader;
  keys: Keys;
  /** The SLA policy in force. */
  sla: () => SlaPolicy;
  reassign: Reassign;
  escalation: Escalation;
}

/** Parses a body with a zod schema; a mismatch is a 400 with the problems listed. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
  throw Object.assign(new Error(`invalid request: ${problems}`), { status: 400 });
}

const singleAssign = z.object({
  agentId: z.string().min(1).max(200),
  reason: z.string().trim().min(1, 'a reason is required').max(500),
  expectedVersion: z.number().int().nonnegative(),
});

function principal(req: Request): Principal {
  if (!req.principal) throw Object.assign(new Error('authentication required'), { status: 401 });
  return req.principal;
}

function sendCommandError(res: Response, err: unknown): boolean {
  if (err instanceof CommandError) {
    res.status(err.status).json({ error: err.message });
    return true;
  }
  return false;
}

const STATUS_OF: Record<ReassignItemResult['status'], number> = {
  ok: 200,
  conflict: 409,
  not_found: 404,
  forbidden: 403,
  closed: 409,
};

/**
 * The status of a bulk reassignment: 200 when every item was applied; when none was and every item
 * failed alike, that failure's status (409 conflict or closed, 404, 403); otherwise 207 (some items
 * applied, the others not: the body says which).
 */
export function bulkStatus(results: readonly ReassignItemResult[]): 200 | 207 | 403 | 404 | 409 {
  if (results.every((r) => r.status === 'ok')) return 200;
  if (results.some((r) => r.status === 'ok')) return 207;
  const statuses = new Set(results.map((r) => STATUS_OF[r.status]));
  const [only] = statuses;
  return statuses.size === 1 && (only === 403 || only === 404 || only === 409) ? only : 207;
}

/** What a bulk reassignment that applied nothing says, in one line. */
function nothingApplied(results: readonly ReassignItemResult[]): string {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const parts = [...counts].map(([status, n]) => `${n} ${status.replace('_', ' ')}`);
  return `no ticket was reassigned (${parts.join(', ')}); see results`;
}

/**
 * The team a low-score survey belongs to: its agent's team, else its ticket's; null when neither is
 * known (such a survey is shown only to principals of every team).
 */
async function surveyTeams(
  store: StoreReader,
  surveys: readonly LowScoreSurvey[],
): Promise<Array<string | null>> {
  const agentIds = surveys.map((s) => s.agentId ?? '');
  const ticketIds = surveys.map((s) => s.ticketId ?? '');
  const [agents, tickets] = await Promise.all([
    store.getRecords('agent', agentIds) as Promise<Array<AgentRecord | null>>,
    store.getRecords('ticket', ticketIds) as Promise<Array<TicketRecord | null>>,
  ]);
  return surveys.map((_, i) => agents[i]?.team ?? tickets[i]?.team ?? null);
}

/** The ticket routes. */
export function ticketRoutes(deps: TicketRoutesDeps, specs: RouteSpec[]): Router {
  const router = Router();
  const route = routeDeclarer(router, specs);

  route('get', '/tickets/:ticketId', 'live:view', async (req, res) => {
    const [t] = (await deps.store.getRecords('ticket', [
      String(req.params.ticketId),
    ])) as Array<TicketRecord | null>;
    if (!t || !t.known || !inScope(principal(req), t.team)) {
      res.status(404).json({ error: `no ticket ${String(req.params.ticketId)}` });
      return;
    }
    res.json({
      ...ticketView(t),
      category: t.category,
      complexity: t.complexity,
      channel: t.channel,
      customerId: t.customerId,
      createdAt: t.createdAt,
      acceptedAt: t.acceptedAt,
      lastUpdateAt: t.lastUpdateAt,
      progress: t.progress,
      escalated: t.escalated,
      deadlines: deadlinesOf(t, deps.sla()),
    });
  });

  route('post', '/tickets/:ticketId/assign', 'tickets:reassign', async (req, res) => {
    const body = parseBody(singleAssign, req.body);
    try {
      const { results } = await deps.reassign(principal(req), {
        agentId: body.agentId,
        reason: body.reason,
        items: [{ ticketId: String(req.params.ticketId), expectedVersion: body.expectedVersion }],
      });
      const [r] = results;
      if (!r) throw new Error('reassign returned no result');
      if (r.status === 'ok') res.json({ ticket: r.ticket });
      else if (r.status === 'conflict') res.status(409).json({ error: r.message, current: r.current });
      else res.status(STATUS_OF[r.status]).json({ error: r.message });
    } catch (err) {
      if (!sendCommandError(res, err)) throw err;
    }
  });

  route('post', '/tickets/reassign', 'tickets:reassign', async (req, res) => {
    const body = parseBody(reassignRequest, req.body);
    try {
      const { results } = await deps.reassign(principal(req), body);
      const status = bulkStatus(results);
      const answer: BulkReassignResponse =
        status === 200 || status === 207 ? { results } : { error: nothingApplied(results), results };
      res.status(status).json(answer);
    } catch (err) {
      if (!sendCommandError(res, err)) throw err;
    }
  });

  route('get', '/alerts', 'live:view', async (req, res) => {
    // Newest first and bounded; only alerts of open tickets in the principal's teams.
    res.json(await deps.escalation.listAlerts(principal(req)));
  });

  route('post', '/alerts/ack', 'alerts:acknowledge', async (req, res) => {
    const body = parseBody(acknowledgeRequest, req.body);
    try {
      await deps.escalation.acknowledge(principal(req), body);
      res.json({ ok: true });
    } catch (err) {
      if (!sendCommandError(res, err)) throw err;
    }
  });

  route('get', '/surveys/low', 'live:view', async (req, res) => {
    const p = principal(req);
    const low = await deps.store.zrange(deps.keys.index({ name: 'lowSurveys' }), -Infinity, Infinity);
    const recs = (await deps.store.getRecords(
      'survey',
      low.map((l) => l.member).reverse(),
    )) as Array<LowScoreSurvey | null>;
    const surveys = recs.filter((r): r is LowScoreSurvey => r !== null);
    if (p.teams.length === 0) {
      res.json(surveys);
      return;
    }
    // Per-agent scores are team business: a team-scoped principal sees its teams' surveys only.
    const teams = await surveyTeams(deps.store, surveys);
    res.json(surveys.filter((_, i) => inScope(p, teams[i])));
  });

  return router;
}
