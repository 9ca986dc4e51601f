/** What a benchmark returns, and the table `npm run bench` prints. */
import { round } from './stats.ts';

export interface Metric {
  name: string;
  value: number;
  unit: string;
}

export interface BenchResult {
  bench: string;
  title: string;
  /** Load averages (1, 5, 15 min) just before the benchmark started, and when it ended. */
  loadBefore: [number, number, number];
  loadAfter: [number, number, number];
  seconds: number;
  /** Cores busy on the whole machine during the run (this benchmark's processes and anyone else's). */
  machineBusyCores?: number;
  metrics: Metric[];
  target: { description: string; met: boolean };
  /** Everything else worth keeping (parameters, breakdowns), written to the JSON. */
  details: Record<string, unknown>;
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const padLeft = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  const r = abs >= 1000 ? Math.round(v) : abs >= 10 ? round(v, 1) : round(v, 2);
  return r.toLocaleString('en-US');
}

/** The results as a plain-text table. */
export function formatTable(results: readonly BenchResult[]): string {
  const rows: string[][] = [['benchmark', 'metric', 'value', 'unit']];
  const lines: string[] = [];
  for (const r of results) {
    r.metrics.forEach((m, i) => rows.push([i === 0 ? r.bench : '', m.name, formatValue(m.value), m.unit]));
    rows.push(['', `target: ${r.target.description}`, r.target.met ? 'MET' : 'MISSED', '']);
    rows.push([
      '',
      'load average before (1/5/15 min)',
      r.loadBefore.map((x) => x.toFixed(2)).join(' / '),
      `${Math.round(r.seconds)} s run`,
    ]);
    if (r.machineBusyCores !== undefined)
      rows.push([
        '',
        'machine CPU busy during the run (all processes)',
        r.machineBusyCores.toFixed(2),
        'cores',
      ]);
    rows.push(['', '', '', '']);
  }
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  for (const [i, row] of rows.entries()) {
    const [b = '', m = '', v = '', u = ''] = row;
    lines.push(
      `${pad(b, widths[0] ?? 0)}  ${pad(m, widths[1] ?? 0)}  ${padLeft(v, widths[2] ?? 0)}  ${u}`.trimEnd(),
    );
    if (i === 0) lines.push('-'.repeat(widths.reduce((a, w) => a + w + 2, 0)));
  }
  return `${lines.join('\n')}\n`;
}
