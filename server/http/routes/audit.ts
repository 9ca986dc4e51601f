/** The audit log for managers and admins: JSON, or CSV for a spreadsheet. */
import { Router, type Request, type Response } from 'express';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { MAX_AUDIT_LIMIT, type AuditLog, type AuditQuery } from '../../audit/audit.ts';
import type { ErrorResponse } from '../../contract/api.ts';
import type { AuditListResponse } from '../../contract/auth.ts';
import { routeDeclarer, type RouteSpec } from '../guard.ts';

export interface AuditRoutesDeps {
  audit: AuditLog;
  /** The centre's time zone: dates and times without an offset are read in it. */
  timezone: string;
  now: () => number;
}

/** Most entries one JSON page returns (the CSV export allows MAX_AUDIT_LIMIT). */
export const MAX_JSON_LIMIT = 1000;

/**
 * A time filter: epoch ms, an ISO-8601 date-time (with an offset, or else in the centre's zone) or a
 * date (YYYY-MM-DD: its start for `from`, its end for `to`).
 */
function timeParam(zone: string, end: boolean) {
  return z.string().transform((s, ctx) => {
    const t = s.trim();
    if (/^\d{12,}$/.test(t)) return Number(t);
    const dt = DateTime.fromISO(t, { zone, setZone: true });
    if (!dt.isValid) {
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(s)} is not a date (YYYY-MM-DD), ISO time or epoch ms`,
      });
      return z.NEVER;
    }
    return (/^\d{4}-\d{2}-\d{2}$/.test(t) && end ? dt.endOf('day') : dt).toMillis();
  });
}

function querySchema(zone: string, maxLimit: number, defaultLimit: number) {
  return z.object({
    from: timeParam(zone, false).optional(),
    to: timeParam(zone, true).optional(),
    actor: z.string().trim().min(1).max(200).optional(),
    action: z.string().trim().min(1).max(100).optional(),
    limit: z.coerce.number().int().min(1).max(maxLimit).default(defaultLimit),
  });
}

function parseQuery(
  schema: ReturnType<typeof querySchema>,
  req: Request,
  res: Response<ErrorResponse>,
): AuditQuery | null {
  const r = schema.safeParse(req.query);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || '(query)'}: ${i.message}`).join('; ');
  res.status(400).json({ error: `invalid query: ${problems}` });
  return null;
}

/** GET /audit and GET /audit.csv (both `audit:view`), with from, to, actor, action and limit. */
export function auditRoutes(deps: AuditRoutesDeps, specs: RouteSpec[]): Router {
  const router = Router();
  const route = routeDeclarer(router, specs);
  const jsonQuery = querySchema(deps.timezone, MAX_JSON_LIMIT, 100);
  const csvQuery = querySchema(deps.timezone, MAX_AUDIT_LIMIT, MAX_AUDIT_LIMIT);

  route('get', '/audit', 'audit:view', async (req, res: Response<AuditListResponse | ErrorResponse>) => {
    const q = parseQuery(jsonQuery, req, res);
    if (!q) return;
    res.setHeader('Cache-Control', 'no-store');
    res.json({ entries: await deps.audit.query(q) });
  });

  route('get', '/audit.csv', 'audit:view', async (req, res) => {
    const q = parseQuery(csvQuery, req, res);
    if (!q) return;
    const entries = await deps.audit.query(q);
    const p = req.principal;
    // Exporting the log is itself worth knowing about.
    if (p) {
      await deps.audit.append({
        actor: p.name,
        role: p.role,
        action: 'audit.export',
        details: { ...q, rows: entries.length },
      });
    }
    const day = DateTime.fromMillis(deps.now(), { zone: deps.timezone }).toISODate() ?? 'export';
    res.setHeader('Cache-Control', 'no-store');
    res.type('text/csv').attachment(`floorboard-audit-${day}.csv`).send(deps.audit.toCsv(entries));
  });

  return router;
}
