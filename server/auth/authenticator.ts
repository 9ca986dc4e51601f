/** Turns credentials (Bearer token, session cookie, Socket.IO `auth.token`) into a principal. */
import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from '../contract/auth.ts';
import { credentialsOf, sameOrigin, type Credentials } from './credentials.ts';
import type { ResolvedSession, Sessions } from './sessions.ts';
import type { Tokens } from './tokens.ts';

export interface Authenticated {
  principal: Principal;
  /** Set when the principal came from a session cookie. */
  session: ResolvedSession | null;
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
  ): Promise<Principal | null>;
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

  return {
    authenticate,
    async authenticateHandshake(headers, auth) {
      if (typeof auth.token === 'string' && auth.token !== '') {
        return deps.tokens.authenticate(auth.token);
      }
      const creds = credentialsOf(headers);
      if (creds?.kind === 'session' && headers.origin !== undefined && !sameOrigin(headers, [headers.host])) {
        return null;
      }
      return (await authenticate(creds))?.principal ?? null;
    },
  };
}
