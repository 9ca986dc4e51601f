/** `npm start`: runs floorboard with the configuration from config/, FLOORBOARD_CONFIG and env vars. */
import { loadConfig } from '../config/load.ts';
import { formatDemoCredentials } from './auth/index.ts';
import { systemClock } from './clock.ts';
import { startFloorboard } from './floorboard.ts';
import { createLogger } from './log.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const fb = await startFloorboard({ config, clock: systemClock, log });
  // Secrets go to the terminal once, never into the JSON log.
  if (fb.demo) process.stdout.write(formatDemoCredentials(fb.demo, fb.url));
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await fb.stop().catch((err: Error) => log.error({ err: err.message }, 'error while stopping'));
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`floorboard failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
