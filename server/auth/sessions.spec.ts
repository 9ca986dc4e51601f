import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/harness.ts';
import { createAuditLog } from '../audit/audit.ts';
import { createMemoryStore } from '../store/memory-store.ts';
import { SESSION_RENEW_EVERY_MS, SESSION_TTL_MS, createSessions } from './sessions.ts';
import { createUsers } from './users.ts';

const HOUR = 3_600_000;

async function setup() {
  const clock = new FakeClock(Date.parse('2026-03-02T09:00:00+01:00'));
  const store = createMemoryStore({ prefix: 'sessions-test:', now: clock.now });
  const audit = createAuditLog({ store, clock });
  const users = createUsers({ store, clock, audit });
  await users.add({ name: 'sue', role: 'supervisor' }, { name: 'system', role: null });
  const sue = await users.lookup('sue');
  if (!sue) throw new Error('expected sue');
  return { clock, store, users, sue, sessions: createSessions({ store, clock, users }) };
}

describe('sessions', () => {
  it('resolves a new session to the user and lasts 12 hours', async () => {
    const { sessions, clock, sue } = await setup();
    const { id, expiresAt } = await sessions.create(sue);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(expiresAt).toBe(clock.ms + SESSION_TTL_MS);
    expect(await sessions.resolve(id)).toMatchObject({
      principal: { kind: 'user', name: 'sue', role: 'supervisor', teams: [] },
      renewed: false,
    });
  });

  it('expires after 12 hours without use', async () => {
    const { sessions, clock, sue } = await setup();
    const { id } = await sessions.create(sue);
    clock.ms += SESSION_TTL_MS - 1;
    expect(await sessions.resolve(id, { renew: false })).not.toBeNull();
    clock.ms += 1;
    expect(await sessions.resolve(id)).toBeNull();
  });

  it('slides: a session in use stays alive past 12 hours', async () => {
    const { sessions, clock, sue } = await setup();
    const { id } = await sessions.create(sue);
    const start = clock.ms;
    for (let h = 1; h <= 30; h++) {
      clock.ms = start + h * HOUR;
      const s = await sessions.resolve(id);
      expect(s).toMatchObject({ renewed: true, expiresAt: clock.ms + SESSION_TTL_MS });
    }
    clock.ms += SESSION_TTL_MS;
    expect(await sessions.resolve(id)).toBeNull();
  });

  it('renews at most once a minute, so not every request writes', async () => {
    const { sessions, clock, sue } = await setup();
    const { id, expiresAt } = await sessions.create(sue);
    clock.ms += SESSION_RENEW_EVERY_MS - 1;
    expect(await sessions.resolve(id)).toMatchObject({ renewed: false, expiresAt });
    clock.ms += 1;
    expect(await sessions.resolve(id)).toMatchObject({ renewed: true, expiresAt: clock.ms + SESSION_TTL_MS });
  });

  it('ends on logout, and when the user is removed', async () => {
    const { sessions, users, sue } = await setup();
    const a = await sessions.create(sue);
    const b = await sessions.create(sue);
    await sessions.destroy(a.id);
    expect(await sessions.resolve(a.id)).toBeNull();
    expect(await sessions.resolve(b.id)).not.toBeNull();
    await users.remove('sue', { name: 'system', role: null });
    expect(await sessions.resolve(b.id)).toBeNull();
  });

  it('stays dead when the user is removed and a user of the same name is added again', async () => {
    const { sessions, users, sue } = await setup();
    const { id } = await sessions.create(sue);
    const system = { name: 'system', role: null };
    await users.remove('sue', system);
    await users.add({ name: 'sue', role: 'admin' }, system);
    expect(await sessions.resolve(id)).toBeNull();
    const again = await users.lookup('sue');
    expect(again?.generation).not.toBe(sue.generation);
    if (!again) throw new Error('expected the new sue');
    expect(await sessions.resolve((await sessions.create(again)).id)).toMatchObject({
      principal: { role: 'admin' },
    });
  });

  it('tells who listens when a session ends, by its store id', async () => {
    const { store, clock, users, sue } = await setup();
    const ended: unknown[] = [];
    const sessions = createSessions({ store, clock, users, onEnded: (s) => ended.push(s) });
    const { id } = await sessions.create(sue);
    const resolved = await sessions.resolve(id);
    await sessions.destroy(id);
    expect(ended).toEqual([{ kind: 'session', id: resolved?.storeId }]);
    expect(resolved?.storeId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('stores the session under a hash of its id, and refuses malformed ids', async () => {
    const { sessions, store, sue } = await setup();
    const { id } = await sessions.create(sue);
    expect(await store.getRecords('session', [id])).toEqual([null]);
    expect(await sessions.resolve('../../etc')).toBeNull();
  });
});
