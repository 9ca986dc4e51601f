/**
 * Health and the live floor. Health answers everyone with its status (load balancers and container
 * health checks probe it without credentials) and only signed-in principals with the details, which
 * name the store, the topics and the last error. The live floor is narrowed to the principal's teams,
 * as the socket path narrows it.
 */
import { Router, type Request } from 'express';
import type { HealthResponse, HealthStatusResponse, LiveSnapshot } from '../../contract/api.ts';
import { filterSnapshot, resolveView, type QueueTeams } from '../../realtime/views.ts';
import { routeDeclarer, type RouteSpec } from '../guard.ts';

export interface StatusDeps {
  health(): Promise<HealthResponse>;
  live(): Promise<LiveSnapshot>;
  /** Queue name → owning team (config `queueTeams`): which queues a team-scoped principal sees. */
  queueTeams: QueueTeams;
}

/** The live floor as `req.principal` may see it (its teams; all of it for an unscoped principal). */
async function liveFor(deps: StatusDeps, req: Request): Promise<LiveSnapshot> {
  const snap = await deps.live();
  const p = req.principal;
  if (!p) throw Object.assign(new Error('authentication required'), { status: 401 });
  const view = resolveView(p, {}, deps.queueTeams);
  if (!view.ok) throw Object.assign(new Error(view.message), { status: 403 });
  return filterSnapshot(snap, view.view, deps.queueTeams);
}

/** GET /health and GET /live. */
export function statusRoutes(deps: StatusDeps, specs: RouteSpec[]): Router {
  const router = Router();
  router.get('/health', async (req, res) => {
    const health = await deps.health();
    res.setHeader('Cache-Control', 'no-store');
    const body: HealthResponse | HealthStatusResponse = req.principal ? health : { status: health.status };
    res.status(health.status === 'ok' ? 200 : 503).json(body);
  });
  const route = routeDeclarer(router, specs);
  route('get', '/live', 'live:view', async (req, res) => {
    res.json(await liveFor(deps, req));
  });
  return router;
}
