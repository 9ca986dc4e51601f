/**
 * CPU profiles of one measured phase (not of setup), through the inspector: with `--profile=DIR`
 * (or BENCH_PROFILE=DIR) each phase wrapped in `profiled` writes DIR/<name>.cpuprofile, readable in
 * Chrome DevTools or with bench/tools/cpu-top.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

let dir: string | null = process.env.BENCH_PROFILE?.trim() || null;

/** Profiles phases into `d` from now on (null: stop profiling). */
export function setProfileDir(d: string | null): void {
  dir = d;
}

/** Runs `fn`, writing a CPU profile of it to the profile directory when one is set. */
export async function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (dir === null) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${name}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    process.stderr.write(`[bench] CPU profile of ${name} written to ${file}\n`);
  }
}
