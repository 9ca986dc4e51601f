/**
 * The consumer (`npm start` as a child process) is killed with SIGKILL at random points while it
 * ingests, and restarted each time; the final counters must equal the reference exactly, over every
 * period the store holds, and each escalation its sweeper raised must be a real breach, raised once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeys } from '../../server/store/keys.ts';
import { createRedisStore } from '../../server/store/redis-store.ts';
import type { LiveStore } from '../../server/store/store.ts';
import { mulberry32 } from '../../streams/simulator.ts';
import { escalationsRaised, sweepAt } from '../support/escalations.ts';
import { envFor, isolatedConfig, produceEvents, simulatedEvents } from '../support/kafka.ts';
import { normalize, observeAll } from '../support/observe.ts';
import { escalationProblems, reference } from '../support/reference.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KILLS = 6;
/** Longest wait for one kill point; the whole test gets more than all its waits together. */
const KILL_WAIT_MS = 45_000;
const FINAL_WAIT_MS = 90_000;
const TEST_TIMEOUT_MS = KILLS * KILL_WAIT_MS + FINAL_WAIT_MS + 60_000;

const children = new Set<ChildProcess>();
/** Set when the file is done: a run that timed out must not start another consumer afterwards. */
let stopped = false;
let store: LiveStore | null = null;
afterAll(async () => {
  stopped = true;
  for (const c of children) c.kill('SIGKILL');
  await store?.clear();
  await store?.close();
});

function startConsumer(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  if (stopped) throw new Error('the test is over: not starting another consumer');
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return { child, output: () => tail };
}

async function sigkill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

/** Polls fast (a wave is ingested in well under a second) until `check` holds; fails after `ms`. */
async function pollUntil(what: string, check: () => Promise<boolean>, ms: number, output: () => string) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (stopped) throw new Error('the test is over');
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; consumer stderr:\n${output()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('consumer crash safety', () => {
  it(
    'ends with counters identical to the reference after SIGKILLs at random points during ingest',
    async () => {
      const config = isolatedConfig('kill');
      // A whole simulated day: about 10,000 events, so each wave takes the consumer a while.
      const events = simulatedEvents(config, 24, 23);
      const total = new Set(events.map((e) => e.id)).size;
      expect(total).toBe(events.length);
      // The events arrive in waves; each kill lands at a random point inside the wave being ingested
      // (checked below: fewer events applied than produced), and the next wave arrives while it is down.
      const waves = Array.from({ length: KILLS + 1 }, (_, i) =>
        events.slice(
          Math.floor((i * events.length) / (KILLS + 1)),
          Math.floor(((i + 1) * events.length) / (KILLS + 1)),
        ),
      );
      const s = await createRedisStore({ url: config.redis.url ?? '', prefix: config.redis.keyPrefix });
      store = s;
      const keys = createKeys(config.redis.keyPrefix);
      const processed = async () => Number((await s.hgetall([keys.stats()]))[0]?.eventsProcessed ?? 0);

      const seed = Date.now() % 100_000;
      const rand = mulberry32(seed);
      const seenAtKill: number[] = [];
      const producedAtKill: number[] = [];
      let produced = 0;
      let consumer = startConsumer(envFor(config));
      for (let i = 0; i < KILLS; i++) {
        const wave = waves[i] ?? [];
        await produceEvents(config, wave);
        produced += wave.length;
        const target = produced - wave.length + Math.floor(wave.length * (0.1 + 0.5 * rand()));
        const { output } = consumer;
        await pollUntil(
          `the consumer to pass ${target} events`,
          async () => (await processed()) >= target,
          KILL_WAIT_MS,
          output,
        );
        await sigkill(consumer.child);
        seenAtKill.push(await processed());
        producedAtKill.push(produced);
        consumer = startConsumer(envFor(config));
      }
      await produceEvents(config, waves[KILLS] ?? []);
      produced += waves[KILLS]?.length ?? 0;
      expect(produced).toBe(total);
      const { output } = consumer;
      await pollUntil(
        'every event applied',
        async () => (await processed()) === total,
        FINAL_WAIT_MS,
        output,
      );
      await sigkill(consumer.child);

      // Every kill landed while the wave it hit was still being ingested.
      expect(seenAtKill, `seed ${seed}`).toHaveLength(KILLS);
      seenAtKill.forEach((seen, i) =>
        expect(
          seen,
          `kill ${i + 1}: applied ${seen} of ${producedAtKill[i]} produced (seed ${seed})`,
        ).toBeLessThan(producedAtKill[i] ?? 0),
      );

      // No server runs any more: one last sweep at a known instant settles the real-time figures.
      const asOf = Date.now();
      await sweepAt(s, config, asOf);
      const raised = await escalationsRaised(s, config);
      expect(escalationProblems(events, config, raised, asOf)).toEqual([]);
      const ref = reference(events, config, { asOf, escalations: raised });
      const got = await observeAll(s, keys, config.redis.url ?? '');
      expect(normalize(got)).toEqual(normalize(ref));
      const [stats] = await s.hgetall([keys.stats()]);
      expect(Number(stats?.eventsProcessed)).toBe(total);
    },
    TEST_TIMEOUT_MS,
  );
});
