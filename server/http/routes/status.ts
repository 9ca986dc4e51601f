/** Health (public, for load balancers) and the live floor (needs live:view). */
import { Router } from 'express';
import type { HealthResponse, LiveSnapshot } from '../../contract/api.ts';
import { routeDeclarer, type RouteSpec } from '../guard.ts';

export interface StatusDeps {
  health(): Promise<HealthResponse>;
  live(): Promise<LiveSnapshot>;
}

/** GET /health and GET /live. */
export function statusRoutes(deps: StatusDeps, specs: RouteSpec[]): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    const health = await deps.health();
    res.status(health.status === 'ok' ? 200 : 503).json(health);
  });
  const route = routeDeclarer(router, specs);
  route('get', '/live', 'live:view', async (_req, res) => {
    res.json(await deps.live());
  });
  return router;
}
