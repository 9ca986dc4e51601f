import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/harness.ts';
import { createAuditLog } from '../audit/audit.ts';
import { createMemoryStore } from '../store/memory-store.ts';
import { AccessError } from './errors.ts';
import { SYSTEM_ACTOR } from './records.ts';
import { createUsers } from './users.ts';

function setup() {
  const clock = new FakeClock(Date.parse('2026-03-02T09:00:00+01:00'));
  const store = createMemoryStore({ prefix: 'users-test:', now: clock.now });
  const audit = createAuditLog({ store, clock });
  return { clock, store, audit, users: createUsers({ store, clock, audit }) };
}
const admin = { name: 'ada', role: 'admin' as const };

describe('users', () => {
  it('signs in a user with the right password and refuses a wrong one or an unknown user', async () => {
    const { users } = setup();
    await users.add(
      { name: 'Lea', role: 'lead', teams: ['sales', 'sales'], password: 'a long passphrase' },
      admin,
    );
    expect(await users.verify('lea', 'a long passphrase')).toEqual({
      principal: { kind: 'user', name: 'lea', role: 'lead', teams: ['sales'] },
      generation: expect.any(String),
    });
    expect(await users.verify('LEA ', 'a long passphrase')).toMatchObject({ principal: { name: 'lea' } });
    expect(await users.verify('lea', 'a long passphrasE')).toBeNull();
    expect(await users.verify('nobody', 'a long passphrase')).toBeNull();
    expect(await users.verify('', 'x')).toBeNull();
  });

  it('stores an argon2id hash, never the password', async () => {
    const { users, store } = setup();
    const { password } = await users.add({ name: 'sam', role: 'supervisor' }, admin);
    const [record] = await store.getRecords('user', ['sam']);
    expect(JSON.stringify(record)).not.toContain(password);
    expect(record).toMatchObject({ passwordHash: expect.stringMatching(/^\$argon2id\$/) });
  });

  it('generates a strong password when none is given and returns it once', async () => {
    const { users } = setup();
    const { password } = await users.add({ name: 'sam', role: 'supervisor' }, admin);
    expect(password).toHaveLength(24);
    expect(await users.verify('sam', password)).toMatchObject({ principal: { role: 'supervisor' } });
  });

  it('refuses a taken name, a bad name and a short password', async () => {
    const { users } = setup();
    await users.add({ name: 'sam', role: 'supervisor' }, admin);
    await expect(users.add({ name: 'SAM', role: 'admin' }, admin)).rejects.toMatchObject({ status: 409 });
    await expect(users.add({ name: 'no spaces', role: 'admin' }, admin)).rejects.toBeInstanceOf(AccessError);
    await expect(users.add({ name: 'x', role: 'admin', password: 'short' }, admin)).rejects.toThrow(
      /at least 12 characters/,
    );
    await expect(users.add({ name: 'y', role: 'lead', teams: [' '] }, admin)).rejects.toMatchObject({
      status: 400,
    });
  });

  it('refuses a lead without a team, and accepts other roles without one', async () => {
    const { users } = setup();
    await expect(users.add({ name: 'lou', role: 'lead' }, admin)).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/a lead user needs at least one team/),
    });
    await expect(users.add({ name: 'lou', role: 'lead', teams: [] }, admin)).rejects.toMatchObject({
      status: 400,
    });
    expect(await users.lookup('lou')).toBeNull();
    await users.add({ name: 'sam', role: 'supervisor' }, admin);
    await users.add({ name: 'wally', role: 'wallboard' }, admin);
  });

  it('gives a re-added name a new generation', async () => {
    const { users } = setup();
    await users.add({ name: 'bob', role: 'lead', teams: ['sales'] }, admin);
    const first = await users.lookup('bob');
    await users.remove('bob', admin);
    await users.add({ name: 'bob', role: 'supervisor' }, admin);
    const second = await users.lookup('bob');
    expect(second?.principal.role).toBe('supervisor');
    expect(second?.generation).not.toBe(first?.generation);
  });

  it('lists users without hashes and removes them', async () => {
    const { users, clock } = setup();
    await users.add({ name: 'b', role: 'manager' }, SYSTEM_ACTOR);
    clock.ms += 1000;
    await users.add({ name: 'a', role: 'lead', teams: ['sales'] }, admin);
    expect(await users.list()).toEqual([
      { name: 'b', role: 'manager', teams: [], createdAt: clock.ms - 1000, createdBy: 'system' },
      { name: 'a', role: 'lead', teams: ['sales'], createdAt: clock.ms, createdBy: 'ada' },
    ]);
    expect(await users.remove('b', admin)).toBe(true);
    expect(await users.remove('b', admin)).toBe(false);
    expect((await users.list()).map((u) => u.name)).toEqual(['a']);
    expect(await users.lookup('b')).toBeNull();
  });

  it('audits adding and removing a user in the same transaction', async () => {
    const { users, audit } = setup();
    await users.add({ name: 'sam', role: 'supervisor', teams: ['sales'] }, admin);
    await users.remove('sam', admin);
    expect((await audit.query()).map((e) => [e.actor, e.role, e.action, e.target, e.details])).toEqual([
      ['ada', 'admin', 'user.remove', 'sam', null],
      ['ada', 'admin', 'user.add', 'sam', { role: 'supervisor', teams: ['sales'] }],
    ]);
  });
});
