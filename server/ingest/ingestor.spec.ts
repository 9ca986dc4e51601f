import { describe, expect, it } from 'vitest';
import { at, ev } from '../../test/support/events.ts';
import { createHarness } from '../../test/support/harness.ts';
import { DEAD_LETTER_HEADERS } from '../contract/events.ts';
import { projectionContextFactory } from '../domain/context.ts';
import { createMemoryBus } from '../../streams/memory-bus.ts';
import type { BatchControl, RawMessage } from '../../streams/types.ts';
import { createIngestor } from './ingestor.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('ingestor', () => {
  it('dead-letters every copy of an event that cannot be projected (even BOM-prefixed) and applies the rest', async () => {
    const h = createHarness({ now: at(60) });
    const bad = ev.queued({ callId: 'boom', ts: at(7) });
    const base = projectionContextFactory(h.config, h.calendar);
    // A projection that fails for one event only (as a bug in pure code would).
    const ctxAt = (now: number) => {
      const ctx = base(now);
      const periodsAt = ctx.calendar.periodsAt.bind(ctx.calendar);
      return {
        ...ctx,
        calendar: {
          ...ctx.calendar,
          periodsAt: (ms: number) => {
            if (ms === Date.parse(bad.ts)) throw new Error('cannot place this event');
            return periodsAt(ms);
          },
        },
      };
    };
    const bus = createMemoryBus();
    const ingestor = createIngestor({
      store: h.store,
      clock: h.clock,
      log: quiet,
      ctxAt,
      deadLetters: bus,
      deadLetterTopic: 'dlq',
      topicRoles: { calls: 'calls' },
      offsetNamespace: 'n',
      maxMessageBytes: 65536,
      dedupeHours: 72,
      retryInitialMs: 1,
      retryMaxMs: 2,
    });
    const good = [ev.queued({ callId: 'c1', ts: at(1) }), ev.queued({ callId: 'c2', ts: at(2) })];
    const msg = (offset: number, key: string, value: string): RawMessage => ({
      offset: String(offset),
      key: Buffer.from(key),
      value: Buffer.from(value),
    });
    const messages = [
      msg(0, 'c1', JSON.stringify(good[0])),
      msg(1, 'boom', `\uFEFF${JSON.stringify(bad)}`),
      msg(2, 'boom', JSON.stringify(bad)),
      msg(3, 'c2', JSON.stringify(good[1])),
    ];
    let resolved: string | null = null;
    let attempts = 0;
    const control: BatchControl = {
      heartbeat: async () => undefined,
      isActive: () => ++attempts < 20,
      resolveOffset: (o) => void (resolved = o),
      earliestOffset: async () => '0',
      seek: () => undefined,
    };
    await ingestor.handleBatch({ topic: 'calls', partition: 0, messages }, control);
    expect(resolved).toBe('3');
    const dlq = bus.read('dlq');
    expect(dlq.map((m) => m.headers?.[DEAD_LETTER_HEADERS.sourceOffset])).toEqual(['1', '2']);
    expect(dlq[0]?.headers?.[DEAD_LETTER_HEADERS.reason]).toMatch(
      /projection failed for call.queued .*cannot place this event/,
    );
    expect(ingestor.status()).toMatchObject({ applied: 2, deadLettered: 2, storeFailures: 0 });
    expect((await h.live()).queues[0]?.shift.offered).toBe(2);
  });
});

/** An ingestor over a harness's in-process store, dead-lettering to `bus`. */
function ingestorFor(
  h: ReturnType<typeof createHarness>,
  over: Partial<Parameters<typeof createIngestor>[0]> = {},
) {
  return createIngestor({
    store: h.store,
    clock: h.clock,
    log: quiet,
    ctxAt: projectionContextFactory(h.config, h.calendar),
    deadLetters: createMemoryBus(),
    deadLetterTopic: 'dlq',
    topicRoles: { calls: 'calls' },
    offsetNamespace: 'n',
    maxMessageBytes: 65536,
    dedupeHours: 72,
    retryInitialMs: 1,
    retryMaxMs: 2,
    ...over,
  });
}

const raw = (offset: number, key: string, value: string): RawMessage => ({
  offset: String(offset),
  key: Buffer.from(key),
  value: Buffer.from(value),
});

/** A control that resolves into `out` and gives up after `attempts` retries. */
function controlFor(
  out: { resolved: string | null; sought?: string | null },
  attempts = 20,
  earliest = '0',
): BatchControl {
  let n = 0;
  return {
    heartbeat: async () => undefined,
    isActive: () => ++n < attempts,
    resolveOffset: (o) => void (out.resolved = o),
    earliestOffset: async () => earliest,
    seek: (o) => void (out.sought = o),
  };
}

const sourceOffsets = (bus: ReturnType<typeof createMemoryBus>) =>
  bus.read('dlq').map((m) => m.headers?.[DEAD_LETTER_HEADERS.sourceOffset]);

describe('dead letters', () => {
  it('dead-letters a message whose projection fails even when a later message of the batch was dead-lettered first', async () => {
    const h = createHarness({ now: at(60) });
    const bad = ev.queued({ callId: 'boom', ts: at(7) });
    const base = projectionContextFactory(h.config, h.calendar);
    const ctxAt = (now: number) => {
      const ctx = base(now);
      const periodsAt = ctx.calendar.periodsAt.bind(ctx.calendar);
      return {
        ...ctx,
        calendar: {
          ...ctx.calendar,
          periodsAt: (ms: number) => {
            if (ms === Date.parse(bad.ts)) throw new Error('cannot place this event');
            return periodsAt(ms);
          },
        },
      };
    };
    const bus = createMemoryBus();
    const ingestor = ingestorFor(h, { ctxAt, deadLetters: bus });
    const out = { resolved: null as string | null };
    const messages = [
      raw(0, 'c1', JSON.stringify(ev.queued({ callId: 'c1', ts: at(1) }))),
      raw(1, 'boom', JSON.stringify(bad)),
      raw(2, 'c2', 'not json'),
    ];
    await ingestor.handleBatch({ topic: 'calls', partition: 0, messages }, controlFor(out));
    expect(out.resolved).toBe('2');
    expect(sourceOffsets(bus).sort()).toEqual(['1', '2']);
    expect(ingestor.status()).toMatchObject({ applied: 1, deadLettered: 2 });
  });

  it('does not dead-letter again what a previous process dead-lettered and stored (restart, redelivery)', async () => {
    const h = createHarness({ now: at(60) });
    const bus = createMemoryBus();
    const messages = [
      raw(0, 'c1', JSON.stringify(ev.queued({ callId: 'c1', ts: at(1) }))),
      raw(1, 'c2', '{"broken"'),
      raw(2, 'c3', JSON.stringify(ev.queued({ callId: 'c3', ts: at(2) }))),
    ];
    const first = { resolved: null as string | null };
    await ingestorFor(h, { deadLetters: bus }).handleBatch(
      { topic: 'calls', partition: 0, messages },
      controlFor(first),
    );
    expect(first.resolved).toBe('2');
    expect(sourceOffsets(bus)).toEqual(['1']);

    // A new process gets the same messages again, then more, one of them bad too.
    const restarted = ingestorFor(h, { deadLetters: bus });
    const again = { resolved: null as string | null };
    await restarted.handleBatch({ topic: 'calls', partition: 0, messages }, controlFor(again));
    const more = [...messages, raw(3, 'c4', 'also not json')];
    await restarted.handleBatch({ topic: 'calls', partition: 0, messages: more }, controlFor(again));
    expect(again.resolved).toBe('3');
    expect(sourceOffsets(bus)).toEqual(['1', '3']);
    expect((await h.live()).queues[0]?.shift.offered).toBe(2);
  });

  it('reports an unreachable dead-letter topic as such and stores the batch once it is reachable', async () => {
    const h = createHarness({ now: at(60) });
    const bus = createMemoryBus();
    let failures = 2;
    const flaky = {
      send: async (topic: string, messages: Parameters<typeof bus.send>[1]) => {
        if (failures-- > 0) throw new Error('broker unreachable');
        await bus.send(topic, messages);
      },
      close: async () => undefined,
    };
    const errors: string[] = [];
    const ingestor = ingestorFor(h, {
      deadLetters: flaky,
      log: { ...quiet, error: (_o: object, msg?: string) => void errors.push(msg ?? '') },
    });
    const out = { resolved: null as string | null };
    const messages = [
      raw(0, 'c1', JSON.stringify(ev.queued({ callId: 'c1', ts: at(1) }))),
      raw(1, 'c2', 'nope'),
    ];
    const statuses: ReturnType<typeof ingestor.status>[] = [];
    const control = controlFor(out);
    await ingestor.handleBatch(
      { topic: 'calls', partition: 0, messages },
      { ...control, heartbeat: async () => void statuses.push(ingestor.status()) },
    );
    expect(out.resolved).toBe('1');
    expect(sourceOffsets(bus)).toEqual(['1']);
    expect(statuses[0]).toMatchObject({ deadLetterFailures: 1, storeFailures: 0 });
    expect(statuses[0]?.lastError).toMatch(/cannot publish to the dead-letter topic dlq: broker unreachable/);
    expect(errors).toEqual([
      'cannot publish a dead letter; the partition waits and retries without committing',
    ]);
    expect(ingestor.status()).toMatchObject({ deadLetterFailures: 2, storeFailures: 0, degradedSince: null });
  });
});

/** A source that owns `ranges` (topic/partition → [low, high)) and records seeks. */
function fakeSource(ranges: Record<string, [number, number]>) {
  const seeks: string[] = [];
  return {
    seeks,
    assigned: () =>
      Object.keys(ranges).map((k) => ({ topic: k.split('/')[0] ?? '', partition: Number(k.split('/')[1]) })),
    seek: (topic: string, partition: number, offset: string) =>
      void seeks.push(`${topic}/${partition}@${offset}`),
    offsetRanges: async (list: ReadonlyArray<{ topic: string; partition: number }>) =>
      list.map(({ topic, partition }) => {
        const [low, high] = ranges[`${topic}/${partition}`] ?? [0, 0];
        return { low: String(low), high: String(high) };
      }),
  };
}

const queuedAt = (offset: number, minute: number): RawMessage => {
  const e = ev.queued({ callId: `c${offset}`, ts: at(minute) });
  return raw(offset, e.callId, JSON.stringify(e));
};

describe('partition positions', () => {
  it('resumes an assigned partition after its stored offset, and reads one without an offset from the earliest retained message', async () => {
    const h = createHarness({ now: at(60) });
    const source = fakeSource({ 'calls/0': [40, 100], 'calls/1': [5, 10], 'calls/2': [3, 3] });
    const ingestor = ingestorFor(h, { source });
    const out = { resolved: null as string | null };
    await ingestor.handleBatch(
      { topic: 'calls', partition: 0, messages: [queuedAt(40, 1), queuedAt(41, 2)] },
      controlFor(out, 20, '40'),
    );
    expect(out.resolved).toBe('41');
    await ingestor.onAssigned(source.assigned());
    expect(source.seeks).toEqual(['calls/0@42', 'calls/1@5']);
    expect(ingestor.status().rebuilding).toBe(true);
    await ingestor.handleBatch(
      { topic: 'calls', partition: 1, messages: [5, 6, 7, 8, 9].map((o) => queuedAt(o, o)) },
      controlFor(out, 20, '5'),
    );
    expect(ingestor.status().rebuilding).toBe(false);
  });

  it('rebuilds every assigned partition when the store loses its state, also with no traffic', async () => {
    const h = createHarness({ now: at(60) });
    const source = fakeSource({ 'calls/0': [0, 2], 'calls/1': [0, 1] });
    const ingestor = ingestorFor(h, { source });
    const out = { resolved: null as string | null };
    await ingestor.handleBatch(
      { topic: 'calls', partition: 0, messages: [queuedAt(0, 1), queuedAt(1, 2)] },
      controlFor(out),
    );
    await ingestor.handleBatch({ topic: 'calls', partition: 1, messages: [queuedAt(0, 3)] }, controlFor(out));
    await ingestor.checkStore();
    expect(source.seeks).toEqual([]);

    await h.store.clear(); // what a Redis restarted empty looks like
    await ingestor.checkStore();
    expect(source.seeks).toEqual(['calls/0@0', 'calls/1@0']);
    expect(ingestor.status()).toMatchObject({ rebuilds: 1, rebuilding: true });
    await ingestor.checkStore(); // the loss is handled once
    expect(ingestor.status().rebuilds).toBe(1);

    await ingestor.handleBatch(
      { topic: 'calls', partition: 0, messages: [queuedAt(0, 1), queuedAt(1, 2)] },
      controlFor(out),
    );
    expect(ingestor.status().rebuilding).toBe(true);
    await ingestor.handleBatch({ topic: 'calls', partition: 1, messages: [queuedAt(0, 3)] }, controlFor(out));
    expect(ingestor.status().rebuilding).toBe(false);
    expect((await h.live()).queues[0]?.shift.offered).toBe(3);
  });

  it('resumes from the stored offsets after the store connection comes back, so a store restored behind catches up', async () => {
    const h = createHarness({ now: at(60) });
    const source = fakeSource({ 'calls/0': [0, 6] });
    const ingestor = ingestorFor(h, { source });
    const out = { resolved: null as string | null };
    await ingestor.handleBatch(
      { topic: 'calls', partition: 0, messages: [0, 1, 2, 3, 4, 5].map((o) => queuedAt(o, o)) },
      controlFor(out),
    );
    await ingestor.checkStore({ reconnected: true });
    expect(source.seeks).toEqual(['calls/0@6']);
    // A Redis restored from a snapshot taken after offset 2: same epoch, older offset.
    const tx = await h.store.begin();
    await tx.commit([{ op: 'setOffset', namespace: 'n', topic: 'calls', partition: 0, offset: '2' }]);
    await ingestor.checkStore();
    expect(source.seeks).toEqual(['calls/0@6']);
    await ingestor.checkStore({ reconnected: true });
    expect(source.seeks).toEqual(['calls/0@6', 'calls/0@3']);
  });

  it('does not apply a batch to a store that lost its state, and rewinds instead', async () => {
    const h = createHarness({ now: at(60) });
    const source = fakeSource({ 'calls/0': [0, 3] });
    const ingestor = ingestorFor(h, { source });
    const out = { resolved: null as string | null };
    await ingestor.handleBatch({ topic: 'calls', partition: 0, messages: [queuedAt(0, 1)] }, controlFor(out));
    await h.store.clear();
    const late = { resolved: null as string | null };
    await ingestor.handleBatch(
      { topic: 'calls', partition: 0, messages: [queuedAt(1, 2), queuedAt(2, 3)] },
      controlFor(late),
    );
    expect(late.resolved).toBeNull();
    expect(source.seeks).toEqual(['calls/0@0']);
    expect((await h.live()).queues).toEqual([]);
  });
});
