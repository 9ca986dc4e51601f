/**
 * The push benchmark's load, in worker threads so that the clients and the producer do not share an
 * event loop with the server under test. Each thread connects its share of the socket clients and logs
 * when each marker reached each of them; one of them also produces the paced traffic with markers.
 * Times are on the clock all threads of the process share (lib/trace.ts `absNow`), so the main thread
 * puts send and arrival times together (lib/markers.ts `arrivalLatency`).
 *
 * Messages to the main thread: `connected`; from the producing thread `measuring {measureFrom}` (the
 * first measured marker) and `stopped {sent, load}`; then `done` (PushLoadOutput). From the main
 * thread: `go` (start producing), `measure` (the measured window begins), `finish {markers}` (wait,
 * bounded, until every client saw that many markers, then report).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config/schema.ts';
import { connectFleet, type FleetCounts } from './lib/clients.ts';
import { startPacedLoad, type LoadStats } from './lib/load.ts';
import { ArrivalLog } from './lib/markers.ts';
import { round } from './lib/stats.ts';

export interface PushLoadInput {
  url: string;
  token: string;
  config: Config;
  /** Clients of this thread. */
  clients: number;
  /** Whether this thread produces the traffic (one thread does). */
  produce: boolean;
  rate: number;
  warmupSeconds: number;
  seconds: number;
  markerQueue: string;
  tickMs?: number;
}

export interface PushLoadStopped {
  type: 'stopped';
  /** Marker → when its produce request was sent (ms since the epoch). */
  sent: Array<[number, number]>;
  load: LoadStats;
}

export interface PushLoadOutput {
  type: 'done';
  /** Marker → when each client of this thread received it (ms since the epoch). */
  arrivals: Array<[number, number[]]>;
  fleet: FleetCounts;
  connectSeconds: number;
  /** Event-loop delay of this thread while measuring, ms. */
  loopDelay: { p50: number; p99: number; max: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const abs = (localMs: number) => performance.timeOrigin + localMs;

/** Resolves with the first message of `type` from the main thread. */
function message<T>(type: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: { type?: string }) => {
      if (m.type !== type) return;
      parentPort?.off('message', on);
      resolve(m as T);
    };
    parentPort?.on('message', on);
  });
}

async function produce(input: PushLoadInput): Promise<void> {
  await message('go');
  const sent = new Map<number, number>();
  const load = await startPacedLoad(input.config, {
    rate: input.rate,
    ...(input.tickMs === undefined ? {} : { tickMs: input.tickMs }),
    markerQueue: input.markerQueue,
    onMarker: (k, at) => sent.set(k, abs(at)),
  });
  await sleep(input.warmupSeconds * 1000);
  parentPort?.postMessage({ type: 'measuring', measureFrom: sent.size + 1 });
  await sleep(input.seconds * 1000);
  const stats = await load.stop();
  const stopped: PushLoadStopped = { type: 'stopped', sent: [...sent], load: stats };
  parentPort?.postMessage(stopped);
}

async function main(input: PushLoadInput): Promise<PushLoadOutput> {
  const log = new ArrivalLog(input.markerQueue, input.clients);
  const finish = message<{ markers: number }>('finish');
  const measure = message('measure');
  const t0 = performance.now();
  const fleet = await connectFleet({
    url: input.url,
    token: input.token,
    clients: input.clients,
    onDelta: (i, d, at) => log.observe(i, d, abs(at)),
  });
  const connectSeconds = (performance.now() - t0) / 1000;
  parentPort?.postMessage({ type: 'connected', connectSeconds });
  const producing = input.produce ? produce(input) : Promise.resolve();

  await measure;
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const { markers } = await finish;
  delay.disable();
  await producing;
  // Let the last markers reach every client (bounded).
  const end = performance.now() + 10_000;
  while (log.seenByAll() < markers && performance.now() < end) await sleep(50);
  const counts = fleet.counts();
  fleet.close();
  return {
    type: 'done',
    arrivals: [...log.arrivals],
    fleet: counts,
    connectSeconds: round(connectSeconds),
    loopDelay: {
      p50: round(delay.percentile(50) / 1e6),
      p99: round(delay.percentile(99) / 1e6),
      max: round(delay.max / 1e6),
    },
  };
}

main(workerData as PushLoadInput).then(
  (out) => parentPort?.postMessage(out),
  (err: Error) => parentPort?.postMessage({ type: 'error', error: err.stack ?? err.message }),
);
