/** Settings: wallboard thresholds for every viewer; the full run-time settings for admins. */
import { Router } from 'express';
import type { ThresholdsResponse } from '../../contract/ui.ts';
import type { Settings } from '../../settings/settings.ts';
import { routeDeclarer, type RouteSpec } from '../guard.ts';

/** GET /settings/thresholds (live:view); GET and PUT /settings (admin:manage, audited). */
export function settingsRoutes(deps: { settings: Settings }, specs: RouteSpec[]): Router {
  const router = Router();
  const route = routeDeclarer(router, specs);
  route('get', '/settings/thresholds', 'live:view', (_req, res) => {
    const body: ThresholdsResponse = deps.settings.current().thresholds;
    res.json(body);
  });
  route('get', '/settings', 'admin:manage', (_req, res) => {
    res.json(deps.settings.current());
  });
  route('put', '/settings', 'admin:manage', async (req, res) => {
    if (!req.principal) throw Object.assign(new Error('authentication required'), { status: 401 });
    res.json(await deps.settings.update(req.principal, req.body));
  });
  return router;
}
