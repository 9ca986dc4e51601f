/**
 * Fan-out: server CPU and RSS with 2,000 connected clients receiving updates while events flow. The
 * server runs as a child process (`node --import tsx server/main.ts`, configured by environment) and
 * is measured from outside through /proc/PID/stat and /proc/PID/status; the clients (socket.io-client)
 * and the producer run in this process. A baseline with the same event flow and no clients comes first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAccess } from '../server/auth/index.ts';
import { SYSTEM_ACTOR } from '../server/auth/records.ts';
import { systemClock } from '../server/clock.ts';
import type { HealthResponse } from '../server/contract/api.ts';
import { createLogger } from '../server/log.ts';
import { createRedisStore } from '../server/store/redis-store.ts';
import { freePort } from '../test/support/services.ts';
import type { Config } from '../config/schema.ts';
import { connectFleet, type Fleet } from './lib/clients.ts';
import { produceAll, recentHistory } from './lib/events.ts';
import { SHIM_MAX_WAIT_MS } from './lib/fetch-wait.ts';
import { benchConfig, createTopics, envFor, startInfra } from './lib/infra.ts';
import { startPacedLoad } from './lib/load.ts';
import { loadAverage } from './lib/machine.ts';
import { MarkerLatency } from './lib/markers.ts';
import { peakRss, sampleProc, type ProcSample } from './lib/proc.ts';
import type { BenchResult } from './lib/report.ts';
import { round } from './lib/stats.ts';

export interface FanoutOptions {
  clients?: number;
  /** Events per second while measuring (default 2,000). */
  rate?: number;
  /** Measured seconds with every client connected (default 30). */
  seconds?: number;
  /** Seconds measured with events flowing and no clients (default 10). */
  baselineSeconds?: number;
  warmupSeconds?: number;
  /** The server's coalescing period (config `realtime.flushMs`); default: the config's (100). */
  flushMs?: number;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PRELOAD = fileURLToPath(new URL('./lib/fetch-wait-preload.ts', import.meta.url));
const TARGET_CORES = 1;
const TARGET_RSS = 500 * 2 ** 20;
const MARKER_QUEUE = 'bench-marker';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Tokens made straight in the store the child will use (its access control reads the same keys). */
async function makeTokens(config: Config): Promise<{ supervisor: string; admin: string }> {
  const store = await createRedisStore({ url: config.redis.url ?? '', prefix: config.redis.keyPrefix });
  try {
    const access = createAccess({
      store,
      clock: systemClock,
      log: createLogger('silent'),
      config,
      embedded: false,
    });
    const supervisor = (await access.tokens.create({ role: 'supervisor' }, SYSTEM_ACTOR)).token;
    const admin = (await access.tokens.create({ role: 'admin' }, SYSTEM_ACTOR)).token;
    return { supervisor, admin };
  } finally {
    await store.close();
  }
}

function startServer(
  config: Config,
  configFile: string | null,
): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', PRELOAD, 'server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...envFor(config),
      BENCH_FETCH_WAIT_MS: String(SHIM_MAX_WAIT_MS),
      ...(configFile ? { FLOORBOARD_CONFIG: configFile } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const collect = (b: Buffer) => (tail = (tail + b.toString('utf8')).slice(-4000));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return { child, output: () => tail };
}

async function health(url: string, token: string): Promise<HealthResponse | null> {
  try {
    const res = await fetch(`${url}/api/v1/health`, { headers: { authorization: `Bearer ${token}` } });
    return (await res.json()) as HealthResponse;
  } catch {
    return null;
  }
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** CPU cores used between samples, and RSS over them. */
function usage(samples: ProcSample[]) {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last || last.at === first.at)
    return { cores: Number.NaN, rssMeanMiB: Number.NaN, rssMaxMiB: Number.NaN, rssMax: Number.NaN };
  const rss = samples.map((s) => s.rssBytes);
  return {
    cores: round((last.cpuSeconds - first.cpuSeconds) / ((last.at - first.at) / 1000), 3),
    rssMeanMiB: round(rss.reduce((a, b) => a + b, 0) / rss.length / 2 ** 20),
    rssMaxMiB: round(Math.max(...rss) / 2 ** 20),
    rssMax: Math.max(...rss),
  };
}

async function sampleFor(pid: number, seconds: number): Promise<ProcSample[]> {
  const samples = [sampleProc(pid)];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    await sleep(Math.min(1000, end - performance.now()));
    samples.push(sampleProc(pid));
  }
  return samples;
}

/** Runs the fan-out benchmark. */
export async function benchFanout(opts: FanoutOptions = {}): Promise<BenchResult> {
  const clients = opts.clients ?? 2000;
  const rate = opts.rate ?? 2000;
  const seconds = opts.seconds ?? 30;
  const baselineSeconds = opts.baselineSeconds ?? 10;
  const warmupSeconds = opts.warmupSeconds ?? 10;
  const loadBefore = loadAverage();
  const started = performance.now();
  const infra = await startInfra();
  try {
    const config: Config = { ...benchConfig('fanout', infra), port: await freePort() };
    await createTopics(config, 4);
    const history = recentHistory(config, 8);
    await produceAll(config, history);
    const tokens = await makeTokens(config);
    const url = `http://127.0.0.1:${config.port}`;
    // The flush period has no environment variable: a config file (merged over the defaults) sets it.
    let configFile: string | null = null;
    if (opts.flushMs !== undefined) {
      configFile = join(mkdtempSync(join(tmpdir(), 'fb-bench-')), 'config.json');
      writeFileSync(configFile, JSON.stringify({ realtime: { flushMs: opts.flushMs } }));
    }
    const server = startServer(config, configFile);
    const pid = server.child.pid;
    let fleet: Fleet | null = null;
    let load: Awaited<ReturnType<typeof startPacedLoad>> | null = null;
    try {
      if (pid === undefined) throw new Error('the server process did not start');
      const ready = performance.now() + 90_000;
      for (;;) {
        if (server.child.exitCode !== null)
          throw new Error(`the server exited (${server.child.exitCode}):\n${server.output()}`);
        const h = await health(url, tokens.admin);
        if (h && h.eventsProcessed >= history.length) break;
        if (performance.now() > ready) throw new Error(`the server did not catch up:\n${server.output()}`);
        await sleep(250);
      }
      const idle = usage(await sampleFor(pid, 3));

      const markers = new MarkerLatency(MARKER_QUEUE, clients);
      load = await startPacedLoad(config, {
        rate,
        markerQueue: MARKER_QUEUE,
        onMarker: (k, at) => markers.sent(k, at),
      });
      await sleep(3000);
      const baseline = usage(await sampleFor(pid, baselineSeconds));

      const t0 = performance.now();
      fleet = await connectFleet({
        url,
        token: tokens.supervisor,
        clients,
        onDelta: (i, d, at) => void markers.observe(i, d, at),
      });
      const connectSeconds = (performance.now() - t0) / 1000;
      await sleep(warmupSeconds * 1000);
      markers.measureFrom = markers.markersSent + 1;
      const before = fleet.counts();
      const samples = await sampleFor(pid, seconds);
      const after = fleet.counts();
      const measured = usage(samples);
      const loadStats = await load.stop();
      load = null;
      const end = performance.now() + 10_000;
      while (markers.seenByAll() < markers.markersSent && performance.now() < end) await sleep(50);
      const books = markers.finish();
      const h = await health(url, tokens.admin);
      const hwm = peakRss(pid);
      const deltasPerSecond = (after.deltas - before.deltas) / seconds;
      const met =
        measured.cores < TARGET_CORES && measured.rssMax < TARGET_RSS && after.connected === clients;
      return {
        bench: 'fanout',
        title: `${clients} clients, ${rate} events/s, flush ${opts.flushMs ?? config.realtime.flushMs} ms: server CPU and RSS`,
        loadBefore,
        loadAfter: loadAverage(),
        seconds: (performance.now() - started) / 1000,
        metrics: [
          { name: `server CPU, ${clients} clients`, value: measured.cores, unit: 'cores' },
          { name: `server RSS max, ${clients} clients`, value: measured.rssMaxMiB, unit: 'MiB' },
          { name: 'server CPU, no clients (same events)', value: baseline.cores, unit: 'cores' },
          { name: 'server RSS max, no clients', value: baseline.rssMaxMiB, unit: 'MiB' },
          { name: 'deltas delivered', value: deltasPerSecond, unit: 'deltas/s' },
          { name: 'clients connected at end', value: after.connected, unit: '' },
          { name: 'deltas per client', value: deltasPerSecond / clients, unit: 'per s' },
        ],
        target: {
          description: `< ${TARGET_CORES} core and < ${TARGET_RSS / 2 ** 20} MB`,
          met,
        },
        details: {
          clients,
          rate,
          measuredSeconds: seconds,
          flushMs: opts.flushMs ?? config.realtime.flushMs,
          idleNoLoad: idle,
          baselineNoClients: baseline,
          withClients: measured,
          peakRssMiB: round(hwm / 2 ** 20),
          connectSeconds: round(connectSeconds),
          deltasPerClientPerSecond: round(deltasPerSecond / clients, 2),
          meanDeltaChars: round(after.deltaChars / Math.max(1, after.measuredDeltas)),
          fleet: after,
          latencyMs: markers.all.summary(),
          firstClientMs: markers.firstClient.summary(),
          lastClientMs: markers.lastClient.summary(),
          markers: { sent: markers.markersSent, ...books },
          load: loadStats,
          consumerLagAtEnd: h?.consumerLag ?? null,
          kafkaFetchMaxWaitMs: SHIM_MAX_WAIT_MS,
          samples: samples.map((s) => ({
            t: round((s.at - (samples[0]?.at ?? 0)) / 1000, 2),
            cpuSeconds: s.cpuSeconds,
            rssMiB: round(s.rssBytes / 2 ** 20),
          })),
        },
      };
    } finally {
      fleet?.close();
      await load?.stop().catch(() => undefined);
      await stopServer(server.child);
      if (configFile) rmSync(dirname(configFile), { recursive: true, force: true });
    }
  } finally {
    await infra.stop();
  }
}
