/**
 * What the UI offers each role. The server enforces the same rules (server/auth/permissions.ts); this
 * only decides which controls and pages to show, so a hidden control is never the only protection.
 */
import type { Principal, Role } from '$contract/auth';

export interface NavItem {
  href: string;
  label: string;
}

const PAGES: Record<string, NavItem> = {
  console: { href: '/console', label: 'Console' },
  wallboard: { href: '/wallboard', label: 'Wallboard' },
  reports: { href: '/reports', label: 'Reports' },
  audit: { href: '/audit', label: 'Audit log' },
  admin: { href: '/admin', label: 'Admin' },
};

const NAV: Record<Role, Array<keyof typeof PAGES>> = {
  wallboard: ['wallboard'],
  lead: ['console', 'wallboard'],
  supervisor: ['console', 'wallboard'],
  manager: ['reports', 'audit', 'wallboard'],
  admin: ['console', 'reports', 'audit', 'wallboard', 'admin'],
  // Prometheus scrapers' tokens: no pages.
  metrics: [],
};

/** The pages a role can open, in menu order. */
export function navFor(role: Role): NavItem[] {
  return NAV[role].flatMap((k) => (PAGES[k] ? [PAGES[k]] : []));
}

/** Where a role lands after signing in. */
export function homeFor(role: Role): string {
  return navFor(role)[0]?.href ?? '/wallboard';
}

/** Whether `role` may open the page at `path` (first path segment). */
export function mayOpen(role: Role, path: string): boolean {
  const first = `/${path.split('/')[1] ?? ''}`;
  return navFor(role).some((n) => n.href === first);
}

/** Reassigning tickets (leads within their teams; supervisors, admins). */
export function canReassign(p: Principal | null): boolean {
  return p !== null && (p.role === 'lead' || p.role === 'supervisor' || p.role === 'admin');
}

/** Acknowledging escalation alerts. */
export function canAcknowledge(p: Principal | null): boolean {
  return p !== null && (p.role === 'supervisor' || p.role === 'admin');
}

/** Whether a lead-scoped principal may act on a ticket of `team` (unscoped: anywhere). */
export function inScope(p: Principal, team: string | null): boolean {
  if (p.role === 'supervisor' || p.role === 'admin') return true;
  return p.teams.length === 0 || (team !== null && p.teams.includes(team));
}
