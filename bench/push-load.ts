/**
 * The push benchmark's load generator, run in a worker thread so that the clients and the producer
 * do not share an event loop with the server under test: connects the socket clients, produces paced
 * traffic with markers, and measures marker latency on one clock (this thread's performance.now()).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config/schema.ts';
import { connectFleet } from './lib/clients.ts';
import { startPacedLoad } from './lib/load.ts';
import { MarkerLatency } from './lib/markers.ts';
import { round } from './lib/stats.ts';

export interface PushLoadInput {
  url: string;
  token: string;
  config: Config;
  clients: number;
  rate: number;
  warmupSeconds: number;
  seconds: number;
  markerQueue: string;
  tickMs?: number;
}

export interface PushLoadOutput {
  type: 'done';
  latency: ReturnType<MarkerLatency['all']['summary']>;
  firstClient: ReturnType<MarkerLatency['all']['summary']>;
  lastClient: ReturnType<MarkerLatency['all']['summary']>;
  markers: { sent: number; measured: number; incomplete: number };
  load: Awaited<ReturnType<Awaited<ReturnType<typeof startPacedLoad>>['stop']>>;
  fleet: ReturnType<Awaited<ReturnType<typeof connectFleet>>['counts']>;
  connectSeconds: number;
  /** Per measured marker: [k, sent, first client, last client], ms since the epoch (lib/trace.ts). */
  markerTimes: Array<[number, number, number, number]>;
  /** Event-loop delay of this (client) thread while measuring, ms. */
  clientLoopDelay: { p50: number; p99: number; max: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(input: PushLoadInput): Promise<PushLoadOutput> {
  const markers = new MarkerLatency(input.markerQueue, input.clients);
  const t0 = performance.now();
  const fleet = await connectFleet({
    url: input.url,
    token: input.token,
    clients: input.clients,
    onDelta: (i, d, at) => void markers.observe(i, d, at),
  });
  const connectSeconds = (performance.now() - t0) / 1000;
  parentPort?.postMessage({ type: 'connected', connectSeconds });

  const load = await startPacedLoad(input.config, {
    rate: input.rate,
    ...(input.tickMs === undefined ? {} : { tickMs: input.tickMs }),
    markerQueue: input.markerQueue,
    onMarker: (k, at) => markers.sent(k, at),
  });
  await sleep(input.warmupSeconds * 1000);
  markers.measureFrom = markers.markersSent + 1;
  parentPort?.postMessage({ type: 'measuring' });
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  await sleep(input.seconds * 1000);
  delay.disable();
  const loadStats = await load.stop();
  parentPort?.postMessage({ type: 'stopped' });
  // Let the last markers reach every client (bounded).
  const end = performance.now() + 10_000;
  while (markers.seenByAll() < markers.markersSent && performance.now() < end) await sleep(50);
  const books = markers.finish();
  const counts = fleet.counts();
  fleet.close();
  return {
    type: 'done',
    latency: markers.all.summary(),
    firstClient: markers.firstClient.summary(),
    lastClient: markers.lastClient.summary(),
    markers: { sent: markers.markersSent, ...books },
    markerTimes: markers.times().map(([k, sent, first, last]) => {
      const o = performance.timeOrigin;
      return [k, sent + o, first + o, last + o];
    }),
    load: loadStats,
    fleet: counts,
    connectSeconds: round(connectSeconds),
    clientLoopDelay: {
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
