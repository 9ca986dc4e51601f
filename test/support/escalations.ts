/**
 * The real-time side of the ticket counters, for tests that run the full server (its escalation
 * sweeper runs every few seconds): one last sweep at a known instant once every server is stopped, and
 * every escalation the sweepers raised, from the commands topic and what is still in the outbox.
 */
import type { Config } from '../../config/schema.ts';
import { createEscalation } from '../../server/commands/escalation.ts';
import type { OutboxEntry } from '../../server/commands/outbox.ts';
import { outboundCommand } from '../../server/contract/commands.ts';
import { projectionContextFactory } from '../../server/domain/context.ts';
import { createShiftCalendar } from '../../server/domain/shifts.ts';
import { createKeys } from '../../server/store/keys.ts';
import type { LiveStore } from '../../server/store/store.ts';
import { readAll } from './kafka.ts';
import type { RaisedEscalation } from './reference.ts';

/**
 * Runs one escalation sweep at the fixed instant `at` (no other sweeper may be running), so the
 * overdue counts of deadlines still running are those of `reference(…, { asOf: at })`.
 */
export async function sweepAt(store: LiveStore, config: Config, at: number): Promise<void> {
  const calendar = createShiftCalendar(config.timezone, config.shifts);
  const escalation = createEscalation({
    store,
    clock: { now: () => at, sleep: async () => undefined },
    ctxAt: projectionContextFactory(config, calendar),
    audit: { record: () => [] },
    commandsTopic: config.kafka.topics.commands,
    log: { warn: () => undefined },
    horizonMs: config.escalation.horizonHours * 3_600_000,
  });
  await escalation.sweep();
}

function escalationOf(value: string | null | undefined): RaisedEscalation | null {
  if (!value) return null;
  const parsed = outboundCommand.safeParse(JSON.parse(value));
  if (!parsed.success) throw new Error(`an invalid outbound command: ${value}`);
  const c = parsed.data;
  if (c.type !== 'ticket.escalated') return null;
  return {
    id: c.id,
    ticketId: c.ticketId,
    deadline: c.deadline,
    due: Date.parse(c.due),
    at: Date.parse(c.ts),
  };
}

/**
 * Every escalation raised: those published on the commands topic and those still waiting in the
 * outbox, once each (a relay killed between publishing and deleting leaves one in both).
 */
export async function escalationsRaised(store: LiveStore, config: Config): Promise<RaisedEscalation[]> {
  const keys = createKeys(store.prefix);
  const published = await readAll(config, config.kafka.topics.commands);
  const pending = await store.zrange(keys.index({ name: 'outbox' }), -Infinity, Infinity);
  const entries = (await store.getRecords(
    'outbox',
    pending.map((p) => p.member),
  )) as Array<OutboxEntry | null>;
  const byId = new Map<string, RaisedEscalation>();
  for (const value of [...published.map((m) => m.value?.toString('utf8')), ...entries.map((e) => e?.value)]) {
    const e = escalationOf(value);
    if (e) byId.set(e.id, e);
  }
  return [...byId.values()];
}
