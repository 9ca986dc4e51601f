/**
 * `node --import tsx --import ./bench/lib/fetch-wait-preload.ts server/main.ts`: installs the mock
 * broker fetch-wait shim (lib/fetch-wait.ts) in a server child process; BENCH_FETCH_WAIT_MS sets it.
 */
import { installFetchWaitShim, SHIM_MAX_WAIT_MS } from './fetch-wait.ts';

installFetchWaitShim(Number(process.env.BENCH_FETCH_WAIT_MS ?? SHIM_MAX_WAIT_MS));
