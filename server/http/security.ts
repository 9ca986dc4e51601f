/**
 * The security middleware that runs before every route: helmet's headers (with a same-origin CSP), the
 * cross-site check for cookie-authenticated state changes, and authentication, which sets
 * `req.principal` from a Bearer token or the session cookie. It never answers 401 itself: the route
 * guards do, so public routes (health) stay public.
 */
import type { IncomingMessage } from 'node:http';
import type { CookieOptions, NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import type { Authenticator } from '../auth/authenticator.ts';
import {
  credentialsOf,
  isStateChanging,
  readCookie,
  sameOrigin,
  SESSION_COOKIE,
} from '../auth/credentials.ts';
import { SESSION_TTL_MS } from '../auth/sessions.ts';
import type { ErrorResponse } from '../contract/api.ts';
import type { Logger } from '../log.ts';
import './guard.ts'; // declares req.principal

const HOST_SHAPE = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** `ws://HOST wss://HOST` for this request's host, because older browsers do not match sockets to 'self'. */
function socketsOfSelf(req: IncomingMessage): string {
  const host = req.headers.host;
  return host !== undefined && HOST_SHAPE.test(host) ? `ws://${host} wss://${host}` : "'self'";
}

/** The Content-Security-Policy directives (exported so the web app can align with them). */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  // Server-rendered `style="…"` attributes (gauges, bar widths) are not script; allow them.
  styleSrcAttr: ["'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'", socketsOfSelf],
  objectSrc: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'self'"],
  // Wallboards often run on plain HTTP inside the LAN; upgrading their requests would break them.
  upgradeInsecureRequests: null,
};

/** helmet with a same-origin CSP. */
export function securityHeaders(): RequestHandler {
  return helmet({ contentSecurityPolicy: { useDefaults: true, directives: CSP_DIRECTIVES } });
}

/** The hosts a request may come from: its Host header, and the host a trusted proxy forwarded. */
function hostsOf(req: Request): Array<string | undefined> {
  return [req.headers.host, req.host];
}

/**
 * Refuses (403) a POST/PUT/PATCH/DELETE that carries the session cookie (and no Authorization header)
 * unless its Origin, or without one its Referer, is this site. Browsers attach cookies to cross-site
 * form posts; they cannot attach an Authorization header without CORS, which floorboard does not allow.
 */
export function originCheck(): RequestHandler {
  return (req: Request, res: Response<ErrorResponse>, next: NextFunction) => {
    if (!isStateChanging(req.method)) return next();
    const cookieSession =
      req.headers.authorization === undefined && readCookie(req.headers.cookie, SESSION_COOKIE) !== null;
    if (!cookieSession || sameOrigin(req.headers, hostsOf(req))) return next();
    const site = req.headers.host ?? 'this server';
    res.status(403).json({
      error:
        `cross-site request refused: a ${req.method} signed in with a session cookie must come from ${site} ` +
        '(its Origin or Referer header must name this host); services should send Authorization: Bearer TOKEN',
    });
  };
}

/** Cookie attributes: httpOnly, SameSite=Lax, Secure on https (or when forced), 12 h. */
export function sessionCookieOptions(req: Request, forceSecure: boolean): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: forceSecure || req.secure, path: '/' };
}

/** Sends the session cookie (again, on renewal: the browser's expiry slides with the session). */
export function setSessionCookie(req: Request, res: Response, id: string, forceSecure: boolean): void {
  res.cookie(SESSION_COOKIE, id, { ...sessionCookieOptions(req, forceSecure), maxAge: SESSION_TTL_MS });
}

/** Tells the browser to drop the session cookie. */
export function clearSessionCookie(req: Request, res: Response, forceSecure: boolean): void {
  res.clearCookie(SESSION_COOKIE, sessionCookieOptions(req, forceSecure));
}

export interface AuthenticationDeps {
  authenticator: Pick<Authenticator, 'authenticate'>;
  log: Logger;
  forceSecureCookie: boolean;
}

/**
 * Sets `req.principal` from a Bearer token or the session cookie; renews the cookie when the session
 * slid, drops it when the session is gone. A request without credentials passes untouched.
 */
export function authentication(deps: AuthenticationDeps): RequestHandler {
  return async (req: Request, res: Response<ErrorResponse>, next: NextFunction) => {
    const creds = credentialsOf(req.headers);
    if (creds === null) return next();
    let result;
    try {
      result = await deps.authenticator.authenticate(creds);
    } catch (err) {
      deps.log.warn({ err: (err as Error).message }, 'cannot check credentials');
      res
        .status(503)
        .json({ error: 'cannot check credentials now: the store is unreachable; try again shortly' });
      return;
    }
    if (result) {
      req.principal = result.principal;
      if (result.session?.renewed && creds.kind === 'session') {
        setSessionCookie(req, res, creds.id, deps.forceSecureCookie);
      }
    } else if (creds.kind === 'session') {
      clearSessionCookie(req, res, deps.forceSecureCookie);
    }
    next();
  };
}
