/**
 * Access control wiring: users, API tokens, sessions, the audit log, the security middleware and the
 * auth and audit routes, built over one LiveStore. The composition root calls `createAccess` once.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler, Router } from 'express';
import type { Config } from '../../config/schema.ts';
import { createAuditLog, type AuditLog } from '../audit/audit.ts';
import type { Clock } from '../clock.ts';
import type { Principal } from '../contract/auth.ts';
import type { RouteSpec } from '../http/guard.ts';
import { auditRoutes } from '../http/routes/audit.ts';
import { authRoutes, type LoginLimits } from '../http/routes/auth.ts';
import { authentication, originCheck, securityHeaders } from '../http/security.ts';
import type { Logger } from '../log.ts';
import type { LiveStore } from '../store/store.ts';
import { createAuthenticator } from './authenticator.ts';
import { createDemoCredentials, type DemoCredentials } from './demo.ts';
import { createSessions, type Sessions } from './sessions.ts';
import { createTokens, type Tokens } from './tokens.ts';
import { createUsers, type Users } from './users.ts';

export type { DemoCredentials } from './demo.ts';
export { formatDemoCredentials } from './demo.ts';

export interface AccessDeps {
  store: LiveStore;
  clock: Clock;
  log: Logger;
  config: Pick<Config, 'timezone' | 'retention' | 'auth' | 'kafka'>;
  /** Whether this is the embedded default (demo credentials); default: no Kafka brokers configured. */
  embedded?: boolean;
  /** Sign-in rate limits (default 10 failures per 15 min per address and user). */
  loginLimits?: LoginLimits;
}

export interface Access {
  /** For createApp({ before }): security headers, the cross-site check, authentication. */
  before: RequestHandler[];
  /** For createApp({ api }): the auth routes and the audit routes (declared into `specs`). */
  routers(specs: RouteSpec[]): Router[];
  /** For the Socket.IO handshake: `auth.token`, a Bearer header or the session cookie. */
  authenticateHandshake(
    headers: IncomingHttpHeaders,
    auth: Record<string, unknown>,
  ): Promise<Principal | null>;
  /** The audit log; pass it to the commands (reassign, acknowledge) as their AuditSink. */
  audit: AuditLog;
  users: Users;
  tokens: Tokens;
  sessions: Sessions;
  /** With the embedded default: (re)creates the demo users and token and returns their secrets; else null. */
  ensureDemoCredentials(): Promise<DemoCredentials | null>;
}

/** Builds access control over `store`. */
export function createAccess(deps: AccessDeps): Access {
  const { store, clock, log, config } = deps;
  const audit = createAuditLog({
    store,
    clock,
    retentionDays: config.retention.auditDays,
    timezone: config.timezone,
  });
  const users = createUsers({ store, clock, audit });
  const tokens = createTokens({ store, clock, audit });
  const sessions = createSessions({ store, clock, users });
  const authenticator = createAuthenticator({ tokens, sessions });
  const forceSecureCookie = config.auth.forceSecureCookie;
  const embedded = deps.embedded ?? config.kafka.brokers.length === 0;

  return {
    before: [securityHeaders(), originCheck(), authentication({ authenticator, log, forceSecureCookie })],
    routers: (specs) => [
      authRoutes({ users, sessions, audit, log, forceSecureCookie, limits: deps.loginLimits }),
      auditRoutes({ audit, timezone: config.timezone, now: () => clock.now() }, specs),
    ],
    authenticateHandshake: (headers, auth) => authenticator.authenticateHandshake(headers, auth),
    audit,
    users,
    tokens,
    sessions,
    async ensureDemoCredentials() {
      return embedded ? createDemoCredentials({ users, tokens }) : null;
    },
  };
}
