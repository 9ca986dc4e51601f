/**
 * Realistic event streams from the built-in simulator, and producing them to Kafka with kafkajs
 * (one produce request per chunk, all topics together) the way a telephony or ticketing bridge would.
 */
import type { Producer, TopicMessages } from 'kafkajs';
import type { Config } from '../../config/schema.ts';
import { entityKeyOf, topicRoleOf, type CcEvent } from '../../server/contract/events.ts';
import { createSimulation } from '../../streams/simulator.ts';
import { uniqueName } from '../../test/support/services.ts';
import { kafkaClient } from './infra.ts';

const HOUR = 3_600_000;

/**
 * The first `count` events of a simulated centre whose day starts `days` before now (the simulator
 * produces about 11,500 events per simulated day: agents' states, calls, tickets, surveys).
 */
export function simulatedEvents(config: Config, count: number, seed = 7): CcEvent[] {
  const days = Math.ceil(count / 10_000) + 1;
  const start = Date.now() - days * 24 * HOUR;
  const sim = createSimulation({
    seed,
    startAt: start,
    timezone: config.timezone,
    teams: config.teams,
    runId: uniqueName('bench'),
  });
  const out: CcEvent[] = [];
  for (let t = start + HOUR; out.length < count; t += HOUR) {
    if (t > Date.now() + days * 24 * HOUR) throw new Error(`the simulation gave only ${out.length} events`);
    for (const e of sim.advanceTo(t)) if (out.length < count) out.push(e);
  }
  return out;
}

/** A simulated centre's last `hours` up to now: the floor a server starts with (agents, queues, tickets). */
export function recentHistory(config: Config, hours: number, seed = 5): CcEvent[] {
  const now = Date.now();
  const sim = createSimulation({
    seed,
    startAt: now - hours * HOUR,
    timezone: config.timezone,
    teams: config.teams,
    runId: uniqueName('history'),
  });
  return sim.advanceTo(now);
}

/**
 * An endless stream of simulated events, each re-stamped with the time it is taken (so it lands in
 * the current shift like live traffic): a busy centre's day compressed into the benchmark.
 */
export function liveEventStream(config: Config, seed = 7): { take(n: number, now: number): CcEvent[] } {
  let start = Date.now() - 30 * 24 * HOUR;
  let sim = createSimulation({
    seed,
    startAt: start,
    timezone: config.timezone,
    teams: config.teams,
    runId: uniqueName('live'),
  });
  let buffer: CcEvent[] = [];
  let t = start;
  return {
    take(n, now) {
      while (buffer.length < n) {
        t += HOUR;
        if (t > Date.now()) {
          // Past the present in simulated time: start a fresh centre (new ids) a month back.
          start = Date.now() - 30 * 24 * HOUR;
          t = start + HOUR;
          sim = createSimulation({
            seed: seed + 1,
            startAt: start,
            timezone: config.timezone,
            teams: config.teams,
            runId: uniqueName('live'),
          });
        }
        buffer = buffer.concat(sim.advanceTo(t));
      }
      const ts = new Date(now).toISOString();
      const out = buffer.slice(0, n).map((e) => ({ ...e, ts }));
      buffer = buffer.slice(n);
      return out;
    },
  };
}

/** Groups events into kafkajs topic messages (key = entity id), optionally pinning a partition. */
export function topicMessages(
  config: Config,
  events: readonly CcEvent[],
  partitionOf?: (e: CcEvent) => number | undefined,
): TopicMessages[] {
  const byTopic = new Map<string, TopicMessages['messages']>();
  for (const e of events) {
    const topic = config.kafka.topics[topicRoleOf(e.type)];
    const list = byTopic.get(topic) ?? [];
    const partition = partitionOf?.(e);
    list.push({
      key: entityKeyOf(e),
      value: JSON.stringify(e),
      ...(partition === undefined ? {} : { partition }),
    });
    byTopic.set(topic, list);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/** A connected kafkajs producer on the config's brokers. */
export async function connectProducer(config: Config, clientId = 'bench-producer'): Promise<Producer> {
  const producer = kafkaClient(config, clientId).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  return producer;
}

/** Produces `events` in chunks of `chunk`; resolves when the broker has acknowledged all of them. */
export async function produceAll(config: Config, events: readonly CcEvent[], chunk = 2000): Promise<void> {
  const producer = await connectProducer(config);
  try {
    for (let i = 0; i < events.length; i += chunk)
      await producer.sendBatch({ topicMessages: topicMessages(config, events.slice(i, i + chunk)) });
  } finally {
    await producer.disconnect();
  }
}
