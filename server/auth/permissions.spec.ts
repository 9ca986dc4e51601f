import { describe, expect, it } from 'vitest';
import { ROLES, type Principal, type Role } from '../contract/auth.ts';
import { can, grantProblem, inScope, PERMISSIONS, roleHas, type Permission } from './permissions.ts';

const p = (role: Role, teams: string[] = []): Principal => ({ kind: 'user', name: role, role, teams });

describe('permission matrix', () => {
  it('grants each role exactly its permissions', () => {
    const granted = Object.fromEntries(ROLES.map((r) => [r, PERMISSIONS.filter((perm) => roleHas(r, perm))]));
    expect(granted).toEqual({
      wallboard: ['live:view'],
      lead: ['live:view', 'tickets:reassign'],
      supervisor: ['live:view', 'tickets:reassign', 'alerts:acknowledge'],
      manager: ['live:view', 'reports:view', 'audit:view'],
      admin: [...PERMISSIONS],
      metrics: ['metrics:read'],
    });
  });

  it('lets a lead reassign only within their own teams', () => {
    const lead = p('lead', ['sales']);
    expect(can(lead, 'tickets:reassign', 'sales')).toBe(true);
    expect(can(lead, 'tickets:reassign', 'tech-support')).toBe(false);
    expect(can(lead, 'tickets:reassign', null)).toBe(false);
  });

  it('lets supervisors and admins reassign anywhere, even when scoped to teams', () => {
    for (const role of ['supervisor', 'admin'] as const) {
      expect(can(p(role, ['sales']), 'tickets:reassign', 'tech-support')).toBe(true);
      expect(can(p(role), 'tickets:reassign', null)).toBe(true);
    }
  });

  it('lets a lead without teams (from before teams were required) do nothing', () => {
    const unscoped = p('lead');
    for (const perm of PERMISSIONS) expect(can(unscoped, perm), perm).toBe(false);
    expect(can(unscoped, 'tickets:reassign', 'sales')).toBe(false);
    expect(grantProblem('user', 'lead', [])).toMatch(/needs at least one team/);
    expect(grantProblem('token', 'wallboard', [])).toBeNull();
    expect(grantProblem('user', 'lead', ['sales'])).toBeNull();
  });

  it('lets a metrics token read /metrics and nothing else, and refuses metrics users', () => {
    const token = (role: Role): Principal => ({ ...p(role), kind: 'token' });
    expect(PERMISSIONS.filter((perm) => can(token('metrics'), perm))).toEqual(['metrics:read']);
    expect(ROLES.filter((r) => can(token(r), 'metrics:read'))).toEqual(['admin', 'metrics']);
    expect(can(p('metrics'), 'metrics:read')).toBe(false); // no such user can exist
    expect(grantProblem('user', 'metrics', [])).toMatch(/create a token/);
    expect(grantProblem('token', 'metrics', [])).toBeNull();
  });

  it('never lets a wallboard or a manager reassign, whatever the team', () => {
    expect(can(p('wallboard'), 'tickets:reassign', 'sales')).toBe(false);
    expect(can(p('manager'), 'tickets:reassign')).toBe(false);
  });

  it('keeps alerts, audit and administration to their roles', () => {
    const who = (perm: Permission) => ROLES.filter((r) => can(p(r), perm));
    expect(who('alerts:acknowledge')).toEqual(['supervisor', 'admin']);
    expect(who('audit:view')).toEqual(['manager', 'admin']);
    expect(who('admin:manage')).toEqual(['admin']);
  });

  it('scopes a team-scoped principal to its teams and an unscoped one to all', () => {
    expect(inScope(p('wallboard', ['sales']), 'sales')).toBe(true);
    expect(inScope(p('wallboard', ['sales']), 'tech-support')).toBe(false);
    expect(inScope(p('wallboard'), 'tech-support')).toBe(true);
  });
});
