/**
 * Sign-in for browsers: POST /auth/login (rate-limited, audited), POST /auth/logout, GET /auth/me.
 * These are public routes (a visitor must be able to sign in); they answer 401 themselves.
 */
import { Router, type Request, type Response } from 'express';
import { ipKeyGenerator, rateLimit, type Options, type Store } from 'express-rate-limit';
import type { z } from 'zod';
import type { AuditLog } from '../../audit/audit.ts';
import { readCookie, SESSION_COOKIE } from '../../auth/credentials.ts';
import type { Sessions } from '../../auth/sessions.ts';
import type { Users } from '../../auth/users.ts';
import type { ErrorResponse } from '../../contract/api.ts';
import { loginRequest, type AuthResponse } from '../../contract/auth.ts';
import type { Logger } from '../../log.ts';
import { clearSessionCookie, setSessionCookie } from '../security.ts';

export interface LoginLimits {
  windowMs: number;
  /** Failed attempts per client address and user name within the window. */
  perUser: number;
  /** Failed attempts per client address (any user names) within the window. */
  perAddress: number;
}

/** 10 failed attempts per 15 minutes per address and user; 100 per address. */
export const DEFAULT_LOGIN_LIMITS: LoginLimits = { windowMs: 15 * 60_000, perUser: 10, perAddress: 100 };

export interface AuthRoutesDeps {
  users: Pick<Users, 'verify'>;
  sessions: Sessions;
  audit: Pick<AuditLog, 'record' | 'append'>;
  log: Logger;
  forceSecureCookie: boolean;
  limits?: LoginLimits;
  /**
   * Where a limiter (`address`, `user`) keeps its counts: a store shared by every instance (Redis),
   * so N instances behind a load balancer do not allow N times the attempts. Default: this process.
   */
  limitStore?: (limiter: 'address' | 'user') => Store;
}

/** Parses a body with a zod schema; a mismatch is a 400 naming the problems. */
function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
  throw Object.assign(new Error(`invalid request: ${problems}`), { status: 400 });
}

function usernameOf(req: Request): string {
  const body: unknown = req.body;
  const u =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>).username : undefined;
  return typeof u === 'string' ? u.trim().toLowerCase().slice(0, 200) : '';
}

function limiter(
  max: number,
  windowMs: number,
  key: (req: Request) => string,
  what: string,
  store: Store | undefined,
) {
  const options: Partial<Options> = {
    ...(store ? { store } : {}),
    windowMs,
    limit: max,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: key,
    handler: (req: Request, res: Response<ErrorResponse>) => {
      const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = reset ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000)) : windowMs / 1000;
      res.setHeader('Retry-After', String(seconds));
      res.status(429).json({
        error: `too many failed sign-in attempts ${what}; try again in ${Math.ceil(seconds / 60)} minute(s)`,
      });
    },
  };
  return rateLimit(options);
}

/** Whether a client address is this machine (a developer, or a proxy whose hops are not trusted). */
function isLoopback(ip: string | null): boolean {
  return ip === null || ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

/** The auth routes. */
export function authRoutes(deps: AuthRoutesDeps): Router {
  const router = Router();
  const limits = deps.limits ?? DEFAULT_LOGIN_LIMITS;
  let warnedPlainHttp = false;
  const address = (req: Request) => ipKeyGenerator(req.ip ?? 'unknown');
  const perAddress = limiter(
    limits.perAddress,
    limits.windowMs,
    address,
    'from this address',
    deps.limitStore?.('address'),
  );
  const perUser = limiter(
    limits.perUser,
    limits.windowMs,
    (req) => `${address(req)}|${usernameOf(req)}`,
    'for this user from this address',
    deps.limitStore?.('user'),
  );

  router.post(
    '/auth/login',
    perAddress,
    perUser,
    async (req, res: Response<AuthResponse | ErrorResponse>) => {
      res.setHeader('Cache-Control', 'no-store');
      const { username, password } = parseBody(loginRequest, req.body);
      const ip = req.ip ?? null;
      const user = await deps.users.verify(username, password);
      if (!user) {
        await deps.audit.append({
          actor: username,
          role: null,
          action: 'auth.login.failed',
          details: { ip },
        });
        deps.log.info({ user: username, ip }, 'sign-in refused');
        // The same answer for an unknown user and a wrong password.
        res.status(401).json({ error: 'wrong username or password' });
        return;
      }
      // A fresh session id on every sign-in: a session id planted before sign-in is never promoted.
      const previous = readCookie(req.headers.cookie, SESSION_COOKIE);
      if (previous) await deps.sessions.destroy(previous);
      const { principal } = user;
      const session = await deps.sessions.create(
        user,
        deps.audit.record({
          actor: principal.name,
          role: principal.role,
          action: 'auth.login',
          details: { ip },
        }),
      );
      setSessionCookie(req, res, session.id, deps.forceSecureCookie);
      if (!warnedPlainHttp && !deps.forceSecureCookie && !req.secure && !isLoopback(ip)) {
        // Plain HTTP on a LAN is allowed (wallboards often run so), but an operator should know.
        warnedPlainHttp = true;
        deps.log.warn(
          { ip },
          'a session cookie went out without Secure: this sign-in came over plain HTTP. Terminate TLS at a ' +
            'proxy and set TRUST_PROXY (or auth.forceSecureCookie) so cookies never travel in clear',
        );
      }
      deps.log.info({ user: principal.name, role: principal.role, ip }, 'signed in');
      res.json({ principal });
    },
  );

  router.post('/auth/logout', async (req, res) => {
    const id = readCookie(req.headers.cookie, SESSION_COOKIE);
    const p = req.principal;
    if (id) {
      await deps.sessions.destroy(
        id,
        p?.kind === 'user' ? deps.audit.record({ actor: p.name, role: p.role, action: 'auth.logout' }) : [],
      );
    }
    clearSessionCookie(req, res, deps.forceSecureCookie);
    res.status(204).end();
  });

  router.get('/auth/me', (req, res: Response<AuthResponse | ErrorResponse>) => {
    res.setHeader('Cache-Control', 'no-store');
    if (!req.principal) {
      res
        .status(401)
        .json({ error: 'not signed in: POST /api/v1/auth/login or send Authorization: Bearer TOKEN' });
      return;
    }
    res.json({ principal: req.principal });
  });

  return router;
}
