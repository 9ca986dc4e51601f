/**
 * The consumer (`npm start` as a child process) is killed with SIGKILL at random points while it
 * ingests, and restarted each time; the final counters must equal the reference exactly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createShiftCalendar } from '../../server/domain/shifts.ts';
import { createKeys } from '../../server/store/keys.ts';
import { createRedisStore } from '../../server/store/redis-store.ts';
import { mulberry32 } from '../../streams/simulator.ts';
import { envFor, isolatedConfig, produceEvents, simulatedEvents, waitUntil } from '../support/kafka.ts';
import { normalize, observe } from '../support/observe.ts';
import { reference } from '../support/reference.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

function startConsumer(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', () => undefined);
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

async function sigkill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

describe('consumer crash safety', () => {
  it('ends with counters identical to the reference after SIGKILLs at random points during ingest', async () => {
    const config = isolatedConfig('kill');
    const events = simulatedEvents(config, 8, 23);
    const total = new Set(events.map((e) => e.id)).size;
    const half = Math.floor(events.length / 2);
    await produceEvents(config, events.slice(0, half));

    const store = await createRedisStore({ url: config.redis.url ?? '', prefix: config.redis.keyPrefix });
    const keys = createKeys(config.redis.keyPrefix);
    const processed = async () => Number((await store.hgetall([keys.stats()]))[0]?.eventsProcessed ?? 0);

    const rand = mulberry32(Date.now() % 100_000);
    const kills = 6;
    const points = Array.from({ length: kills }, () => Math.floor(total * (0.05 + 0.85 * rand()))).sort(
      (a, b) => a - b,
    );
    const seenAtKill: number[] = [];
    let child = startConsumer(envFor(config));
    for (const [i, point] of points.entries()) {
      if (i === 2) await produceEvents(config, events.slice(half)); // the rest arrives while crashing
      const target = Math.min(point, i < 2 ? half : total);
      await waitUntil(`consumer to pass ${target} events`, async () => (await processed()) >= target, 90_000);
      await sigkill(child);
      seenAtKill.push(await processed());
      child = startConsumer(envFor(config));
    }
    await waitUntil('every event applied', async () => (await processed()) === total, 120_000);
    await sigkill(child);

    // Kills really happened mid-ingest, not after the end.
    expect(seenAtKill.filter((n) => n < total).length).toBeGreaterThanOrEqual(5);
    const calendar = createShiftCalendar(config.timezone, config.shifts);
    const ref = reference(events, config, calendar);
    const got = await observe(store, keys, Object.keys(ref.aggregates));
    expect(normalize(got)).toEqual(normalize(ref));
    const [stats] = await store.hgetall([keys.stats()]);
    expect(Number(stats?.eventsProcessed)).toBe(total);
    await store.clear();
    await store.close();
  });
});
