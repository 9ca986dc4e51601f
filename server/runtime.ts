/**
 * Composition root: picks the store (Redis, or the in-process store), the event source (Kafka, or
 * the in-process bus with the built-in simulator), and wires ingestion, health and the live read
 * model. Says loudly which of each it uses.
 */
import type { Config } from '../config/schema.ts';
import { entityKeyOf, topicRoleOf, TOPIC_ROLES, type CcEvent } from './contract/events.ts';
import type { HealthResponse, LiveSnapshot } from './contract/api.ts';
import type { Clock } from './clock.ts';
import { projectionContextFactory } from './domain/context.ts';
import { createShiftCalendar, type ShiftCalendar } from './domain/shifts.ts';
import { createIngestor, topicRolesOf, type Ingestor } from './ingest/ingestor.ts';
import type { Logger } from './log.ts';
import { createLiveReader } from './read/live.ts';
import { createKeys, type Keys } from './store/keys.ts';
import { createMemoryStore } from './store/memory-store.ts';
import { createRedisStore, redactRedisUrl, RedisVersionError } from './store/redis-store.ts';
import type { LiveStore } from './store/store.ts';
import { createKafkaPublisher, createKafkaSource } from '../streams/kafka.ts';
import { createMemoryBus } from '../streams/memory-bus.ts';
import { createSimulation, runSimulator } from '../streams/simulator.ts';
import type { EventSource, OutboundMessage, Publisher } from '../streams/types.ts';

/** Where Redis is looked for when REDIS_URL is not set. */
export const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379';

/** How often ingestion checks that the store still holds its state (besides on every reconnect). */
const STORE_CHECK_MS = 5000;

/**
 * Batches of different partitions processed at once, each on its own Redis connection. Measured with
 * the ingest benchmark on 2 cores (Redis and the broker on the same machine), 2 overlapped one batch's
 * round trips with the next one's projection (main-thread idle 17 % → 6 %) but cost more CPU per event
 * (WATCH conflicts on shared agent records, more garbage) for no more events per second, so 1.
 */
const INGEST_CONCURRENCY = 1;

export interface Runtime {
  config: Config;
  store: LiveStore;
  /** The Redis URL the store uses, or null for the in-process store. */
  redisUrl: string | null;
  keys: Keys;
  calendar: ShiftCalendar;
  source: EventSource;
  /** Publishes to the broker in use (Kafka, or the in-process bus): dead letters and outbound commands. */
  publisher: Publisher;
  ingestor: Ingestor;
  health(): Promise<HealthResponse>;
  live(): Promise<LiveSnapshot>;
  stop(): Promise<void>;
}

export interface RuntimeDeps {
  config: Config;
  clock: Clock;
  log: Logger;
  /** Where to look for a local Redis when REDIS_URL is unset (default LOCAL_REDIS_URL). */
  localRedisUrl?: string;
  /** Called after each batch is stored. */
  onApplied?: () => void;
  /** The SLA policy and team mapping in force (admins may change them); default: the config's. */
  policy?: () => Pick<Config, 'sla' | 'teams'>;
}

async function openStore(
  { config, clock, log, localRedisUrl = LOCAL_REDIS_URL }: RuntimeDeps,
  embedded: boolean,
): Promise<LiveStore> {
  // With the in-process source, offsets and simulated state are this run's own: a separate key space,
  // cleared at start, so a restart never mixes with an earlier run's live state.
  const prefix = embedded ? `${config.redis.keyPrefix}embedded:` : config.redis.keyPrefix;
  let down = false;
  const onConnectionChange = (up: boolean, err?: Error) => {
    if (err instanceof RedisVersionError)
      log.error({ err: err.message }, 'REDIS IS TOO OLD: ingestion cannot store');
    else if (!up && !down) log.warn({ err: err?.message }, 'redis connection lost');
    else if (up && down) log.warn({}, 'redis connection restored');
    down = !up;
  };
  const redisOptions = { prefix, onConnectionChange, txConnections: INGEST_CONCURRENCY };
  if (config.redis.url) {
    const url = config.redis.url;
    const where = redactRedisUrl(url);
    try {
      const store = await createRedisStore({ url, ...redisOptions });
      log.warn({ store: 'redis', url: where }, `USING THE REDIS AT ${where} (REDIS_URL)`);
      return store;
    } catch (err) {
      if (err instanceof RedisVersionError) throw new Error(`${err.message} (REDIS_URL)`);
      // Down at start is an outage like any other: ingestion waits and retries, nothing is lost.
      log.error(
        { store: 'redis', url: where, err: (err as Error).message },
        `USING THE REDIS AT ${where} (REDIS_URL), WHICH DOES NOT ANSWER YET: ingestion waits and retries until it does`,
      );
      return createRedisStore({ url, ...redisOptions, waitForConnection: false });
    }
  }
  try {
    const store = await createRedisStore({ url: localRedisUrl, ...redisOptions });
    log.warn(
      { store: 'redis', url: localRedisUrl },
      `REDIS_URL is not set: USING THE REDIS FOUND AT ${localRedisUrl}`,
    );
    return store;
  } catch (err) {
    const why =
      err instanceof RedisVersionError
        ? `the Redis at ${localRedisUrl} is too old (${err.version}; floorboard needs 6.2 or newer)`
        : `no Redis answers at ${localRedisUrl}`;
    log.warn(
      { store: 'in-memory' },
      `REDIS_URL is not set and ${why}: USING THE IN-PROCESS STORE (nothing is persisted; a single instance only)`,
    );
    return createMemoryStore({ prefix, now: () => clock.now() });
  }
}

/** Clears the embedded run's key space, waiting for the store to answer (REDIS_URL down at start). */
async function clearEmbedded(
  store: LiveStore,
  log: Logger,
  clock: Clock,
  stopped: () => boolean,
): Promise<void> {
  for (let wait = 500; !stopped(); wait = Math.min(wait * 2, 10_000)) {
    try {
      const cleared = await store.clear();
      if (cleared > 0) log.info({ keys: cleared, prefix: store.prefix }, 'cleared the previous embedded run');
      return;
    } catch (err) {
      log.error({ err: (err as Error).message }, 'cannot clear the previous embedded run yet; retrying');
      await clock.sleep(wait);
    }
  }
}

/** Starts ingestion (and the simulator when configured); resolves when consuming has begun. */
export async function startRuntime(deps: RuntimeDeps): Promise<Runtime> {
  const { config, clock, log } = deps;
  const calendar = createShiftCalendar(config.timezone, config.shifts);
  const useKafka = config.kafka.brokers.length > 0;
  const store = await openStore(deps, !useKafka);
  const keys = createKeys(store.prefix);
  const topics = config.kafka.topics;
  const consumed = TOPIC_ROLES.map((r) => topics[r]);

  let source: EventSource;
  let publisher: Publisher;
  if (useKafka) {
    const conn = { brokers: config.kafka.brokers, clientId: config.kafka.clientId, log };
    publisher = await createKafkaPublisher(conn);
    try {
      await publisher.checkTopic?.(topics.deadletter);
    } catch (err) {
      await publisher.close().catch(() => undefined);
      await store.close();
      throw new Error(
        `the dead-letter topic ${topics.deadletter} is not usable: ${(err as Error).message}. ` +
          'Create it (or allow floorboard to create topics): rejected events are published there.',
      );
    }
    source = createKafkaSource({
      ...conn,
      groupId: config.kafka.groupId,
      sessionTimeout: config.kafka.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(config.kafka.sessionTimeoutMs / 10)),
      rebalanceTimeout: config.kafka.sessionTimeoutMs * 2,
      maxBytesPerPartition: config.kafka.maxBytesPerPartition,
      concurrency: INGEST_CONCURRENCY,
    });
    log.warn(
      { source: 'kafka', brokers: config.kafka.brokers, groupId: config.kafka.groupId },
      'CONSUMING FROM KAFKA',
    );
  } else {
    const bus = createMemoryBus();
    publisher = bus;
    source = bus.source();
    log.warn({ source: 'in-process' }, 'KAFKA_BROKERS is not set: USING THE IN-PROCESS EVENT SOURCE');
  }

  const ingestor = createIngestor({
    store,
    clock,
    log,
    ctxAt: projectionContextFactory(config, calendar, deps.policy),
    deadLetters: publisher,
    deadLetterTopic: topics.deadletter,
    topicRoles: topicRolesOf(topics),
    offsetNamespace: source.offsetNamespace,
    maxMessageBytes: config.ingest.maxMessageBytes,
    dedupeHours: config.retention.dedupeHours,
    retryInitialMs: config.ingest.retryInitialMs,
    retryMaxMs: config.ingest.retryMaxMs,
    ...(deps.onApplied ? { onApplied: deps.onApplied } : {}),
    source,
  });

  const simulate = config.simulator.enabled === 'auto' ? !useKafka : config.simulator.enabled;
  let simulator: ReturnType<typeof runSimulator> | null = null;
  const startSimulator = () => {
    const startAt = clock.now() - config.simulator.backfillMinutes * 60_000;
    const simulation = createSimulation({
      seed: config.simulator.seed,
      startAt,
      timezone: config.timezone,
      teams: config.teams,
    });
    simulator = runSimulator({
      simulation,
      publish: (events) => publishEvents(publisher, topics, events),
      now: () => clock.now(),
      speed: config.simulator.speed,
      log,
    });
    log.warn(
      { speed: config.simulator.speed, backfillMinutes: config.simulator.backfillMinutes },
      'BUILT-IN SIMULATOR RUNNING: the data is simulated',
    );
  };
  let stopped = false;
  const begin = async () => {
    // The embedded run starts from a clean key space; with a store that is down at start, it waits.
    if (!useKafka) await clearEmbedded(store, log, clock, () => stopped);
    if (stopped) return;
    await source.start(consumed, ingestor.handleBatch, { onAssigned: ingestor.onAssigned });
    if (simulate && !stopped) startSimulator();
  };
  if (useKafka || (await store.ping())) await begin();
  else void begin().catch((err: Error) => log.error({ err: err.message }, 'cannot start ingestion'));

  // Lost state is found by the next batch of a partition; a partition without traffic needs this.
  const checkStore = (reconnected: boolean) =>
    void ingestor.checkStore({ reconnected }).catch(() => undefined);
  const watchdog = setInterval(() => checkStore(false), STORE_CHECK_MS);
  watchdog.unref();
  store.onReconnect(() => checkStore(true));
  /** The last stats read, shown while the store is unreachable. */
  let lastStats: Record<string, string> = {};
  const started = clock.now();
  // One reader for the process: it keeps the floor between reads and re-reads what the store's change
  // log names. Redis may come back restored from a backup, which the log cannot tell: start over then.
  const liveReader = createLiveReader({ store, keys, calendar });
  store.onReconnect(() => liveReader.reset());
  const atRiskMinutes = () => (deps.policy?.() ?? config).sla.atRiskMinutes;

  return {
    config,
    store,
    redisUrl: store.kind === 'redis' ? (config.redis.url ?? deps.localRedisUrl ?? LOCAL_REDIS_URL) : null,
    keys,
    calendar,
    source,
    publisher,
    ingestor,
    async health() {
      let reachable = await store.ping();
      if (reachable) {
        try {
          lastStats = (await store.hgetall([keys.stats()]))[0] ?? {};
        } catch {
          reachable = false;
        }
      }
      const stats = lastStats;
      const st = ingestor.status();
      const connected = source.connected();
      return {
        status: reachable && connected && st.degradedSince === null && !st.rebuilding ? 'ok' : 'degraded',
        store: { kind: store.kind, location: store.describe, reachable },
        source: { kind: source.kind, connected, topics: consumed },
        simulator: { running: simulator !== null, published: simulator?.published ?? 0 },
        eventsProcessed: Number(stats.eventsProcessed ?? 0),
        deadLettered: Number(stats.deadLettered ?? 0),
        duplicates: Number(stats.duplicates ?? 0),
        lastEventAt: stats.lastEventAt ?? null,
        lastEventTs: stats.lastEventTs ?? null,
        degradedSince: st.degradedSince === null ? null : new Date(st.degradedSince).toISOString(),
        rebuilding: st.rebuilding,
        lastError: st.lastError,
        consumerLag: Object.values(st.lag).reduce((a, b) => a + b, 0),
        uptimeSeconds: Math.round((clock.now() - started) / 1000),
      };
    },
    live: () => liveReader.read(clock.now(), atRiskMinutes()),
    async stop() {
      stopped = true;
      clearInterval(watchdog);
      await simulator?.stop();
      await source.stop();
      await publisher.close();
      await store.close();
    },
  };
}

/** Publishes contract events to their topics, keyed by entity id. */
export async function publishEvents(
  publisher: Publisher,
  topics: Config['kafka']['topics'],
  events: readonly CcEvent[],
): Promise<void> {
  const byTopic = new Map<string, OutboundMessage[]>();
  for (const e of events) {
    const topic = topics[topicRoleOf(e.type)];
    const list = byTopic.get(topic) ?? [];
    list.push({ key: entityKeyOf(e), value: JSON.stringify(e) });
    byTopic.set(topic, list);
  }
  for (const [topic, messages] of byTopic) await publisher.send(topic, messages);
}
