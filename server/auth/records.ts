/** The stored shapes of access records (`user`, `token`, `token-name`, `session`), checked on read. */
import { z } from 'zod';
import { ROLES } from '../contract/auth.ts';

/** User and token names: lower-case letters, digits and `. _ @ -`, starting with a letter or digit. */
export const accessName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^[a-z0-9][a-z0-9._@-]{0,63}$/,
    'names are 1–64 letters, digits, . _ @ - (starting with a letter or digit)',
  );

/** A team name as it appears in events. */
export const teamName = z.string().trim().min(1, 'a team name is empty').max(100);

export const userRecord = z.object({
  name: z.string(),
  role: z.enum(ROLES),
  teams: z.array(z.string()),
  passwordHash: z.string(),
  createdAt: z.number(),
  createdBy: z.string(),
  /**
   * Random id of this incarnation of the name: a user removed and added again (the only way to change
   * a role) gets a new one, so sessions of the earlier user stop working. Absent on records written
   * before it existed; `userGeneration` derives one from `createdAt` for those.
   */
  generation: z.string().optional(),
});
export type UserRecord = z.infer<typeof userRecord>;

/** Stored under the SHA-256 of the token; the token itself is never stored. */
export const tokenRecord = z.object({
  name: z.string(),
  role: z.enum(ROLES),
  teams: z.array(z.string()),
  createdAt: z.number(),
  createdBy: z.string(),
});
export type TokenRecord = z.infer<typeof tokenRecord>;

/** Maps a token's name to its hash, so a token can be revoked by name. */
export const tokenNameRecord = z.object({ hash: z.string() });

/** Stored under the SHA-256 of the session id; the id itself lives only in the browser's cookie. */
export const sessionRecord = z.object({
  user: z.string(),
  /** The generation of the user the session was started for (a re-added name does not inherit it). */
  generation: z.string(),
  createdAt: z.number(),
  renewedAt: z.number(),
  expiresAt: z.number(),
});
export type SessionRecord = z.infer<typeof sessionRecord>;

/** The generation of a user record (see `userRecord.generation`). */
export function userGeneration(u: UserRecord): string {
  return u.generation ?? `created:${u.createdAt}`;
}

/** Parses a stored record; null for a missing or unreadable one. */
export function parseRecord<T>(schema: z.ZodType<T>, value: unknown): T | null {
  if (value === null || value === undefined) return null;
  const r = schema.safeParse(value);
  return r.success ? r.data : null;
}

/** Who performed an operator action, for the audit log. */
export interface Actor {
  name: string;
  role: (typeof ROLES)[number] | null;
}

/** The server itself (demo credentials at start). */
export const SYSTEM_ACTOR: Actor = { name: 'system', role: null };
