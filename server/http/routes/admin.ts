/**
 * Administration of users and API tokens (admin:manage), the REST twin of the CLI: list, add and
 * remove users; list, create and revoke tokens. Every change is audited with the admin as actor (in
 * the same transaction as the change); removing a user or revoking a token also disconnects their
 * open sockets at once (server/auth `onAccessEnded`). A generated password and a new token are in
 * the answer once and never again.
 */
import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import { AccessError } from '../../auth/errors.ts';
import type { Actor } from '../../auth/records.ts';
import type { Tokens } from '../../auth/tokens.ts';
import type { Users } from '../../auth/users.ts';
import type { ErrorResponse } from '../../contract/api.ts';
import {
  addUserRequest,
  createTokenRequest,
  type AddUserResponse,
  type CreateTokenResponse,
  type TokensResponse,
  type UsersResponse,
} from '../../contract/auth.ts';
import { routeDeclarer, type RouteSpec } from '../guard.ts';

export interface AdminRoutesDeps {
  users: Users;
  tokens: Tokens;
}

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
  throw Object.assign(new Error(`invalid request: ${problems}`), { status: 400 });
}

function actorOf(req: Request): Actor {
  const p = req.principal;
  if (!p) throw Object.assign(new Error('authentication required'), { status: 401 });
  return { name: p.name, role: p.role };
}

/** Runs `work`, answering an AccessError (bad name, taken name, lead without team…) with its status. */
async function answering(res: Response<ErrorResponse>, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (!(err instanceof AccessError)) throw err;
    res.status(err.status).json({ error: err.message });
  }
}

/** GET/POST /admin/users, DELETE /admin/users/:name, GET/POST /admin/tokens, DELETE /admin/tokens/:name. */
export function adminRoutes(deps: AdminRoutesDeps, specs: RouteSpec[]): Router {
  const router = Router();
  const route = routeDeclarer(router, specs);
  const noStore = (res: Response) => res.setHeader('Cache-Control', 'no-store');

  route('get', '/admin/users', 'admin:manage', async (_req, res: Response<UsersResponse>) => {
    noStore(res);
    res.json({ users: await deps.users.list() });
  });

  route(
    'post',
    '/admin/users',
    'admin:manage',
    async (req, res: Response<AddUserResponse | ErrorResponse>) => {
      const body = parseBody(addUserRequest, req.body);
      await answering(res, async () => {
        const added = await deps.users.add(body, actorOf(req));
        noStore(res);
        res
          .status(201)
          .json(
            body.password === undefined
              ? { user: added.info, password: added.password }
              : { user: added.info },
          );
      });
    },
  );

  route('delete', '/admin/users/:name', 'admin:manage', async (req, res: Response<ErrorResponse>) => {
    const actor = actorOf(req);
    const name = String(req.params.name);
    await answering(res, async () => {
      // Removing yourself would leave the session you are using without a user: refused, so the last
      // admin cannot lock everyone out by accident. Another admin (or the CLI) can do it.
      if (req.principal?.kind === 'user' && name.trim().toLowerCase() === actor.name) {
        res.status(400).json({ error: 'you cannot remove your own user; ask another admin or use the CLI' });
        return;
      }
      if (await deps.users.remove(name, actor)) res.status(204).end();
      else res.status(404).json({ error: `no user named ${name}` });
    });
  });

  route('get', '/admin/tokens', 'admin:manage', async (_req, res: Response<TokensResponse>) => {
    noStore(res);
    res.json({ tokens: await deps.tokens.list() });
  });

  route(
    'post',
    '/admin/tokens',
    'admin:manage',
    async (req, res: Response<CreateTokenResponse | ErrorResponse>) => {
      const body = parseBody(createTokenRequest, req.body);
      await answering(res, async () => {
        const created = await deps.tokens.create(body, actorOf(req));
        noStore(res);
        res.status(201).json({ token: created.info, secret: created.token });
      });
    },
  );

  route('delete', '/admin/tokens/:name', 'admin:manage', async (req, res: Response<ErrorResponse>) => {
    const name = String(req.params.name);
    await answering(res, async () => {
      if (await deps.tokens.revoke(name, actorOf(req))) res.status(204).end();
      else res.status(404).json({ error: `no token named ${name}` });
    });
  });

  return router;
}
