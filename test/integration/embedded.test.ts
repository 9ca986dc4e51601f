/** The embedded default: no Kafka configured, the in-process bus and the built-in simulator. */
import { afterEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { systemClock } from '../../server/clock.ts';
import { createLogger } from '../../server/log.ts';
import { startRuntime, type Runtime } from '../../server/runtime.ts';
import { testConfig } from '../support/harness.ts';
import { freePort, uniqueName } from '../support/services.ts';
import { waitUntil } from '../support/kafka.ts';
import { daytimeZone } from '../support/daytime.ts';

const running: Runtime[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
});

function embeddedConfig() {
  const base = testConfig();
  return {
    ...base,
    // The simulated centre is quiet at night: run it where it is late morning now.
    timezone: daytimeZone(),
    redis: { url: null, keyPrefix: `${uniqueName('embedded')}:` },
    kafka: { ...base.kafka, brokers: [] },
    simulator: { ...base.simulator, enabled: 'auto' as const, backfillMinutes: 90 },
  };
}

describe('embedded default', () => {
  it('runs on the in-process store when no Redis answers, with simulator events flowing into the counters', async () => {
    const runtime = await startRuntime({
      config: embeddedConfig(),
      clock: systemClock,
      log: createLogger('silent'),
      localRedisUrl: `redis://127.0.0.1:${await freePort()}`,
    });
    running.push(runtime);
    await waitUntil('simulated events applied', async () => (await runtime.health()).eventsProcessed > 100);
    const first = await runtime.health();
    expect(first).toMatchObject({
      status: 'ok',
      store: { kind: 'in-memory', reachable: true },
      source: { kind: 'in-process', connected: true },
      simulator: { running: true },
      deadLettered: 0,
    });
    const live = await runtime.live();
    expect(live.agents.length).toBeGreaterThan(10);
    expect(live.queues.reduce((n, q) => n + q.shift.offered, 0) + live.tickets.open).toBeGreaterThan(0);
    // It keeps flowing in real time.
    await waitUntil(
      'more events',
      async () => (await runtime.health()).eventsProcessed > first.eventsProcessed,
      30_000,
    );
  });

  it('uses a Redis found locally, in its own key space that a restart clears', async () => {
    const config = embeddedConfig();
    const deps = {
      config,
      clock: systemClock,
      log: createLogger('silent'),
      localRedisUrl: inject('redisUrl'),
    };
    const a = await startRuntime(deps);
    running.push(a);
    expect((await a.health()).store.kind).toBe('redis');
    expect(a.store.prefix).toBe(`${config.redis.keyPrefix}embedded:`);
    await waitUntil('events', async () => (await a.health()).eventsProcessed > 100);
    expect((await a.live()).agents.length).toBeGreaterThan(0);
    await a.stop();
    running.pop();
    // Restart without the simulator: the previous run's state must be gone, not mixed in.
    const b = await startRuntime({
      ...deps,
      config: { ...config, simulator: { ...config.simulator, enabled: false } },
    });
    running.push(b);
    expect((await b.health()).eventsProcessed).toBe(0);
    expect((await b.live()).agents).toEqual([]);
  });
});
