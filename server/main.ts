/** `npm start`: runs floorboard with the configuration from config/, FLOORBOARD_CONFIG and env vars. */
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../config/load.ts';
import { systemClock } from './clock.ts';
import { createApp } from './http/app.ts';
import type { RouteSpec } from './http/guard.ts';
import { statusRoutes } from './http/routes/status.ts';
import { createLogger } from './log.ts';
import { startRuntime } from './runtime.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const runtime = await startRuntime({ config, clock: systemClock, log });
  const specs: RouteSpec[] = [];
  const app = createApp({ log, api: [statusRoutes({ health: runtime.health, live: runtime.live }, specs)] });
  const server = app.listen(config.port, () => {
    const { port } = server.address() as AddressInfo;
    log.info(
      { port, store: runtime.store.kind, source: runtime.source.kind },
      `floorboard listening on http://localhost:${port}`,
    );
  });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    server.close();
    await runtime.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`floorboard failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
