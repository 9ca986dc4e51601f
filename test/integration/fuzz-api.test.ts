/**
 * Fault suite, HTTP and Socket.IO side: the composed server (embedded source, real Redis) gets seeded
 * random and mutated requests on every route (bodies, query strings, path parameters, content types
 * and encodings, credentials) and socket commands with random payloads. Every answer is a success or
 * a 4xx with a JSON `error`, never a 500; every ack is a valid response or an error code other than
 * `unavailable`; connections survive; garbage handshakes are refused; the server stays healthy.
 */
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import type { Config } from '../../config/schema.ts';
import { roleHas, type Permission } from '../../server/auth/permissions.ts';
import { SYSTEM_ACTOR } from '../../server/auth/records.ts';
import { systemClock } from '../../server/clock.ts';
import { ROLES } from '../../server/contract/auth.ts';
import type { CcEvent } from '../../server/contract/events.ts';
import { REALTIME_ERRORS } from '../../server/contract/realtime.ts';
import { startFloorboard, type Floorboard } from '../../server/floorboard.ts';
import { createLogger } from '../../server/log.ts';
import { publishEvents } from '../../server/runtime.ts';
import { ev } from '../support/events.ts';
import {
  HOSTILE_STRINGS,
  PROTO_KEYS,
  createRng,
  deepNesting,
  fuzzSeed,
  inBatches,
  mutateJson,
  oddValue,
  randomIp,
  randomJson,
  randomJsonText,
  randomString,
  reproduceWith,
  shuffled,
  type Rng,
} from '../support/fuzz.ts';
import { testConfig } from '../support/harness.ts';
import { simulatedEvents, waitUntil } from '../support/kafka.ts';
import { uniqueName } from '../support/services.ts';

const FILE = 'test/integration/fuzz-api.test.ts';
const SEED = fuzzSeed(20260303);
/** Requests per route, and payloads per socket command. */
const PER_ROUTE = 200;
const PER_COMMAND = 200;
const CONCURRENCY = 12;

interface RouteUnderTest {
  method: string;
  /** Express path under the origin, e.g. `/api/v1/tickets/:ticketId`. */
  path: string;
  /** Null for the public routes (health, sign-in). */
  permission: Permission | null;
}

interface Probe {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

let fb: Floorboard;
/** Tokens by role, plus `lead-sales` (a lead scoped to sales). */
const tokens = new Map<string, string>();
let ticketIds: string[] = [];
let agentIds: string[] = [];
/** Open escalation alerts when fuzzing starts, so acknowledgements can hit real ones. */
let alerts: Array<{ ticketId: string; deadline: string }> = [];

/** Valid events about entities named like Object.prototype members (some tickets left overdue). */
function protoNamedEvents(): CcEvent[] {
  const now = Date.now();
  const ts = (s: number) => new Date(now - 600_000 + s * 1000).toISOString();
  const scores = { speed: 1, resolution: 2, professionalism: 3, recommend: 4 };
  return PROTO_KEYS.flatMap((name, i) => [
    ev.agent({ agentId: name, name, team: name, state: 'available', ts: ts(i) }),
    ev.queued({ callId: name, queue: name, ts: ts(10 + i) }),
    ev.answered({ callId: name, queue: name, agentId: name, ts: ts(20 + i) }),
    ev.ticket({
      ticketId: name,
      kind: 'complaint',
      team: name,
      subject: name,
      tier: 'vip',
      ts: ts(-7200 + i),
    }),
    ...(i % 2 ? [ev.assigned({ ticketId: name, agentId: name, ts: ts(30 + i) })] : []),
    ev.survey({ surveyId: name, agentId: name, ticketId: name, scores, ts: ts(40 + i) }),
  ]);
}

beforeAll(async () => {
  const base = testConfig();
  const config: Config = {
    ...base,
    port: 0,
    logLevel: 'silent',
    redis: { url: inject('redisUrl'), keyPrefix: `${uniqueName('fuzz-api')}:` },
    kafka: { ...base.kafka, brokers: [] },
    simulator: { ...base.simulator, enabled: false },
    escalation: { ...base.escalation, sweepMs: 500 },
  };
  fb = await startFloorboard({ config, clock: systemClock, log: createLogger('silent'), serveWeb: false });
  // A lead must be scoped to a team; the others are floor-wide.
  for (const role of ROLES) {
    const teams = role === 'lead' ? ['tech-support'] : [];
    tokens.set(role, (await fb.access.tokens.create({ role, teams }, SYSTEM_ACTOR)).token);
  }
  const lead = await fb.access.tokens.create(
    { role: 'lead', teams: ['sales'], name: 'lead-sales' },
    SYSTEM_ACTOR,
  );
  tokens.set('lead-sales', lead.token);
  const events = [...simulatedEvents(config, 2), ...protoNamedEvents()];
  await publishEvents(fb.runtime.publisher, config.kafka.topics, events);
  await waitUntil(
    'the floor applied',
    async () => {
      const h = await fb.runtime.health();
      return h.eventsProcessed + h.deadLettered >= events.length;
    },
    30_000,
  );
  ticketIds = [...new Set(events.flatMap((e) => ('ticketId' in e && e.ticketId ? [e.ticketId] : [])))];
  agentIds = [...new Set(events.flatMap((e) => ('agentId' in e && e.agentId ? [e.agentId] : [])))];
  const headers = { authorization: `Bearer ${tokens.get('admin') ?? ''}` };
  await waitUntil('overdue tickets escalated', async () => {
    alerts = (await (await fetch(`${fb.url}/api/v1/alerts`, { headers })).json()) as typeof alerts;
    return alerts.length >= 3;
  });
});
afterAll(async () => {
  await fb?.stop();
});

// ---- HTTP probes ----

/** encodeURIComponent that does not throw on lone surrogates (they become U+FFFD, as on the wire). */
const enc = (s: string) => encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8'));

const ascii = (rng: Rng, n: number) =>
  Array.from({ length: rng.int(1, n) }, () => String.fromCharCode(rng.int(0x21, 0x7e))).join('');

function pathParam(rng: Rng): string {
  return rng.pick<() => string>([
    () => encodeURIComponent(rng.pick(ticketIds)),
    () => enc(randomString(rng, 200)),
    () =>
      rng.pick(['%zz', '%', '%E0%A4%A', '%00', '%2F..%2F', '%2E%2E', '..%252F', '%C0%AF', '%FF', '%uD800']),
    () => encodeURIComponent(rng.pick(PROTO_KEYS)),
    () => 'x'.repeat(rng.int(201, 4000)),
    () => encodeURIComponent('😀'.repeat(rng.int(1, 300))),
  ])();
}

/** Query parameters each route reads; other routes get generic and hostile names. */
const QUERY_PARAMS: Record<string, string[]> = {
  '/api/v1/shifts': ['date', 'format'],
  '/api/v1/audit': ['from', 'to', 'actor', 'action', 'limit'],
  '/api/v1/audit.csv': ['from', 'to', 'actor', 'action', 'limit'],
};

/**
 * A calendar-ish date: any year 0000–9999, months and days a little out of range, DST days, leap days,
 * and the last day there is (9999-12-31, whose day ends in year 10000).
 */
function dateParam(rng: Rng): string {
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  return rng.chance(0.5)
    ? `${pad(rng.int(0, 9999), 4)}-${pad(rng.int(0, 13), 2)}-${pad(rng.int(0, 32), 2)}`
    : rng.pick([
        '0000-01-01',
        '0001-01-01',
        '9999-12-30',
        '9999-12-31',
        '1970-01-01',
        '2026-03-29',
        '2026-10-25',
        '2024-02-29',
      ]);
}

function timeParam(rng: Rng): string {
  return rng.pick<() => string>([
    () => dateParam(rng),
    () =>
      enc(
        `${dateParam(rng)}T${rng.pick(['00:00', '23:59:59.999', '24:00', '02:30'])}${rng.pick(['', 'Z', '+14:00', '-12:00'])}`,
      ),
    () => String(rng.int(-1e12, 1e14)),
    () => rng.pick(['-1', '0', '1e400', 'NaN', '99999999999999999999', '8640000000000001', '']),
  ])();
}

/** Values each known parameter is fuzzed with (mostly), besides generic garbage. */
const PARAM_VALUES: Record<string, (rng: Rng) => string> = {
  date: dateParam,
  format: (rng) => rng.pick(['csv', 'json', 'xml', 'CSV', 'json%00', '']),
  from: timeParam,
  to: timeParam,
  limit: (rng) =>
    rng.pick(['-1', '0', '1', '1000', '1001', '5000', '1e3', '1.5', 'NaN', '99999999999999999999', '']),
};

function queryString(rng: Rng, route: RouteUnderTest): string {
  if (rng.chance(0.1)) return '';
  const generic = ['date', 'format', 'from', 'to', 'limit', 'teams', 'a[b]', 'x[]', ...PROTO_KEYS];
  const own = (Object.hasOwn(QUERY_PARAMS, route.path) ? QUERY_PARAMS[route.path] : undefined) ?? [];
  const garbage = () =>
    rng.pick<() => string>([
      () => enc(randomString(rng, 100)),
      () => rng.pick(['20260302', '-1', '0', '1e400', 'NaN', '', '%zz', '%00']),
    ])();
  // The route's own names first, each once (a repeated name arrives as an array), then others.
  const names = [...shuffled(rng, own), ...shuffled(rng, generic)];
  const pairs = Array.from({ length: rng.int(1, own.length + 2) }, (_, i) => {
    const key = rng.chance(0.85)
      ? (names[i] ?? 'x')
      : rng.chance(0.5)
        ? rng.pick(names)
        : enc(randomString(rng, 20));
    const valueOf = Object.hasOwn(PARAM_VALUES, key) ? PARAM_VALUES[key] : undefined;
    return `${key}=${valueOf && rng.chance(0.8) ? valueOf(rng) : garbage()}`;
  });
  return `?${pairs.join(rng.pick(['&', '&', '&', '&&', '&=&']))}`;
}

/** An acknowledgement: of an open alert (each can be acknowledged once), or of a ticket at random. */
function anAcknowledgement(rng: Rng): { ticketId: string; deadline: string } {
  if (alerts.length > 0 && rng.chance(0.5)) {
    const { ticketId, deadline } = rng.pick(alerts);
    return { ticketId, deadline };
  }
  return { ticketId: rng.pick(ticketIds), deadline: rng.pick(['accept', 'update', 'resolve']) };
}

/** A valid body for the route (before mutation). */
function template(rng: Rng, route: RouteUnderTest): unknown {
  const item = () => ({ ticketId: rng.pick(ticketIds), expectedVersion: rng.int(0, 6) });
  switch (`${route.method} ${route.path}`) {
    case 'POST /api/v1/tickets/:ticketId/assign':
      return { agentId: rng.pick(agentIds), reason: 'balance the load', expectedVersion: rng.int(0, 6) };
    case 'POST /api/v1/tickets/reassign':
      return {
        agentId: rng.pick(agentIds),
        reason: 'shift handover',
        items: Array.from({ length: rng.int(1, 3) }, item),
      };
    case 'POST /api/v1/alerts/ack':
      return anAcknowledgement(rng);
    case 'PUT /api/v1/settings': {
      const current = fb.runtime.config;
      const all = { thresholds: current.thresholds, sla: current.sla, teams: current.teams };
      return Object.fromEntries(Object.entries(all).filter(() => rng.chance(0.5)));
    }
    case 'POST /api/v1/auth/login': {
      const demo = fb.demo?.users ?? [];
      if (demo.length > 0 && rng.chance(0.15)) {
        const u = rng.pick(demo);
        return { username: u.name, password: u.password };
      }
      return {
        username: rng.pick(['demo-admin', 'demo-lead', randomString(rng, 40)]),
        password: randomString(rng, 60),
      };
    }
    default:
      return {};
  }
}

/** A body and its headers: mutated or random JSON, broken JSON, huge or deep, wrong type or encoding. */
function bodyFor(
  rng: Rng,
  route: RouteUnderTest,
): { body?: string | Buffer; headers: Record<string, string> } {
  const json = { 'content-type': 'application/json' };
  const r = rng.next();
  if (r < 0.35) return { body: JSON.stringify(mutateJson(rng, template(rng, route))), headers: json };
  if (r < 0.45) return { body: JSON.stringify(template(rng, route)), headers: json };
  if (r < 0.6) return { body: randomJsonText(rng, 4), headers: json };
  if (r < 0.7) {
    const broken = [
      '{',
      '{"a":',
      "{'a':1}",
      '{"a":1,}',
      '[1,2',
      'NaN',
      '{"a":NaN}',
      '// c\n{}',
      '\uFEFF{}',
      'null',
    ];
    return {
      body: rng.pick([...broken, '"s"', '1', '{"a":"\\x"}', '{"__proto__":{"polluted":true}}', '']),
      headers: json,
    };
  }
  if (r < 0.75) return { body: deepNesting(rng, rng.int(1000, 20_000)), headers: json };
  if (r < 0.78) return { body: `{"a":"${'x'.repeat(rng.int(66_000, 200_000))}"}`, headers: json };
  if (r < 0.9) {
    const body = JSON.stringify(template(rng, route));
    const type = rng.pick([
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=xyz',
      'application/xml',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'application/vnd.api+json',
      'application/json; charset="',
      '*/*',
    ]);
    return { body: rng.chance(0.2) ? 'a=b&__proto__[polluted]=1' : body, headers: { 'content-type': type } };
  }
  if (r < 0.95) {
    const encoding = rng.pick(['gzip', 'deflate', 'br', 'x-unknown', 'gzip, gzip']);
    const garbage = Buffer.from(Array.from({ length: rng.int(1, 300) }, () => rng.int(0, 255)));
    return { body: garbage, headers: { ...json, 'content-encoding': encoding } };
  }
  return { headers: rng.chance(0.5) ? json : {} };
}

/** Credentials: mostly a token allowed on the route, else a forbidden role, none, or garbage. */
function credentials(rng: Rng, route: RouteUnderTest): Record<string, string> {
  const allowed = [...tokens.keys()].filter(
    (k) =>
      route.permission === null ||
      roleHas(k === 'lead-sales' ? 'lead' : (k as (typeof ROLES)[number]), route.permission),
  );
  const others = [...tokens.keys()].filter((k) => !allowed.includes(k));
  const bearer = (k: string) => ({ authorization: `Bearer ${tokens.get(k) ?? ''}` });
  const r = rng.next();
  if (r < 0.7 && allowed.length > 0) return bearer(rng.pick(allowed));
  if (r < 0.8 && others.length > 0) return bearer(rng.pick(others));
  if (r < 0.87) return {};
  const valid = tokens.get('admin') ?? '';
  return rng.pick<Record<string, string>>([
    { authorization: `Bearer ${ascii(rng, 80)}` },
    { authorization: 'Bearer' },
    { authorization: 'Basic dXNlcjpwYXNz' },
    { authorization: `Bearer fbt_${'A'.repeat(43)}` },
    { authorization: `Bearer ${valid} extra` },
    { authorization: `Bearer ${valid.slice(0, -1)}` },
    { authorization: `Bearer ${'x'.repeat(8000)}` },
    { cookie: `floorboard_session=${ascii(rng, 60)}` },
    {
      cookie: `floorboard_session=${encodeURIComponent('%'.repeat(50))}; floorboard_session=x`,
      origin: 'null',
    },
    { cookie: `floorboard_session=${ascii(rng, 40)}`, origin: 'https://evil.example' },
  ]);
}

function probeFor(rng: Rng, route: RouteUnderTest): Probe {
  const method = rng.chance(0.08)
    ? rng.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
    : route.method;
  const path = route.path.replace(/:\w+/g, () => pathParam(rng));
  const query = route.method === 'GET' || rng.chance(0.2) ? queryString(rng, route) : '';
  const headers: Record<string, string> = { 'x-forwarded-for': randomIp(rng), ...credentials(rng, route) };
  if (method === 'GET' || method === 'OPTIONS') return { method, url: `${fb.url}${path}${query}`, headers };
  const { body, headers: bodyHeaders } = bodyFor(rng, route);
  return {
    method,
    url: `${fb.url}${path}${query}`,
    headers: { ...headers, ...bodyHeaders },
    ...(body === undefined ? {} : { body }),
  };
}

/** Answers seen, by status, for the run's summary. */
const statuses: Record<string, number> = {};

/** Sends a probe; returns what was wrong with the answer, or null. */
async function send(p: Probe): Promise<string | null> {
  const what = `${p.method} ${p.url.slice(fb.url.length, fb.url.length + 160)}`;
  let res: Response;
  try {
    res = await fetch(p.url, {
      method: p.method,
      headers: p.headers,
      redirect: 'manual',
      ...(p.body === undefined ? {} : { body: p.body }),
    });
  } catch (err) {
    return `${what}: no answer (${(err as Error).message})`;
  }
  const text = await res.text();
  statuses[res.status] = (statuses[res.status] ?? 0) + 1;
  if (res.status >= 500) return `${what}: ${res.status} ${text.slice(0, 200)}`;
  if (res.status < 400) return null;
  try {
    const body = JSON.parse(text) as { error?: unknown };
    return typeof body.error === 'string'
      ? null
      : `${what}: ${res.status} without an error string: ${text.slice(0, 200)}`;
  } catch {
    return `${what}: ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`;
  }
}

function routesUnderTest(): RouteUnderTest[] {
  return [
    ...fb.routes.map((r) => ({
      method: r.method.toUpperCase(),
      path: `/api/v1${r.path}`,
      permission: r.permission,
    })),
    { method: 'POST', path: '/api/v1/auth/login', permission: null },
    { method: 'POST', path: '/api/v1/auth/logout', permission: null },
    { method: 'GET', path: '/api/v1/auth/me', permission: null },
    { method: 'GET', path: '/api/v1/health', permission: null },
    { method: 'GET', path: '/metrics', permission: 'metrics:read' },
  ];
}

async function fuzzRoute(rng: Rng, route: RouteUnderTest, count: number): Promise<string[]> {
  const probes = Array.from({ length: count }, () => probeFor(rng, route));
  return (await inBatches(probes, CONCURRENCY, send)).filter((p): p is string => p !== null);
}

async function expectHealthy(): Promise<void> {
  const res = await fetch(`${fb.url}/api/v1/health`);
  expect(res.status, reproduceWith(SEED, FILE)).toBe(200);
}

describe('fuzzed REST requests', () => {
  it('answers every route with a success or a 4xx JSON error, never a 500', async () => {
    onTestFailed(() => console.log(reproduceWith(SEED, FILE)));
    const rng = createRng(SEED);
    const started = Date.now();
    const routes = routesUnderTest();
    expect(routes.length).toBeGreaterThan(15);
    // Settings changes last: the reads after them run on whatever valid settings the fuzzer left.
    const ordered = [
      ...routes.filter((r) => r.path !== '/api/v1/settings' || r.method !== 'PUT'),
      ...routes.filter((r) => r.path === '/api/v1/settings' && r.method === 'PUT'),
    ];
    const problems: Record<string, string[]> = {};
    for (const route of ordered) {
      const found = await fuzzRoute(rng, route, PER_ROUTE);
      if (found.length > 0) problems[`${route.method} ${route.path}`] = found.slice(0, 5);
    }
    // New traffic is projected under whatever valid settings the fuzzer left, then every read again.
    const before = await fb.runtime.health();
    const traffic = protoNamedEvents().map((e) => ({ ...e, id: `${e.id}-again` }));
    await publishEvents(fb.runtime.publisher, fb.runtime.config.kafka.topics, traffic);
    await waitUntil('the new traffic applied', async () => {
      const h = await fb.runtime.health();
      return (
        h.eventsProcessed + h.deadLettered >= before.eventsProcessed + before.deadLettered + traffic.length
      );
    });
    expect((await fb.runtime.health()).deadLettered, 'nothing dead-lettered under the new settings').toBe(
      before.deadLettered,
    );
    for (const route of routes.filter((r) => r.method === 'GET')) {
      const found = await fuzzRoute(rng, route, 20);
      if (found.length > 0) problems[`${route.method} ${route.path} (after settings)`] = found.slice(0, 5);
    }
    expect(problems, reproduceWith(SEED, FILE)).toEqual({});
    await expectHealthy();
    console.log(
      `[fuzz-api] seed ${SEED}: ${ordered.length * PER_ROUTE} requests on ${ordered.length} routes in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `answers by status: ${JSON.stringify(statuses)}`,
    );
  });

  it('answers the ends of the calendar on every route that takes a date, without a 500', async () => {
    const auth = { authorization: `Bearer ${tokens.get('admin') ?? ''}` };
    const asked: string[] = [];
    for (const date of ['0000-01-01', '0001-01-01', '1970-01-01', '9999-12-31']) {
      for (const query of [
        `shifts?date=${date}`,
        `shifts?date=${date}&format=csv`,
        `audit?from=${date}`,
        `audit?to=${date}`,
      ]) {
        const res = await fetch(`${fb.url}/api/v1/${query}`, { headers: auth });
        asked.push(`${query} ${res.status}`);
        expect(res.status, query).toBeLessThan(500);
        if (res.status >= 400)
          expect(((await res.json()) as { error?: unknown }).error, query).toEqual(expect.any(String));
      }
    }
    expect(asked.filter((a) => a.endsWith(' 200')).length, asked.join('; ')).toBeGreaterThan(0);
  });

  it('serves entities named like Object.prototype members', async () => {
    expect((await fb.runtime.health()).deadLettered, 'every such event was applied').toBe(0);
    const auth = { authorization: `Bearer ${tokens.get('admin') ?? ''}` };
    const live = (await (await fetch(`${fb.url}/api/v1/live`, { headers: auth })).json()) as {
      agents: Array<{ agentId: string }>;
      queues: Array<{ queue: string }>;
    };
    expect(live.agents.map((a) => a.agentId)).toEqual(expect.arrayContaining(PROTO_KEYS));
    expect(live.queues.map((q) => q.queue)).toEqual(expect.arrayContaining(PROTO_KEYS));
    for (const id of PROTO_KEYS) {
      const res = await fetch(`${fb.url}/api/v1/tickets/${encodeURIComponent(id)}`, { headers: auth });
      expect(res.status, id).toBe(200);
      expect(await res.json(), id).toMatchObject({ ticketId: id });
    }
    const shifts = await fetch(`${fb.url}/api/v1/shifts`, { headers: auth });
    expect(shifts.status).toBe(200);
    const report = (await shifts.json()) as { day: { calls: { byQueue: Record<string, unknown> } } };
    expect(Object.keys(report.day.calls.byQueue)).toEqual(expect.arrayContaining(PROTO_KEYS));
  });
});

// ---- Socket.IO ----

const COMMANDS = ['subscribe', 'resync', 'reassign', 'acknowledge'] as const;
type Command = (typeof COMMANDS)[number];

function socketFor(auth: unknown, extraHeaders?: Record<string, string>): Socket {
  return connect(fb.url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 4000,
    auth: auth as Record<string, unknown>,
    ...(extraHeaders ? { extraHeaders } : {}),
  });
}

function connected(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.connected) resolve();
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
}

/** A payload for `command`: a mutated valid request, random JSON, a scalar, binary, or nothing. */
function payloadFor(rng: Rng, command: Command): unknown[] {
  const valid: Record<Command, () => unknown> = {
    subscribe: () => ({
      teams: rng.chance(0.5) ? ['sales'] : [],
      queues: rng.chance(0.5) ? ['support'] : [],
    }),
    resync: () => ({}),
    reassign: () => ({
      agentId: rng.pick(agentIds),
      reason: 'fuzz',
      items: [{ ticketId: rng.pick(ticketIds), expectedVersion: rng.int(0, 6) }],
    }),
    acknowledge: () => anAcknowledgement(rng),
  };
  const r = rng.next();
  if (r < 0.35) return [mutateJson(rng, valid[command]())];
  if (r < 0.45) return [valid[command]()];
  if (r < 0.65) return [randomJson(rng, 4)];
  if (r < 0.75) return [oddValue(rng)];
  if (r < 0.82) return [Buffer.from(Array.from({ length: rng.int(0, 64) }, () => rng.int(0, 255)))];
  if (r < 0.9) return [];
  return [randomJson(rng, 2), oddValue(rng), rng.pick(HOSTILE_STRINGS)];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** What is wrong with an ack, or null: it must be the command's answer or a known, non-internal error. */
function checkAck(command: Command, res: unknown): string | null {
  if (isObject(res) && 'error' in res) {
    const known =
      (REALTIME_ERRORS as readonly unknown[]).includes(res.error) && typeof res.message === 'string';
    if (!known) return `${command}: malformed error ack ${JSON.stringify(res).slice(0, 200)}`;
    return res.error === 'unavailable'
      ? `${command}: internal failure ${JSON.stringify(res).slice(0, 200)}`
      : null;
  }
  const ok =
    command === 'reassign'
      ? isObject(res) && Array.isArray(res.results)
      : command === 'acknowledge'
        ? isObject(res) && res.ok === true
        : isObject(res) && typeof res.seq === 'number' && isObject(res.data) && isObject(res.view);
  return ok ? null : `${command}: unexpected ack ${JSON.stringify(res).slice(0, 200)}`;
}

describe('fuzzed socket commands', () => {
  it('acks every command with its answer or an error code, and keeps the connection', async () => {
    onTestFailed(() => console.log(reproduceWith(SEED, FILE)));
    const rng = createRng(SEED + 1);
    const started = Date.now();
    const problems: string[] = [];
    const outcomes: Record<string, number> = {};
    // A supervisor (may do everything) and a lead scoped to sales (forbidden paths too).
    for (const who of ['supervisor', 'lead-sales']) {
      const socket = socketFor({ token: tokens.get(who) });
      await connected(socket);
      let disconnected: string | null = null;
      socket.on('disconnect', (reason) => (disconnected = reason));
      for (const command of COMMANDS) {
        const payloads = Array.from({ length: PER_COMMAND }, () => payloadFor(rng, command));
        await inBatches(payloads, CONCURRENCY, async (args) => {
          if (rng.chance(0.25)) {
            socket.emit(command, ...args); // no ack callback: the server must cope without one
            return;
          }
          try {
            const res: unknown = await socket.timeout(5000).emitWithAck(command, ...args);
            const outcome = `${command}:${isObject(res) && typeof res.error === 'string' ? res.error : 'ok'}`;
            outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
            const problem = checkAck(command, res);
            if (problem) problems.push(`${who} ${problem}`);
          } catch (err) {
            problems.push(
              `${who} ${command} ${JSON.stringify(args).slice(0, 120)}: no ack (${(err as Error).message})`,
            );
          }
        });
        const snapshot: unknown = await socket.timeout(5000).emitWithAck('subscribe', {});
        expect(checkAck('subscribe', snapshot), `${who} still subscribed after ${command}`).toBeNull();
      }
      expect(disconnected, `the ${who} connection survived`).toBeNull();
      expect(socket.connected).toBe(true);
      socket.disconnect();
    }
    expect(problems.slice(0, 10), reproduceWith(SEED, FILE)).toEqual([]);
    await expectHealthy();
    const acked = Object.values(outcomes).reduce((a, b) => a + b, 0);
    console.log(
      `[fuzz-api] seed ${SEED}: ${2 * COMMANDS.length * PER_COMMAND} socket commands (${acked} acked) in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `acks: ${JSON.stringify(outcomes)}`,
    );
  });

  it('refuses handshakes with garbage credentials, and stays up', async () => {
    onTestFailed(() => console.log(reproduceWith(SEED, FILE)));
    const valid = tokens.get('supervisor') ?? '';
    const garbage: Array<{ auth: unknown; headers?: Record<string, string> }> = [
      { auth: {} },
      { auth: { token: 123 } },
      { auth: { token: '' } },
      { auth: { token: null } },
      { auth: { token: [valid] } },
      { auth: { token: { $ne: null } } },
      { auth: { token: 'x'.repeat(30_000) } },
      { auth: { token: `fbt_${'A'.repeat(43)}` } },
      { auth: { token: '__proto__' } },
      { auth: JSON.parse(`{"__proto__":{"token":${JSON.stringify(valid)}}}`) },
      { auth: { Token: valid } },
      { auth: { token: `Bearer ${valid}` } },
      { auth: { token: `${valid} ` } },
      { auth: { token: valid.toUpperCase() } },
      { auth: (cb: (d: unknown) => void) => cb(null) },
      { auth: (cb: (d: unknown) => void) => cb('token') },
      { auth: (cb: (d: unknown) => void) => cb(42) },
      { auth: (cb: (d: unknown) => void) => cb([valid]) },
      { auth: {}, headers: { authorization: `Bearer ${valid.slice(0, -2)}` } },
      { auth: {}, headers: { authorization: 'Basic dXNlcjpwYXNz' } },
      { auth: {}, headers: { cookie: 'floorboard_session=garbage' } },
      {
        auth: {},
        headers: { cookie: `floorboard_session=${'%'.repeat(100)}`, origin: 'https://evil.example' },
      },
    ];
    const outcomes: string[] = [];
    for (const g of garbage) {
      const socket = socketFor(g.auth, g.headers);
      const received: string[] = [];
      socket.onAny((event: string) => received.push(event));
      const outcome = await new Promise<string>((resolve) => {
        const done = (what: string) => {
          clearTimeout(timer);
          resolve(what);
        };
        const timer = setTimeout(() => done('no answer'), 4000);
        socket.once('connect', () => done('connected'));
        socket.once('connect_error', (err) => done(`refused: ${err.message}`));
        // A refusal closes the manager just before `connect_error`: let that one speak first.
        socket.io.once('close', () => setImmediate(() => done('closed')));
      });
      socket.disconnect();
      outcomes.push(received.length > 0 ? `${outcome}, then sent ${received.join(',')}` : outcome);
    }
    // Objects are checked and refused; other values are refused, or are not a valid handshake packet at all.
    expect(outcomes, reproduceWith(SEED, FILE)).toEqual(
      garbage.map((g) =>
        typeof g.auth === 'function'
          ? expect.stringMatching(/^(refused: unauthorized|closed)$/)
          : 'refused: unauthorized',
      ),
    );

    // A message over the size limit closes its own connection only.
    const bystander = socketFor({ token: valid });
    const big = socketFor({ token: valid });
    await Promise.all([connected(bystander), connected(big)]);
    const closed = new Promise<string>((resolve) => big.once('disconnect', resolve));
    big.emit('subscribe', { teams: ['x'.repeat(100_000)] });
    expect(await closed).toMatch(/transport/);
    expect(checkAck('subscribe', await bystander.timeout(5000).emitWithAck('subscribe', {}))).toBeNull();
    bystander.disconnect();
    await expectHealthy();
  });
});
