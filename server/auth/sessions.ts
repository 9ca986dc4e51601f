/**
 * Browser sessions: a random id in an httpOnly cookie, a `session` record stored under the id's SHA-256
 * with a sliding 12-hour expiry. The principal is read from the user record on every request, so a
 * removed user is signed out at once. A session also remembers the user's generation: a name removed
 * and added again (the only way to change a role) is a new user, and the old sessions stay dead.
 * (Sessions stored before generations existed do not parse, so their users sign in once more.)
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Principal } from '../contract/auth.ts';
import type { Clock } from '../clock.ts';
import type { Op } from '../domain/ops.ts';
import type { LiveStore } from '../store/store.ts';
import { parseRecord, sessionRecord, type SessionRecord } from './records.ts';
import type { AccessEnded } from './subjects.ts';
import { commitOps, transact } from './tx.ts';
import type { UserIdentity, Users } from './users.ts';

/** Sliding lifetime of a session: 12 hours after its last use. */
export const SESSION_TTL_MS = 12 * 3_600_000;
/** A used session is extended at most this often, so not every request writes. */
export const SESSION_RENEW_EVERY_MS = 60_000;
const ID_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** The store id of a session: the SHA-256 of the cookie value. */
export function sessionStoreId(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex');
}

export interface ResolvedSession {
  principal: Principal;
  /** The session's store id (for its socket room; not the cookie value). */
  storeId: string;
  expiresAt: number;
  /** True when this use extended the session (the cookie should be sent again). */
  renewed: boolean;
}

export interface Sessions {
  /** Starts a session for `user`, committing `withOps` (its audit entry) in the same transaction. */
  create(
    user: Pick<UserIdentity, 'principal' | 'generation'>,
    withOps?: Op[],
  ): Promise<{ id: string; expiresAt: number }>;
  /** The session's principal, extending it when due; null for an unknown, expired or orphaned one. */
  resolve(id: string, opts?: { renew?: boolean }): Promise<ResolvedSession | null>;
  /** Ends a session, committing `withOps` with it. */
  destroy(id: string, withOps?: Op[]): Promise<void>;
}

export interface SessionsDeps {
  store: LiveStore;
  clock: Clock;
  users: Pick<Users, 'lookup'>;
  /** Told after a session ended (its open sockets are then disconnected). */
  onEnded?: AccessEnded;
}

/** Creates the session registry over `store`. */
export function createSessions(deps: SessionsDeps): Sessions {
  const { store, clock, users } = deps;

  function put(sid: string, value: SessionRecord): Op {
    return { op: 'put', kind: 'session', id: sid, value, expireAt: value.expiresAt };
  }

  return {
    async create(user, withOps = []) {
      const id = randomBytes(32).toString('base64url');
      const now = clock.now();
      const value: SessionRecord = {
        user: user.principal.name,
        generation: user.generation,
        createdAt: now,
        renewedAt: now,
        expiresAt: now + SESSION_TTL_MS,
      };
      await commitOps(store, [put(sessionStoreId(id), value), ...withOps]);
      return { id, expiresAt: value.expiresAt };
    },

    async resolve(id, opts = {}) {
      if (!ID_SHAPE.test(id)) return null;
      const sid = sessionStoreId(id);
      const [raw] = await store.getRecords('session', [sid]);
      const s = parseRecord(sessionRecord, raw);
      const now = clock.now();
      if (!s || s.expiresAt <= now) return null;
      const user = await users.lookup(s.user);
      if (!user || user.generation !== s.generation) return null;
      const { principal } = user;
      if (opts.renew === false || now - s.renewedAt < SESSION_RENEW_EVERY_MS) {
        return { principal, storeId: sid, expiresAt: s.expiresAt, renewed: false };
      }
      // Re-read inside the transaction, so a logout racing this request is not undone.
      const expiresAt = await transact(store, async (tx) => {
        const [current] = await tx.getRecords('session', [sid]);
        const c = parseRecord(sessionRecord, current);
        if (!c) return { ops: [], result: null };
        const next: SessionRecord = { ...c, renewedAt: now, expiresAt: now + SESSION_TTL_MS };
        return { ops: [put(sid, next)], result: next.expiresAt };
      });
      return expiresAt === null ? null : { principal, storeId: sid, expiresAt, renewed: true };
    },

    async destroy(id, withOps = []) {
      const valid = ID_SHAPE.test(id);
      const ops: Op[] = valid ? [{ op: 'del', kind: 'session', id: sessionStoreId(id) }] : [];
      if (ops.length + withOps.length > 0) await commitOps(store, [...ops, ...withOps]);
      if (valid) deps.onEnded?.({ kind: 'session', id: sessionStoreId(id) });
    },
  };
}
