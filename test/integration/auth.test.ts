/**
 * Roles and access against real Redis and a real HTTP server: sign-in with a session cookie, login
 * throttling, the cross-site check, Bearer tokens and revocation, the audit routes, and the token CLI.
 */
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Router } from 'express';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createAccess, type Access } from '../../server/auth/index.ts';
import { systemClock } from '../../server/clock.ts';
import { createApp } from '../../server/http/app.ts';
import { routeDeclarer, type RouteSpec } from '../../server/http/guard.ts';
import { createLogger } from '../../server/log.ts';
import { createRedisStore } from '../../server/store/redis-store.ts';
import type { LiveStore } from '../../server/store/store.ts';
import { testConfig } from '../support/harness.ts';
import { uniqueName } from '../support/services.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const PASSWORD = 'correct horse battery staple';
const SYSTEM = { name: 'system', role: null };

let store: LiveStore;
let access: Access;
let server: Server;
let base: string;

beforeAll(async () => {
  const prefix = `${uniqueName('auth')}:`;
  store = await createRedisStore({ url: inject('redisUrl'), prefix });
  const config = testConfig();
  const log = createLogger('silent');
  access = createAccess({ store, clock: systemClock, log, config, embedded: false });
  const specs: RouteSpec[] = [];
  // A state-changing guarded route, like the reassignment routes.
  const commands = Router();
  routeDeclarer(commands, specs)('post', '/tickets/:ticketId/assign', 'tickets:reassign', (_req, res) => {
    res.json({ ok: true });
  });
  const app = createApp({ log, before: access.before, api: [...access.routers(specs), commands] });
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const [name, role, teams] of [
    ['leo', 'lead', ['sales']],
    ['meg', 'manager', []],
    ['tim', 'supervisor', []],
  ] as const) {
    await access.users.add({ name, role, teams: [...teams], password: PASSWORD }, SYSTEM);
  }
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await store.clear();
  await store.close();
});

async function login(username: string, password = PASSWORD) {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const setCookie = res.headers.getSetCookie()[0] ?? '';
  return { res, setCookie, cookie: setCookie.split(';')[0] ?? '' };
}

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/v1${path}`, { headers });

describe('access control (Redis, HTTP)', () => {
  it('signs in with an httpOnly cookie that /auth/me then accepts', async () => {
    const { res, setCookie, cookie } = await login('leo');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      principal: { kind: 'user', name: 'leo', role: 'lead', teams: ['sales'] },
    });
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Lax/);
    const me = await get('/auth/me', { cookie });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ principal: { name: 'leo', role: 'lead' } });
    expect((await get('/auth/me')).status).toBe(401);
  });

  it('answers a wrong password with 401 and audits the failed attempt', async () => {
    const { res, setCookie } = await login('tim', 'wrong password!');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'wrong username or password' });
    expect(setCookie).toBe('');
    const failed = await access.audit.query({ actor: 'tim', action: 'auth.login.failed' });
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ role: null, details: { ip: expect.any(String) } });
  });

  it('throttles the 11th rapid sign-in attempt for one user with 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await login('throttled-user', `guess number ${i}`)).res.status);
    expect(statuses).toEqual([...Array<number>(10).fill(401), 429]);
    const last = await login('throttled-user', 'guess again');
    expect(last.res.status).toBe(429);
    expect(await last.res.json()).toEqual({
      error: expect.stringMatching(/too many failed sign-in attempts/),
    });
    expect(last.res.headers.get('retry-after')).toMatch(/^\d+$/);
    // Another user from the same address is not locked out.
    expect((await login('leo')).res.status).toBe(200);
  });

  it('counts failed sign-ins across instances sharing Redis: two instances allow 10, not 20', async () => {
    const shared = await createRedisStore({ url: inject('redisUrl'), prefix: `${uniqueName('limits')}:` });
    const log = createLogger('silent');
    const instances = [0, 1].map(() => {
      const a = createAccess({
        store: shared,
        clock: systemClock,
        log,
        config: testConfig(),
        embedded: false,
        redisUrl: inject('redisUrl'),
      });
      const app = createApp({ log, before: a.before, api: a.routers([]) });
      const srv = app.listen(0, '127.0.0.1');
      return { a, srv };
    });
    try {
      await Promise.all(instances.map(({ srv }) => new Promise<void>((r) => srv.once('listening', r))));
      const urls = instances.map(({ srv }) => `http://127.0.0.1:${(srv.address() as AddressInfo).port}`);
      const attempt = (url: string, i: number) =>
        fetch(`${url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'shared-target', password: `guess number ${i}` }),
        }).then((r) => r.status);
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push(await attempt(urls[i % 2] ?? '', i));
      expect(statuses).toEqual([...Array<number>(10).fill(401), 429, 429]);
    } finally {
      for (const { a, srv } of instances) {
        await new Promise<void>((r) => srv.close(() => r()));
        await a.close();
      }
      await shared.clear();
      await shared.close();
    }
  });

  it('refuses a state change with the session cookie from a foreign Origin', async () => {
    const { cookie } = await login('leo');
    const post = (origin: string) =>
      fetch(`${base}/api/v1/tickets/t1/assign`, { method: 'POST', headers: { cookie, origin } });
    const foreign = await post('https://attacker.example');
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toEqual({ error: expect.stringMatching(/cross-site request refused/) });
    expect((await post(base)).status).toBe(200);
  });

  it('accepts a Bearer token until it is revoked', async () => {
    const { name, token } = await access.tokens.create({ role: 'manager', name: 'bi-export' }, SYSTEM);
    const auth = { authorization: `Bearer ${token}` };
    expect(await (await get('/auth/me', auth)).json()).toEqual({
      principal: { kind: 'token', name: 'bi-export', role: 'manager', teams: [] },
    });
    expect((await get('/audit', auth)).status).toBe(200);
    expect(await access.tokens.revoke(name, SYSTEM)).toBe(true);
    expect((await get('/audit', auth)).status).toBe(401);
    expect((await get('/auth/me', auth)).status).toBe(401);
  });

  it('shows the audit log to a manager, not to a lead', async () => {
    const lead = await login('leo');
    expect((await get('/audit', { cookie: lead.cookie })).status).toBe(403);
    const manager = await login('meg');
    const res = await get('/audit?action=auth.login&limit=3', { cookie: manager.cookie });
    expect(res.status).toBe(200);
    const { entries } = (await res.json()) as {
      entries: Array<{ actor: string; action: string; at: number }>;
    };
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatchObject({ actor: 'meg', action: 'auth.login' });
    expect(entries.map((e) => e.at)).toEqual([...entries.map((e) => e.at)].sort((a, b) => b - a));
    const csv = await get('/audit.csv?actor=tim', { cookie: manager.cookie });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="?floorboard-audit-/);
    expect((await csv.text()).split('\n')[1]).toMatch(/,tim,,auth\.login\.failed,,/);
  });

  it('creates a token with the CLI that then authenticates, and revokes it with the CLI', async () => {
    const env = {
      ...process.env,
      REDIS_URL: inject('redisUrl'),
      REDIS_KEY_PREFIX: store.prefix,
      LOG_LEVEL: 'silent',
    };
    const cli = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], { cwd: ROOT, env });
    const created = await cli(
      'token',
      'create',
      '--role',
      'wallboard',
      '--team',
      'sales',
      '--name',
      'tv-lobby',
    );
    const token = created.stdout.trim();
    expect(token).toMatch(/^fbt_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toMatch(/created token tv-lobby/);
    expect(await (await get('/auth/me', { authorization: `Bearer ${token}` })).json()).toEqual({
      principal: { kind: 'token', name: 'tv-lobby', role: 'wallboard', teams: ['sales'] },
    });
    expect(await access.authenticateHandshake({}, { token })).toMatchObject({
      principal: { name: 'tv-lobby' },
    });
    const listed = await cli('token', 'list');
    expect(listed.stdout).toMatch(/^tv-lobby\s+wallboard\s+sales\s/m);
    expect(listed.stdout).not.toContain(token);
    await cli('token', 'revoke', 'tv-lobby');
    expect((await get('/auth/me', { authorization: `Bearer ${token}` })).status).toBe(401);
    const audit = await access.audit.query({ action: 'token' });
    expect(audit.slice(0, 2).map((e) => [e.action, e.target, e.actor.startsWith('cli:')])).toEqual([
      ['token.revoke', 'tv-lobby', true],
      ['token.create', 'tv-lobby', true],
    ]);
  });

  it('adds a user with the CLI from a password on stdin, and removes them', async () => {
    const env = { ...process.env, REDIS_URL: inject('redisUrl'), REDIS_KEY_PREFIX: store.prefix };
    const added = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = execFile(
        process.execPath,
        [
          '--import',
          'tsx',
          'server/cli.ts',
          'user',
          'add',
          'cli-user',
          '--role',
          'supervisor',
          '--password-stdin',
        ],
        { cwd: ROOT, env },
        (err, stdout) =>
          err && err.code === undefined ? reject(err) : resolve({ code: child.exitCode, stdout }),
      );
      child.stdin?.end(`${PASSWORD}\n`);
    });
    expect(added.code).toBe(0);
    expect(added.stdout).toBe(''); // a given password is never echoed
    expect((await login('cli-user')).res.status).toBe(200);
    const generated = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'server/cli.ts',
        'user',
        'add',
        'gen-user',
        '--role',
        'wallboard',
        '--team',
        'sales',
      ],
      { cwd: ROOT, env },
    );
    expect((await login('gen-user', generated.stdout.trim())).res.status).toBe(200);
    const unscopedLead = await run(
      process.execPath,
      ['--import', 'tsx', 'server/cli.ts', 'user', 'add', 'lead-nowhere', '--role', 'lead'],
      { cwd: ROOT, env },
    ).catch((err: { code: number; stderr: string }) => err);
    expect(unscopedLead).toMatchObject({ code: 1, stderr: expect.stringMatching(/needs at least one team/) });
    expect(await access.users.lookup('lead-nowhere')).toBeNull();
    await run(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'user', 'remove', 'cli-user'], {
      cwd: ROOT,
      env,
    });
    expect((await login('cli-user')).res.status).toBe(401);
  });
});

describe('user and token administration over REST', () => {
  async function admin() {
    const { name, token } = await access.tokens.create({ role: 'admin', name: uniqueName('ops') }, SYSTEM);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const send = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}/api/v1${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: (text === '' ? null : JSON.parse(text)) as Record<string, unknown> };
    };
    return { name, send };
  }

  it('adds a user with a generated password shown once, lists and removes them, all audited', async () => {
    const { name: adminName, send } = await admin();
    const added = await send('POST', '/admin/users', {
      name: 'Nora',
      role: 'lead',
      teams: ['sales', 'sales'],
    });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({
      user: {
        name: 'nora',
        role: 'lead',
        teams: ['sales'],
        createdAt: expect.any(Number),
        createdBy: adminName,
      },
      password: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/),
    });
    const { cookie } = await login('nora', String(added.body.password));
    expect(cookie).not.toBe('');
    const listed = await send('GET', '/admin/users');
    expect(listed.body.users).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'nora' })]));
    expect(JSON.stringify(listed.body)).not.toContain(String(added.body.password));

    const given = await send('POST', '/admin/users', { name: 'olga', role: 'manager', password: PASSWORD });
    expect(given.status).toBe(201);
    expect(given.body.password).toBeUndefined();

    expect((await send('DELETE', '/admin/users/nora')).status).toBe(204);
    expect((await get('/auth/me', { cookie })).status).toBe(401);
    expect((await send('DELETE', '/admin/users/nora')).status).toBe(404);
    const audit = await access.audit.query({ actor: adminName });
    expect(audit.map((e) => [e.action, e.target])).toEqual([
      ['user.remove', 'nora'],
      ['user.add', 'olga'],
      ['user.add', 'nora'],
    ]);
    expect(JSON.stringify(audit)).not.toContain(PASSWORD);
  });

  it('refuses a lead without a team, a metrics user, a bad or taken name and unknown fields, saying why', async () => {
    const { send } = await admin();
    const lead = await send('POST', '/admin/users', { name: 'lone-lead', role: 'lead' });
    expect(lead).toEqual({ status: 400, body: { error: expect.stringMatching(/needs at least one team/) } });
    const scraper = await send('POST', '/admin/users', { name: 'prom', role: 'metrics' });
    expect(scraper).toEqual({ status: 400, body: { error: expect.stringMatching(/create a token/) } });
    expect((await send('POST', '/admin/users', { name: 'no spaces', role: 'manager' })).status).toBe(400);
    expect((await send('POST', '/admin/users', { name: 'leo', role: 'manager' })).status).toBe(409);
    const extra = await send('POST', '/admin/users', { name: 'x', role: 'manager', admin: true });
    expect(extra).toEqual({ status: 400, body: { error: expect.stringMatching(/^invalid request/) } });
    expect(
      (await send('POST', '/admin/users', { name: 'x', role: 'manager', password: 'short' })).status,
    ).toBe(400);
  });

  it('creates a token shown once, lists tokens without secrets and revokes one', async () => {
    const { name: adminName, send } = await admin();
    const created = await send('POST', '/admin/tokens', {
      role: 'wallboard',
      teams: ['sales'],
      name: 'tv-api',
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      token: {
        name: 'tv-api',
        role: 'wallboard',
        teams: ['sales'],
        createdAt: expect.any(Number),
        createdBy: adminName,
      },
      secret: expect.stringMatching(/^fbt_/),
    });
    const secret = String(created.body.secret);
    expect((await get('/auth/me', { authorization: `Bearer ${secret}` })).status).toBe(200);
    const listed = await send('GET', '/admin/tokens');
    expect(listed.body.tokens).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'tv-api' })]));
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect((await send('POST', '/admin/tokens', { role: 'wallboard', name: 'tv-api' })).status).toBe(409);
    expect((await send('POST', '/admin/tokens', { role: 'lead' })).status).toBe(400);
    const scraper = await send('POST', '/admin/tokens', { role: 'metrics', name: 'prometheus' });
    expect(scraper.status).toBe(201);

    expect((await send('DELETE', '/admin/tokens/tv-api')).status).toBe(204);
    expect((await get('/auth/me', { authorization: `Bearer ${secret}` })).status).toBe(401);
    expect((await send('DELETE', '/admin/tokens/tv-api')).status).toBe(404);
    expect((await access.audit.query({ actor: adminName, action: 'token' })).map((e) => e.action)).toEqual([
      'token.revoke',
      'token.create',
      'token.create',
    ]);
  });

  it('does not let a signed-in admin remove their own user', async () => {
    await access.users.add({ name: 'ada', role: 'admin', password: PASSWORD }, SYSTEM);
    const { cookie } = await login('ada');
    const res = await fetch(`${base}/api/v1/admin/users/ada`, {
      method: 'DELETE',
      headers: { cookie, origin: base },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: expect.stringMatching(/cannot remove your own user/) });
    expect(await access.users.lookup('ada')).not.toBeNull();
  });
});
