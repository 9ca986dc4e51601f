/** Prometheus metrics (`GET /metrics`), collected on scrape from the running parts. */
import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { IngestStatus } from '../ingest/ingestor.ts';

export interface MetricsSources {
  ingest: () => IngestStatus;
  /** Connected Socket.IO clients on this instance. */
  sockets?: () => number;
}

/** The registry and the instruments other parts record into. */
export function createMetrics(sources: MetricsSources) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'floorboard_process_' });
  const last = { applied: 0, deadLettered: 0, duplicates: 0, storeFailures: 0 };
  const delta = (key: keyof typeof last, now: number) => {
    const d = Math.max(0, now - last[key]);
    last[key] = now;
    return d;
  };
  const events = new Counter({
    name: 'floorboard_events_applied_total',
    help: 'Events applied to the live state by this instance (rate() gives events/s)',
    registers: [registry],
    collect() {
      this.inc(delta('applied', sources.ingest().applied));
    },
  });
  new Counter({
    name: 'floorboard_events_dead_lettered_total',
    help: 'Messages rejected to the dead-letter topic by this instance',
    registers: [registry],
    collect() {
      this.inc(delta('deadLettered', sources.ingest().deadLettered));
    },
  });
  new Counter({
    name: 'floorboard_events_duplicate_total',
    help: 'Repeated event ids ignored by this instance',
    registers: [registry],
    collect() {
      this.inc(delta('duplicates', sources.ingest().duplicates));
    },
  });
  new Counter({
    name: 'floorboard_store_failures_total',
    help: 'Batches that failed to store (Redis unreachable) and were retried',
    registers: [registry],
    collect() {
      this.inc(delta('storeFailures', sources.ingest().storeFailures));
    },
  });
  new Gauge({
    name: 'floorboard_consumer_lag_messages',
    help: 'Messages not yet processed, per topic partition owned by this instance',
    labelNames: ['partition'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [partition, lag] of Object.entries(sources.ingest().lag)) this.set({ partition }, lag);
    },
  });
  new Gauge({
    name: 'floorboard_store_degraded',
    help: '1 while the store is unreachable and ingestion is retrying',
    registers: [registry],
    collect() {
      this.set(sources.ingest().degradedSince === null ? 0 : 1);
    },
  });
  new Gauge({
    name: 'floorboard_sockets_connected',
    help: 'Socket.IO clients connected to this instance',
    registers: [registry],
    collect() {
      this.set(sources.sockets?.() ?? 0);
    },
  });
  const pushLatency = new Histogram({
    name: 'floorboard_push_latency_seconds',
    help: 'From a batch being stored to its delta being emitted to clients',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.5, 1, 2],
    registers: [registry],
  });
  const handler: RequestHandler = async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  };
  return { registry, handler, pushLatency, events };
}
