/**
 * `npm run bench [-- <name>…] [--key=value…]`: runs the benchmarks (all, or the named ones: ingest,
 * push, fanout, scale), prints a table on stdout and writes bench/results/latest.json. Each benchmark
 * starts its own throwaway redis-server and mock Kafka cluster and is bounded in time. With
 * `--profile=DIR` the measured phases write CPU profiles to DIR (bench/tools/cpu-top.ts reads them);
 * `--save=NAME` also keeps the JSON as bench/results/NAME.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchFanout } from './fanout.ts';
import { benchIngest } from './ingest.ts';
import { busyCores, cpuTimes, machineInfo } from './lib/machine.ts';
import { setProfileDir } from './lib/profile.ts';
import { formatTable, type BenchResult } from './lib/report.ts';
import { benchPush } from './push.ts';
import { benchScale } from './scale.ts';

type Options = Record<string, string>;
const num = (o: Options, key: string): number | undefined =>
  o[key] === undefined ? undefined : Number(o[key]);

const BENCHMARKS: Record<string, { about: string; run: (o: Options) => Promise<BenchResult> }> = {
  ingest: {
    about: 'events/s through the real ingest path vs raw kafkajs (--events=200000)',
    run: (o) => benchIngest({ events: num(o, 'events') }),
  },
  push: {
    about:
      'event → delta latency at 2,000 events/s to 500 clients (--clients --client-threads --rate --seconds --flush-ms --fetch-wait=ms|off)',
    run: (o) =>
      benchPush({
        clients: num(o, 'clients'),
        clientThreads: num(o, 'client-threads'),
        rate: num(o, 'rate'),
        seconds: num(o, 'seconds'),
        flushMs: num(o, 'flush-ms'),
        tickMs: num(o, 'tick-ms'),
        fetchWaitMs: o['fetch-wait'] === 'off' ? null : num(o, 'fetch-wait'),
      }),
  },
  fanout: {
    about: 'server CPU and RSS with 2,000 clients while events flow (--clients --rate --seconds --flush-ms)',
    run: (o) =>
      benchFanout({
        clients: num(o, 'clients'),
        rate: num(o, 'rate'),
        seconds: num(o, 'seconds'),
        flushMs: num(o, 'flush-ms'),
      }),
  },
  scale: {
    about:
      'Redis memory and snapshot time/size at 10,000 agents and 100,000 open tickets (--agents --tickets --reads --changes --cold-reads)',
    run: (o) =>
      benchScale({
        agents: num(o, 'agents'),
        tickets: num(o, 'tickets'),
        reads: num(o, 'reads'),
        changes: num(o, 'changes'),
        coldReads: num(o, 'cold-reads'),
      }),
  },
};

/** Hard limit per benchmark: a run that takes longer is abandoned and reported as failed. */
const LIMIT_MS = 10 * 60_000;

function parseArgs(argv: string[]): { names: string[]; options: Options } {
  const names: string[] = [];
  const options: Options = {};
  for (const a of argv) {
    const m = /^--([\w-]+)=(.*)$/.exec(a);
    if (m) options[m[1] ?? ''] = m[2] ?? '';
    else if (a === '--help' || a === '-h') options.help = 'true';
    else names.push(a);
  }
  return { names, options };
}

function withLimit<T>(name: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} exceeded ${LIMIT_MS / 60_000} minutes`)), LIMIT_MS);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

async function main(): Promise<void> {
  const { names, options } = parseArgs(process.argv.slice(2));
  if (options.help) {
    const list = Object.entries(BENCHMARKS).map(([n, b]) => `  ${n.padEnd(7)} ${b.about}`);
    process.stdout.write(`usage: npm run bench [-- <name>… --key=value…]\n${list.join('\n')}\n`);
    return;
  }
  const unknown = names.filter((n) => !(n in BENCHMARKS));
  if (unknown.length > 0)
    throw new Error(
      `unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(BENCHMARKS).join(', ')}`,
    );
  if (options.profile) setProfileDir(options.profile);
  const selected = names.length > 0 ? names : Object.keys(BENCHMARKS);
  const machine = machineInfo();
  process.stdout.write(
    `floorboard benchmarks on ${machine.nproc} × ${machine.cpuModel}, ${machine.memTotalGiB} GiB, ` +
      `Node ${machine.node}\n\n`,
  );
  const results: BenchResult[] = [];
  const failures: Array<{ bench: string; error: string }> = [];
  for (const name of selected) {
    const bench = BENCHMARKS[name];
    if (!bench) continue;
    process.stderr.write(`[bench] ${name}: ${bench.about}\n`);
    try {
      const cpu0 = cpuTimes();
      const r = await withLimit(name, bench.run(options));
      r.machineBusyCores = Math.round(busyCores(cpu0, cpuTimes()) * 100) / 100;
      results.push(r);
      process.stderr.write(`[bench] ${name}: done in ${Math.round(r.seconds)} s\n`);
    } catch (err) {
      const error = (err as Error).stack ?? String(err);
      failures.push({ bench: name, error });
      process.stderr.write(`[bench] ${name} FAILED: ${error}\n`);
    }
  }
  process.stdout.write(formatTable(results));
  for (const f of failures) process.stdout.write(`${f.bench}: FAILED (${f.error.split('\n')[0]})\n`);
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify({ at: new Date().toISOString(), machine, options, results, failures }, null, 2)}\n`;
  const files = [`${dir}latest.json`];
  if (options.save) files.push(`${dir}${options.save.replace(/[^\w.-]/g, '_')}.json`);
  for (const file of files) writeFileSync(file, json);
  process.stdout.write(`\nresults written to ${files.join(' and ')}\n`);
  // Sockets of abandoned (timed-out) runs may linger; the results are written, so leave.
  process.exit(failures.length > 0 ? 1 : 0);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
