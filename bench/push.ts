/**
 * Push latency: event produced → delta received by socket clients, at 2,000 events/s with 500
 * connected clients. The full server runs in this process (`startFloorboard`, Kafka source, Redis
 * store); the clients and the producer run in worker threads (bench/push-load.ts) so they do not
 * share the server's event loop, on the clock every thread of the process shares. How latency is
 * observed: see lib/markers.ts; where it goes: lib/trace.ts.
 *
 * The clients are split over `clientThreads` threads (default 2): on one thread the 500 clients take
 * their turns decoding each delta (~50 ms from the first to the last), which real clients, each on
 * its own machine, do not; two threads halve that wait and are what a 2-core machine can run beside
 * the server. `--client-threads=1` shows the single-thread figure.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SYSTEM_ACTOR } from '../server/auth/records.ts';
import { systemClock } from '../server/clock.ts';
import { startFloorboard } from '../server/floorboard.ts';
import { createLogger } from '../server/log.ts';
import type { FleetCounts } from './lib/clients.ts';
import { produceAll, recentHistory } from './lib/events.ts';
import { installFetchWaitShim, SHIM_MAX_WAIT_MS, uninstallFetchWaitShim } from './lib/fetch-wait.ts';
import { benchConfig, createTopics, startInfra } from './lib/infra.ts';
import { loadAverage } from './lib/machine.ts';
import { profiled } from './lib/profile.ts';
import { histogramDelta, scrape } from './lib/prom.ts';
import { redisCpuSeconds } from './lib/proc.ts';
import type { BenchResult } from './lib/report.ts';
import { round } from './lib/stats.ts';
import { arrivalLatency } from './lib/markers.ts';
import { breakdown, startPushTrace, type MarkerTimes, type PushTrace } from './lib/trace.ts';
import { mailbox, startTsWorker } from './lib/worker.ts';
import type { PushLoadInput, PushLoadOutput, PushLoadStopped } from './push-load.ts';

export interface PushOptions {
  clients?: number;
  /** Events per second (default 2,000). */
  rate?: number;
  /** Measured seconds (default 60), after `warmupSeconds` (default 10) of the same load. */
  seconds?: number;
  warmupSeconds?: number;
  /**
   * The kafkajs fetch wait the mock-broker shim applies (lib/fetch-wait.ts), default 25 ms; null runs
   * without the shim (kafkajs' 5,000 ms default: shows the mock's artefact).
   */
  fetchWaitMs?: number | null;
  /** Milliseconds between produce requests (lib/load.ts; default 97). */
  tickMs?: number;
  /** The hub's coalescing period (config `realtime.flushMs`, 100–250); default: the config's (100). */
  flushMs?: number;
  /** Threads the clients are split over (one of them also produces); default 2. */
  clientThreads?: number;
}

const MARKER_QUEUE = 'bench-marker';
const TARGET_P99_MS = 250;

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`push benchmark: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The fleet counts of every load thread added up. */
function sumCounts(all: readonly FleetCounts[]): FleetCounts {
  const sum: FleetCounts = {
    clients: 0,
    connected: 0,
    deltas: 0,
    heartbeats: 0,
    gaps: 0,
    disconnects: 0,
    deltaChars: 0,
    measuredDeltas: 0,
  };
  for (const c of all) for (const k of Object.keys(sum) as Array<keyof FleetCounts>) sum[k] += c[k];
  return sum;
}

/** Runs the push-latency benchmark. */
export async function benchPush(opts: PushOptions = {}): Promise<BenchResult> {
  const clients = opts.clients ?? 500;
  const rate = opts.rate ?? 2000;
  const seconds = opts.seconds ?? 60;
  const warmupSeconds = opts.warmupSeconds ?? 10;
  const fetchWaitMs = opts.fetchWaitMs === undefined ? SHIM_MAX_WAIT_MS : opts.fetchWaitMs;
  const threads = Math.max(1, Math.min(clients, opts.clientThreads ?? 2));
  const loadBefore = loadAverage();
  const started = performance.now();
  const infra = await startInfra();
  if (fetchWaitMs !== null) installFetchWaitShim(fetchWaitMs);
  let trace: PushTrace | null = null;
  try {
    const base = benchConfig('push', infra);
    const config = { ...base, realtime: { flushMs: opts.flushMs ?? base.realtime.flushMs } };
    await createTopics(config, 4);
    // After the fetch-wait shim: the trace wraps the consumer the shim configures.
    trace = startPushTrace({
      groupId: config.kafka.groupId,
      topic: config.kafka.topics.calls,
      partition: 0,
      markerQueue: MARKER_QUEUE,
    });
    const history = recentHistory(config, 8);
    await produceAll(config, history);
    const fb = await startFloorboard({
      config,
      clock: systemClock,
      log: createLogger('silent'),
      serveWeb: false,
      realtimeTrace: trace.hub,
    });
    const workers: Array<ReturnType<typeof startTsWorker>> = [];
    try {
      await waitFor(
        'the history to be applied',
        async () => (await fb.runtime.health()).eventsProcessed >= history.length,
        60_000,
      );
      const token = (await fb.access.tokens.create({ role: 'supervisor' }, SYSTEM_ACTOR)).token;
      const adminToken = (await fb.access.tokens.create({ role: 'admin' }, SYSTEM_ACTOR)).token;
      for (let i = 0; i < threads; i++) {
        const input: PushLoadInput = {
          url: fb.url,
          token,
          config,
          clients: Math.floor(clients / threads) + (i < clients % threads ? 1 : 0),
          produce: i === 0,
          rate,
          warmupSeconds,
          seconds,
          markerQueue: MARKER_QUEUE,
          ...(opts.tickMs === undefined ? {} : { tickMs: opts.tickMs }),
        };
        workers.push(startTsWorker(new URL('./push-load.ts', import.meta.url), input));
      }
      const boxes = workers.map(mailbox);
      const [producer] = boxes;
      if (!producer) throw new Error('no load thread');
      await Promise.all(boxes.map((b) => b.next('connected', 300_000)));
      workers[0]?.postMessage({ type: 'go' });
      const { measureFrom } = await producer.next<{ measureFrom: number }>(
        'measuring',
        (warmupSeconds + 60) * 1000,
      );
      for (const w of workers) w.postMessage({ type: 'measure' });

      // The server's side of the measured window: its event loop, CPU (this process: server and
      // worker), Redis CPU, and the hub's own "batch stored → delta emitted" histogram.
      const metricsUrl = `${fb.url}/metrics`;
      const scrape0 = await scrape(metricsUrl, adminToken);
      const loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      const cpu0 = process.cpuUsage();
      const elu0 = performance.eventLoopUtilization();
      const redis0 = await redisCpuSeconds(infra.redis.url);
      const t0 = performance.now();
      const stopped = await profiled('push-server', () =>
        producer.next<PushLoadStopped>('stopped', (seconds + 60) * 1000),
      );
      const wall = (performance.now() - t0) / 1000;
      loop.disable();
      const cpu = process.cpuUsage(cpu0);
      const elu = performance.eventLoopUtilization(elu0);
      const redisCpu = (await redisCpuSeconds(infra.redis.url)) - redis0;
      const pushHist = histogramDelta(
        scrape0,
        await scrape(metricsUrl, adminToken),
        'floorboard_push_latency_seconds',
      );
      for (const w of workers) w.postMessage({ type: 'finish', markers: stopped.sent.length });
      const outs = await Promise.all(boxes.map((b) => b.next<PushLoadOutput>('done', 60_000)));
      const health = await fb.runtime.health();
      const seen = arrivalLatency(
        new Map(stopped.sent),
        outs.map((o) => new Map(o.arrivals)),
        measureFrom,
        clients,
      );
      const out = {
        latency: seen.all.summary(),
        firstClient: seen.firstClient.summary(),
        lastClient: seen.lastClient.summary(),
        markers: { sent: stopped.sent.length, measured: seen.measured, incomplete: seen.incomplete },
        load: stopped.load,
        fleet: sumCounts(outs.map((o) => o.fleet)),
        connectSeconds: Math.max(...outs.map((o) => o.connectSeconds)),
        clientLoopDelay: outs.map((o) => o.loopDelay),
      };
      const times = new Map<number, MarkerTimes>(
        seen.times.map(([k, sent, first, last]) => [k, { sent, first, last }]),
      );
      const stages = breakdown(trace, times);
      const hub = fb.realtime.stats();

      const p99 = out.latency.p99;
      return {
        bench: 'push',
        title: `event produced → delta received, ${rate} events/s, ${clients} clients, flush ${config.realtime.flushMs} ms`,
        loadBefore,
        loadAfter: loadAverage(),
        seconds: (performance.now() - started) / 1000,
        metrics: [
          { name: 'latency p50', value: out.latency.p50, unit: 'ms' },
          { name: 'latency p95', value: out.latency.p95, unit: 'ms' },
          { name: 'latency p99', value: p99, unit: 'ms' },
          { name: 'latency max', value: out.latency.max, unit: 'ms' },
          { name: 'events produced', value: out.load.rate, unit: 'events/s' },
          { name: 'clients', value: out.fleet.connected, unit: 'connected' },
          { name: 'samples (markers × clients)', value: out.latency.count, unit: '' },
          { name: 'server event-loop delay p99', value: loop.percentile(99) / 1e6, unit: 'ms' },
        ],
        target: {
          description: `p99 ≤ ${TARGET_P99_MS} ms`,
          met: p99 <= TARGET_P99_MS && out.markers.incomplete === 0 && out.fleet.gaps === 0,
        },
        details: {
          clients,
          clientThreads: threads,
          rate,
          warmupSeconds,
          measuredSeconds: seconds,
          flushMs: config.realtime.flushMs,
          tickMs: opts.tickMs ?? 97,
          kafkaFetchMaxWaitMs: fetchWaitMs ?? 'kafkajs default (5000)',
          latencyMs: out.latency,
          firstClientMs: out.firstClient,
          lastClientMs: out.lastClient,
          hubStoredToEmittedMs: pushHist,
          breakdown: stages,
          markers: out.markers,
          load: out.load,
          fleet: out.fleet,
          meanDeltaChars: round(out.fleet.deltaChars / Math.max(1, out.fleet.measuredDeltas)),
          connectSeconds: out.connectSeconds,
          clientLoopDelayMs: out.clientLoopDelay,
          serverLoopDelayMs: {
            p50: round(loop.percentile(50) / 1e6),
            p99: round(loop.percentile(99) / 1e6),
            max: round(loop.max / 1e6),
          },
          serverThreadUtilisation: round(elu.utilization, 3),
          processCpuCores: round((cpu.user + cpu.system) / 1e6 / wall, 2),
          redisCpuCores: round(redisCpu / wall, 3),
          consumerLagAtEnd: health.consumerLag,
          eventsProcessed: health.eventsProcessed,
          deadLettered: health.deadLettered,
          hub,
        },
      };
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
      await fb.stop();
    }
  } finally {
    trace?.uninstall();
    uninstallFetchWaitShim();
    await infra.stop();
  }
}
