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
