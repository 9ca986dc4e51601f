import { describe, expect, it } from 'vitest';
import { ROLES } from '$contract/auth';
import { homeFor, mayOpen, navFor } from './roles';

describe('navigation by role', () => {
  it('offers the admin page to admins only', () => {
    for (const role of ROLES) {
      expect(mayOpen(role, '/admin'), role).toBe(role === 'admin');
      expect(
        navFor(role).some((n) => n.href === '/admin'),
        role,
      ).toBe(role === 'admin');
    }
  });

  it('keeps every role on its home page and admins on the console first', () => {
    expect(homeFor('admin')).toBe('/console');
    expect(homeFor('manager')).toBe('/reports');
    expect(homeFor('wallboard')).toBe('/wallboard');
    expect(mayOpen('manager', '/audit')).toBe(true);
    expect(mayOpen('lead', '/reports')).toBe(false);
  });
});
