/** What the benchmarks ran on, and how busy it was (other processes may share the machine). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memTotalGiB: number;
  /** `free -h` as printed, for BENCHMARKS.md. */
  free: string;
  node: string;
  redis: string;
  platform: string;
}

/** The 1, 5 and 15 minute load averages. */
export function loadAverage(): [number, number, number] {
  const [a = 0, b = 0, c = 0] = readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
  return [a, b, c];
}

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
  } catch {
    return `(${cmd} unavailable)`;
  }
}

/** Describes this machine. */
export function machineInfo(): MachineInfo {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  return {
    nproc: Number(run('nproc', [])) || cpus().length,
    cpuModel: model.trim(),
    memTotalGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    free: run('free', ['-h']),
    node: process.version,
    redis: run('redis-server', ['--version']),
    platform: `${process.platform} ${process.arch}`,
  };
}

/** Cumulative CPU jiffies of the whole machine (all cores): busy and total, from /proc/stat. */
export function cpuTimes(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0); // idle + iowait
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0); // guest time is already in user
  return { busy: total - idle, total };
}

/** Cores busy on the whole machine (every process) between two cpuTimes() readings. */
export function busyCores(a: ReturnType<typeof cpuTimes>, b: ReturnType<typeof cpuTimes>): number {
  const total = b.total - a.total;
  return total > 0 ? ((b.busy - a.busy) / total) * cpus().length : Number.NaN;
}
