/**
 * Whose access can end while they are connected: a token (revoked), a user (removed) or one browser
 * session (signed out, or replaced by a new sign-in). Every socket joins the rooms of the subjects it
 * authenticated as, so ending access disconnects those sockets on every instance (Redis adapter).
 */
export type AccessSubject =
  | { kind: 'token'; name: string }
  | { kind: 'user'; name: string }
  /** `id` is the session's store id (the SHA-256 of the cookie value), never the cookie itself. */
  | { kind: 'session'; id: string };

/** Called after a subject's access ended. */
export type AccessEnded = (subject: AccessSubject) => void;

/** The Socket.IO room of every socket authenticated as `s`. */
export function accessRoom(s: AccessSubject): string {
  return s.kind === 'session' ? `access:session:${s.id}` : `access:${s.kind}:${s.name}`;
}
