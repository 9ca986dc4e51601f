/** Operator commands (REST and Socket.IO) and the outbound events they publish to `cc.commands`. */
import { z } from 'zod';
import type { LiveTicketAlert } from './api.ts';
import { isoTimestamp } from './events.ts';

const id = z.string().min(1).max(200);

/**
 * Reassign one or many tickets to an agent. Each item carries the ticket version the operator saw; a
 * ticket may be listed once (twice would mean two audit entries and two outbound commands for one
 * change).
 */
export const reassignRequest = z.object({
  agentId: id,
  reason: z.string().trim().min(1, 'a reason is required').max(500),
  items: z
    .array(z.object({ ticketId: id, expectedVersion: z.number().int().nonnegative() }))
    .min(1)
    .max(200)
    .superRefine((items, ctx) => {
      const seen = new Set<string>();
      items.forEach((item, i) => {
        if (seen.has(item.ticketId)) {
          ctx.addIssue({
            code: 'custom',
            message: `ticket ${item.ticketId} is listed more than once`,
            path: [i, 'ticketId'],
          });
        }
        seen.add(item.ticketId);
      });
    }),
});
export type ReassignRequest = z.infer<typeof reassignRequest>;

/** A ticket as an operator sees it (for conflicts and results). */
export interface TicketView {
  ticketId: string;
  version: number;
  agentId: string | null;
  status: 'open' | 'resolved' | 'closed';
  team: string | null;
  kind: LiveTicketAlert['kind'];
  tier: LiveTicketAlert['tier'];
  priority: LiveTicketAlert['priority'];
  subject: string;
}

export type ReassignItemResult =
  | { ticketId: string; status: 'ok'; ticket: TicketView }
  | { ticketId: string; status: 'conflict'; current: TicketView; message: string }
  | { ticketId: string; status: 'not_found' | 'forbidden' | 'closed'; message: string };

/** Per-item results, in the order of the request's items (the socket ack, and the REST body). */
export interface ReassignResponse {
  results: ReassignItemResult[];
}

/**
 * `POST /api/v1/tickets/reassign`: 200 when every item was applied; 207 when some were and some were
 * not (the applied ones stay applied); when none was, 409 (all conflicts or closed), 404 (all unknown)
 * or 403 (all outside the caller's teams) with `error`, else 207. `results` says what happened to each.
 */
export interface BulkReassignResponse extends ReassignResponse {
  error?: string;
}

/** Acknowledge an escalation alert. */
export const acknowledgeRequest = z.object({
  ticketId: id,
  deadline: z.enum(['accept', 'update', 'resolve']),
});
export type AcknowledgeRequest = z.infer<typeof acknowledgeRequest>;

// ---- outbound, on cc.commands (key: ticketId) ----
// Validated before they are queued for publication (server/commands/outbox.ts); JSON Schema files
// `outbound.<type>.schema.json` are generated from these (`npm run schemas`).

const deadlineKind = z.enum(['accept', 'update', 'resolve']);

/** Published when a ticket passes a deadline (once per breach). */
export const ticketEscalatedCommand = z.object({
  id: id.describe('Unique command id; consumers deduplicate on it (delivery is at least once)'),
  type: z.literal('ticket.escalated'),
  ts: isoTimestamp.describe('When it was escalated: ISO-8601 with offset'),
  ticketId: id,
  deadline: deadlineKind.describe('Which deadline was missed'),
  due: isoTimestamp.describe('When that deadline was due: ISO-8601 with offset'),
  team: z.string().min(1).max(200).nullable().describe('The owning team, or null when unknown'),
});
export type TicketEscalatedEvent = z.infer<typeof ticketEscalatedCommand>;

/** Published when an operator reassigns a ticket, for the ticketing system of record to apply. */
export const ticketAssignedCommand = z.object({
  id: id.describe('Unique command id; its echo on cc.tickets must carry the same id'),
  type: z.literal('ticket.assigned'),
  ts: isoTimestamp.describe('When it was reassigned: ISO-8601 with offset'),
  ticketId: id,
  agentId: id.describe('The new assignee'),
  by: z.string().min(1).max(200).describe('Who reassigned it (user or token name)'),
});
export type TicketAssignedCommand = z.infer<typeof ticketAssignedCommand>;

/** Outbound command schemas by type. */
export const OUTBOUND_SCHEMAS = {
  'ticket.escalated': ticketEscalatedCommand,
  'ticket.assigned': ticketAssignedCommand,
} as const;

export const outboundCommand = z.discriminatedUnion('type', [ticketEscalatedCommand, ticketAssignedCommand]);
export type OutboundCommand = z.infer<typeof outboundCommand>;
