/** Turns credentials (Bearer token, session cookie, Socket.IO `auth.token`) into a principal. */
import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from '../contract/auth.ts';
import { credentialsOf, sameOrigin, type Credentials } from './credentials.ts';
import type { ResolvedSession, Sessions } from './sessions.ts';
import { accessRoom, type AccessSubject } from './subjects.ts';
import type { Tokens } from './tokens.ts';

export interface Authenticated {
  principal: Principal;
  /** Set when the principal came from a session cookie. */
  session: ResolvedSession | null;
}

/**
 * A socket's identity: who it is now, the rooms of the subjects whose end must disconnect it (its
 * token, or its user and session), and how to check again later that the credentials still hold.
 */
export interface SocketIdentity {
  principal: Principal;
  rooms: string[];
  /** The principal the same credentials stand for now, or null once revoked, removed or expired. */
  recheck(): Promise<Principal | null>;
}

export interface Authenticator {
  /** The principal behind `creds`, or null (unknown, revoked or expired credentials). */
  authenticate(creds: Credentials): Promise<Authenticated | null>;
  /**
   * For the Socket.IO handshake: `auth.token`, else an `Authorization: Bearer` header, else the session
   * cookie (refused when the handshake's Origin is another site's, against cross-site socket hijacking).
   */
  authenticateHandshake(
    headers: IncomingHttpHeaders,
    auth: Record<string, unknown>,
  ): Promise<SocketIdentity | null>;
}

/** Creates the authenticator. */
export function createAuthenticator(deps: {
  tokens: Pick<Tokens, 'authenticate'>;
  sessions: Sessions;
}): Authenticator {
  async function authenticate(creds: Credentials): Promise<Authenticated | null> {
    if (creds === null) return null;
    if (creds.kind === 'bearer') {
      const principal = await deps.tokens.authenticate(creds.token);
      return principal ? { principal, session: null } : null;
    }
    const session = await deps.sessions.resolve(creds.id);
    return session ? { principal: session.principal, session } : null;
  }

  async function byToken(token: string): Promise<SocketIdentity | null> {
    const principal = await deps.tokens.authenticate(token);
    if (!principal) return null;
    return {
      principal,
      rooms: [accessRoom({ kind: 'token', name: principal.name })],
      recheck: () => deps.tokens.authenticate(token),
    };
  }

  return {
    authenticate,
    async authenticateHandshake(headers, auth) {
      if (typeof auth.token === 'string' && auth.token !== '') return byToken(auth.token);
      const creds = credentialsOf(headers);
      if (creds === null) return null;
      if (creds.kind === 'bearer') return byToken(creds.token);
      if (headers.origin !== undefined && !sameOrigin(headers, [headers.host])) return null;
      const session = await deps.sessions.resolve(creds.id);
      if (!session) return null;
      const subjects: AccessSubject[] = [
        { kind: 'user', name: session.principal.name },
        { kind: 'session', id: session.storeId },
      ];
      return {
        principal: session.principal,
        rooms: subjects.map(accessRoom),
        // A socket is not a request: it does not slide the session (the browser's cookie would not).
        recheck: async () => (await deps.sessions.resolve(creds.id, { renew: false }))?.principal ?? null,
      };
    },
  };
}
