import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/harness.ts';
import { createAuditLog } from '../audit/audit.ts';
import { createMemoryStore } from '../store/memory-store.ts';
import { createTokens, hashToken } from './tokens.ts';

function setup() {
  const clock = new FakeClock(Date.parse('2026-03-02T09:00:00+01:00'));
  const store = createMemoryStore({ prefix: 'tokens-test:', now: clock.now });
  const audit = createAuditLog({ store, clock });
  return { clock, store, audit, tokens: createTokens({ store, clock, audit }) };
}
const cli = { name: 'cli:ops', role: null };

describe('API tokens', () => {
  it('authenticates a new token until it is revoked', async () => {
    const { tokens } = setup();
    const { name, token } = await tokens.create({ role: 'wallboard', teams: ['sales'], name: 'tv-1' }, cli);
    expect(name).toBe('tv-1');
    expect(token).toMatch(/^fbt_[A-Za-z0-9_-]{43}$/);
    expect(await tokens.authenticate(token)).toEqual({
      kind: 'token',
      name: 'tv-1',
      role: 'wallboard',
      teams: ['sales'],
    });
    expect(await tokens.revoke('tv-1', cli)).toBe(true);
    expect(await tokens.authenticate(token)).toBeNull();
    expect(await tokens.revoke('tv-1', cli)).toBe(false);
  });

  it('stores only the SHA-256 of the token, and maps the name to it', async () => {
    const { tokens, store } = setup();
    const { token } = await tokens.create({ role: 'manager', name: 'reports' }, cli);
    const hash = hashToken(token);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await store.getRecords('token-name', ['reports'])).toEqual([{ hash }]);
    const [record] = await store.getRecords('token', [hash]);
    expect(record).toMatchObject({ name: 'reports', role: 'manager' });
    expect(JSON.stringify(record)).not.toContain(token.slice(4));
  });

  it('refuses unknown and malformed tokens', async () => {
    const { tokens } = setup();
    const { token } = await tokens.create({ role: 'wallboard' }, cli);
    expect(await tokens.authenticate(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    expect(await tokens.authenticate('fbt_short')).toBeNull();
    expect(await tokens.authenticate('')).toBeNull();
  });

  it('names tokens by role when no name is given, and refuses a taken name', async () => {
    const { tokens } = setup();
    expect((await tokens.create({ role: 'wallboard' }, cli)).name).toMatch(/^wallboard-[0-9a-f]{8}$/);
    await tokens.create({ role: 'wallboard', name: 'tv' }, cli);
    await expect(tokens.create({ role: 'admin', name: 'tv' }, cli)).rejects.toMatchObject({ status: 409 });
  });

  it('refuses a lead token without a team, and allows a floor-wide wallboard token', async () => {
    const { tokens } = setup();
    await expect(tokens.create({ role: 'lead', name: 'l' }, cli)).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/a lead token needs at least one team/),
    });
    expect(await tokens.list()).toEqual([]);
    const { token } = await tokens.create({ role: 'wallboard', name: 'floor-tv' }, cli);
    expect(await tokens.authenticate(token)).toMatchObject({ teams: [] });
  });

  it('tells who listens when a token is revoked', async () => {
    const { store, clock, audit } = setup();
    const ended: unknown[] = [];
    const tokens = createTokens({ store, clock, audit, onEnded: (s) => ended.push(s) });
    await tokens.create({ role: 'wallboard', name: 'tv' }, cli);
    await tokens.revoke('tv', cli);
    await tokens.revoke('tv', cli);
    expect(ended).toEqual([{ kind: 'token', name: 'tv' }]);
  });

  it('lists tokens without their secrets', async () => {
    const { tokens, clock } = setup();
    await tokens.create({ role: 'wallboard', name: 'tv', teams: ['sales'] }, cli);
    const { token } = await tokens.create({ role: 'manager', name: 'bi' }, cli);
    await tokens.revoke('tv', cli);
    const list = await tokens.list();
    expect(list).toEqual([
      { name: 'bi', role: 'manager', teams: [], createdAt: clock.ms, createdBy: 'cli:ops' },
    ]);
    expect(JSON.stringify(list)).not.toContain(token);
  });

  it('audits creation and revocation', async () => {
    const { tokens, audit } = setup();
    await tokens.create({ role: 'wallboard', name: 'tv', teams: ['sales'] }, cli);
    await tokens.revoke('tv', cli);
    expect((await audit.query()).map((e) => [e.actor, e.action, e.target])).toEqual([
      ['cli:ops', 'token.revoke', 'tv'],
      ['cli:ops', 'token.create', 'tv'],
    ]);
  });
});
