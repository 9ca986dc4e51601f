/**
 * Transactional outbox for outbound commands (`cc.commands`): a command is stored in the same
 * transaction as the state change that caused it, and a relay publishes stored commands and then
 * deletes them. Delivery is at least once; every command carries a stable `id` for consumers to
 * deduplicate.
 */
import { randomUUID } from 'node:crypto';
import type { OutboundCommand } from '../contract/commands.ts';
import type { Clock } from '../clock.ts';
import type { Op } from '../domain/ops.ts';
import type { LiveStore } from '../store/store.ts';
import { createKeys } from '../store/keys.ts';
import type { Publisher } from '../../streams/types.ts';

/** One stored outbound message. */
export interface OutboxEntry {
  id: string;
  topic: string;
  key: string;
  value: string;
}

/** The ops that enqueue `command` for publication on `topic` with Kafka key `key`. */
export function outboxOps(topic: string, key: string, command: OutboundCommand, now: number): Op[] {
  const entry: OutboxEntry = { id: `${now}-${randomUUID()}`, topic, key, value: JSON.stringify(command) };
  return [
    { op: 'put', kind: 'outbox', id: entry.id, value: entry },
    { op: 'zadd', index: { name: 'outbox' }, member: entry.id, score: now },
  ];
}

export interface OutboxRelayDeps {
  store: LiveStore;
  publisher: Publisher;
  clock: Clock;
  log: { warn(obj: object, msg?: string): void };
  intervalMs?: number;
}

/** Publishes stored commands in order; `drain()` runs one pass (tests), `start()` runs it periodically. */
export function createOutboxRelay(deps: OutboxRelayDeps) {
  const keys = createKeys(deps.store.prefix);
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;

  async function pass(): Promise<number> {
    const due = await deps.store.zrange(keys.index({ name: 'outbox' }), -Infinity, Infinity, 500);
    if (due.length === 0) return 0;
    const entries = (await deps.store.getRecords(
      'outbox',
      due.map((d) => d.member),
    )) as Array<OutboxEntry | null>;
    const byTopic = new Map<string, OutboxEntry[]>();
    for (const e of entries) if (e) byTopic.set(e.topic, [...(byTopic.get(e.topic) ?? []), e]);
    for (const [topic, list] of byTopic) {
      await deps.publisher.send(
        topic,
        list.map((e) => ({ key: e.key, value: e.value })),
      );
    }
    const tx = await deps.store.begin();
    await tx.commit(
      due.flatMap((d): Op[] => [
        { op: 'del', kind: 'outbox', id: d.member },
        { op: 'zrem', index: { name: 'outbox' }, member: d.member },
      ]),
    );
    return due.length;
  }

  /** One relay pass; concurrent calls share the pass in progress. */
  function drain(): Promise<number> {
    running ??= pass().finally(() => (running = null));
    return running;
  }

  return {
    drain,
    start() {
      const tick = () => {
        drain()
          .catch((err: Error) => deps.log.warn({ err: err.message }, 'outbox relay failed; retrying'))
          .finally(() => {
            if (timer) timer = setTimeout(tick, deps.intervalMs ?? 250);
          });
      };
      timer = setTimeout(tick, deps.intervalMs ?? 250);
    },
    async stop() {
      const t = timer;
      timer = null;
      if (t) clearTimeout(t);
      await running;
      await drain().catch(() => undefined);
    },
  };
}
