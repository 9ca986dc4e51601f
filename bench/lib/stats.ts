/** Small statistics helpers: percentiles of samples and of a fixed-resolution latency histogram. */

/** The p-th percentile (0–100, nearest rank) of `values`; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** The median of `values`. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Rounds to `digits` decimals (for the table and JSON). */
export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/**
 * A latency histogram with 0.1 ms buckets up to `maxMs` (beyond: one overflow bucket holding the true
 * maximum), so millions of samples cost a fixed amount of memory.
 */
export class LatencyHistogram {
  readonly #buckets: Uint32Array;
  readonly #resolution = 0.1;
  #count = 0;
  #sum = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = Number.NEGATIVE_INFINITY;

  constructor(readonly maxMs = 60_000) {
    this.#buckets = new Uint32Array(Math.ceil(maxMs / this.#resolution) + 1);
  }

  record(ms: number): void {
    const i = Math.min(this.#buckets.length - 1, Math.max(0, Math.floor(ms / this.#resolution)));
    this.#buckets[i] = (this.#buckets[i] ?? 0) + 1;
    this.#count++;
    this.#sum += ms;
    if (ms < this.#min) this.#min = ms;
    if (ms > this.#max) this.#max = ms;
  }

  /** Adds another histogram's samples (same resolution and range). */
  merge(other: LatencyHistogram): void {
    const ob = other.#buckets;
    for (let i = 0; i < ob.length; i++) this.#buckets[i] = (this.#buckets[i] ?? 0) + (ob[i] ?? 0);
    this.#count += other.#count;
    this.#sum += other.#sum;
    this.#min = Math.min(this.#min, other.#min);
    this.#max = Math.max(this.#max, other.#max);
  }

  get count(): number {
    return this.#count;
  }

  /** The p-th percentile (upper edge of its bucket, capped at the maximum seen). */
  percentile(p: number): number {
    if (this.#count === 0) return Number.NaN;
    const target = Math.max(1, Math.ceil((p / 100) * this.#count));
    let seen = 0;
    for (let i = 0; i < this.#buckets.length; i++) {
      seen += this.#buckets[i] ?? 0;
      if (seen >= target) return Math.min(this.#max, (i + 1) * this.#resolution);
    }
    return this.#max;
  }

  summary(): {
    count: number;
    mean: number;
    min: number;
    p50: number;
    p95: number;
    p99: number;
    max: number;
  } {
    return {
      count: this.#count,
      mean: this.#count === 0 ? Number.NaN : round(this.#sum / this.#count),
      min: round(this.#min),
      p50: round(this.percentile(50)),
      p95: round(this.percentile(95)),
      p99: round(this.percentile(99)),
      max: round(this.#max),
    };
  }
}
