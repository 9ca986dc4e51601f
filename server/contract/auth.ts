/** Roles, principals and auth payloads shared by server and web. */

export const ROLES = ['wallboard', 'lead', 'supervisor', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is making a request: a signed-in user (session cookie) or an API token (Bearer). */
export interface Principal {
  kind: 'user' | 'token';
  name: string;
  role: Role;
  /** Teams the principal is scoped to; empty = every team. */
  teams: string[];
}
