/**
 * Access control wiring: users, API tokens, sessions, the audit log, the security middleware and the
 * auth and audit routes, built over one LiveStore. The composition root calls `createAccess` once.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler, Router } from 'express';
import { Redis } from 'ioredis';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { Config } from '../../config/schema.ts';
import { createAuditLog, type AuditLog } from '../audit/audit.ts';
import type { Clock } from '../clock.ts';
import type { RouteSpec } from '../http/guard.ts';
import { adminRoutes } from '../http/routes/admin.ts';
import { auditRoutes } from '../http/routes/audit.ts';
import { authRoutes, type LoginLimits } from '../http/routes/auth.ts';
import { authentication, originCheck, securityHeaders } from '../http/security.ts';
import type { Logger } from '../log.ts';
import { createKeys } from '../store/keys.ts';
import { redactRedisUrl } from '../store/redis-store.ts';
import type { LiveStore } from '../store/store.ts';
import { createAuthenticator, type SocketIdentity } from './authenticator.ts';
import { createDemoCredentials, type DemoCredentials } from './demo.ts';
import { createSessions, type Sessions } from './sessions.ts';
import type { AccessEnded, AccessSubject } from './subjects.ts';
import { createTokens, type Tokens } from './tokens.ts';
import { createUsers, type Users } from './users.ts';

export type { SocketIdentity } from './authenticator.ts';
export type { DemoCredentials } from './demo.ts';
export { accessRoom, type AccessSubject } from './subjects.ts';
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
  /**
   * The Redis the store uses, or null/absent for the in-process store: with Redis, sign-in limits are
   * counted there (under the store's prefix), so every instance shares them.
   */
  redisUrl?: string | null;
}

export interface Access {
  /** For createApp({ before }): security headers, the cross-site check, authentication. */
  before: RequestHandler[];
  /** For createApp({ api }): the auth, audit and admin (users, tokens) routes (declared into `specs`). */
  routers(specs: RouteSpec[]): Router[];
  /** For the Socket.IO handshake: `auth.token`, a Bearer header or the session cookie. */
  authenticateHandshake(
    headers: IncomingHttpHeaders,
    auth: Record<string, unknown>,
  ): Promise<SocketIdentity | null>;
  /**
   * Calls `listener` whenever a token is revoked, a user removed or a session ended through this
   * process (so their open sockets can be disconnected); returns the unsubscribe.
   */
  onAccessEnded(listener: AccessEnded): () => void;
  /** The audit log; pass it to the commands (reassign, acknowledge) as their AuditSink. */
  audit: AuditLog;
  users: Users;
  tokens: Tokens;
  sessions: Sessions;
  /** With the embedded default: (re)creates the demo users and token and returns their secrets; else null. */
  ensureDemoCredentials(): Promise<DemoCredentials | null>;
  /** Closes the sign-in limits' Redis connection, if any. */
  close(): Promise<void>;
}

/** A Redis connection for the sign-in limits; commands wait for a reconnect briefly, then fail. */
function limitsRedis(url: string, log: Logger): Redis {
  const client = new Redis(url, {
    maxRetriesPerRequest: 1,
    connectTimeout: 3000,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  });
  let down = false;
  client.on('error', (err: Error) => {
    if (!down) log.warn({ err: err.message, url: redactRedisUrl(url) }, 'sign-in limits lost Redis');
    down = true;
  });
  client.on('ready', () => (down = false));
  return client;
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
  const listeners = new Set<AccessEnded>();
  const onEnded = (subject: AccessSubject) => {
    for (const l of listeners) {
      try {
        l(subject);
      } catch (err) {
        log.warn({ err: (err as Error).message, subject: subject.kind }, 'cannot end live access');
      }
    }
  };
  const users = createUsers({ store, clock, audit, onEnded });
  const tokens = createTokens({ store, clock, audit, onEnded });
  const sessions = createSessions({ store, clock, users, onEnded });
  const authenticator = createAuthenticator({ tokens, sessions });
  const forceSecureCookie = config.auth.forceSecureCookie;
  const embedded = deps.embedded ?? config.kafka.brokers.length === 0;
  const limits = deps.redisUrl ? limitsRedis(deps.redisUrl, log) : null;
  const keys = createKeys(store.prefix);
  const limitStore = limits
    ? (name: string) =>
        new RedisStore({
          sendCommand: (command: string, ...args: string[]) =>
            limits.call(command, ...args) as Promise<RedisReply>,
          prefix: keys.rateLimit(`login-${name}`),
        })
    : undefined;

  return {
    before: [securityHeaders(), originCheck(), authentication({ authenticator, log, forceSecureCookie })],
    routers: (specs) => [
      authRoutes({
        users,
        sessions,
        audit,
        log,
        forceSecureCookie,
        limits: deps.loginLimits,
        ...(limitStore ? { limitStore } : {}),
      }),
      auditRoutes({ audit, timezone: config.timezone, now: () => clock.now() }, specs),
      adminRoutes({ users, tokens }, specs),
    ],
    authenticateHandshake: (headers, auth) => authenticator.authenticateHandshake(headers, auth),
    onAccessEnded(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    audit,
    users,
    tokens,
    sessions,
    async ensureDemoCredentials() {
      return embedded ? createDemoCredentials({ users, tokens }) : null;
    },
    async close() {
      await limits?.quit().catch(() => limits.disconnect());
    },
  };
}
