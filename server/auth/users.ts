/**
 * Users: `user` records (argon2id password hash, role, teams) indexed by creation time in `users`.
 * Adding and removing a user is audited in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Principal, Role, UserInfo } from '../contract/auth.ts';
import type { AuditLog } from '../audit/audit.ts';
import type { Clock } from '../clock.ts';
import { createKeys } from '../store/keys.ts';
import type { LiveStore } from '../store/store.ts';
import { AccessError } from './errors.ts';
import { generatePassword, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.ts';
import { grantProblem } from './permissions.ts';
import {
  accessName,
  parseRecord,
  teamName,
  userGeneration,
  userRecord,
  type Actor,
  type UserRecord,
} from './records.ts';
import type { AccessEnded } from './subjects.ts';
import { transact } from './tx.ts';

export interface NewUser {
  name: string;
  role: Role;
  teams?: readonly string[];
  /** Omitted: a strong password is generated and returned once. */
  password?: string;
}

export type { UserInfo } from '../contract/auth.ts';

/** A user as authenticated: the principal, and which incarnation of the name it is. */
export interface UserIdentity {
  principal: Principal;
  /** Changes when the name is removed and added again; sessions remember it. */
  generation: string;
}

export interface Users {
  /** Adds a user; returns the password (the generated one, or the one given). 409 if the name is taken. */
  add(user: NewUser, actor: Actor): Promise<{ name: string; password: string; info: UserInfo }>;
  /** Removes a user (their sessions stop working at once); false if there was none. */
  remove(name: string, actor: Actor): Promise<boolean>;
  list(): Promise<UserInfo[]>;
  /** The user now, or null if there is no such user. */
  lookup(name: string): Promise<UserIdentity | null>;
  /**
   * The user when `password` is theirs; null otherwise. An unknown user costs the same argon2
   * verification as a wrong password, so timing does not reveal which names exist.
   */
  verify(name: string, password: string): Promise<UserIdentity | null>;
}

export interface UsersDeps {
  store: LiveStore;
  clock: Clock;
  audit: Pick<AuditLog, 'record'>;
  /** Told after a user was removed (their open sockets are then disconnected). */
  onEnded?: AccessEnded;
}

function invalid(what: string, err: z.ZodError): AccessError {
  return new AccessError(400, `invalid ${what}: ${err.issues.map((i) => i.message).join('; ')}`);
}

/** Parses a user or token name, or throws a 400 saying what is allowed. */
export function parseName(name: string, what = 'name'): string {
  const r = accessName.safeParse(name);
  if (!r.success) throw invalid(what, r.error);
  return r.data;
}

/** Parses team names (deduplicated), or throws a 400. */
export function parseTeams(teams: readonly string[] = []): string[] {
  const r = z.array(teamName).safeParse(teams);
  if (!r.success) throw invalid('team', r.error);
  return [...new Set(r.data)];
}

function identityOf(u: UserRecord): UserIdentity {
  return {
    principal: { kind: 'user', name: u.name, role: u.role, teams: u.teams },
    generation: userGeneration(u),
  };
}

/** Creates the user directory over `store`. */
export function createUsers(deps: UsersDeps): Users {
  const { store, clock, audit } = deps;
  const index = createKeys(store.prefix).index({ name: 'users' });
  // A real argon2id hash of a random password with the same parameters, computed once when first needed.
  let dummyHash: Promise<string> | null = null;

  async function get(name: string): Promise<UserRecord | null> {
    const parsed = accessName.safeParse(name);
    if (!parsed.success) return null;
    const [value] = await store.getRecords('user', [parsed.data]);
    return parseRecord(userRecord, value);
  }

  return {
    async add(user, actor) {
      const name = parseName(user.name, 'user name');
      const teams = parseTeams(user.teams);
      const problem = grantProblem('user', user.role, teams);
      if (problem !== null) throw new AccessError(400, problem);
      const password = user.password ?? generatePassword();
      if (password.length < MIN_PASSWORD_LENGTH) {
        throw new AccessError(400, `a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
      }
      const passwordHash = await hashPassword(password);
      const info = await transact(store, async (tx) => {
        const [existing] = await tx.getRecords('user', [name]);
        if (existing !== null) {
          throw new AccessError(409, `a user named ${name} exists; remove it first or choose another name`);
        }
        const now = clock.now();
        const value: UserRecord = {
          name,
          role: user.role,
          teams,
          passwordHash,
          createdAt: now,
          createdBy: actor.name,
          generation: randomUUID(),
        };
        return {
          ops: [
            { op: 'put', kind: 'user', id: name, value },
            { op: 'zadd', index: { name: 'users' }, member: name, score: now },
            ...audit.record({
              actor: actor.name,
              role: actor.role,
              action: 'user.add',
              target: name,
              details: { role: user.role, teams },
            }),
          ],
          result: { name, role: user.role, teams, createdAt: now, createdBy: actor.name },
        };
      });
      return { name, password, info };
    },

    async remove(rawName, actor) {
      const name = parseName(rawName, 'user name');
      const removed = await transact(store, async (tx) => {
        const [existing] = await tx.getRecords('user', [name]);
        if (existing === null) return { ops: [], result: false };
        return {
          ops: [
            { op: 'del', kind: 'user', id: name },
            { op: 'zrem', index: { name: 'users' }, member: name },
            ...audit.record({ actor: actor.name, role: actor.role, action: 'user.remove', target: name }),
          ],
          result: true,
        };
      });
      if (removed) deps.onEnded?.({ kind: 'user', name });
      return removed;
    },

    async list() {
      const names = (await store.zrange(index, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY)).map(
        (s) => s.member,
      );
      const values = await store.getRecords('user', names);
      return values.flatMap((v) => {
        const u = parseRecord(userRecord, v);
        return u
          ? [{ name: u.name, role: u.role, teams: u.teams, createdAt: u.createdAt, createdBy: u.createdBy }]
          : [];
      });
    },

    async lookup(name) {
      const u = await get(name);
      return u ? identityOf(u) : null;
    },

    async verify(name, password) {
      const u = await get(name);
      if (!u) {
        dummyHash ??= hashPassword(generatePassword());
        await verifyPassword(await dummyHash, password);
        return null;
      }
      return (await verifyPassword(u.passwordHash, password)) ? identityOf(u) : null;
    },
  };
}
