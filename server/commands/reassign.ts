/**
 * Conflict-safe reassignment. Each item carries the ticket version the operator saw; the change is
 * applied as a `ticket.assigned` event through the projector (same counters and indexes as one from
 * Kafka) in one store transaction together with its audit entry, its outbound command (outbox) and
 * the event id marked as applied — so the ticketing system's echo of it does not count twice. Two
 * concurrent reassignments of one ticket: the second sees a changed version and gets a conflict.
 */
import { randomUUID } from 'node:crypto';
import type { Principal } from '../contract/auth.ts';
import type {
  ReassignRequest,
  ReassignResponse,
  ReassignItemResult,
  TicketView,
} from '../contract/commands.ts';
import type { TicketAssigned } from '../contract/events.ts';
import { can } from '../auth/permissions.ts';
import type { Clock } from '../clock.ts';
import type { Op } from '../domain/ops.ts';
import { project } from '../domain/projection.ts';
import type { AgentRecord, TicketRecord } from '../domain/records.ts';
import type { ProjectionContext } from '../domain/working-set.ts';
import { dedupeBucket } from '../ingest/apply-batch.ts';
import type { LiveStore } from '../store/store.ts';
import { outboxOps } from './outbox.ts';

const HOUR = 3_600_000;
const MAX_ATTEMPTS = 20;

/** What an audit log must offer commands: ops to commit with the action (server/audit). */
export interface AuditSink {
  record(entry: {
    actor: string;
    role: Principal['role'] | null;
    action: string;
    target?: string;
    details?: Record<string, unknown>;
  }): Op[];
}

export interface ReassignDeps {
  store: LiveStore;
  clock: Clock;
  ctxAt: (now: number) => ProjectionContext;
  audit: AuditSink;
  commandsTopic: string;
  dedupeHours: number;
  /** Called after a reassignment committed (marks live views dirty). */
  onChanged?: () => void;
  /**
   * Called with the results after a reassignment committed, whichever way it came in (REST or
   * socket), so live clients are told the same way (the `reassigned` notice).
   */
  onReassigned?: (by: Principal, agentId: string, results: readonly ReassignItemResult[]) => void;
}

/** The operator's view of a ticket record. */
export function ticketView(t: TicketRecord): TicketView {
  return {
    ticketId: t.ticketId,
    version: t.version,
    agentId: t.agentId,
    status: t.status,
    team: t.team,
    kind: t.kind,
    tier: t.tier,
    priority: t.priority,
    subject: t.subject,
  };
}

/** Thrown for a request that cannot be carried out as asked (unknown agent): a 4xx. */
export class CommandError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

/** Creates the reassign command. */
export function createReassign(deps: ReassignDeps) {
  return async function reassign(p: Principal, req: ReassignRequest): Promise<ReassignResponse> {
    // The request schema refuses this too; checked here as well because a repeated ticket would be
    // applied, audited and published twice in one transaction.
    const listed = new Set(req.items.map((i) => i.ticketId));
    if (listed.size !== req.items.length) throw new CommandError(400, 'a ticket is listed more than once');
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const now = deps.clock.now();
      const tx = await deps.store.begin();
      let done = false;
      try {
        const ids = req.items.map((i) => i.ticketId);
        const tickets = (await tx.getRecords('ticket', ids)) as Array<TicketRecord | null>;
        const [agent] = (await tx.getRecords('agent', [req.agentId])) as Array<AgentRecord | null>;
        if (!agent) throw new CommandError(404, `no agent ${req.agentId}`);
        const results: ReassignItemResult[] = [];
        const events: TicketAssigned[] = [];
        req.items.forEach((item, i) => {
          const t = tickets[i];
          if (!t || !t.known) {
            results.push({
              ticketId: item.ticketId,
              status: 'not_found',
              message: `no ticket ${item.ticketId}`,
            });
          } else if (t.status !== 'open') {
            results.push({
              ticketId: t.ticketId,
              status: 'closed',
              message: `ticket ${t.ticketId} is ${t.status}`,
            });
          } else if (!can(p, 'tickets:reassign', t.team) || !can(p, 'tickets:reassign', agent.team)) {
            results.push({
              ticketId: t.ticketId,
              status: 'forbidden',
              message: `${p.name} may reassign only within teams ${p.teams.join(', ') || '(none)'}`,
            });
          } else if (t.version !== item.expectedVersion) {
            results.push({
              ticketId: t.ticketId,
              status: 'conflict',
              current: ticketView(t),
              message: `ticket ${t.ticketId} changed since you saw it (now assigned to ${t.agentId ?? 'nobody'})`,
            });
          } else {
            events.push({
              id: `reassign-${randomUUID()}`,
              type: 'ticket.assigned',
              ts: new Date(now).toISOString(),
              ticketId: t.ticketId,
              agentId: req.agentId,
              by: p.name,
            });
          }
        });
        if (events.length === 0) {
          await tx.abort();
          done = true;
          return { results };
        }
        const slice = {
          calls: new Map(),
          agents: new Map(),
          tickets: new Map(ids.map((id, i) => [id, tickets[i] ?? null])),
        };
        const { ops, records } = project(slice, events, deps.ctxAt(now));
        for (const e of events) {
          const before = tickets[ids.indexOf(e.ticketId)];
          ops.push(
            ...deps.audit.record({
              actor: p.name,
              role: p.role,
              action: 'ticket.reassign',
              target: e.ticketId,
              details: { from: before?.agentId ?? null, to: e.agentId, reason: req.reason },
            }),
            ...outboxOps(deps.commandsTopic, e.ticketId, { ...e, by: p.name }, now),
            {
              op: 'markSeen',
              bucket: dedupeBucket(e),
              ids: [e.id],
              expireAt: now + deps.dedupeHours * HOUR,
            },
          );
        }
        done = true;
        if (!(await tx.commit(ops))) continue; // a watched ticket changed meanwhile: decide again
        deps.onChanged?.();
        for (const e of events) {
          const after = records.tickets.get(e.ticketId);
          if (after) results.push({ ticketId: e.ticketId, status: 'ok', ticket: ticketView(after) });
        }
        const order = new Map(ids.map((id, i) => [id, i]));
        results.sort((a, b) => (order.get(a.ticketId) ?? 0) - (order.get(b.ticketId) ?? 0));
        deps.onReassigned?.(p, req.agentId, results);
        return { results };
      } finally {
        if (!done) await tx.abort();
      }
    }
    throw new CommandError(409, 'the tickets kept changing while reassigning; try again');
  };
}

export type Reassign = ReturnType<typeof createReassign>;
