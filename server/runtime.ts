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
import { readLive } from './read/live.ts';
import { createKeys, type Keys } from './store/keys.ts';
import { createMemoryStore } from './store/memory-store.ts';
import { createRedisStore, redactRedisUrl } from './store/redis-store.ts';
import type { LiveStore } from './store/store.ts';
import { createKafkaPublisher, createKafkaSource } from '../streams/kafka.ts';
import { createMemoryBus } from '../streams/memory-bus.ts';
import { createSimulation, runSimulator } from '../streams/simulator.ts';
import type { EventSource, OutboundMessage, Publisher } from '../streams/types.ts';

/** Where Redis is looked for when REDIS_URL is not set. */
export const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379';

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
  const onConnectionChange = (up: boolean, err?: Error) => {
    if (!up) log.warn({ err: err?.message }, 'redis connection lost');
  };
  if (config.redis.url) {
    try {
      return await createRedisStore({ url: config.redis.url, prefix, onConnectionChange });
    } catch (err) {
      throw new Error(
        `cannot reach Redis at ${redactRedisUrl(config.redis.url)} (REDIS_URL): ${(err as Error).message}. ` +
          'Start Redis or unset REDIS_URL to run on the in-process store.',
      );
    }
  }
  try {
    const store = await createRedisStore({ url: localRedisUrl, prefix, onConnectionChange });
    log.warn(
      { store: 'redis', url: localRedisUrl },
      `REDIS_URL is not set: USING THE REDIS FOUND AT ${localRedisUrl}`,
    );
    return store;
  } catch {
    log.warn(
      { store: 'in-memory' },
      `REDIS_URL is not set and no Redis answers at ${localRedisUrl}: USING THE IN-PROCESS STORE (nothing is persisted; a single instance only)`,
    );
    return createMemoryStore({ prefix, now: () => clock.now() });
  }
}

/** Starts ingestion (and the simulator when configured); resolves when consuming has begun. */
export async function startRuntime(deps: RuntimeDeps): Promise<Runtime> {
  const { config, clock, log } = deps;
  const calendar = createShiftCalendar(config.timezone, config.shifts);
  const useKafka = config.kafka.brokers.length > 0;
  const store = await openStore(deps, !useKafka);
  const keys = createKeys(store.prefix);
  if (!useKafka) {
    const cleared = await store.clear();
    if (cleared > 0) log.info({ keys: cleared, prefix: store.prefix }, 'cleared the previous embedded run');
  }
  const topics = config.kafka.topics;
  const consumed = TOPIC_ROLES.map((r) => topics[r]);

  let source: EventSource;
  let publisher: Publisher;
  if (useKafka) {
    const conn = { brokers: config.kafka.brokers, clientId: config.kafka.clientId, log };
    publisher = await createKafkaPublisher(conn);
    source = createKafkaSource({
      ...conn,
      groupId: config.kafka.groupId,
      sessionTimeout: config.kafka.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(config.kafka.sessionTimeoutMs / 10)),
      rebalanceTimeout: config.kafka.sessionTimeoutMs * 2,
      maxBytesPerPartition: config.kafka.maxBytesPerPartition,
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
  });
  await source.start(consumed, ingestor.handleBatch);

  const simulate = config.simulator.enabled === 'auto' ? !useKafka : config.simulator.enabled;
  let simulator: ReturnType<typeof runSimulator> | null = null;
  if (simulate) {
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
  }
  const started = clock.now();
  const liveDeps = { store, keys, calendar };
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
      const reachable = await store.ping();
      const stats = reachable ? ((await store.hgetall([keys.stats()]))[0] ?? {}) : {};
      const st = ingestor.status();
      const connected = source.connected();
      return {
        status: reachable && connected && st.degradedSince === null ? 'ok' : 'degraded',
        store: { kind: store.kind, location: store.describe, reachable },
        source: { kind: source.kind, connected, topics: consumed },
        simulator: { running: simulator !== null, published: simulator?.published ?? 0 },
        eventsProcessed: Number(stats.eventsProcessed ?? 0),
        deadLettered: Number(stats.deadLettered ?? 0),
        duplicates: Number(stats.duplicates ?? 0),
        lastEventAt: stats.lastEventAt ?? null,
        lastEventTs: stats.lastEventTs ?? null,
        degradedSince: st.degradedSince === null ? null : new Date(st.degradedSince).toISOString(),
        lastError: st.lastError,
        consumerLag: Object.values(st.lag).reduce((a, b) => a + b, 0),
        uptimeSeconds: Math.round((clock.now() - started) / 1000),
      };
    },
    live: () => readLive({ ...liveDeps, atRiskMinutes: atRiskMinutes() }, clock.now()),
    async stop() {
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
