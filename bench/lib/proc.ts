/** CPU and memory of processes, from /proc (Linux) and from Redis INFO. */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';

/** Clock ticks per second of /proc/PID/stat times (USER_HZ; 100 on Linux everywhere that matters). */
const CLK_TCK = 100;

export interface ProcSample {
  /** performance.now() when sampled. */
  at: number;
  /** utime + stime, seconds. */
  cpuSeconds: number;
  rssBytes: number;
  threads: number;
}

/** One sample of /proc/PID/stat and /proc/PID/status. */
export function sampleProc(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name (which may contain spaces); utime is field 14.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN);
  const threads = Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN);
  return { at: performance.now(), cpuSeconds: (utime + stime) / CLK_TCK, rssBytes: rssKb * 1024, threads };
}

/** Peak RSS (VmHWM) of a process, bytes. */
export function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN) * 1024;
}

/** Total CPU seconds (user + system, main thread and children) a Redis server has used. */
export async function redisCpuSeconds(url: string): Promise<number> {
  const r = new Redis(url, { lazyConnect: true });
  await r.connect();
  try {
    const info = await r.info('cpu');
    const field = (name: string) => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1] ?? 0);
    return field('used_cpu_sys') + field('used_cpu_user');
  } finally {
    r.disconnect();
  }
}

/** Calls per Redis command since startup (INFO commandstats), e.g. { hincrby: 1200, exec: 40 }. */
export async function redisCommandCalls(url: string): Promise<Record<string, number>> {
  const r = new Redis(url, { lazyConnect: true });
  await r.connect();
  try {
    const out: Record<string, number> = {};
    for (const m of (await r.info('commandstats')).matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm))
      out[m[1] ?? ''] = Number(m[2]);
    return out;
  } finally {
    r.disconnect();
  }
}

/** What changed between two commandstats readings (only commands that were called). */
export function commandDelta(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d > 0) out[k] = d;
  }
  return out;
}
