/**
 * The escalation sweeper. It reads the deadlines not yet escalated from the `toEscalate` indexes
 * (O(log n); an escalated deadline leaves them, so escalated-but-open tickets never crowd out new
 * breaches) and, per ticket in one transaction:
 * - a breach within the horizon: counts it overdue (once), marks it escalated, counts the escalation,
 *   queues `ticket.escalated` in the outbox and opens an alert for supervisors;
 * - a breach older than the horizon (a replay of old events, a long outage): counts it overdue, and
 *   nothing else;
 * - a deadline at risk: sends supervisors an at-risk notice, once per deadline, and publishes nothing.
 * It does not sweep while the live state may be incomplete (event source down, consumer behind, a
 * rebuild running): a breach seen then may be an event not yet applied. Acknowledging an alert is
 * checked and committed in one transaction, within the supervisor's teams, and audited.
 */
import { randomUUID } from 'node:crypto';
import type { Principal } from '../contract/auth.ts';
import type { AcknowledgeRequest, TicketEscalatedEvent } from '../contract/commands.ts';
import type { EscalationAlertView } from '../contract/ui.ts';
import { inScope } from '../auth/permissions.ts';
import type { Clock } from '../clock.ts';
import { Effects } from '../domain/effects.ts';
import type { Op } from '../domain/ops.ts';
import { DEADLINE_KINDS, type DeadlineKind, type TicketRecord } from '../domain/records.ts';
import { deadlineBase, deadlinesOf } from '../domain/sla.ts';
import {
  awaitsSweep,
  countOverdueNow,
  newDeadline,
  sweepActions,
  upgradeTicket,
  type SweepAction,
} from '../domain/ticket-deadlines.ts';
import type { ProjectionContext } from '../domain/working-set.ts';
import { createKeys } from '../store/keys.ts';
import type { LiveStore } from '../store/store.ts';
import { reindexDeadlines, reindexOps, scanIndex, ticketTeams } from './deadline-index.ts';
import { outboxOps } from './outbox.ts';
import { CommandError, type AuditSink } from './reassign.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;
/** At most this many open alerts are listed, newest first. */
export const MAX_ALERTS_LISTED = 500;

/** An alert for supervisors: a breach that was escalated, or a deadline at risk (a notice only). */
export interface EscalationAlert {
  level: 'breach' | 'at-risk';
  ticketId: string;
  deadline: DeadlineKind;
  due: number;
  team: string | null;
  subject: string;
  tier: TicketRecord['tier'];
  priority: TicketRecord['priority'];
  agentId: string | null;
  /** When it was raised. */
  escalatedAt: number;
}

/** An open escalation awaiting acknowledgement (record `escalation:{ticketId}:{kind}`). */
interface EscalationEntry {
  ticketId: string;
  deadline: DeadlineKind;
  due: number | null;
  team: string | null;
  escalatedAt: number;
}

/** An acknowledgement (record `ack:{ticketId}:{kind}`). */
interface AckEntry {
  by: string;
  at: number;
  team?: string | null;
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
  /** Most deadlines read per kind and sweep. */
  batch?: number;
  /** Breaches older than this (ms past due) are counted overdue but not escalated; default 24 h. */
  horizonMs?: number;
  /** Whether the live state is complete enough to escalate on (default: always). */
  canEscalate?: () => boolean;
}

/** Creates the sweeper; `sweep()` runs one pass (tests drive it with a fake clock). */
export function createEscalation(deps: EscalationDeps) {
  const keys = createKeys(deps.store.prefix);
  const escalationsKey = keys.index({ name: 'escalations' });
  let timer: NodeJS.Timeout | null = null;
  let paused = false;

  const limitsAt = (ctx: ProjectionContext) => ({
    horizonMs: deps.horizonMs ?? 24 * HOUR,
    atRiskMs: ctx.sla.atRiskMinutes * MINUTE,
  });

  /** Applies the sweeper's actions to `t` (in place), adding the writes to `fx`; returns the alerts. */
  function act(t: TicketRecord, actions: SweepAction[], now: number, ctx: ProjectionContext, fx: Effects) {
    const alerts: EscalationAlert[] = [];
    for (const { kind, due, action } of actions) {
      const alert: EscalationAlert = {
        level: action === 'warn' ? 'at-risk' : 'breach',
        ticketId: t.ticketId,
        deadline: kind,
        due,
        team: t.team,
        subject: t.subject,
        tier: t.tier,
        priority: t.priority,
        agentId: t.agentId,
        escalatedAt: now,
      };
      const st = (t.deadlines[kind] ??= newDeadline(deadlineBase(t, kind) ?? due));
      if (action === 'warn') {
        st.warnedFor = due;
        alerts.push(alert);
        continue;
      }
      // Overdue is counted where the deadline fell (once, whoever sees it first); the escalation
      // where it was raised.
      countOverdueNow(t, kind, due, fx, ctx.calendar);
      if (action === 'expire') {
        st.skipped = true;
        continue;
      }
      t.escalated.push(kind);
      fx.add(ctx.calendar.periodsAt(now), 'tickets', 'escalated');
      const event: TicketEscalatedEvent = {
        id: `escalation-${randomUUID()}`,
        type: 'ticket.escalated',
        ts: new Date(now).toISOString(),
        ticketId: t.ticketId,
        deadline: kind,
        due: new Date(due).toISOString(),
        team: t.team,
      };
      for (const op of outboxOps(deps.commandsTopic, t.ticketId, event, now)) fx.push(op);
      const member = `${t.ticketId}:${kind}`;
      const entry: EscalationEntry = {
        ticketId: t.ticketId,
        deadline: kind,
        due,
        team: t.team,
        escalatedAt: now,
      };
      fx.push({ op: 'put', kind: 'escalation', id: member, value: entry });
      // Scored by minus the time, so the newest come first in a bounded read.
      fx.push({ op: 'zadd', index: { name: 'escalations' }, member, score: -now });
      alerts.push(alert);
    }
    return alerts;
  }

  /** Acts on one ticket's deadlines in one transaction; returns the alerts raised. */
  async function sweepTicket(ticketId: string): Promise<EscalationAlert[]> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const now = deps.clock.now();
      const ctx = deps.ctxAt(now);
      const tx = await deps.store.begin();
      const [stored] = (await tx.getRecords('ticket', [ticketId])) as Array<TicketRecord | null>;
      const t = stored ? upgradeTicket(stored, ctx.sla) : null;
      const actions = t ? sweepActions(t, now, ctx.sla, limitsAt(ctx)) : [];
      const fx = new Effects(ctx.retention.summaryDays, ctx.now);
      const alerts = t ? act(t, actions, now, ctx, fx) : [];
      // The version is not bumped: an escalation does not invalidate a lead's pending reassignment.
      if (t && actions.length > 0) fx.push({ op: 'put', kind: 'ticket', id: ticketId, value: t });
      // The ticket's deadline index entries are rewritten from the record, which also repairs stale ones.
      const teams = t ? [] : await ticketTeams(deps.store);
      for (const op of reindexOps(ticketId, t, ctx.sla, teams)) fx.push(op);
      if (await tx.commit(fx.toOps())) return alerts;
    }
    return [];
  }

  /** Whether a ticket read outside a transaction needs the sweeper (an action, or a stale index entry). */
  function needsSweep(
    rec: TicketRecord | null,
    entries: Array<{ kind: DeadlineKind; score: number }>,
    now: number,
    ctx: ProjectionContext,
  ): boolean {
    if (!rec) return true;
    const t = upgradeTicket(rec, ctx.sla);
    if (sweepActions(t, now, ctx.sla, limitsAt(ctx)).length > 0) return true;
    const d = deadlinesOf(t, ctx.sla);
    return entries.some(({ kind, score }) => !awaitsSweep(t, kind, d[kind]) || d[kind] !== score);
  }

  /** One pass; returns the alerts raised (none while the live state may be incomplete). */
  async function sweep(): Promise<EscalationAlert[]> {
    if (deps.canEscalate && !deps.canEscalate()) {
      if (!paused)
        deps.log.warn(
          {},
          'escalation paused: the live state may be incomplete (source down, lag or rebuild)',
        );
      paused = true;
      return [];
    }
    paused = false;
    const now = deps.clock.now();
    const ctx = deps.ctxAt(now);
    const until = now + limitsAt(ctx).atRiskMs;
    const candidates = new Map<string, Array<{ kind: DeadlineKind; score: number }>>();
    for (const kind of DEADLINE_KINDS) {
      const due = await deps.store.zrange(
        keys.index({ name: 'toEscalate', kind }),
        Number.NEGATIVE_INFINITY,
        until,
        deps.batch ?? 1000,
      );
      for (const d of due)
        candidates.set(d.member, [...(candidates.get(d.member) ?? []), { kind, score: d.score }]);
    }
    // At-risk deadlines stay in the index until they breach: filter with one read, no transaction.
    const ids = [...candidates.keys()];
    const recs = (await deps.store.getRecords('ticket', ids)) as Array<TicketRecord | null>;
    const raised: EscalationAlert[] = [];
    for (const [i, id] of ids.entries()) {
      if (!needsSweep(recs[i] ?? null, candidates.get(id) ?? [], now, ctx)) continue;
      for (const alert of await sweepTicket(id)) {
        raised.push(alert);
        deps.onAlert?.(alert);
      }
    }
    return raised;
  }

  /**
   * Brings the indexes up to date at start: every open ticket's deadlines under the policy in force
   * (also filling the sweeper's index after an upgrade), and alerts opened by earlier versions.
   */
  async function prepare(): Promise<void> {
    await reindexDeadlines({ store: deps.store, sla: deps.ctxAt(deps.clock.now()).sla });
    for await (const page of scanIndex(deps.store, escalationsKey, 500)) {
      const legacy = page.filter((s) => s.score > 0);
      if (legacy.length === 0) continue;
      const recs = (await deps.store.getRecords(
        'ticket',
        legacy.map((s) => s.member.slice(0, s.member.lastIndexOf(':'))),
      )) as Array<TicketRecord | null>;
      const ops: Op[] = legacy.flatMap((s, i): Op[] => {
        const t = recs[i];
        // An alert of a ticket no longer open needs no acknowledgement (this version drops those on close).
        if (!t || t.status !== 'open')
          return [{ op: 'zrem', index: { name: 'escalations' }, member: s.member }];
        const sep = s.member.lastIndexOf(':');
        const entry: EscalationEntry = {
          ticketId: s.member.slice(0, sep),
          deadline: s.member.slice(sep + 1) as DeadlineKind,
          due: null,
          team: t.team,
          escalatedAt: s.score,
        };
        return [
          { op: 'put', kind: 'escalation', id: s.member, value: entry },
          { op: 'zadd', index: { name: 'escalations' }, member: s.member, score: -s.score },
        ];
      });
      const tx = await deps.store.begin();
      await tx.commit(ops);
    }
  }

  /** Open escalation alerts in the principal's teams, newest first, at most `limit`. */
  async function listAlerts(p: Principal, limit = MAX_ALERTS_LISTED): Promise<EscalationAlertView[]> {
    const out: EscalationAlertView[] = [];
    let scanned = 0;
    for await (const page of scanIndex(deps.store, escalationsKey, limit)) {
      const members = page.map((s) => s.member);
      const [entries, tickets] = await Promise.all([
        deps.store.getRecords('escalation', members) as Promise<Array<EscalationEntry | null>>,
        deps.store.getRecords(
          'ticket',
          members.map((m) => m.slice(0, m.lastIndexOf(':'))),
        ) as Promise<Array<TicketRecord | null>>,
      ]);
      page.forEach((_, i) => {
        const e = entries[i];
        const t = tickets[i];
        if (!e || !t || t.status !== 'open' || !inScope(p, e.team) || out.length >= limit) return;
        out.push({
          ticketId: e.ticketId,
          deadline: e.deadline,
          escalatedAt: e.escalatedAt,
          team: e.team,
          subject: t.subject,
          tier: t.tier,
          agentId: t.agentId,
        });
      });
      scanned += page.length;
      // A team-scoped principal may see few of them: read on, but not without end.
      if (out.length >= limit || scanned >= limit * 20) break;
    }
    return out;
  }

  /**
   * Acknowledges an open escalation alert, audited: 404 when there is none in the principal's teams,
   * 409 when it was acknowledged already (of two concurrent acknowledgements exactly one succeeds).
   */
  async function acknowledge(p: Principal, req: AcknowledgeRequest): Promise<void> {
    const member = `${req.ticketId}:${req.deadline}`;
    for (let attempt = 0; attempt < 10; attempt++) {
      const now = deps.clock.now();
      const tx = await deps.store.begin();
      const [entry] = (await tx.getRecords('escalation', [member])) as Array<EscalationEntry | null>;
      const [ack] = (await tx.getRecords('ack', [member])) as Array<AckEntry | null>;
      if (!entry || !inScope(p, entry.team)) {
        await tx.abort();
        if (!entry && ack && inScope(p, ack.team ?? null))
          throw new CommandError(
            409,
            `the escalation of ticket ${req.ticketId} (${req.deadline}) was already acknowledged by ${ack.by}`,
          );
        throw new CommandError(404, `no open escalation for ticket ${req.ticketId} (${req.deadline})`);
      }
      const value: AckEntry = { by: p.name, at: now, team: entry.team };
      const committed = await tx.commit([
        { op: 'del', kind: 'escalation', id: member },
        { op: 'zrem', index: { name: 'escalations' }, member },
        { op: 'put', kind: 'ack', id: member, value, expireAt: now + 30 * 24 * HOUR },
        ...deps.audit.record({
          actor: p.name,
          role: p.role,
          action: 'alert.acknowledge',
          target: req.ticketId,
          details: { deadline: req.deadline },
        }),
      ]);
      if (committed) return;
    }
    throw new CommandError(409, 'the alert kept changing while acknowledging it; try again');
  }

  return {
    sweep,
    prepare,
    listAlerts,
    acknowledge,
    start() {
      const tick = () => {
        sweep()
          .catch((err: Error) => deps.log.warn({ err: err.message }, 'escalation sweep failed; retrying'))
          .finally(() => {
            if (timer) timer = setTimeout(tick, deps.intervalMs ?? 5000);
          });
      };
      timer = setTimeout(() => {
        prepare()
          .catch((err: Error) => deps.log.warn({ err: err.message }, 'preparing the deadline indexes failed'))
          .finally(() => {
            if (timer) tick();
          });
      }, 0);
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

export type Escalation = ReturnType<typeof createEscalation>;
