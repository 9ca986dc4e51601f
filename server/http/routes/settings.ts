/** Settings the web UI reads: wallboard thresholds. */
import { Router } from 'express';
import type { Config } from '../../../config/schema.ts';
import type { ThresholdsResponse } from '../../contract/ui.ts';
import { routeDeclarer, type RouteSpec } from '../guard.ts';

/** GET /settings/thresholds (anyone who may view the live floor). */
export function settingsRoutes(deps: { config: Pick<Config, 'thresholds'> }, specs: RouteSpec[]): Router {
  const router = Router();
  const route = routeDeclarer(router, specs);
  route('get', '/settings/thresholds', 'live:view', (_req, res) => {
    const body: ThresholdsResponse = deps.config.thresholds;
    res.json(body);
  });
  return router;
}
