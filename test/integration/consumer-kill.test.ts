/**
 * The consumer (`npm start` as a child process) is killed with SIGKILL at random points while it
 * ingests, and restarted each time; the final counters must equal the reference exactly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
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
    const kills = 6;
    // The events arrive in waves; each kill lands at a random point of ingestion while later waves
    // are still to come, so every kill is mid-ingest by construction.
    const waves = Array.from({ length: kills + 1 }, (_, i) =>
      events.slice(
        Math.floor((i * events.length) / (kills + 1)),
        Math.floor(((i + 1) * events.length) / (kills + 1)),
      ),
    );
    await produceEvents(config, waves[0] ?? []);

    const store = await createRedisStore({ url: config.redis.url ?? '', prefix: config.redis.keyPrefix });
    const keys = createKeys(config.redis.keyPrefix);
    const processed = async () => Number((await store.hgetall([keys.stats()]))[0]?.eventsProcessed ?? 0);

    const rand = mulberry32(Date.now() % 100_000);
    const seenAtKill: number[] = [];
    let produced = waves[0]?.length ?? 0;
    let child = startConsumer(envFor(config));
    for (let i = 0; i < kills; i++) {
      const before = produced - (waves[i]?.length ?? 0);
      const target = before + Math.floor((waves[i]?.length ?? 0) * (0.1 + 0.8 * rand()));
      await waitUntil(`consumer to pass ${target} events`, async () => (await processed()) >= target, 90_000);
      await sigkill(child);
      seenAtKill.push(await processed());
      await produceEvents(config, waves[i + 1] ?? []); // the next wave arrives while it is down
      produced += waves[i + 1]?.length ?? 0;
      child = startConsumer(envFor(config));
    }
    await waitUntil('every event applied', async () => (await processed()) === total, 120_000);
    await sigkill(child);

    // Kills really happened mid-ingest, not after the end.
    expect(seenAtKill).toHaveLength(kills);
    expect(seenAtKill.every((n) => n < total)).toBe(true);
    const ref = reference(events, config);
    const got = await observe(store, keys, Object.keys(ref.aggregates));
    expect(normalize(got)).toEqual(normalize(ref));
    const [stats] = await store.hgetall([keys.stats()]);
    expect(Number(stats?.eventsProcessed)).toBe(total);
    await store.clear();
    await store.close();
  });
});
