/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by package or
 * project directory, and inclusive time of the functions named on the command line.
 *   npx tsx bench/tools/cpu-top.ts <file.cpuprofile> [--top=30] [--match=applyBatch,readLive]
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function area(url: string): string {
  if (url === '') return '(native / gc / idle)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `npm:${nm[1]}`;
  if (url.startsWith('node:')) return 'node core';
  const proj = /\/work\/[^/]+\/(.+)$/.exec(url.replace('file://', ''));
  if (proj) return (proj[1] ?? '').split('/').slice(0, 2).join('/');
  return url;
}

function main(): void {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) throw new Error('usage: cpu-top.ts <file.cpuprofile> [--top=N] [--match=a,b]');
  const top = Number(/--top=(\d+)/.exec(args.join(' '))?.[1] ?? 30);
  const match = (/--match=(\S+)/.exec(args.join(' '))?.[1] ?? '').split(',').filter(Boolean);
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000));
  const total = [...self.values()].reduce((a, b) => a + b, 0);

  const fnSelf = new Map<string, number>();
  const areaSelf = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, ms] of self) {
    const n = byId.get(id);
    if (!n) continue;
    const f = n.callFrame;
    const name = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(node_modules|work\/[^/]+)\//, '')}:${f.lineNumber + 1}`;
    fnSelf.set(name, (fnSelf.get(name) ?? 0) + ms);
    areaSelf.set(area(f.url), (areaSelf.get(area(f.url)) ?? 0) + ms);
    // Inclusive time of matched function names: count each sample once per distinct match on its stack.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const fn = byId.get(cur)?.callFrame.functionName ?? '';
      if (match.includes(fn) && !seen.has(fn)) {
        seen.add(fn);
        inclusive.set(fn, (inclusive.get(fn) ?? 0) + ms);
      }
    }
  }
  const show = (title: string, m: Map<string, number>, n: number) => {
    process.stdout.write(`\n${title}\n`);
    for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n))
      process.stdout.write(
        `${v.toFixed(0).padStart(8)} ms ${((v / total) * 100).toFixed(1).padStart(5)} %  ${k}\n`,
      );
  };
  process.stdout.write(`profile: ${(total / 1000).toFixed(1)} s sampled\n`);
  show('self time by area', areaSelf, 25);
  show('self time by function', fnSelf, top);
  if (match.length > 0) show('inclusive time', inclusive, match.length);
}

main();
