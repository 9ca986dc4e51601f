/**
 * What an operator sees: `GET /api/v1/health` (its status only without credentials; with them, which
 * store and event source are in use, eventsProcessed, deadLettered, lastEventAt) and the loud log lines
 * at start saying which store and source the process uses — for `npm start` on Redis and Kafka, and
 * for the embedded default.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../server/clock.ts';
import type { HealthResponse } from '../../server/contract/api.ts';
import type { CcEvent } from '../../server/contract/events.ts';
import { startFloorboard, type Floorboard } from '../../server/floorboard.ts';
import { daytimeZone } from '../support/daytime.ts';
import { ev } from '../support/events.ts';
import { testConfig } from '../support/harness.ts';
import { envFor, isolatedConfig, produceEvents, produceRaw, waitUntil } from '../support/kafka.ts';
import { freePort, uniqueName } from '../support/services.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const children: ChildProcess[] = [];
const servers: Floorboard[] = [];
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const s of servers) await s.stop();
});

/** pino JSON lines, parsed. */
function logLines(text: string): Array<Record<string, unknown>> {
  return text.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env, stdio: 'pipe' });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')}: ${out}`))));
  });
}

async function health(url: string, token?: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(
    `${url}/api/v1/health`,
    token ? { headers: { authorization: `Bearer ${token}` } } : {},
  );
  return { status: res.status, body: await res.json() };
}

describe('health and start-up logs', () => {
  it('npm start on Redis and Kafka says so loudly and reports its figures on /api/v1/health', async () => {
    const config = isolatedConfig('health');
    const env: NodeJS.ProcessEnv = { ...process.env, ...envFor(config), LOG_LEVEL: 'info' };
    delete env.FLOORBOARD_CONFIG;
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: ROOT,
      env,
      stdio: 'pipe',
    });
    children.push(child);
    let output = '';
    child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
    await waitUntil('it to listen', async () => /floorboard listening on/.test(output), 60_000).catch(
      (err: Error) => {
        throw new Error(`${err.message}:\n${output.slice(-3000)}`);
      },
    );
    const lines = logLines(output);
    const url = /floorboard listening on (http:\/\/localhost:\d+)/.exec(output)?.[1] ?? '';
    expect(lines.find((l) => l.msg === `USING THE REDIS AT ${config.redis.url} (REDIS_URL)`)).toMatchObject({
      level: 40,
      store: 'redis',
    });
    expect(lines.find((l) => l.msg === 'CONSUMING FROM KAFKA')).toMatchObject({
      level: 40,
      source: 'kafka',
      brokers: config.kafka.brokers,
      groupId: config.kafka.groupId,
    });
    expect(lines.find((l) => String(l.msg).startsWith('floorboard listening on'))).toMatchObject({
      store: 'redis',
      source: 'kafka',
    });

    const t = (minAgo: number) => new Date(Date.now() - minAgo * 60_000).toISOString();
    const events: CcEvent[] = [
      ev.agent({ agentId: 'h-1', state: 'available', ts: t(30) }),
      ev.queued({ callId: 'h-c1', ts: t(20) }),
      ev.answered({ callId: 'h-c1', agentId: 'h-1', ts: t(19) }),
      ev.ticket({ ticketId: 'h-t1', ts: t(10) }),
    ];
    await produceEvents(config, events);
    await produceRaw(config, config.kafka.topics.calls, [
      { key: 'bad-1', value: 'not json' },
      { key: 'bad-2', value: JSON.stringify({ id: 'x', type: 'call.exploded', ts: t(1) }) },
    ]);
    const token = /\b(fbt_[A-Za-z0-9_-]{20,})/.exec(
      await run(['server/cli.ts', 'token', 'create', '--role', 'wallboard'], env),
    )?.[1];
    expect(token).toBeDefined();
    await waitUntil('the events applied', async () => {
      const h = (await health(url, token)).body as HealthResponse;
      return h.eventsProcessed === events.length && h.deadLettered === 2;
    });

    // Without credentials: the status only, for load balancers.
    expect(await health(url)).toEqual({ status: 200, body: { status: 'ok' } });
    const { status, body } = await health(url, token);
    expect(status).toBe(200);
    const h = body as HealthResponse;
    expect(h).toMatchObject({
      status: 'ok',
      store: { kind: 'redis', reachable: true },
      source: { kind: 'kafka', connected: true },
      eventsProcessed: events.length,
      deadLettered: 2,
      duplicates: 0,
      degradedSince: null,
      rebuilding: false,
    });
    // The event time of an applied event (that of the newest event in the last batch stored).
    expect(events.map((e) => new Date(e.ts).toISOString())).toContain(h.lastEventTs);
    expect([...h.source.topics].sort()).toEqual(
      [
        config.kafka.topics.calls,
        config.kafka.topics.agents,
        config.kafka.topics.tickets,
        config.kafka.topics.surveys,
      ].sort(),
    );
    expect(h.store.location).toContain(new URL(config.redis.url ?? '').port);
    const lastEventAt = Date.parse(h.lastEventAt ?? '');
    expect(Date.now() - lastEventAt).toBeGreaterThanOrEqual(0);
    expect(Date.now() - lastEventAt).toBeLessThan(60_000);
  }, 120_000);

  it('the embedded default says it uses the in-process store and event source, and health agrees', async () => {
    let logged = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged += chunk.toString();
        done();
      },
    });
    const base = testConfig();
    const fb = await startFloorboard({
      config: {
        ...base,
        port: 0,
        timezone: daytimeZone(),
        redis: { url: null, keyPrefix: `${uniqueName('health-embedded')}:` },
        kafka: { ...base.kafka, brokers: [] },
        simulator: { ...base.simulator, enabled: 'auto', backfillMinutes: 60 },
      },
      clock: systemClock,
      log: pino({ name: 'floorboard', level: 'info' }, sink),
      localRedisUrl: `redis://127.0.0.1:${await freePort()}`,
      serveWeb: false,
    });
    servers.push(fb);
    const lines = logLines(logged);
    expect(
      lines.find((l) => /^REDIS_URL is not set and .*: USING THE IN-PROCESS STORE/.test(String(l.msg))),
    ).toMatchObject({ level: 40 });
    expect(
      lines.find((l) => l.msg === 'KAFKA_BROKERS is not set: USING THE IN-PROCESS EVENT SOURCE'),
    ).toMatchObject({
      level: 40,
      source: 'in-process',
    });
    expect(lines.find((l) => String(l.msg).startsWith('floorboard listening on'))).toMatchObject({
      store: 'in-memory',
      source: 'in-process',
    });

    const token = fb.demo?.tokens.find((t) => t.role === 'wallboard')?.token;
    expect(token).toBeDefined();
    await waitUntil('simulated events applied', async () => {
      const h = (await health(fb.url, token)).body as HealthResponse;
      return h.eventsProcessed > 100;
    });
    expect(await health(fb.url)).toEqual({ status: 200, body: { status: 'ok' } });
    const h = (await health(fb.url, token)).body as HealthResponse;
    expect(h).toMatchObject({
      status: 'ok',
      store: { kind: 'in-memory', reachable: true },
      source: { kind: 'in-process', connected: true },
      simulator: { running: true },
      deadLettered: 0,
    });
    expect(Date.now() - Date.parse(h.lastEventAt ?? '')).toBeLessThan(60_000);
  }, 60_000);
});
