import { describe, expect, it } from 'vitest';
import { createMemoryBus } from './memory-bus.ts';
import type { MessageBatch } from './types.ts';

const messages = (n: number, key = (i: number) => `k${i}`) =>
  Array.from({ length: n }, (_, i) => ({ key: key(i), value: `v${i}` }));

describe('in-process bus', () => {
  it('keeps only the newest messages of a topic nobody consumes here (dead letters, commands)', async () => {
    const bus = createMemoryBus({ partitions: 2, retain: 10 });
    await bus.send('cc.deadletter', messages(500));
    const kept = bus.read('cc.deadletter');
    expect(kept.length).toBe(20);
    expect(kept.map((m) => m.value?.toString()).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `v${480 + i}`).sort(),
    );
  });

  it('delivers every message of a consumed topic, keeping a bounded tail after they are processed', async () => {
    const bus = createMemoryBus({ partitions: 2, retain: 10, maxBatch: 50 });
    const source = bus.source();
    const seen: string[] = [];
    let done!: () => void;
    const all = new Promise<void>((r) => (done = r));
    await source.start(['cc.calls'], async (batch: MessageBatch, control) => {
      for (const m of batch.messages) seen.push(m.value?.toString() ?? '');
      control.resolveOffset(batch.messages[batch.messages.length - 1]?.offset ?? '0');
      if (seen.length === 300) done();
    });
    await bus.send('cc.calls', messages(300));
    await all;
    await source.stop();
    expect(new Set(seen).size).toBe(300);
    expect(bus.read('cc.calls').length).toBeLessThanOrEqual(20);
  });

  it('positions a partition with seek, also while one of its batches is being handled (that batch goes stale)', async () => {
    const bus = createMemoryBus({ partitions: 1, maxBatch: 5 });
    const source = bus.source();
    await bus.send('t', messages(10));
    const firsts: string[] = [];
    let rewound = false;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    await source.start(['t'], async (batch, control) => {
      const first = batch.messages[0]?.offset ?? '';
      firsts.push(first);
      if (!rewound && first === '5') {
        rewound = true;
        source.seek('t', 0, '2');
        expect(control.isActive()).toBe(false);
        return;
      }
      control.resolveOffset(batch.messages[batch.messages.length - 1]?.offset ?? '');
      if (rewound && batch.messages.some((m) => m.offset === '9')) done();
    });
    await finished;
    await source.stop();
    expect(firsts.slice(0, 3)).toEqual(['0', '5', '2']);
    expect(source.assigned()).toEqual([{ topic: 't', partition: 0 }]);
    expect(await source.offsetRanges([{ topic: 't', partition: 0 }])).toEqual([{ low: '0', high: '10' }]);
  });
});
