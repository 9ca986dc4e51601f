/** Roles, principals and auth payloads shared by server and web. */
import { z } from 'zod';

/** `metrics` is for Prometheus scrapers' tokens: it may read /metrics and nothing else. */
export const ROLES = ['wallboard', 'lead', 'supervisor', 'manager', 'admin', 'metrics'] as const;
export type Role = (typeof ROLES)[number];

/** Who is making a request: a signed-in user (session cookie) or an API token (Bearer). */
export interface Principal {
  kind: 'user' | 'token';
  name: string;
  role: Role;
  /** Teams the principal is scoped to; empty = every team. */
  teams: string[];
}

/** `POST /api/v1/auth/login` body. */
export const loginRequest = z.object({
  username: z.string().trim().min(1, 'a username is required').max(200),
  password: z.string().min(1, 'a password is required').max(1024),
});
export type LoginRequest = z.infer<typeof loginRequest>;

/** `POST /api/v1/auth/login` (200, with the session cookie) and `GET /api/v1/auth/me`. */
export interface AuthResponse {
  principal: Principal;
}

/** One audit log entry as the API returns it. */
export interface AuditEntry {
  id: string;
  /** When it happened, epoch ms. */
  at: number;
  /** The same instant, ISO-8601 with the centre's offset. */
  when: string;
  /** User or token name; `cli:<os user>` for the command line, `system` for the server itself. */
  actor: string;
  role: Role | null;
  /** e.g. `auth.login`, `auth.login.failed`, `auth.logout`, `token.create`, `ticket.reassign`. */
  action: string;
  target: string | null;
  details: Record<string, unknown> | null;
}

/** `GET /api/v1/audit`: newest first. */
export interface AuditListResponse {
  entries: AuditEntry[];
}
