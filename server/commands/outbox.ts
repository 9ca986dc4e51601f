/**
 * Transactional outbox for outbound commands (`cc.commands`): a command is stored in the same
 * transaction as the state change that caused it, and a relay publishes stored commands and then
 * deletes them. Delivery is at least once; every command carries a stable `id` for consumers to
 * deduplicate.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { outboundCommand, type OutboundCommand } from '../contract/commands.ts';
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
  /** Set while a relay is publishing it (epoch ms the claim lapses). */
  claimedUntil?: number;
}

/** How long a relay's claim on entries lasts before another relay may publish them. */
const CLAIM_MS = 30_000;

/**
 * The ops that enqueue `command` for publication on `topic` with Kafka key `key`. The command is
 * checked against the outbound contract first: a malformed one throws, so the change that caused it
 * does not commit and nothing invalid ever reaches the system of record.
 */
export function outboxOps(topic: string, key: string, command: OutboundCommand, now: number): Op[] {
  const checked = outboundCommand.safeParse(command);
  if (!checked.success) {
    throw new Error(`refusing to publish an invalid ${command.type}: ${z.prettifyError(checked.error)}`);
  }
  const entry: OutboxEntry = {
    id: `${now}-${randomUUID()}`,
    topic,
    key,
    value: JSON.stringify(checked.data),
  };
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
    // Claim before publishing, in a transaction over the entries read: of several instances' relays
    // exactly one publishes an entry. A claim is a lease: if its holder dies before deleting the
    // entry, another relay publishes it after the lease (at least once, never silently lost).
    const now = deps.clock.now();
    const claim = await deps.store.begin();
    const stored = (await claim.getRecords(
      'outbox',
      due.map((d) => d.member),
    )) as Array<OutboxEntry | null>;
    const mine = stored.filter((e): e is OutboxEntry => e !== null && (e.claimedUntil ?? 0) < now);
    if (mine.length === 0) {
      await claim.abort();
      return 0;
    }
    const claimed = await claim.commit(
      mine.map((e): Op => ({
        op: 'put',
        kind: 'outbox',
        id: e.id,
        value: { ...e, claimedUntil: now + CLAIM_MS },
      })),
    );
    if (!claimed) return 0; // another relay claimed them first
    const byTopic = new Map<string, OutboxEntry[]>();
    for (const e of mine) byTopic.set(e.topic, [...(byTopic.get(e.topic) ?? []), e]);
    for (const [topic, list] of byTopic) {
      await deps.publisher.send(
        topic,
        list.map((e) => ({ key: e.key, value: e.value })),
      );
    }
    const done = await deps.store.begin();
    await done.commit(
      mine.flatMap((e): Op[] => [
        { op: 'del', kind: 'outbox', id: e.id },
        { op: 'zrem', index: { name: 'outbox' }, member: e.id },
      ]),
    );
    return mine.length;
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
