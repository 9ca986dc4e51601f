/**
 * Pure helpers for reading credentials off a request and for the cross-site check: no I/O, so the
 * HTTP middleware and the Socket.IO handshake share them.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** The session cookie's name. */
export const SESSION_COOKIE = 'floorboard_session';

/** The value of cookie `name` in a `Cookie` header, or null. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return null;
}

/** The token of an `Authorization: Bearer TOKEN` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return m?.[1] ?? null;
}

/** Where a request's credentials come from: a Bearer token wins over the session cookie. */
export type Credentials = { kind: 'bearer'; token: string } | { kind: 'session'; id: string } | null;

/** The credentials a request carries, if any. */
export function credentialsOf(headers: IncomingHttpHeaders): Credentials {
  if (headers.authorization !== undefined) {
    const token = bearerToken(headers.authorization);
    return token === null ? null : { kind: 'bearer', token };
  }
  const id = readCookie(headers.cookie, SESSION_COOKIE);
  return id === null || id === '' ? null : { kind: 'session', id };
}

/** Methods that change state and so need the cross-site check. */
export function isStateChanging(method: string): boolean {
  return ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method.toUpperCase());
}

function hostOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.host === '' ? null : u.host.toLowerCase();
  } catch {
    return null;
  }
}

/**
 * Whether the request comes from one of `hosts` (the Host header, and the forwarded host when a trusted
 * proxy set one): the Origin header's host, or without an Origin the Referer's, must be one of them.
 * An opaque origin (`null`: sandboxed frames, some redirects) and a request with neither header fail.
 */
export function sameOrigin(headers: IncomingHttpHeaders, hosts: ReadonlyArray<string | undefined>): boolean {
  const allowed = new Set(hosts.filter((h): h is string => !!h).map((h) => h.toLowerCase()));
  const source = headers.origin ?? headers.referer;
  if (source === undefined || source === 'null') return false;
  const host = hostOf(source);
  return host !== null && allowed.has(host);
}
