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

// ---- administration (admin role): users and API tokens ----

/** A user as listed (never a password or its hash). */
export interface UserInfo {
  name: string;
  role: Role;
  /** Empty = every team (never for a lead). */
  teams: string[];
  /** Epoch ms. */
  createdAt: number;
  /** Who added it: a user or token name, `cli:<os user>` or `system`. */
  createdBy: string;
}

/** An API token as listed (never the token itself). */
export type TokenInfo = UserInfo;

/** `GET /api/v1/admin/users`, oldest first. */
export interface UsersResponse {
  users: UserInfo[];
}

/**
 * `POST /api/v1/admin/users`. Names: 1–64 of a–z 0–9 . _ @ - (lower-cased). A lead needs at least one
 * team; `metrics` is for tokens only. Without `password` a strong one is generated and returned once.
 */
export const addUserRequest = z.strictObject({
  name: z.string().max(200),
  role: z.enum(ROLES),
  teams: z.array(z.string().max(100)).max(50).optional(),
  password: z.string().max(1024).optional(),
});
export type AddUserRequest = z.infer<typeof addUserRequest>;

/** `POST /api/v1/admin/users` (201). `password` only when it was generated: shown this once. */
export interface AddUserResponse {
  user: UserInfo;
  password?: string;
}

/** `GET /api/v1/admin/tokens`, oldest first. */
export interface TokensResponse {
  tokens: TokenInfo[];
}

/** `POST /api/v1/admin/tokens`. Without `name` it is `<role>-<8 hex>`. */
export const createTokenRequest = z.strictObject({
  role: z.enum(ROLES),
  teams: z.array(z.string().max(100)).max(50).optional(),
  name: z.string().max(200).optional(),
});
export type CreateTokenRequest = z.infer<typeof createTokenRequest>;

/** `POST /api/v1/admin/tokens` (201). `secret` is the token: shown this once, stored only hashed. */
export interface CreateTokenResponse {
  token: TokenInfo;
  secret: string;
}
