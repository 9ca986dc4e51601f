import type { AddressInfo } from 'node:net';
import { Router } from 'express';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, testConfig } from '../../test/support/harness.ts';
import { createAccess } from '../auth/index.ts';
import { formatDemoCredentials } from '../auth/demo.ts';
import { SESSION_COOKIE } from '../auth/credentials.ts';
import { createMemoryStore } from '../store/memory-store.ts';
import { createApp } from './app.ts';
import { routeDeclarer, type RouteSpec } from './guard.ts';
import { authentication } from './security.ts';

const log = pino({ level: 'silent' });
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function listen(app: ReturnType<typeof createApp>): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function setup(opts: { forceSecureCookie?: boolean; embedded?: boolean } = {}) {
  const clock = new FakeClock(Date.parse('2026-03-02T09:00:00+01:00'));
  const store = createMemoryStore({ prefix: 'security-test:', now: clock.now });
  const config = testConfig();
  const access = createAccess({
    store,
    clock,
    log,
    config: { ...config, auth: { forceSecureCookie: opts.forceSecureCookie ?? false } },
    embedded: opts.embedded ?? true,
  });
  const specs: RouteSpec[] = [];
  const extra = Router();
  routeDeclarer(extra, specs)('post', '/tickets/x/assign', 'tickets:reassign', (_req, res) => {
    res.json({ ok: true });
  });
  extra.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  const app = createApp({ log, before: access.before, api: [...access.routers(specs), extra] });
  const base = await listen(app);
  const system = { name: 'system', role: null };
  const password = 'correct horse battery';
  for (const [name, role, teams] of [
    ['leo', 'lead', ['sales']],
    ['meg', 'manager', []],
    ['sue', 'supervisor', []],
  ] as const) {
    await access.users.add({ name, role, teams: [...teams], password }, system);
  }
  const login = async (username: string, pw = password, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ username, password: pw }),
    });
    const setCookie = res.headers.getSetCookie()[0] ?? '';
    return { res, setCookie, cookie: setCookie.split(';')[0] ?? '' };
  };
  return { clock, store, access, base, specs, login, password };
}

describe('HTTP security', () => {
  it('sends helmet headers with a same-origin CSP that allows sockets and data: images', async () => {
    const { base } = await setup();
    const res = await fetch(`${base}/api/v1/health`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    const host = new URL(base).host;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).toContain(`connect-src 'self' ws://${host} wss://${host}`);
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('signs in with an httpOnly, SameSite=Lax, 12-hour cookie and answers /auth/me with it', async () => {
    const { base, login } = await setup();
    const { res, setCookie, cookie } = await login('Leo');
    expect(res.status).toBe(200);
    const principal = { kind: 'user', name: 'leo', role: 'lead', teams: ['sales'] };
    expect(await res.json()).toEqual({ principal });
    expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43};`));
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Lax/);
    expect(setCookie).toMatch(/Max-Age=43200/);
    expect(setCookie).not.toMatch(/Secure/);
    const me = await fetch(`${base}/api/v1/auth/me`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ principal });
    expect((await fetch(`${base}/api/v1/auth/me`)).status).toBe(401);
  });

  it('marks the cookie Secure on https (via a trusted proxy) or when configured', async () => {
    const plain = await setup();
    expect((await plain.login('leo', plain.password, { 'x-forwarded-proto': 'https' })).setCookie).toMatch(
      /; Secure/,
    );
    const forced = await setup({ forceSecureCookie: true });
    expect((await forced.login('leo')).setCookie).toMatch(/; Secure/);
  });

  it('marks the cookie Secure only over https as seen through the trusted proxy, and warns once over plain HTTP', async () => {
    const lines: string[] = [];
    const warnings = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const clock = new FakeClock(Date.parse('2026-03-02T09:00:00+01:00'));
    const store = createMemoryStore({ prefix: 'cookie-test:', now: clock.now });
    const access = createAccess({ store, clock, log: warnings, config: testConfig(), embedded: false });
    await access.users.add(
      { name: 'leo', role: 'lead', teams: ['sales'], password: 'correct horse battery' },
      {
        name: 'system',
        role: null,
      },
    );
    const base = await listen(createApp({ log, before: access.before, api: access.routers([]) }));
    const signIn = (headers: Record<string, string>) =>
      fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ username: 'leo', password: 'correct horse battery' }),
      }).then((r) => r.headers.getSetCookie()[0] ?? '');
    // From the loopback proxy (trusted by default): its X-Forwarded-* describe the browser.
    expect(await signIn({ 'x-forwarded-proto': 'https', 'x-forwarded-for': '10.1.2.3' })).toMatch(/; Secure/);
    expect(lines).toEqual([]);
    expect(await signIn({ 'x-forwarded-for': '10.1.2.3' })).not.toMatch(/Secure/);
    expect(await signIn({ 'x-forwarded-for': '10.1.2.4' })).not.toMatch(/Secure/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/without Secure: this sign-in came over plain HTTP/);
  });

  it('answers a wrong password and an unknown user alike, and audits both', async () => {
    const { login, access } = await setup();
    const wrong = await login('leo', 'not the password');
    const unknown = await login('nobody', 'not the password');
    expect(wrong.res.status).toBe(401);
    expect(unknown.res.status).toBe(401);
    expect(await wrong.res.json()).toEqual(await unknown.res.json());
    expect(wrong.setCookie).toBe('');
    const failed = await access.audit.query({ action: 'auth.login.failed' });
    expect(failed.map((e) => e.actor)).toEqual(['nobody', 'leo']);
  });

  it('rejects a malformed sign-in body with 400 and a message', async () => {
    const { base } = await setup();
    const res = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'leo' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: expect.stringMatching(/^invalid request: password: /) });
  });

  it('refuses a cookie-authenticated state change from another site, and allows it from this one', async () => {
    const { base, login } = await setup();
    const { cookie } = await login('leo');
    const post = (headers: Record<string, string>) =>
      fetch(`${base}/api/v1/tickets/x/assign`, { method: 'POST', headers: { cookie, ...headers } });
    const foreign = await post({ origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toEqual({ error: expect.stringMatching(/^cross-site request refused/) });
    expect((await post({})).status).toBe(403); // neither Origin nor Referer
    expect((await post({ origin: 'null' })).status).toBe(403);
    expect((await post({ origin: base })).status).toBe(200);
    expect((await post({ referer: `${base}/floor` })).status).toBe(200);
  });

  it('does not apply the cross-site check to Bearer requests or reads', async () => {
    const { base, access, login } = await setup();
    const { token } = await access.tokens.create({ role: 'supervisor' }, { name: 'system', role: null });
    const res = await fetch(`${base}/api/v1/tickets/x/assign`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const { cookie } = await login('leo');
    const me = await fetch(`${base}/api/v1/auth/me`, { headers: { cookie, origin: 'https://evil.example' } });
    expect(me.status).toBe(200);
  });

  it('re-sends the cookie when the session slides, and drops it when the session is gone', async () => {
    const { base, login, clock } = await setup();
    const { cookie } = await login('leo');
    clock.ms += 2 * 60_000;
    const renewed = await fetch(`${base}/api/v1/auth/me`, { headers: { cookie } });
    expect(renewed.headers.getSetCookie()[0]).toMatch(/Max-Age=43200/);
    clock.ms += 12 * 3_600_000;
    const expired = await fetch(`${base}/api/v1/auth/me`, { headers: { cookie } });
    expect(expired.status).toBe(401);
    expect(expired.headers.getSetCookie()[0]).toMatch(
      new RegExp(`^${SESSION_COOKIE}=;.*Expires=Thu, 01 Jan 1970`),
    );
  });

  it('signs out: the session ends, the cookie is cleared and the logout is audited', async () => {
    const { base, login, access } = await setup();
    const { cookie } = await login('leo');
    const out = await fetch(`${base}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { cookie, origin: base },
    });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie()[0]).toMatch(new RegExp(`^${SESSION_COOKIE}=;`));
    expect((await fetch(`${base}/api/v1/auth/me`, { headers: { cookie } })).status).toBe(401);
    expect((await access.audit.query()).map((e) => e.action).slice(0, 2)).toEqual([
      'auth.logout',
      'auth.login',
    ]);
  });

  it('guards the audit routes: 401 without credentials, 403 for a lead, 200 for a manager', async () => {
    const { base, login, specs } = await setup();
    expect(specs).toEqual(
      expect.arrayContaining([
        { method: 'get', path: '/audit', permission: 'audit:view' },
        { method: 'get', path: '/audit.csv', permission: 'audit:view' },
      ]),
    );
    expect((await fetch(`${base}/api/v1/audit`)).status).toBe(401);
    const lead = await login('leo');
    expect((await fetch(`${base}/api/v1/audit`, { headers: { cookie: lead.cookie } })).status).toBe(403);
    const { cookie } = await login('meg');
    const res = await fetch(`${base}/api/v1/audit?actor=leo&limit=5`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { entries: Array<{ actor: string; action: string }> };
    expect(body.entries.map((e) => [e.actor, e.action])).toEqual([['leo', 'auth.login']]);
    const bad = await fetch(`${base}/api/v1/audit?from=yesterday`, { headers: { cookie } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: expect.stringMatching(/^invalid query: from: /) });
  });

  it('exports the audit log as CSV with a file name, filtered by date in the centre zone', async () => {
    const { base, login } = await setup();
    const { cookie } = await login('meg');
    const res = await fetch(`${base}/api/v1/audit.csv?from=2026-03-02&to=2026-03-02&action=auth`, {
      headers: { cookie },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="?floorboard-audit-2026-03-02\.csv"?$/,
    );
    const lines = (await res.text()).trim().split('\n');
    expect(lines[0]).toBe('when,actor,role,action,target,details');
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^2026-03-02T09:00:00\.000\+01:00,meg,manager,auth\.login,,/),
    ]);
    const none = await fetch(`${base}/api/v1/audit.csv?to=2026-03-01`, { headers: { cookie } });
    expect((await none.text()).trim()).toBe('when,actor,role,action,target,details');
  });

  it('authenticates a Socket.IO handshake by auth.token, Bearer header or same-site cookie', async () => {
    const { access, login } = await setup();
    const { token } = await access.tokens.create(
      { role: 'wallboard', teams: ['sales'] },
      { name: 'x', role: null },
    );
    const tv = { kind: 'token', role: 'wallboard', teams: ['sales'] };
    expect(await access.authenticateHandshake({}, { token })).toMatchObject({ principal: tv });
    expect(await access.authenticateHandshake({ authorization: `Bearer ${token}` }, {})).toMatchObject({
      principal: tv,
    });
    expect(await access.authenticateHandshake({}, { token: 'fbt_nope' })).toBeNull();
    const { cookie } = await login('leo');
    const host = 'board.example';
    expect(await access.authenticateHandshake({ cookie, host }, {})).toMatchObject({
      principal: { name: 'leo' },
    });
    expect(
      await access.authenticateHandshake({ cookie, host, origin: 'http://board.example' }, {}),
    ).toMatchObject({ principal: { name: 'leo' } });
    expect(
      await access.authenticateHandshake({ cookie, host, origin: 'https://evil.example' }, {}),
    ).toBeNull();
    expect(await access.authenticateHandshake({}, {})).toBeNull();
  });

  it('answers 503, not 401, when credentials cannot be checked, and lets anonymous requests through', async () => {
    const specs: RouteSpec[] = [];
    const router = Router();
    router.get('/health', (_req, res) => {
      res.json({ status: 'degraded' });
    });
    routeDeclarer(router, specs)('get', '/live', 'live:view', (_req, res) => {
      res.json({});
    });
    const failing = {
      authenticate: async () => {
        throw new Error('connection refused');
      },
    };
    const base = await listen(
      createApp({
        log,
        before: [authentication({ authenticator: failing, log, forceSecureCookie: false })],
        api: [router],
      }),
    );
    expect((await fetch(`${base}/api/v1/health`)).status).toBe(200);
    const res = await fetch(`${base}/api/v1/live`, {
      headers: { authorization: `Bearer fbt_${'a'.repeat(43)}` },
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: expect.stringMatching(/store is unreachable/) });
  });
});

describe('demo credentials', () => {
  it('creates one user per role and a wallboard token that all authenticate, with the lead scoped to sales', async () => {
    const { access, login } = await setup();
    const creds = await access.ensureDemoCredentials();
    if (!creds) throw new Error('expected demo credentials');
    expect(creds.users.map((u) => [u.name, u.role, u.teams])).toEqual([
      ['demo-wallboard', 'wallboard', []],
      ['demo-lead', 'lead', ['sales']],
      ['demo-supervisor', 'supervisor', []],
      ['demo-manager', 'manager', []],
      ['demo-admin', 'admin', []],
    ]);
    for (const u of creds.users) expect((await login(u.name, u.password)).res.status).toBe(200);
    const [tv] = creds.tokens;
    expect(await access.authenticateHandshake({}, { token: tv?.token })).toMatchObject({
      principal: { role: 'wallboard' },
    });
    const block = formatDemoCredentials(creds, 'http://localhost:3000');
    for (const u of creds.users) expect(block).toContain(u.password);
    expect(block).toContain(tv?.token);
    expect(block).toContain('DEMO CREDENTIALS');
  });

  it('replaces the demo secrets on a second run', async () => {
    const { access, login } = await setup();
    const first = await access.ensureDemoCredentials();
    const second = await access.ensureDemoCredentials();
    const old = first?.users[0];
    expect((await login(old?.name ?? '', old?.password ?? '')).res.status).toBe(401);
    expect(await access.tokens.authenticate(first?.tokens[0]?.token ?? '')).toBeNull();
    expect(await access.tokens.authenticate(second?.tokens[0]?.token ?? '')).not.toBeNull();
  });

  it('creates nothing outside the embedded default', async () => {
    const { access } = await setup({ embedded: false });
    expect(await access.ensureDemoCredentials()).toBeNull();
    expect(await access.users.list()).toHaveLength(3);
  });
});
