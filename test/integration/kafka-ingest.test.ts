/**
 * Kafka → Redis through the real path: kafkajs producing to the Kafka-protocol broker, the runtime's
 * consumer group, validation, projection and the Redis store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../config/schema.ts';
import { DEAD_LETTER_HEADERS, EVENT_TYPES, type CcEvent } from '../../server/contract/events.ts';
import { createLogger } from '../../server/log.ts';
import { startRuntime, type Runtime } from '../../server/runtime.ts';
import { systemClock } from '../../server/clock.ts';
import { daytimeZone } from '../support/daytime.ts';
import { ev } from '../support/events.ts';
import {
  isolatedConfig,
  produceEvents,
  produceRaw,
  readTopic,
  simulatedEvents,
  waitUntil,
} from '../support/kafka.ts';
import { normalize, observeAll } from '../support/observe.ts';
import { reference } from '../support/reference.ts';

const running: Runtime[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.stop().catch(() => undefined);
  }
});

async function start(config: Config): Promise<Runtime> {
  const r = await startRuntime({ config, clock: systemClock, log: createLogger('silent') });
  running.push(r);
  return r;
}

async function expectMatchesReference(runtime: Runtime, config: Config, events: CcEvent[]): Promise<void> {
  const ref = reference(events, config);
  const got = await observeAll(runtime.store, runtime.keys, config.redis.url ?? '');
  expect(normalize(got)).toEqual(normalize(ref));
}

const uniqueCount = (events: CcEvent[]) => new Set(events.map((e) => e.id)).size;

describe('Kafka ingestion into Redis', () => {
  it('projects events of every type and the counters equal the reference', async () => {
    const config = isolatedConfig('ingest');
    const events = simulatedEvents(config, 4);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(EVENT_TYPES));
    expect(events.length).toBeGreaterThan(1000);
    await produceEvents(config, events);
    const runtime = await start(config);
    await waitUntil(
      'every event applied',
      async () => (await runtime.health()).eventsProcessed === events.length,
    );
    const health = await runtime.health();
    expect(health).toMatchObject({ status: 'ok', deadLettered: 0, duplicates: 0 });
    expect(health.store.kind).toBe('redis');
    expect(health.source).toMatchObject({ kind: 'kafka', connected: true });
    await expectMatchesReference(runtime, config, events);
  });

  it('counts a duplicated event once and ends right with out-of-order and clock-skewed events', async () => {
    // In a zone where it is late morning now, so the events of the last 10 minutes are in this shift.
    const config = { ...isolatedConfig('order'), timezone: daytimeZone() };
    const t = (s: number) => new Date(Date.now() - 600_000 + s * 1000).toISOString();
    const queued = ev.queued({ callId: 'c1', ts: t(10) });
    const events: CcEvent[] = [
      ev.agent({ agentId: 'a1', state: 'available', ts: t(0) }),
      queued,
      queued, // the source published it twice
      ev.answered({ callId: 'c1', agentId: 'a1', ts: t(9) }), // stamped a second before its queue entry
      ev.answered({ callId: 'c2', agentId: 'a1', ts: t(40) }), // arrives before its queue event
      ev.queued({ callId: 'c2', ts: t(30) }),
      ev.ticket({ ticketId: 't1', ts: t(0) }),
      ev.assigned({ ticketId: 't1', agentId: 'a1', ts: t(5) }),
    ];
    await produceEvents(config, events);
    const runtime = await start(config);
    await waitUntil(
      'events applied',
      async () => (await runtime.health()).eventsProcessed === uniqueCount(events),
    );
    await produceEvents(config, [queued]); // and once more, later
    await waitUntil('duplicates seen', async () => (await runtime.health()).duplicates === 2);
    const live = await runtime.live();
    expect(live.queues).toHaveLength(1);
    expect(live.queues[0]).toMatchObject({ waiting: 0 });
    expect(live.queues[0]?.shift).toMatchObject({ offered: 2, answered: 2, answeredWithinThreshold: 2 });
    expect(live.queues[0]?.shift.asaSeconds).toBe(5); // (0 + 10) / 2
    expect(live.agents[0]?.openTickets.medium).toBe(1);
    await expectMatchesReference(runtime, config, events);
  });

  it('dead-letters every kind of bad input with its reason and keeps consuming', async () => {
    const config = isolatedConfig('bad');
    const calls = config.kafka.topics.calls;
    const good = ev.queued({ callId: 'ok-1', ts: new Date().toISOString() });
    const base = { id: 'b', type: 'call.queued', ts: new Date().toISOString(), callId: 'x', queue: 'sales' };
    const bad: Array<{ value: string | Buffer; reason: RegExp }> = [
      { value: 'not json at all', reason: /^value is not JSON/ },
      { value: Buffer.from([0xc3, 0x28]), reason: /^value is not valid UTF-8$/ },
      {
        value: JSON.stringify({ ...base, type: 'call.exploded' }),
        reason: /^unknown event type "call.exploded"/,
      },
      { value: JSON.stringify({ ...base, callId: undefined }), reason: /callId: Invalid input/ },
      { value: JSON.stringify({ ...base, queue: 7 }), reason: /queue: Invalid input: expected string/ },
      { value: JSON.stringify({ ...base, priority: 9 }), reason: /priority: Too big/ },
      {
        value: JSON.stringify({ ...base, pad: 'x'.repeat(70 * 1024) }),
        reason: /^message is \d+ bytes; the limit is 65536$/,
      },
      { value: JSON.stringify({ ...base, ts: 'yesterday at noon' }), reason: /ts: Invalid ISO datetime/ },
      {
        value: JSON.stringify({ ...base, type: 'agent.state', agentId: 'a', state: 'available' }),
        reason: /does not belong on the calls topic/,
      },
      { value: JSON.stringify([1, 2, 3]), reason: /expected a JSON object/ },
    ];
    await produceRaw(config, calls, [
      ...bad.map((b, i) => ({ key: `bad-${i}`, value: b.value })),
      { key: 'ok-1', value: JSON.stringify(good) },
    ]);
    const runtime = await start(config);
    await waitUntil(
      'good event after the bad ones applied',
      async () => (await runtime.health()).eventsProcessed === 1,
    );
    const health = await runtime.health();
    expect(health.deadLettered).toBe(bad.length);
    const dlq = await readTopic(config, config.kafka.topics.deadletter, bad.length);
    for (const [i, b] of bad.entries()) {
      const m = dlq.find((d) => d.key?.toString() === `bad-${i}`);
      expect(m, `dead letter for bad-${i}`).toBeDefined();
      expect(m?.headers[DEAD_LETTER_HEADERS.reason]).toMatch(b.reason);
      expect(m?.headers[DEAD_LETTER_HEADERS.sourceTopic]).toBe(calls);
      expect(m?.headers[DEAD_LETTER_HEADERS.sourcePartition]).toMatch(/^[0-3]$/);
      expect(m?.headers[DEAD_LETTER_HEADERS.sourceOffset]).toMatch(/^\d+$/);
      expect(m?.value?.equals(Buffer.isBuffer(b.value) ? b.value : Buffer.from(b.value))).toBe(true);
    }
    expect((await runtime.live()).queues[0]?.shift.offered).toBe(1);
  });

  it('splits the partitions between two instances of one consumer group', async () => {
    const config = isolatedConfig('group');
    const events = simulatedEvents(config, 3, 31);
    const a = await start(config);
    const b = await start(config);
    await produceEvents(config, events);
    await waitUntil('every event applied', async () => (await a.health()).eventsProcessed === events.length);
    // Both members took part: each applied some of the events, and together all of them, once.
    const [sa, sb] = [a.ingestor.status(), b.ingestor.status()];
    expect(sa.applied).toBeGreaterThan(0);
    expect(sb.applied).toBeGreaterThan(0);
    expect(sa.applied + sb.applied).toBe(events.length);
    await expectMatchesReference(a, config, events);
  });
});
