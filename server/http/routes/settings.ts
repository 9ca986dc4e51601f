/** Settings: wallboard thresholds for every viewer; the full run-time settings for admins. */
import { Router } from 'express';
import type { SettingsResponse, ThresholdsResponse } from '../../contract/ui.ts';
import type { Settings } from '../../settings/settings.ts';
import { routeDeclarer, type RouteSpec } from '../guard.ts';

/** GET /settings/thresholds (live:view); GET and PUT /settings (admin:manage, audited): SettingsResponse. */
export function settingsRoutes(deps: { settings: Settings }, specs: RouteSpec[]): Router {
  const router = Router();
  const route = routeDeclarer(router, specs);
  route('get', '/settings/thresholds', 'live:view', (_req, res) => {
    const body: ThresholdsResponse = deps.settings.current().thresholds;
    res.json(body);
  });
  const view = (): SettingsResponse => ({
    ...deps.settings.current(),
    overridden: deps.settings.overridden(),
  });
  route('get', '/settings', 'admin:manage', (_req, res) => {
    res.json(view());
  });
  route('put', '/settings', 'admin:manage', async (req, res) => {
    if (!req.principal) throw Object.assign(new Error('authentication required'), { status: 401 });
    await deps.settings.update(req.principal, req.body);
    res.json(view());
  });
  return router;
}
