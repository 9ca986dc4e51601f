/**
 * Route guards. Every route that needs a principal is declared through `route()`, which records it,
 * so a test can enumerate them and prove each answers 401 without credentials and 403 for a role
 * without the permission.
 */
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { Principal } from '../contract/auth.ts';
import { can, grantProblem, type Permission } from '../auth/permissions.ts';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by the authentication middleware when the request carries valid credentials. */
    principal?: Principal;
  }
}

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** A guarded route, as declared. `path` is relative to the /api/v1 mount. */
export interface RouteSpec {
  method: Method;
  path: string;
  permission: Permission;
}

/** Why `p` may not do `permission`, for a 403 (or a socket's `forbidden` ack). */
export function forbiddenMessage(p: Principal, permission: Permission): string {
  const problem = grantProblem(p.kind, p.role, p.teams);
  if (problem !== null) return `${p.name} may do nothing until an admin fixes it: ${problem}`;
  return `role ${p.role} may not ${permission}`;
}

/** Answers 401 without a principal and 403 without the permission. */
export function requirePermission(permission: Permission): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.principal) {
      res.status(401).json({ error: 'authentication required: sign in or send Authorization: Bearer TOKEN' });
      return;
    }
    if (!can(req.principal, permission)) {
      res.status(403).json({ error: forbiddenMessage(req.principal, permission) });
      return;
    }
    next();
  };
}

/** Declares guarded routes on a router and remembers them in `specs`. */
export function routeDeclarer(router: Router, specs: RouteSpec[]) {
  return (method: Method, path: string, permission: Permission, ...handlers: RequestHandler[]) => {
    specs.push({ method, path, permission });
    router[method](path, requirePermission(permission), ...handlers);
  };
}
