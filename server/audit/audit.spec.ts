import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/harness.ts';
import { createKeys } from '../store/keys.ts';
import { createMemoryStore } from '../store/memory-store.ts';
import { createAuditLog } from './audit.ts';

const DAY = 86_400_000;
const MIN = 60_000;

function setup(retentionDays = 400) {
  const clock = new FakeClock(Date.parse('2026-03-02T09:00:00+01:00'));
  const store = createMemoryStore({ prefix: 'audit-test:', now: clock.now });
  const audit = createAuditLog({ store, clock, retentionDays, timezone: 'Europe/Berlin' });
  const indexSize = async () => (await store.zcard([createKeys(store.prefix).index({ name: 'audit' })]))[0];
  return { clock, store, audit, indexSize };
}

describe('audit log', () => {
  it('commits an entry together with the action it describes', async () => {
    const { store, audit } = setup();
    const tx = await store.begin();
    await tx.commit([
      { op: 'put', kind: 'ack', id: 'k1:accept', value: { by: 'sue' } },
      ...audit.record({ actor: 'sue', role: 'supervisor', action: 'alert.acknowledge', target: 'k1' }),
    ]);
    expect(await audit.query()).toEqual([
      {
        id: expect.any(String),
        at: Date.parse('2026-03-02T09:00:00+01:00'),
        when: '2026-03-02T09:00:00.000+01:00',
        actor: 'sue',
        role: 'supervisor',
        action: 'alert.acknowledge',
        target: 'k1',
        details: null,
      },
    ]);
  });

  it('returns entries newest first, filtered by time, actor and action, up to the limit', async () => {
    const { clock, audit } = setup();
    const t0 = clock.ms;
    const log = async (actor: string, action: string, atMin: number) => {
      clock.ms = t0 + atMin * MIN;
      await audit.append({ actor, role: 'lead', action, target: `${actor}@${atMin}` });
    };
    await log('leo', 'auth.login', 0);
    await log('leo', 'ticket.reassign', 5);
    await log('sue', 'auth.login.failed', 10);
    await log('leo', 'auth.logout', 3 * 24 * 60); // days later: found by widening the window
    await log('sue', 'auth.login', 3 * 24 * 60);
    const targets = async (q: Parameters<typeof audit.query>[0]) =>
      (await audit.query(q)).map((e) => e.target);

    expect(await targets({})).toEqual(['sue@4320', 'leo@4320', 'sue@10', 'leo@5', 'leo@0']);
    expect(await targets({ limit: 2 })).toEqual(['sue@4320', 'leo@4320']);
    expect(await targets({ actor: 'leo' })).toEqual(['leo@4320', 'leo@5', 'leo@0']);
    expect(await targets({ action: 'auth.login' })).toEqual(['sue@4320', 'sue@10', 'leo@0']);
    expect(await targets({ action: 'auth' })).toEqual(['sue@4320', 'leo@4320', 'sue@10', 'leo@0']);
    expect(await targets({ action: 'auth.log' })).toEqual([]);
    expect(await targets({ from: t0 + 5 * MIN, to: t0 + 10 * MIN })).toEqual(['sue@10', 'leo@5']);
    expect(await targets({ to: t0 + 4 * MIN })).toEqual(['leo@0']);
    expect(await targets({ from: t0 + DAY })).toEqual(['sue@4320', 'leo@4320']);
    expect(await targets({ actor: 'nobody' })).toEqual([]);
  });

  it('keeps entries for the retention period and trims older ones from the index when appending', async () => {
    const { clock, store, audit, indexSize } = setup(180);
    await audit.append({ actor: 'old', role: null, action: 'user.add' });
    const [oldId] = (await audit.query()).map((e) => e.id);
    clock.ms += 179 * DAY;
    await audit.append({ actor: 'mid', role: null, action: 'user.add' });
    expect((await audit.query()).map((e) => e.actor)).toEqual(['mid', 'old']);
    clock.ms += 2 * DAY;
    expect(await store.getRecords('audit', [oldId ?? ''])).toEqual([null]); // the record expired
    expect(await indexSize()).toBe(2); // its index member goes with the next append
    await audit.append({ actor: 'new', role: null, action: 'user.add' });
    expect(await indexSize()).toBe(2);
    expect((await audit.query()).map((e) => e.actor)).toEqual(['new', 'mid']);
  });

  it('sets each record to expire at its time plus the retention', async () => {
    const { clock, audit } = setup(180);
    const ops = audit.record({ actor: 'a', role: null, action: 'x' });
    expect(ops).toEqual([
      expect.objectContaining({ op: 'put', kind: 'audit', expireAt: clock.ms + 180 * DAY }),
      expect.objectContaining({ op: 'zadd', index: { name: 'audit' }, score: clock.ms }),
      { op: 'zremBelow', index: { name: 'audit' }, score: clock.ms - 180 * DAY },
    ]);
  });

  it('writes CSV with the centre offset and escapes commas, quotes and newlines', async () => {
    const { clock, audit } = setup();
    clock.set('2026-07-01T08:00:00Z'); // summer time in Berlin
    await audit.append({
      actor: 'sue',
      role: 'supervisor',
      action: 'ticket.reassign',
      target: 'k1, "vip"\nline 2',
      details: { reason: 'customer said "urgent", twice\nsecond line' },
    });
    await audit.append({ actor: '=HYPERLINK("x")', role: null, action: 'auth.login.failed' });
    const csv = audit.toCsv(await audit.query());
    expect(csv).toBe(
      'when,actor,role,action,target,details\n' +
        `2026-07-01T10:00:00.000+02:00,"'=HYPERLINK(""x"")",,auth.login.failed,,\n` +
        '2026-07-01T10:00:00.000+02:00,sue,supervisor,ticket.reassign,"k1, ""vip""\nline 2",' +
        '"{""reason"":""customer said \\""urgent\\"", twice\\nsecond line""}"\n',
    );
  });
});
