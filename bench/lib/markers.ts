/**
 * Marker latency: marker k was sent at `sent[k]`; a delta showing the marker queue with `waiting = W`
 * proves markers 1…W are in the live state the client now holds (markers share one partition, so
 * they are applied in order, and none is ever answered). A client's latency for marker k is the
 * arrival of the first delta with W ≥ k minus `sent[k]`.
 */
import type { DeltaEvent } from '../../server/contract/realtime.ts';
import { LatencyHistogram } from './stats.ts';

export class MarkerLatency {
  readonly all = new LatencyHistogram();
  /** Per marker, the earliest client to see it (server path without the fan-out). */
  readonly firstClient = new LatencyHistogram();
  /** Per marker, the last client to see it (includes emitting to every socket). */
  readonly lastClient = new LatencyHistogram();
  readonly #sent: number[] = [];
  readonly #seenBy: Int32Array;
  readonly #first: number[] = [];
  readonly #last: number[] = [];
  readonly #arrivals: number[] = [];
  /** Markers below this index are warm-up and not recorded. */
  measureFrom = Number.POSITIVE_INFINITY;

  constructor(
    readonly queue: string,
    readonly clients: number,
  ) {
    this.#seenBy = new Int32Array(clients);
  }

  sent(k: number, at: number): void {
    this.#sent[k] = at;
  }

  get markersSent(): number {
    return this.#sent.length - 1;
  }

  /** Feeds a client's delta; returns the marker count it proves, or null when it has none. */
  observe(client: number, d: DeltaEvent, at: number): number | null {
    const q = d.changes.queues?.upsert?.find((x) => x.queue === this.queue);
    if (!q) return null;
    const w = q.waiting;
    for (let k = (this.#seenBy[client] ?? 0) + 1; k <= w; k++) {
      const sent = this.#sent[k];
      if (sent === undefined || k < this.measureFrom) continue;
      this.all.record(at - sent);
      this.#arrivals[k] = (this.#arrivals[k] ?? 0) + 1;
      if (this.#first[k] === undefined || at < (this.#first[k] ?? at)) this.#first[k] = at;
      if (at > (this.#last[k] ?? 0)) this.#last[k] = at;
    }
    if (w > (this.#seenBy[client] ?? 0)) this.#seenBy[client] = w;
    return w;
  }

  /** Markers every client has seen. */
  seenByAll(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const w of this.#seenBy) min = Math.min(min, w);
    return Number.isFinite(min) ? min : 0;
  }

  /** Closes the books: per-marker first/last-client figures, and markers some client never saw. */
  finish(): { measured: number; incomplete: number } {
    let measured = 0;
    let incomplete = 0;
    for (let k = 1; k < this.#sent.length; k++) {
      const sent = this.#sent[k];
      if (sent === undefined || k < this.measureFrom) continue;
      measured++;
      if ((this.#arrivals[k] ?? 0) < this.clients) incomplete++;
      const first = this.#first[k];
      const last = this.#last[k];
      if (first !== undefined) this.firstClient.record(first - sent);
      if (last !== undefined) this.lastClient.record(last - sent);
    }
    return { measured, incomplete };
  }
}

/**
 * Marker arrivals of some of the clients (one load thread's share), on the clock every thread of the
 * process shares (lib/trace.ts `absNow`): per marker, when each client's delta proved it (see
 * MarkerLatency). Threads send theirs to the main thread, which adds the send times (`arrivalLatency`).
 */
export class ArrivalLog {
  /** Marker → arrival times (one per client of this share that saw it). */
  readonly arrivals = new Map<number, number[]>();
  readonly #seenBy: Int32Array;

  constructor(
    readonly queue: string,
    clients: number,
  ) {
    this.#seenBy = new Int32Array(clients);
  }

  /** Feeds local client `client`'s delta that arrived at `at`. */
  observe(client: number, d: DeltaEvent, at: number): void {
    const q = d.changes.queues?.upsert?.find((x) => x.queue === this.queue);
    if (!q) return;
    const seen = this.#seenBy[client] ?? 0;
    for (let k = seen + 1; k <= q.waiting; k++) {
      const list = this.arrivals.get(k);
      if (list) list.push(at);
      else this.arrivals.set(k, [at]);
    }
    if (q.waiting > seen) this.#seenBy[client] = q.waiting;
  }

  /** Markers every client of this share has seen. */
  seenByAll(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const w of this.#seenBy) min = Math.min(min, w);
    return Number.isFinite(min) ? min : 0;
  }
}

/**
 * Latency of markers `from`… from their send times and every share's arrivals: all samples, the
 * first and last client per marker, markers some client never saw, and per marker
 * [k, sent, first, last] for the breakdown.
 */
export function arrivalLatency(
  sent: ReadonlyMap<number, number>,
  shares: ReadonlyArray<ReadonlyMap<number, readonly number[]>>,
  from: number,
  clients: number,
) {
  const all = new LatencyHistogram();
  const firstClient = new LatencyHistogram();
  const lastClient = new LatencyHistogram();
  const times: Array<[number, number, number, number]> = [];
  let measured = 0;
  let incomplete = 0;
  for (const [k, at] of [...sent].sort((a, b) => a[0] - b[0])) {
    if (k < from) continue;
    measured++;
    let count = 0;
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const share of shares) {
      for (const t of share.get(k) ?? []) {
        all.record(t - at);
        count++;
        first = Math.min(first, t);
        last = Math.max(last, t);
      }
    }
    if (count < clients) incomplete++;
    if (count === 0) continue;
    firstClient.record(first - at);
    lastClient.record(last - at);
    times.push([k, at, first, last]);
  }
  return { all, firstClient, lastClient, measured, incomplete, times };
}
