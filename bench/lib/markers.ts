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

  /** Per measured marker seen by some client: [k, sent, first arrival, last arrival] on this clock. */
  times(): Array<[number, number, number, number]> {
    const out: Array<[number, number, number, number]> = [];
    for (let k = Math.max(1, this.measureFrom); k < this.#sent.length; k++) {
      const sent = this.#sent[k];
      const first = this.#first[k];
      const last = this.#last[k];
      if (sent !== undefined && first !== undefined && last !== undefined) out.push([k, sent, first, last]);
    }
    return out;
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
