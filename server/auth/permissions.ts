/** What each role may do (pure). The one place access rules live. */
import type { Principal, Role } from '../contract/auth.ts';

export const PERMISSIONS = [
  'live:view', // wallboard data, scoped to teams
  'tickets:reassign', // lead: own teams; supervisor/admin: anywhere
  'alerts:acknowledge',
  'reports:view', // shift summaries, CSV
  'audit:view',
  'admin:manage', // users, tokens, thresholds, SLA policy, teams
  'metrics:read', // Prometheus scraping (GET /metrics)
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
};

/** Whether `role` carries `permission` at all. */
export function roleHas(role: Role, permission: Permission): boolean {
  return MATRIX[role].includes(permission);
}

/** Whether a principal scoped to some teams may act on `team` (unscoped principals may act anywhere). */
export function inScope(p: Principal, team: string | null | undefined): boolean {
  return p.teams.length === 0 || (team !== null && team !== undefined && p.teams.includes(team));
}

/**
 * Whether `p` may do `permission`, on `team` when the action concerns one. Leads reassign only within
 * their own teams; supervisors and admins anywhere.
 */
export function can(p: Principal, permission: Permission, team?: string | null): boolean {
  if (!roleHas(p.role, permission)) return false;
  if (team === undefined) return true;
  if (p.role === 'supervisor' || p.role === 'admin') return true;
  return inScope(p, team);
}
