/**
 * `npm run cli -- <command>`: operator commands.
 *   replay FILE   ingest a newline-delimited JSON file of contract events into the store
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.ts';
import { systemClock } from './clock.ts';
import { projectionContextFactory } from './domain/context.ts';
import { createShiftCalendar } from './domain/shifts.ts';
import { replayFile } from './ingest/replay.ts';
import { createRedisStore, redactRedisUrl } from './store/redis-store.ts';
import { LOCAL_REDIS_URL } from './runtime.ts';

const USAGE = `usage: npm run cli -- <command>

commands:
  replay FILE   ingest a newline-delimited JSON file of contract events (same validation and
                projection as live ingestion; replaying the same file again applies nothing twice)

environment: REDIS_URL (default ${LOCAL_REDIS_URL}), FLOORBOARD_CONFIG, REDIS_KEY_PREFIX`;

async function replay(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const file = positionals[0];
  if (!file || positionals.length > 1) {
    console.error('replay takes exactly one FILE\n\n' + USAGE);
    return 2;
  }
  const config = loadConfig();
  const url = config.redis.url ?? LOCAL_REDIS_URL;
  const store = await createRedisStore({ url, prefix: config.redis.keyPrefix }).catch((err: Error) => {
    throw new Error(`cannot reach Redis at ${redactRedisUrl(url)}: ${err.message} (set REDIS_URL)`);
  });
  try {
    const calendar = createShiftCalendar(config.timezone, config.shifts);
    console.error(`replaying ${file} into ${store.describe} (prefix ${store.prefix})`);
    const result = await replayFile(file, {
      store,
      ctxAt: projectionContextFactory(config, calendar),
      now: systemClock.now,
      maxMessageBytes: config.ingest.maxMessageBytes,
      dedupeHours: config.retention.dedupeHours,
      onReject: (line, reason) => console.error(`line ${line}: rejected: ${reason}`),
    });
    console.log(JSON.stringify(result));
    return 0;
  } finally {
    await store.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'replay':
      return replay(rest);
    case undefined:
    case 'help':
    case '--help':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      console.error(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`error: ${(err as Error).message}`);
    process.exit(1);
  },
);
