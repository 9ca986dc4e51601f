/**
 * The escalation sweeper: finds open tickets past a deadline through the deadline indexes (O(log n)),
 * and for each breach not yet escalated marks it on the ticket, counts it, queues `ticket.escalated`
 * in the outbox and raises an alert — all in one transaction, so a breach escalates exactly once
 * even with several instances sweeping. Acknowledging an alert is audited.
 */
import { randomUUID } from 'node:crypto';
import type { Principal } from '../contract/auth.ts';
import type { AcknowledgeRequest, TicketEscalatedEvent } from '../contract/commands.ts';
import type { Clock } from '../clock.ts';
import { Effects } from '../domain/effects.ts';
import { DEADLINE_KINDS, type DeadlineKind, type TicketRecord } from '../domain/records.ts';
import { deadlinesOf } from '../domain/sla.ts';
import type { ProjectionContext } from '../domain/working-set.ts';
import { createKeys } from '../store/keys.ts';
import type { LiveStore } from '../store/store.ts';
import { outboxOps } from './outbox.ts';
import { CommandError, type AuditSink } from './reassign.ts';

/** An escalation alert for supervisors. */
export interface EscalationAlert {
  ticketId: string;
  deadline: DeadlineKind;
  due: number;
  team: string | null;
  subject: string;
  tier: TicketRecord['tier'];
  priority: TicketRecord['priority'];
  agentId: string | null;
  escalatedAt: number;
}

/** The deadlines of `t` that are breached at `now` and not escalated yet (pure). */
export function breachesToEscalate(t: TicketRecord, now: number, ctx: ProjectionContext): DeadlineKind[] {
  const d = deadlinesOf(t, ctx.sla);
  return DEADLINE_KINDS.filter((k) => {
    const due = d[k];
    return due !== null && now > due && !t.escalated.includes(k);
  });
}

export interface EscalationDeps {
  store: LiveStore;
  clock: Clock;
  ctxAt: (now: number) => ProjectionContext;
  audit: AuditSink;
  commandsTopic: string;
  onAlert?: (alert: EscalationAlert) => void;
  log: { warn(obj: object, msg?: string): void };
  /** Sweep period (ms). */
  intervalMs?: number;
  /** Most tickets examined per deadline kind and sweep. */
  batch?: number;
}

/** Creates the sweeper; `sweep()` runs one pass (tests drive it with a fake clock). */
export function createEscalation(deps: EscalationDeps) {
  const keys = createKeys(deps.store.prefix);
  let timer: NodeJS.Timeout | null = null;

  async function escalateTicket(ticketId: string): Promise<EscalationAlert[]> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const now = deps.clock.now();
      const ctx = deps.ctxAt(now);
      const tx = await deps.store.begin();
      const [t] = (await tx.getRecords('ticket', [ticketId])) as Array<TicketRecord | null>;
      const kinds = t ? breachesToEscalate(t, now, ctx) : [];
      if (!t || kinds.length === 0) {
        await tx.abort();
        return [];
      }
      const deadlines = deadlinesOf(t, ctx.sla);
      const fx = new Effects(ctx.retention.summaryDays, ctx.now);
      const alerts: EscalationAlert[] = [];
      for (const kind of kinds) {
        const due = deadlines[kind] ?? now;
        // Overdue is booked where the deadline fell; the escalation where it was raised.
        fx.add(ctx.calendar.periodsAt(due), 'tickets', 'overdue');
        fx.add(ctx.calendar.periodsAt(due), 'tickets', `overdue:${kind}`);
        fx.add(ctx.calendar.periodsAt(now), 'tickets', 'escalated');
        const event: TicketEscalatedEvent = {
          id: `escalation-${randomUUID()}`,
          type: 'ticket.escalated',
          ts: new Date(now).toISOString(),
          ticketId,
          deadline: kind,
          due: new Date(due).toISOString(),
          team: t.team,
        };
        for (const op of outboxOps(deps.commandsTopic, ticketId, event, now)) fx.push(op);
        fx.push({ op: 'zadd', index: { name: 'escalations' }, member: `${ticketId}:${kind}`, score: now });
        alerts.push({
          ticketId,
          deadline: kind,
          due,
          team: t.team,
          subject: t.subject,
          tier: t.tier,
          priority: t.priority,
          agentId: t.agentId,
          escalatedAt: now,
        });
      }
      // The version is not bumped: an escalation does not invalidate a lead's pending reassignment.
      fx.push({
        op: 'put',
        kind: 'ticket',
        id: ticketId,
        value: { ...t, escalated: [...t.escalated, ...kinds] },
      });
      if (await tx.commit(fx.toOps())) return alerts;
    }
    return [];
  }

  /** One pass over every deadline index; returns the alerts raised. */
  async function sweep(): Promise<EscalationAlert[]> {
    const now = deps.clock.now();
    const candidates = new Set<string>();
    for (const kind of DEADLINE_KINDS) {
      const due = await deps.store.zrange(
        keys.index({ name: 'due', kind }),
        -Infinity,
        now - 1,
        deps.batch ?? 1000,
      );
      for (const d of due) candidates.add(d.member);
    }
    // Most candidates stay overdue after escalating once: filter them out with one read, no transaction.
    const ids = [...candidates];
    const recs = (await deps.store.getRecords('ticket', ids)) as Array<TicketRecord | null>;
    const ctx = deps.ctxAt(now);
    const raised: EscalationAlert[] = [];
    for (const [i, id] of ids.entries()) {
      const rec = recs[i];
      if (!rec || breachesToEscalate(rec, now, ctx).length === 0) continue;
      for (const alert of await escalateTicket(id)) {
        raised.push(alert);
        deps.onAlert?.(alert);
      }
    }
    return raised;
  }

  /** Acknowledges an escalation alert (audited); 404 when there is no such open alert. */
  async function acknowledge(p: Principal, req: AcknowledgeRequest): Promise<void> {
    const member = `${req.ticketId}:${req.deadline}`;
    const open = await deps.store.zrange(keys.index({ name: 'escalations' }), -Infinity, Infinity);
    if (!open.some((o) => o.member === member)) {
      throw new CommandError(404, `no open escalation for ticket ${req.ticketId} (${req.deadline})`);
    }
    const now = deps.clock.now();
    const tx = await deps.store.begin();
    await tx.commit([
      { op: 'zrem', index: { name: 'escalations' }, member },
      { op: 'put', kind: 'ack', id: member, value: { by: p.name, at: now }, expireAt: now + 30 * 86_400_000 },
      ...deps.audit.record({
        actor: p.name,
        role: p.role,
        action: 'alert.acknowledge',
        target: req.ticketId,
        details: { deadline: req.deadline },
      }),
    ]);
  }

  return {
    sweep,
    acknowledge,
    start() {
      const tick = () => {
        sweep()
          .catch((err: Error) => deps.log.warn({ err: err.message }, 'escalation sweep failed; retrying'))
          .finally(() => {
            if (timer) timer = setTimeout(tick, deps.intervalMs ?? 5000);
          });
      };
      timer = setTimeout(tick, deps.intervalMs ?? 5000);
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

export type Escalation = ReturnType<typeof createEscalation>;
