/** What each role may do (pure). The one place access rules live. */
import type { Principal, Role } from '../contract/auth.ts';

export const PERMISSIONS = [
  'live:view', // wallboard data, scoped to teams
  'tickets:reassign', // lead: own teams; supervisor/admin: anywhere
  'alerts:acknowledge',
  'reports:view', // shift summaries, CSV
  'audit:view',
  'admin:manage', // users, tokens, thresholds, SLA policy, teams
  'metrics:read', // Prometheus scraping (GET /metrics): admins, and tokens of the metrics role
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const MATRIX: Record<Role, readonly Permission[]> = {
  wallboard: ['live:view'],
  lead: ['live:view', 'tickets:reassign'],
  supervisor: ['live:view', 'tickets:reassign', 'alerts:acknowledge'],
  manager: ['live:view', 'reports:view', 'audit:view'],
  admin: [
    'live:view',
    'tickets:reassign',
    'alerts:acknowledge',
    'reports:view',
    'audit:view',
    'admin:manage',
    'metrics:read',
  ],
  metrics: ['metrics:read'],
};

/** Whether `role` carries `permission` at all. */
export function roleHas(role: Role, permission: Permission): boolean {
  return MATRIX[role].includes(permission);
}

/** Whether a principal scoped to some teams may act on `team` (unscoped principals may act anywhere). */
export function inScope(p: Principal, team: string | null | undefined): boolean {
  return p.teams.length === 0 || (team !== null && team !== undefined && p.teams.includes(team));
}

/** Roles whose holders must be scoped to at least one team ("within own teams" needs teams). */
const NEEDS_TEAMS: readonly Role[] = ['lead'];

/**
 * Why a user or token with `role` and `teams` may not be created, or null if it may. A lead without
 * a team would otherwise count as scoped to every team (an empty list means "all"); a wallboard token
 * without a team is legitimate (a floor-wide TV).
 */
export function grantProblem(kind: 'user' | 'token', role: Role, teams: readonly string[]): string | null {
  if (NEEDS_TEAMS.includes(role) && teams.length === 0) {
    return `a ${role} ${kind} needs at least one team (--team TEAM, or "teams": [...])`;
  }
  if (role === 'metrics' && kind === 'user') {
    return 'metrics is a role for a Prometheus scraper’s token: create a token with --role metrics instead';
  }
  if (role === 'metrics' && teams.length > 0) return 'a metrics token reads /metrics only: give it no team';
  return null;
}

/**
 * Whether `p` may do `permission`, on `team` when the action concerns one. Leads reassign only within
 * their own teams; supervisors and admins anywhere. A principal that could not be created today (a
 * lead without teams, left from before that rule) may do nothing.
 */
export function can(p: Principal, permission: Permission, team?: string | null): boolean {
  if (!roleHas(p.role, permission)) return false;
  if (grantProblem(p.kind, p.role, p.teams) !== null) return false;
  if (team === undefined) return true;
  if (p.role === 'supervisor' || p.role === 'admin') return true;
  return inScope(p, team);
}
