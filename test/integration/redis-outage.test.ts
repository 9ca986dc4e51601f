/**
 * Redis is stopped in the middle of ingestion and started again: the consumer pauses and retries
 * without committing, health says degraded, and afterwards nothing is lost and nothing doubled.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../server/clock.ts';
import { createLogger } from '../../server/log.ts';
import { startRuntime } from '../../server/runtime.ts';
import { isolatedConfig, produceEvents, simulatedEvents, waitUntil } from '../support/kafka.ts';
import { normalize, observe } from '../support/observe.ts';
import { reference } from '../support/reference.ts';
import { freePort } from '../support/services.ts';

/** A redis-server whose data survives a restart (append-only file, fsync always). */
async function persistentRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'redis-aof-'));
  let child: ChildProcess | null = null;
  const url = `redis://127.0.0.1:${port}`;
  const start = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
      ],
      { stdio: 'ignore' },
    );
    await waitUntil('redis to answer', async () => {
      const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      c.on('error', () => undefined); // refused while starting: waitUntil polls again
      try {
        await c.connect();
        return (await c.ping()) === 'PONG';
      } finally {
        c.disconnect();
      }
    });
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    url,
    start,
    stop,
    cleanup: async () => (await stop(), rmSync(dir, { recursive: true, force: true })),
  };
}

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe('Redis outage during ingestion', () => {
  it('pauses while Redis is down and loses and doubles nothing once it is back', async () => {
    const redis = await persistentRedis();
    cleanups.push(redis.cleanup);
    const config = isolatedConfig('outage', { redisUrl: redis.url });
    const events = simulatedEvents(config, 6, 47);
    const half = Math.floor(events.length / 2);
    const runtime = await startRuntime({ config, clock: systemClock, log: createLogger('silent') });
    cleanups.unshift(() => runtime.stop());

    await produceEvents(config, events.slice(0, half));
    await waitUntil('first half applied', async () => (await runtime.health()).eventsProcessed === half);

    await redis.stop();
    await produceEvents(config, events.slice(half));
    await waitUntil('health to report the outage', async () => {
      const h = await runtime.health();
      return h.status === 'degraded' && !h.store.reachable && h.degradedSince !== null;
    });
    const during = runtime.ingestor.status();
    expect(during.storeFailures).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 2000)); // several retries while down

    await redis.start();
    await waitUntil(
      'every event applied',
      async () => (await runtime.health()).eventsProcessed === events.length,
      90_000,
    );
    const health = await runtime.health();
    expect(health).toMatchObject({ status: 'ok', duplicates: 0, degradedSince: null });

    const ref = reference(events, config);
    const got = await observe(runtime.store, runtime.keys, Object.keys(ref.aggregates));
    expect(normalize(got)).toEqual(normalize(ref));
  });
});
