import { describe, expect, it } from 'vitest';
import { outboxOps } from '../commands/outbox.ts';
import { outboundCommand, reassignRequest, type OutboundCommand } from './commands.ts';
import { renderJsonSchemas } from './json-schemas.ts';

const assigned: OutboundCommand = {
  id: 'reassign-1',
  type: 'ticket.assigned',
  ts: '2026-03-02T09:00:00.000Z',
  ticketId: 'k1',
  agentId: 'a1',
  by: 'sue',
};
const escalated: OutboundCommand = {
  id: 'escalation-1',
  type: 'ticket.escalated',
  ts: '2026-03-02T09:00:00.000Z',
  ticketId: 'k1',
  deadline: 'accept',
  due: '2026-03-02T08:30:00+01:00',
  team: null,
};

describe('outbound command contract', () => {
  it('accepts well-formed ticket.assigned and ticket.escalated commands', () => {
    expect(outboundCommand.parse(assigned)).toEqual(assigned);
    expect(outboundCommand.parse(escalated)).toEqual(escalated);
  });

  it('refuses a command with a missing, empty or malformed field', () => {
    expect(outboundCommand.safeParse({ ...assigned, by: '' }).success).toBe(false);
    expect(outboundCommand.safeParse({ ...assigned, ts: 'yesterday' }).success).toBe(false);
    expect(outboundCommand.safeParse({ ...escalated, deadline: 'soon' }).success).toBe(false);
    expect(outboundCommand.safeParse({ ...escalated, due: undefined }).success).toBe(false);
  });

  it('will not queue an invalid command in the outbox', () => {
    expect(outboxOps('cc.commands', 'k1', assigned, 0)).toHaveLength(2);
    const bad = { ...assigned, agentId: '' };
    expect(() => outboxOps('cc.commands', 'k1', bad, 0)).toThrow(
      /refusing to publish an invalid ticket\.assigned/,
    );
  });

  it('publishes JSON Schema for the outbound commands beside the inbound events', () => {
    const doc = JSON.parse(renderJsonSchemas().get('outbound.ticket.assigned.schema.json') ?? '{}') as {
      required?: string[];
    };
    expect(doc.required).toEqual(['id', 'type', 'ts', 'ticketId', 'agentId', 'by']);
    expect(renderJsonSchemas().has('outbound.ticket.escalated.schema.json')).toBe(true);
  });
});

describe('reassign request', () => {
  it('refuses a ticket listed twice', () => {
    const r = reassignRequest.safeParse({
      agentId: 'a1',
      reason: 'load',
      items: [
        { ticketId: 'k1', expectedVersion: 1 },
        { ticketId: 'k1', expectedVersion: 1 },
      ],
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ['items', 1, 'ticketId'] });
  });
});
