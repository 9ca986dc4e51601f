/** Worker threads running TypeScript modules (tsx's loader does not reach workers on its own in Node 20). */
import { Worker } from 'node:worker_threads';

/** Starts a worker running the TypeScript module at `url` with `workerData`. */
export function startTsWorker(url: URL, workerData: unknown): Worker {
  const api = import.meta.resolve('tsx/esm/api');
  const boot =
    `import(${JSON.stringify(api)})` +
    `.then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })` +
    `.catch((err) => { console.error(err); process.exit(1); });`;
  return new Worker(boot, { eval: true, workerData });
}

export interface Mailbox {
  /** Resolves with the first message of `type` (kept if it arrived earlier); rejects when the worker fails. */
  next<T>(type: string, timeoutMs?: number): Promise<T>;
}

/** Collects a worker's `{ type }` messages; a `{ type: 'error', error }` message or an exit fails every wait. */
export function mailbox(worker: Worker): Mailbox {
  const received = new Map<string, unknown>();
  const waiters = new Map<string, Array<{ resolve: (m: unknown) => void; reject: (e: Error) => void }>>();
  let failure: Error | null = null;
  const fail = (err: Error) => {
    failure ??= err;
    for (const list of waiters.values()) for (const w of list) w.reject(err);
    waiters.clear();
  };
  worker.on('message', (m: { type?: string; error?: string }) => {
    if (m.type === 'error') return fail(new Error(`worker failed: ${m.error ?? 'unknown error'}`));
    if (typeof m.type !== 'string') return;
    if (!received.has(m.type)) received.set(m.type, m);
    for (const w of waiters.get(m.type) ?? []) w.resolve(m);
    waiters.delete(m.type);
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`worker exited (code ${code})`)));
  return {
    next<T>(type: string, timeoutMs = 600_000): Promise<T> {
      if (received.has(type)) return Promise.resolve(received.get(type) as T);
      if (failure) return Promise.reject(failure);
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ${type} from the worker in ${timeoutMs} ms`)),
          timeoutMs,
        );
        const list = waiters.get(type) ?? [];
        list.push({
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        waiters.set(type, list);
      });
    },
  };
}
