/**
 * kafkajs behind floorboard's broker interface (streams/types.ts). kafkajs 2.2.4 is in maintenance
 * mode; nothing outside this file imports it, so it can be swapped for another client.
 */
import {
  Kafka,
  logLevel as KafkaLogLevel,
  type Admin,
  type Consumer,
  type KafkaConfig,
  type LogEntry,
} from 'kafkajs';
import type {
  BatchHandler,
  EventSource,
  OutboundMessage,
  Publisher,
  SourceHooks,
  TopicPartition,
} from './types.ts';

/** Minimal structured logger (pino satisfies it). */
export interface StreamLog {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface KafkaConnectOptions {
  brokers: string[];
  clientId: string;
  log?: StreamLog;
}

function kafkaClient(opts: KafkaConnectOptions): Kafka {
  const log = opts.log;
  const config: KafkaConfig = {
    clientId: opts.clientId,
    brokers: opts.brokers,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 8 },
    logLevel: log ? KafkaLogLevel.WARN : KafkaLogLevel.NOTHING,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        if (!log) return;
        const { message, ...rest } = entry;
        if (level <= KafkaLogLevel.ERROR) log.error({ kafka: rest }, message);
        else log.warn({ kafka: rest }, message);
      },
  };
  return new Kafka(config);
}

function toHeaders(h: OutboundMessage['headers']): Record<string, string> | undefined {
  return h && Object.keys(h).length > 0 ? h : undefined;
}

/** Connects a producer; topics are created on first use where the broker allows it. */
export async function createKafkaPublisher(opts: KafkaConnectOptions): Promise<Publisher> {
  const kafka = kafkaClient(opts);
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  return {
    async checkTopic(topic) {
      const admin = kafka.admin({ retry: { retries: 1 } });
      await admin.connect();
      try {
        if ((await admin.listTopics()).includes(topic)) return;
        // A broker that auto-creates topics creates it on this metadata request; otherwise create it.
        try {
          await admin.fetchTopicMetadata({ topics: [topic] });
          return;
        } catch {
          await admin.createTopics({ topics: [{ topic }], waitForLeaders: true }).catch((err: Error) => {
            throw new Error(`topic ${topic} does not exist and cannot be created: ${err.message}`);
          });
        }
      } finally {
        await admin.disconnect();
      }
    },
    async send(topic, messages) {
      if (messages.length === 0) return;
      await producer.send({
        topic,
        messages: messages.map((m) => ({ key: m.key, value: m.value, headers: toHeaders(m.headers) })),
      });
    },
    async close() {
      await producer.disconnect();
    },
  };
}

export interface KafkaSourceOptions extends KafkaConnectOptions {
  groupId: string;
  /** Where a group with no committed offset starts. Default: the earliest retained message. */
  fromBeginning?: boolean;
  sessionTimeout?: number;
  heartbeatInterval?: number;
  rebalanceTimeout?: number;
  maxBytesPerPartition?: number;
  /** Batches of different partitions processed at once (kafkajs partitionsConsumedConcurrently). Default 1. */
  concurrency?: number;
}

/**
 * How often resolved offsets are committed to the group. kafkajs' own auto-commit sends an offset
 * commit after every batch (whatever its interval says): a broker round trip per partition per fetch,
 * measured at ~13 ms of each ~80 ms fetch cycle on the push benchmark's 16 partitions, paid before the
 * next fetch. Nothing waits on these commits being recent: partitions resume from the offsets stored
 * with the state (server/ingest), the committed ones are for lag tools and a group's fallback.
 */
const COMMIT_INTERVAL_MS = 1000;

/**
 * A consumer-group member. Several instances with one groupId split the partitions. Offsets are
 * committed only for messages the handler resolved (every COMMIT_INTERVAL_MS, and on stop), so a
 * crash replays at most uncommitted work.
 */
export function createKafkaSource(opts: KafkaSourceOptions): EventSource {
  const kafka = kafkaClient(opts);
  let consumer: Consumer | null = null;
  let joined = false;
  /** Last successful fetch, heartbeat or join: the broker answered. */
  let lastContactAt = 0;
  let assignment: TopicPartition[] = [];
  /** Positioning of the latest assignment (SourceHooks.onAssigned). */
  let positioning: Promise<void> = Promise.resolve();
  let stopping = false;
  let relaunch: NodeJS.Timeout | null = null;
  /** Commits every resolved offset not committed yet (through the running consumer), or null. */
  let commitResolved: (() => Promise<void>) | null = null;
  let committing: Promise<void> = Promise.resolve();
  /** Commits what was resolved, one commit at a time; a failure (a rebalance, say) waits for the next. */
  const commitNow = (): Promise<void> => {
    committing = committing
      .then(() => commitResolved?.())
      .catch((err: Error) => opts.log?.debug({ err: err.message }, 'offset commit failed; retried later'));
    return committing;
  };
  // Off the batch path: the next fetch never waits for a commit.
  const commitTimer = setInterval(() => void commitNow(), COMMIT_INTERVAL_MS);
  commitTimer.unref();
  let admin: Admin | null = null;

  type Watermarks = Map<number, { low: string; high: string }>;
  /** Per topic, the last answer (or the request in flight) for its watermarks, and when it was asked. */
  const watermarks = new Map<string, { at: number; value: Promise<Watermarks> }>();
  let adminReady: Promise<Admin> | null = null;

  /** A topic's watermarks at most `maxAgeMs` old (0: asked now). */
  function topicWatermarks(topic: string, maxAgeMs: number): Promise<Watermarks> {
    const cached = watermarks.get(topic);
    if (cached && maxAgeMs > 0 && Date.now() - cached.at <= maxAgeMs) return cached.value;
    adminReady ??= (async () => {
      const a = kafka.admin();
      await a.connect();
      admin = a;
      return a;
    })().catch((err: unknown) => {
      adminReady = null;
      throw err;
    });
    const value = adminReady
      .then((a) => a.fetchTopicOffsets(topic))
      .then((offsets) => new Map(offsets.map((o) => [o.partition, { low: o.low, high: o.high }])));
    const entry = { at: Date.now(), value };
    watermarks.set(topic, entry);
    value.catch(() => {
      if (watermarks.get(topic) === entry) watermarks.delete(topic);
    });
    return value;
  }

  /** The low watermark of a partition (the earliest retained offset), cached for 30 s per topic. */
  async function earliestOffset(topic: string, partition: number): Promise<string> {
    return (await topicWatermarks(topic, 30_000)).get(partition)?.low ?? '0';
  }

  return {
    kind: 'kafka',
    offsetNamespace: `kafka:${opts.groupId}`,
    connected() {
      return joined && Date.now() - lastContactAt < Math.max(15000, (opts.sessionTimeout ?? 30000) / 2);
    },
    assigned: () => [...assignment],
    seek(topic, partition, offset) {
      consumer?.seek({ topic, partition, offset });
    },
    async offsetRanges(partitions) {
      // Fresh: a rebuild's goal must include everything written before the state was lost.
      const topics = [...new Set(partitions.map((p) => p.topic))];
      const byTopic = new Map(
        await Promise.all(topics.map(async (t) => [t, await topicWatermarks(t, 0)] as const)),
      );
      return partitions.map(({ topic, partition }) => {
        const o = byTopic.get(topic)?.get(partition);
        if (!o) throw new Error(`topic ${topic} has no partition ${partition}`);
        return o;
      });
    },
    async start(topics: string[], handler: BatchHandler, hooks?: SourceHooks) {
      await launch(topics, handler, hooks);
    },
    async stop() {
      stopping = true;
      joined = false;
      if (relaunch) clearTimeout(relaunch);
      clearInterval(commitTimer);
      await commitNow();
      await consumer?.disconnect();
      await admin?.disconnect();
    },
  };

  /** Creates, subscribes and runs a consumer; a crash kafkajs will not recover from relaunches it. */
  async function launch(topics: string[], handler: BatchHandler, hooks?: SourceHooks): Promise<void> {
    const c = kafka.consumer({
      groupId: opts.groupId,
      sessionTimeout: opts.sessionTimeout ?? 30000,
      rebalanceTimeout: opts.rebalanceTimeout ?? 60000,
      heartbeatInterval: opts.heartbeatInterval ?? 3000,
      maxBytesPerPartition: opts.maxBytesPerPartition ?? 1048576,
      allowAutoTopicCreation: true,
      retry: {
        initialRetryTime: 300,
        maxRetryTime: 10000,
        retries: 10,
        restartOnFailure: async () => !stopping,
      },
    });
    consumer = c;
    c.on(c.events.GROUP_JOIN, (e) => {
      joined = true;
      lastContactAt = Date.now();
      assignment = Object.entries(e.payload.memberAssignment).flatMap(([topic, partitions]) =>
        partitions.map((partition) => ({ topic, partition })),
      );
      const onAssigned = hooks?.onAssigned;
      if (!onAssigned) return;
      // Batches wait until the new partitions are positioned; those fetched from the group's committed
      // offsets before a seek are then stale and skipped (pausing instead would idle the first fetch).
      positioning = Promise.resolve()
        .then(() => onAssigned([...assignment]))
        .catch((err: Error) =>
          opts.log?.error({ err: err.message }, 'positioning the assigned partitions failed'),
        );
    });
    // A fetch or a heartbeat means the broker answers, also while a batch is retried on a store outage.
    c.on(c.events.FETCH, () => {
      lastContactAt = Date.now();
    });
    c.on(c.events.HEARTBEAT, () => {
      lastContactAt = Date.now();
    });
    c.on(c.events.CRASH, (e) => {
      joined = false;
      opts.log?.error({ err: String(e.payload.error), restart: e.payload.restart }, 'kafka consumer crashed');
      // kafkajs gives up on some errors (restart: false); a member that stays down would leave its
      // partitions unread, so start a fresh consumer after a pause.
      if (!e.payload.restart && !stopping && consumer === c) {
        relaunch = setTimeout(() => {
          relaunch = null;
          void c
            .disconnect()
            .catch(() => undefined)
            .then(() => (stopping ? undefined : launch(topics, handler)))
            .catch((err: Error) => opts.log?.error({ err: err.message }, 'kafka consumer relaunch failed'));
        }, 2000);
      }
    });
    c.on(c.events.DISCONNECT, () => {
      joined = false;
    });
    await c.connect();
    await c.subscribe({ topics, fromBeginning: opts.fromBeginning ?? true });
    await c.run({
      // Committed every COMMIT_INTERVAL_MS by commitNow (kafkajs would commit after every batch).
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: Math.max(1, opts.concurrency ?? 1),
      eachBatch: async (payload) => {
        const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
        let sought = false;
        commitResolved = async () => {
          const pending = payload.uncommittedOffsets();
          // With offsets given, kafkajs commits them (no interval check).
          if (pending.topics.length > 0) await payload.commitOffsetsIfNecessary(pending);
        };
        if (batch.messages.length === 0) return;
        await positioning;
        if (isStale()) return;
        await handler(
          {
            topic: batch.topic,
            partition: batch.partition,
            highWatermark: batch.highWatermark,
            lastOffset: batch.lastOffset(),
            messages: batch.messages.map((m) => ({
              offset: m.offset,
              key: m.key,
              value: m.value,
              headers: stringHeaders(m.headers),
            })),
          },
          {
            heartbeat,
            isActive: () => isRunning() && !isStale() && !stopping && !sought,
            resolveOffset,
            earliestOffset: () => earliestOffset(batch.topic, batch.partition),
            seek: (offset) => {
              sought = true;
              c.seek({ topic: batch.topic, partition: batch.partition, offset });
            },
          },
        );
      },
    });
  }
}

function stringHeaders(h: Record<string, unknown> | undefined): Record<string, string> | undefined {
  if (!h) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (Buffer.isBuffer(v)) out[k] = v.toString('utf8');
    else if (typeof v === 'string') out[k] = v;
  }
  return out;
}
