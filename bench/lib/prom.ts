/** Reading floorboard's Prometheus endpoint: scrape, and bucket-level quantiles of a histogram's growth. */

export type Scrape = Map<string, number>;

/** Scrapes `url` (the /metrics endpoint, with a token allowed `metrics:read`) into `name{labels}` → value. */
export async function scrape(url: string, token: string): Promise<Scrape> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  const out: Scrape = new Map();
  for (const line of (await res.text()).split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

/**
 * Quantiles of what a histogram recorded between two scrapes, as bucket upper bounds in ms (the true
 * value is at most that; Infinity when it fell in the last bucket).
 */
export function histogramDelta(
  before: Scrape,
  after: Scrape,
  name: string,
  quantiles: readonly number[] = [0.5, 0.95, 0.99],
): { count: number; atMostMs: Record<string, number> } {
  const buckets: Array<{ le: number; count: number }> = [];
  for (const [key, value] of after) {
    const m = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\}$`).exec(key);
    if (!m) continue;
    const le = m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]);
    buckets.push({ le, count: value - (before.get(key) ?? 0) });
  }
  buckets.sort((a, b) => a.le - b.le);
  const count = buckets[buckets.length - 1]?.count ?? 0;
  const atMostMs: Record<string, number> = {};
  for (const q of quantiles) {
    const b = buckets.find((x) => x.count >= q * count);
    atMostMs[`p${Math.round(q * 100)}`] = b ? b.le * 1000 : Number.NaN;
  }
  return { count, atMostMs };
}
