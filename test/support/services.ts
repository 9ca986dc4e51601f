/**
 * Throwaway infrastructure for integration tests: a private `redis-server` on a free loopback port and
 * librdkafka's mock Kafka cluster (via `kcat`), a real Kafka-protocol broker without a JVM. Every child
 * process is registered and killed when the test process exits, so a crashed run leaks nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Socket, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A redis-server owned by one test run; `start()` brings it back on the same port — empty, or with
 * its data when it persists to an append-only file (`dataDir`).
 */
export interface RedisServerHandle {
  readonly url: string;
  readonly port: number;
  /** Its append-only data directory (kept across restarts), or null for a server without persistence. */
  readonly dataDir: string | null;
  /** SIGTERM, then wait for the process to exit. */
  stop(): Promise<void>;
  /** SIGKILL, then wait for the process to exit (a crash, as far as clients can tell). */
  kill(): Promise<void>;
  /** Start again on the same port (empty, unless it persists); waits until it answers PING. */
  start(): Promise<void>;
}

export interface RedisServerOptions {
  port?: number;
  /**
   * Persist every write to an append-only file (fsync always) in this directory, so a stop or a crash
   * loses nothing acknowledged and `start()` brings the data back. `true`: a fresh temporary directory.
   * The directory is removed when the test process exits.
   */
  appendOnly?: boolean | string;
}

/** librdkafka's mock cluster running inside a kcat process. */
export interface MockBrokerHandle {
  /** Bootstrap servers, `127.0.0.1:PORT`. */
  readonly brokers: string;
  /** Close kcat's stdin (it exits on EOF), falling back to SIGKILL if it lingers. */
  stop(): Promise<void>;
  /** Freezes the broker (SIGSTOP): clients see it go silent, its data stays. */
  pause(): void;
  /** Unfreezes it (SIGCONT). */
  resume(): void;
}

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
const OUTPUT_TAIL_CHARS = 4_000;

const INSTALL_HINTS: Record<string, string> = {
  'redis-server': 'the tests need a throwaway Redis — install it with `apt-get install -y redis-server`',
  kcat: "the tests need librdkafka's mock Kafka cluster — install it with `apt-get install -y kcat`",
};

// ---------------------------------------------------------------------------------------------------
// Bookkeeping: kill every child still running and remove temp dirs when this process goes away.

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let cleanupRegistered = false;

function cleanUpAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

function onFatalSignal(signal: NodeJS.Signals): void {
  cleanUpAll();
  // If nobody else handles the signal, restore the default behaviour (terminate) by re-raising it.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function registerCleanup(): void {
  if (cleanupRegistered) return;
  cleanupRegistered = true;
  process.on('exit', cleanUpAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, onFatalSignal);
}

/** Spawns a tracked child; resolves once it is running, rejects with an install hint if the binary is missing. */
function spawnTracked(
  command: string,
  args: readonly string[],
  stdin: 'pipe' | 'ignore',
): Promise<{ child: ChildProcess; output: () => string }> {
  registerCleanup();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: [stdin, 'pipe', 'pipe'] });
    let tail = '';
    const collect = (chunk: Buffer): void => {
      tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('error', (error: NodeJS.ErrnoException) => {
      children.delete(child);
      if (error.code === 'ENOENT') {
        reject(new Error(`${command} not found: ${INSTALL_HINTS[command] ?? 'install it and retry'}`));
      } else {
        reject(new Error(`could not start ${command}: ${error.message}`));
      }
    });
    child.once('spawn', () => {
      children.add(child);
      // A forgotten handle must not keep the test process alive; the exit hook kills the child instead.
      child.unref();
      for (const stream of [child.stdin, child.stdout, child.stderr]) {
        if (stream instanceof Socket) stream.unref();
      }
      resolve({ child, output: () => tail });
    });
    child.once('exit', () => children.delete(child));
  });
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, timeoutMs = STOP_TIMEOUT_MS): Promise<boolean> {
  if (hasExited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/** Sends `signal`, waits for exit, and falls back to SIGKILL if the process ignores it. */
async function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (hasExited(child)) return;
  child.kill(signal);
  if (await waitForExit(child)) return;
  child.kill('SIGKILL');
  await waitForExit(child);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------------
// Small helpers.

let nameCounter = 0;

/** A name no other test (or concurrent run) will use: `prefix-<pid>-<counter>-<random>`. */
export function uniqueName(prefix: string): string {
  nameCounter += 1;
  return `${prefix}-${process.pid}-${nameCounter}-${randomBytes(4).toString('hex')}`;
}

/** A loopback TCP port that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not determine a free port'))));
    });
  });
}

/**
 * Connects to HOST:port, optionally sends `payload`, and resolves with what arrived once `complete` says
 * the answer is whole; resolves '' on connect errors, timeouts or an early close.
 */
function probe(port: number, payload: string | null, complete: (answer: string) => boolean): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    let settled = false;
    let answer = '';
    const finish = (result: string): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(1_000, () => finish(''));
    socket.once('error', () => finish(''));
    socket.once('connect', () => {
      if (payload === null) finish('connected');
      else socket.write(payload);
    });
    socket.on('data', (data: Buffer) => {
      answer += data.toString('utf8');
      if (complete(answer)) finish(answer);
    });
    socket.once('close', () => finish(''));
  });
}

const PROCESS_ID = /process_id:(\d+)\r\n/;

/** True once the redis-server answering on `port` is `child` itself, not some other server on that port. */
async function answersAsChild(port: number, child: ChildProcess): Promise<boolean> {
  const info = await probe(
    port,
    'INFO server\r\n',
    (answer) => PROCESS_ID.test(answer) || answer.startsWith('-'),
  );
  return PROCESS_ID.exec(info)?.[1] === String(child.pid);
}

/** Polls until `ready()` is true; fails early if the child exits, with its output in the message. */
async function waitUntil(
  what: string,
  child: ChildProcess,
  output: () => string,
  ready: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (hasExited(child)) {
      throw new Error(`${what} exited before it was ready (code ${String(child.exitCode)}):\n${output()}`);
    }
    if (await ready()) return;
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`${what} was not ready after ${READY_TIMEOUT_MS} ms:\n${output()}`);
}

// ---------------------------------------------------------------------------------------------------
// Redis.

/**
 * Exit hooks do not run when this process is SIGKILLed (e.g. a hung vitest worker), so a tiny `sh` holds
 * a pipe from us and, on EOF, kills the child and removes its temp dir. (kcat needs no guard: it exits
 * by itself when its stdin closes.)
 */
async function guardAgainstParentDeath(child: ChildProcess, dir: string): Promise<void> {
  const script = 'read -r _; kill -KILL "$1" 2>/dev/null; rm -rf "$2"';
  const { child: guard } = await spawnTracked(
    'sh',
    ['-c', script, 'floorboard-guard', String(child.pid), dir],
    'pipe',
  );
  const stopGuard = (): void => {
    guard.kill('SIGKILL');
  };
  if (hasExited(child)) stopGuard();
  else child.once('exit', stopGuard);
}

async function launchRedis(port: number, dataDir: string | null): Promise<ChildProcess> {
  registerCleanup();
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'floorboard-redis-'));
  tempDirs.add(dir);
  // A persistent server's directory outlives the process (a restart reads it); cleanUpAll removes it.
  const removeDir = (): void => {
    if (dataDir !== null) return;
    rmSync(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
  };
  const persistence =
    dataDir === null ? ['--appendonly', 'no'] : ['--appendonly', 'yes', '--appendfsync', 'always'];
  const args = [
    '--port',
    String(port),
    '--bind',
    HOST,
    '--save',
    '',
    ...persistence,
    '--daemonize',
    'no',
    '--dir',
    dir,
    '--loglevel',
    'warning',
  ];
  let spawned: Awaited<ReturnType<typeof spawnTracked>>;
  try {
    spawned = await spawnTracked('redis-server', args, 'ignore');
  } catch (error) {
    removeDir();
    throw error;
  }
  const { child, output } = spawned;
  child.once('exit', removeDir);
  await guardAgainstParentDeath(child, dir);
  await waitUntil(`redis-server on port ${port}`, child, output, () => answersAsChild(port, child));
  return child;
}

/**
 * Starts a throwaway redis-server (no persistence unless `appendOnly`, own temp dir) and waits until it
 * answers PING.
 */
export async function startRedisServer(opts: RedisServerOptions = {}): Promise<RedisServerHandle> {
  let port = opts.port ?? (await freePort());
  const dataDir =
    opts.appendOnly === true
      ? mkdtempSync(join(tmpdir(), 'floorboard-redis-aof-'))
      : typeof opts.appendOnly === 'string'
        ? opts.appendOnly
        : null;
  let child: ChildProcess | undefined;
  // Another process may grab a port between freePort() and bind; pick a new one unless the caller chose it.
  for (let attempt = 1; child === undefined; attempt += 1) {
    try {
      child = await launchRedis(port, dataDir);
    } catch (error) {
      const portTaken = error instanceof Error && /address already in use/i.test(error.message);
      if (!portTaken || opts.port !== undefined || attempt >= 3) throw error;
      port = await freePort();
    }
  }
  let current: ChildProcess | undefined = child;
  const fixedPort = port;

  return {
    url: `redis://${HOST}:${fixedPort}`,
    port: fixedPort,
    dataDir,
    async stop() {
      if (current !== undefined) await terminate(current, 'SIGTERM');
      current = undefined;
    },
    async kill() {
      if (current !== undefined) await terminate(current, 'SIGKILL');
      current = undefined;
    },
    async start() {
      if (current !== undefined && !hasExited(current)) {
        throw new Error(`redis-server on port ${fixedPort} is already running; stop() or kill() it first`);
      }
      current = await launchRedis(fixedPort, dataDir);
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Kafka (librdkafka mock cluster inside kcat).

const MOCK_LINE = /replaced with ([0-9.]+):(\d+)/;

/** Starts librdkafka's mock Kafka cluster via kcat and waits until its port accepts connections. */
export async function startMockBroker(): Promise<MockBrokerHandle> {
  // kcat produces whatever arrives on stdin, so stdin stays an open pipe until stop(); EOF makes it exit,
  // which also means the broker dies with this process even on SIGKILL.
  const args = ['-P', '-b', 'localhost:1', '-t', uniqueName('mock-warmup'), '-X', 'test.mock.num.brokers=1'];
  const { child, output } = await spawnTracked('kcat', args, 'pipe');
  child.stdin?.on('error', () => undefined); // EPIPE if kcat dies first; exit handling reports it.

  let brokers = '';
  await waitUntil('kcat mock cluster', child, output, async () => {
    const match = MOCK_LINE.exec(output());
    if (match === null) return false;
    brokers = `${match[1] ?? HOST}:${match[2] ?? ''}`;
    return (await probe(Number(match[2]), null, () => true)) === 'connected';
  });

  return {
    brokers,
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    async stop() {
      if (hasExited(child)) return;
      child.kill('SIGCONT');
      child.stdin?.end();
      // kcat ignores SIGTERM while it blocks reading stdin, so EOF it is, then SIGKILL.
      if (await waitForExit(child, 3_000)) return;
      await terminate(child, 'SIGKILL');
    },
  };
}
