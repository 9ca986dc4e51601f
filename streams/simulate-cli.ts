/**
 * Publishes the built-in simulation to Kafka, e.g. to feed a floorboard that consumes a real broker:
 *
 *   npm run simulate -- --brokers localhost:9092 [--speed N] [--start ISO] [--hours H] [--seed N] [--timezone TZ]
 *
 * Without --start it backfills config `simulator.backfillMinutes` and then runs in real time (× speed);
 * without --hours it runs until Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { DateTime, IANAZone } from 'luxon';
import { loadConfig } from '../config/load.ts';
import { entityKeyOf, topicRoleOf, type CcEvent } from '../server/contract/events.ts';
import { createKafkaPublisher } from './kafka.ts';
import { createSimulation, runSimulator, type Simulation } from './simulator.ts';
import type { OutboundMessage, Publisher } from './types.ts';

const USAGE = `usage: npm run simulate -- --brokers HOST:PORT[,HOST:PORT] [--speed N] [--start ISO] [--hours H] [--seed N] [--timezone TZ]

  --brokers   Kafka bootstrap servers (default: KAFKA_BROKERS / config kafka.brokers)
  --speed     simulated seconds per real second once caught up (default: config simulator.speed)
  --start     simulated start, ISO-8601 (default: now minus config simulator.backfillMinutes)
  --hours     stop after this many simulated hours (default: run until Ctrl-C)
  --seed      random seed (default: config simulator.seed)
  --timezone  IANA zone of the simulated centre (default: config timezone)`;

const PROGRESS_EVERY_MS = 5_000;

function fail(message: string): never {
  console.error(`simulate: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function numberArg(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) fail(`--${name} must be a number, got "${value}"`);
  return n;
}

/** Stops the simulation at `endAt`: advancing past it is clamped. */
function bounded(simulation: Simulation, endAt: number): Simulation {
  return {
    advanceTo: (ms) => simulation.advanceTo(Math.min(ms, endAt)),
    get now() {
      return simulation.now;
    },
  };
}

/** Sends a tick's events to their topics, keyed by entity so each entity stays in order. */
function kafkaPublish(publisher: Publisher, topics: Record<string, string>) {
  return async (events: CcEvent[]): Promise<void> => {
    const byTopic = new Map<string, OutboundMessage[]>();
    for (const event of events) {
      const topic = topics[topicRoleOf(event.type)] as string;
      const messages = byTopic.get(topic) ?? [];
      messages.push({ key: entityKeyOf(event), value: JSON.stringify(event) });
      byTopic.set(topic, messages);
    }
    await Promise.all([...byTopic].map(([topic, messages]) => publisher.send(topic, messages)));
  };
}

function parseCli() {
  try {
    return parseArgs({
      options: {
        brokers: { type: 'string' },
        speed: { type: 'string' },
        start: { type: 'string' },
        hours: { type: 'string' },
        seed: { type: 'string' },
        timezone: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    fail((err as Error).message);
  }
}

async function main(): Promise<void> {
  const args = parseCli();
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const config = loadConfig();
  const brokers = (args.brokers?.split(',') ?? config.kafka.brokers).map((b) => b.trim()).filter(Boolean);
  if (brokers.length === 0) fail('no brokers: pass --brokers HOST:PORT or set KAFKA_BROKERS');
  const timezone = args.timezone ?? config.timezone;
  if (!IANAZone.isValidZone(timezone)) fail(`--timezone "${timezone}" is not an IANA time zone`);
  const speed = numberArg('speed', args.speed, config.simulator.speed);
  if (speed <= 0) fail('--speed must be positive');
  const seed = Math.trunc(numberArg('seed', args.seed, config.simulator.seed));
  const hours = args.hours === undefined ? undefined : numberArg('hours', args.hours, 0);
  if (hours !== undefined && hours <= 0) fail('--hours must be positive');
  let startAt = Date.now() - config.simulator.backfillMinutes * 60_000;
  if (args.start !== undefined) {
    const start = DateTime.fromISO(args.start, { zone: timezone });
    if (!start.isValid) fail(`--start "${args.start}" is not an ISO-8601 date-time`);
    startAt = start.toMillis();
  }

  const simulation = createSimulation({ seed, startAt, timezone, teams: config.teams });
  const endAt = hours === undefined ? Infinity : startAt + hours * 3_600_000;
  const fmt = (ms: number): string => DateTime.fromMillis(ms, { zone: timezone }).toISO() ?? String(ms);
  const publisher = await createKafkaPublisher({ brokers, clientId: `${config.kafka.clientId}-simulator` });
  const log = {
    info: (obj: object, msg?: string) => console.log(`simulate: ${msg ?? ''} ${JSON.stringify(obj)}`),
    warn: (obj: object & { err?: unknown }, msg?: string) =>
      console.warn(`simulate: ${msg ?? ''}`, obj.err instanceof Error ? obj.err.message : ''),
  };
  console.log(
    `simulate: run ${simulation.runId} from ${fmt(startAt)} (seed ${seed}, ${timezone}, speed ×${speed}` +
      `${hours === undefined ? '' : `, ${hours} h`}) → ${brokers.join(',')}`,
  );
  const runner = runSimulator({
    simulation: bounded(simulation, endAt),
    publish: kafkaPublish(publisher, config.kafka.topics),
    now: () => Date.now(),
    speed,
    catchUpTo: 'wall-clock',
    log,
  });

  let stopping = false;
  let finish = (): void => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const shutdown = async (reason: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearInterval(watch);
    console.log(`simulate: stopping (${reason})`);
    await runner.stop(); // publishes what the last tick produced
    await publisher.close();
    console.log(`simulate: done, ${runner.published} events published up to ${fmt(simulation.now)}`);
    finish();
  };

  let lastProgress = Date.now();
  let lastCount = 0;
  const watch = setInterval(() => {
    const wall = Date.now();
    if (wall - lastProgress >= PROGRESS_EVERY_MS) {
      const rate = Math.round(((runner.published - lastCount) * 1000) / (wall - lastProgress));
      const mode = simulation.now < wall - 60_000 ? 'catching up' : 'live';
      console.log(`simulate: ${fmt(simulation.now)} · ${runner.published} events (${rate}/s) · ${mode}`);
      lastProgress = wall;
      lastCount = runner.published;
    }
    if (simulation.now >= endAt) void shutdown(`reached ${hours} simulated hours`);
  }, 250);

  process.once('SIGINT', () => void shutdown('Ctrl-C'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  await finished;
}

main().catch((err: unknown) => {
  console.error(`simulate: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
