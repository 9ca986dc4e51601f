/**
 * Access control over every API route of the composed server: each guarded route answers 401 without
 * credentials and 403 to every role without its permission, and every state-changing route under
 * /api/v1 is guarded (a new route without a check makes this test fail).
 */
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleHas } from '../../server/auth/permissions.ts';
import { SYSTEM_ACTOR } from '../../server/auth/records.ts';
import { systemClock } from '../../server/clock.ts';
import { ROLES, type Role } from '../../server/contract/auth.ts';
import { startFloorboard, type Floorboard } from '../../server/floorboard.ts';
import { createLogger } from '../../server/log.ts';
import { testConfig } from '../support/harness.ts';
import { freePort, uniqueName } from '../support/services.ts';

/** Routes that are deliberately open: signing in and out, and the load balancer's health check. */
const PUBLIC = new Set(['POST /auth/login', 'POST /auth/logout', 'GET /auth/me', 'GET /health']);

let fb: Floorboard;
const tokens = new Map<Role, string>();

beforeAll(async () => {
  const base = testConfig();
  fb = await startFloorboard({
    config: {
      ...base,
      port: 0,
      logLevel: 'silent',
      redis: { url: null, keyPrefix: `${uniqueName('access')}:` },
      kafka: { ...base.kafka, brokers: [] },
      simulator: { ...base.simulator, enabled: false },
    },
    clock: systemClock,
    log: createLogger('silent'),
    localRedisUrl: `redis://127.0.0.1:${await freePort()}`,
    serveWeb: false,
  });
  // A lead must be scoped to a team; the others are floor-wide.
  for (const role of ROLES) {
    const teams = role === 'lead' ? ['tech-support'] : [];
    tokens.set(role, (await fb.access.tokens.create({ role, teams }, SYSTEM_ACTOR)).token);
  }
});
afterAll(async () => {
  await fb?.stop();
});

/** Every route Express has under /api/v1, as "METHOD /path". */
function mountedApiRoutes(app: Express): string[] {
  type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route)
        for (const m of Object.keys(layer.route.methods)) out.push(`${m.toUpperCase()} ${layer.route.path}`);
      else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}

function call(method: string, path: string, token?: string) {
  const url = `${fb.url}/api/v1${path.replace(/:(\w+)/g, 'x1')}`;
  return fetch(url, {
    method: method.toUpperCase(),
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(method === 'get' ? {} : { body: '{}' }),
  });
}

describe('API access control', () => {
  it('declares a guard on every API route that is not deliberately public', () => {
    const declared = new Set(fb.routes.map((r) => `${r.method.toUpperCase()} ${r.path}`));
    const mounted = mountedApiRoutes(fb.app).filter((r) => !PUBLIC.has(r));
    expect(mounted.length).toBeGreaterThan(8);
    expect(mounted.filter((r) => !declared.has(r))).toEqual([]);
    for (const admin of ['GET /admin/users', 'POST /admin/users', 'DELETE /admin/users/:name']) {
      expect(declared, admin).toContain(admin);
    }
    for (const admin of ['GET /admin/tokens', 'POST /admin/tokens', 'DELETE /admin/tokens/:name']) {
      expect(declared, admin).toContain(admin);
    }
  });

  it('answers 401 without credentials on every guarded route', async () => {
    for (const r of fb.routes) {
      const res = await call(r.method, r.path);
      expect(res.status, `${r.method} ${r.path}`).toBe(401);
      expect(await res.json()).toMatchObject({ error: expect.stringMatching(/authentication required/) });
    }
  });

  it('answers 403 to every role without the permission, and lets the others through the guard', async () => {
    for (const r of fb.routes) {
      for (const role of ROLES) {
        const res = await call(r.method, r.path, tokens.get(role));
        if (roleHas(role, r.permission))
          expect([200, 400, 404, 409], `${role} ${r.method} ${r.path}`).toContain(res.status);
        else expect(res.status, `${role} ${r.method} ${r.path}`).toBe(403);
      }
    }
  });

  it('refuses a bad token and a malformed body with 4xx and a message', async () => {
    expect((await call('get', '/live', 'fbt_not-a-real-token')).status).toBe(401);
    const res = await fetch(`${fb.url}/api/v1/tickets/reassign`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.get('supervisor')}` },
      body: '{"agentId": ',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: expect.stringMatching(/not valid JSON/) });
  });

  it('serves Prometheus metrics only to a principal allowed to read them', async () => {
    const get = (token?: string) =>
      fetch(`${fb.url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    expect((await get()).status).toBe(401);
    expect((await get(tokens.get('manager'))).status).toBe(403);
    const res = await get(tokens.get('admin'));
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/floorboard_events_applied_total/);
    // The scraper's own role reads the metrics and nothing else.
    const scraper = tokens.get('metrics');
    expect((await get(scraper)).status).toBe(200);
    expect((await call('get', '/live', scraper)).status).toBe(403);
    expect((await call('put', '/settings', scraper)).status).toBe(403);
  });
});
