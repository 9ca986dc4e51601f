/**
 * Paced live traffic: simulator events re-stamped with the send time, produced at a steady rate in
 * ticks, optionally with one marker per tick — a `call.queued` into a queue of its own, pinned to
 * partition 0 of the calls topic so markers are applied in the order they were sent. The marker
 * queue's `waiting` count then says exactly how many markers the live state has taken in.
 */
import type { Config } from '../../config/schema.ts';
import type { CallQueued, CcEvent } from '../../server/contract/events.ts';
import { uniqueName } from '../../test/support/services.ts';
import { connectProducer, liveEventStream, topicMessages } from './events.ts';

export interface LoadOptions {
  /** Events per second, markers included. */
  rate: number;
  /**
   * Milliseconds between produce requests (default 97, about librdkafka's `linger.ms=100`). The mock
   * broker answers a fetch with one record batch per partition, so each produce request costs the
   * consumer one batch per partition however far behind it is; a real broker would hand a lagging
   * consumer everything in one fetch. Ticks of a few ms would measure that mock limit, not floorboard.
   * 97 is prime, so markers fall on every phase of the server's 100–250 ms flush timer.
   */
  tickMs?: number;
  /** Queue name of the markers; none when absent. */
  markerQueue?: string;
  /** Called just before the produce request carrying marker `k` (1, 2, …) is sent. */
  onMarker?: (k: number, sentAt: number) => void;
}

export interface LoadStats {
  seconds: number;
  events: number;
  markers: number;
  ticks: number;
  /** Events per second actually produced. */
  rate: number;
  /** Ticks whose produce request was still running when the next tick was due. */
  lateTicks: number;
  maxSendMs: number;
}

export interface PacedLoad {
  stop(): Promise<LoadStats>;
}

/** Starts producing; `stop()` waits for the request in flight and reports what was sent. */
export async function startPacedLoad(config: Config, o: LoadOptions): Promise<PacedLoad> {
  const tickMs = o.tickMs ?? 97;
  const producer = await connectProducer(config, 'bench-load');
  const stream = liveEventStream(config);
  const runId = uniqueName('mk');
  const stats = { events: 0, markers: 0, ticks: 0, lateTicks: 0, maxSendMs: 0 };
  let stopped = false;
  const start = performance.now();

  const loop = (async () => {
    for (let tick = 1; !stopped; tick++) {
      const dueAt = start + tick * tickMs;
      const wait = dueAt - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else stats.lateTicks++;
      if (stopped) break;
      const due = Math.round(((performance.now() - start) / 1000) * o.rate) - stats.events;
      if (due <= 0) continue;
      const now = Date.now();
      const marker: CallQueued | null = o.markerQueue
        ? {
            id: `${runId}-${stats.markers + 1}`,
            type: 'call.queued',
            ts: new Date(now).toISOString(),
            callId: `${runId}-${stats.markers + 1}`,
            queue: o.markerQueue,
          }
        : null;
      const events: CcEvent[] = stream.take(marker ? due - 1 : due, now);
      if (marker) events.push(marker);
      const messages = topicMessages(config, events, (e) => (e === marker ? 0 : undefined));
      const sentAt = performance.now();
      if (marker) {
        stats.markers++;
        o.onMarker?.(stats.markers, sentAt);
      }
      await producer.sendBatch({ topicMessages: messages });
      stats.maxSendMs = Math.max(stats.maxSendMs, performance.now() - sentAt);
      stats.events += events.length;
      stats.ticks++;
    }
  })();
  loop.catch(() => undefined); // reported by stop()

  return {
    async stop() {
      stopped = true;
      await loop;
      const seconds = (performance.now() - start) / 1000;
      await producer.disconnect();
      return { seconds, ...stats, rate: stats.events / seconds };
    },
  };
}
