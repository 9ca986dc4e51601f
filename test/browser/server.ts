/**
 * Runs the whole floorboard app for browser tests: a throwaway redis-server, then
 * `node --import tsx server/main.ts` on a free port (PORT=0) with the built-in simulator. Reads the port
 * from the log line `floorboard listening on http://localhost:PORT` and the demo credentials (one user
 * per role, a wallboard token) from the block the embedded default prints once at start. With
 * `KAFKA_BROKERS` in the extra environment it consumes from that broker instead: there are no demo
 * credentials then, so the wallboard token is made with the CLI (`token create --role wallboard`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { daytimeZone } from '../support/daytime.ts';
import { startRedisServer, type RedisServerHandle } from '../support/services.ts';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The module the server process runs; FLOORBOARD_E2E_ENTRY overrides it (a local stand-in). */
const ENTRY = process.env.FLOORBOARD_E2E_ENTRY ?? 'server/main.ts';
/** The in-process event source keeps its live state under this prefix (server/runtime.ts). */
const EMBEDDED_PREFIX = 'floorboard:embedded:';
const START_TIMEOUT_MS = 90_000;

export interface DemoUser {
  name: string;
  role: string;
  password: string;
}

export interface BrowserServer {
  url: string;
  pid: number;
  /** Demo users by name (demo-wallboard, demo-lead, demo-supervisor, demo-manager, demo-admin). */
  users: Map<string, DemoUser>;
  /** The demo wallboard token (`fbt_…`). */
  token: string;
  /** Stops the process (SIGSTOP): nothing is served or pushed until `resume()`. */
  pause(): void;
  resume(): void;
  /** Ingests contract events through the replay CLI into the server's live state. */
  replay(events: object[]): Promise<void>;
  /** Everything the process printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** Parses the demo credentials block printed by the embedded default. */
export function parseDemoCredentials(text: string): { users: Map<string, DemoUser>; token: string | null } {
  const users = new Map<string, DemoUser>();
  for (const m of text.matchAll(/^\s+(demo-[a-z-]+)\s+([a-z]+)\s+(?:all teams|\S+)\s+(\S+)\s*$/gm)) {
    const [, name, role, password] = m;
    if (name && role && password && role !== 'role') users.set(name, { name, role, password });
  }
  const token = /\b(fbt_[A-Za-z0-9_-]{20,})/.exec(text)?.[1] ?? null;
  return { users, token };
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out}`)),
    );
  });
}

/** Starts redis-server and floorboard; resolves once it listens and printed its demo credentials. */
export async function startServer(extraEnv: Record<string, string> = {}): Promise<BrowserServer> {
  const redis: RedisServerHandle = await startRedisServer();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    REDIS_URL: redis.url,
    LOG_LEVEL: 'info',
    SIMULATOR: 'on',
    // The simulated centre is quiet at night: run it where it is late morning now.
    FLOORBOARD_TIMEZONE: daytimeZone(),
    ...extraEnv,
  };
  const kafka = extraEnv.KAFKA_BROKERS !== undefined;
  if (!kafka) delete env.KAFKA_BROKERS;
  delete env.FLOORBOARD_CONFIG;
  delete env.REDIS_KEY_PREFIX;

  let output = '';
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await redis.stop();
  };

  try {
    const url = await new Promise<string>((resolve, reject) => {
      const deadline = setTimeout(
        () =>
          reject(
            new Error(`floorboard did not start within ${START_TIMEOUT_MS} ms:\n${output.slice(-4000)}`),
          ),
        START_TIMEOUT_MS,
      );
      const check = () => {
        const port = /floorboard listening on http:\/\/localhost:(\d+)/.exec(output)?.[1];
        const { token } = parseDemoCredentials(output);
        if (port && (token || kafka)) {
          clearTimeout(deadline);
          resolve(`http://localhost:${port}`);
        }
      };
      child.stdout?.on('data', check);
      child.stderr?.on('data', check);
      child.once('exit', (code, signal) => {
        clearTimeout(deadline);
        reject(new Error(`floorboard exited (${code ?? signal}) before listening:\n${output.slice(-4000)}`));
      });
    });
    const { users, token: demoToken } = parseDemoCredentials(output);
    const token = kafka
      ? (/\b(fbt_[A-Za-z0-9_-]{20,})/.exec(
          await run(
            process.execPath,
            ['--import', 'tsx', 'server/cli.ts', 'token', 'create', '--role', 'wallboard'],
            env,
          ),
        )?.[1] ?? null)
      : demoToken;
    if (token === null) throw new Error('no wallboard token');
    const pid = child.pid;
    if (pid === undefined) throw new Error('no pid');

    return {
      url,
      pid,
      users,
      token,
      pause: () => process.kill(pid, 'SIGSTOP'),
      resume: () => process.kill(pid, 'SIGCONT'),
      async replay(events) {
        const dir = mkdtempSync(join(tmpdir(), 'floorboard-e2e-'));
        const file = join(dir, `${randomUUID()}.ndjson`);
        try {
          writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
          await run(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'replay', file], {
            ...env,
            REDIS_KEY_PREFIX: EMBEDDED_PREFIX,
          });
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
      output: () => output,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
