import { describe, expect, it } from 'vitest';
import { decodeMessage } from './decode.ts';

const opts = { maxBytes: 65536, topicRole: 'calls' as const };
const good = { id: 'e1', type: 'call.queued', ts: '2026-03-02T08:00:00+01:00', callId: 'c1', queue: 'sales' };
const bytes = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v), 'utf8');
const reason = (v: Buffer | null, o: Parameters<typeof decodeMessage>[1] = opts) => {
  const d = decodeMessage(v, o);
  return d.ok ? 'ok' : d.reason;
};

describe('decodeMessage', () => {
  it('accepts a valid event and strips unknown fields', () => {
    const d = decodeMessage(bytes({ ...good, extra: 1 }), opts);
    expect(d).toEqual({ ok: true, event: good });
  });

  it('explains each kind of bad input', () => {
    expect(reason(null)).toBe('empty message: no value');
    expect(reason(Buffer.from([0xff, 0xfe, 0x00]))).toBe('value is not valid UTF-8');
    expect(reason(bytes('{"id":'))).toMatch(/^value is not JSON: /);
    expect(reason(bytes('[1,2]'))).toBe('value is an array, expected a JSON object');
    expect(reason(bytes({ ...good, type: undefined }))).toBe('missing field: type');
    expect(reason(bytes({ ...good, type: 'call.teleported' }))).toMatch(
      /^unknown event type "call.teleported"; expected one of call.queued, /,
    );
    expect(reason(bytes({ ...good, callId: undefined }))).toMatch(/^invalid call.queued event: callId: /);
    expect(reason(bytes({ ...good, callId: 42 }))).toMatch(
      /callId: Invalid input: expected string, received number/,
    );
    expect(reason(bytes({ ...good, priority: 7 }))).toMatch(/priority: Too big/);
    expect(reason(bytes({ ...good, ts: '02/03/2026 08:00' }))).toMatch(/^invalid call.queued event: ts: /);
    expect(reason(bytes({ ...good, ts: '2026-03-02T08:00:00' }))).toMatch(/ts: /); // no offset
    expect(reason(bytes({ ...good, ts: '0000-01-01T00:00:00Z' }))).toMatch(/ts: timestamp out of range/);
    expect(reason(bytes({ ...good, ts: '1969-12-31T23:59:59Z' }))).toMatch(/ts: timestamp out of range/);
    expect(reason(bytes({ ...good, ts: '2999-12-31T23:59:59Z' }))).toBe('ok');
    expect(reason(bytes({ ...good, pad: 'x'.repeat(70_000) }))).toMatch(
      /^message is \d+ bytes; the limit is 65536$/,
    );
  });

  it('rejects an event on the wrong topic and a key that is not the entity id', () => {
    expect(reason(bytes(good), { ...opts, topicRole: 'agents' })).toBe(
      'call.queued does not belong on the agents topic',
    );
    expect(reason(bytes(good), { ...opts, key: Buffer.from('c2') })).toBe(
      'message key "c2" is not the entity id "c1"',
    );
    expect(reason(bytes(good), { ...opts, key: Buffer.from('c1') })).toBe('ok');
  });

  it('rejects a category on a ticket that is not a complaint', () => {
    const ticket = {
      id: 'e2',
      type: 'ticket.created',
      ts: '2026-03-02T08:00:00Z',
      ticketId: 't1',
      kind: 'technical',
      category: 'price',
      priority: 'high',
      tier: 'vip',
      subject: 'Router down',
    };
    expect(reason(bytes(ticket), { ...opts, topicRole: 'tickets' })).toMatch(
      /category is only allowed on complaint tickets/,
    );
  });
});
