/**
 * API tokens for services and TVs: `fbt_` + 32 random bytes (base64url), shown once. Only the SHA-256
 * of a token is stored (`token` record id = hash); a `token-name` record maps the name to the hash so
 * a token can be revoked by name. Creating and revoking are audited in the same transaction.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Principal, Role, TokenInfo } from '../contract/auth.ts';
import type { AuditLog } from '../audit/audit.ts';
import type { Clock } from '../clock.ts';
import { createKeys } from '../store/keys.ts';
import type { LiveStore } from '../store/store.ts';
import { AccessError } from './errors.ts';
import {
  accessName,
  parseRecord,
  tokenNameRecord,
  tokenRecord,
  type Actor,
  type TokenRecord,
} from './records.ts';
import { grantProblem } from './permissions.ts';
import type { AccessEnded } from './subjects.ts';
import { transact } from './tx.ts';
import { parseName, parseTeams } from './users.ts';

export const TOKEN_PREFIX = 'fbt_';
const TOKEN_SHAPE = /^fbt_[A-Za-z0-9_-]{43}$/;

/** A new random token. */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** The SHA-256 (hex) under which a token is stored. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface NewToken {
  role: Role;
  teams?: readonly string[];
  /** Default: `<role>-<8 hex>`. */
  name?: string;
}

export type { TokenInfo } from '../contract/auth.ts';

export interface Tokens {
  /** Creates a token; the returned `token` is the only time it is ever visible. 409 if the name is taken. */
  create(spec: NewToken, actor: Actor): Promise<{ name: string; token: string; info: TokenInfo }>;
  /** The principal a token stands for, or null for an unknown, revoked or malformed one. */
  authenticate(token: string): Promise<Principal | null>;
  /** Revokes a token by name; false if there was none. */
  revoke(name: string, actor: Actor): Promise<boolean>;
  list(): Promise<TokenInfo[]>;
}

export interface TokensDeps {
  store: LiveStore;
  clock: Clock;
  audit: Pick<AuditLog, 'record'>;
  /** Told after a token was revoked (its open sockets are then disconnected). */
  onEnded?: AccessEnded;
}

/** Creates the token registry over `store`. */
export function createTokens(deps: TokensDeps): Tokens {
  const { store, clock, audit } = deps;
  const index = createKeys(store.prefix).index({ name: 'tokens' });

  return {
    async create(spec, actor) {
      const name = parseName(spec.name ?? `${spec.role}-${randomBytes(4).toString('hex')}`, 'token name');
      const teams = parseTeams(spec.teams);
      const problem = grantProblem('token', spec.role, teams);
      if (problem !== null) throw new AccessError(400, problem);
      const token = generateToken();
      const hash = hashToken(token);
      const info = await transact(store, async (tx) => {
        const [existing] = await tx.getRecords('token-name', [name]);
        if (existing !== null) {
          throw new AccessError(409, `a token named ${name} exists; revoke it first or choose another name`);
        }
        const now = clock.now();
        const value: TokenRecord = { name, role: spec.role, teams, createdAt: now, createdBy: actor.name };
        return {
          ops: [
            { op: 'put', kind: 'token', id: hash, value },
            { op: 'put', kind: 'token-name', id: name, value: { hash } },
            { op: 'zadd', index: { name: 'tokens' }, member: name, score: now },
            ...audit.record({
              actor: actor.name,
              role: actor.role,
              action: 'token.create',
              target: name,
              details: { role: spec.role, teams },
            }),
          ],
          result: { name, role: spec.role, teams, createdAt: now, createdBy: actor.name },
        };
      });
      return { name, token, info };
    },

    async authenticate(token) {
      if (!TOKEN_SHAPE.test(token)) return null;
      const [value] = await store.getRecords('token', [hashToken(token)]);
      const t = parseRecord(tokenRecord, value);
      return t ? { kind: 'token', name: t.name, role: t.role, teams: t.teams } : null;
    },

    async revoke(rawName, actor) {
      const name = parseName(rawName, 'token name');
      const revoked = await transact(store, async (tx) => {
        const [link] = await tx.getRecords('token-name', [name]);
        const parsed = parseRecord(tokenNameRecord, link);
        if (parsed === null) return { ops: [], result: false };
        return {
          ops: [
            { op: 'del', kind: 'token', id: parsed.hash },
            { op: 'del', kind: 'token-name', id: name },
            { op: 'zrem', index: { name: 'tokens' }, member: name },
            ...audit.record({ actor: actor.name, role: actor.role, action: 'token.revoke', target: name }),
          ],
          result: true,
        };
      });
      if (revoked) deps.onEnded?.({ kind: 'token', name });
      return revoked;
    },

    async list() {
      const names = (await store.zrange(index, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY))
        .map((s) => s.member)
        .filter((n) => accessName.safeParse(n).success);
      const links = await store.getRecords('token-name', names);
      const hashes = links.map((l) => parseRecord(tokenNameRecord, l)?.hash ?? '');
      const values = await store.getRecords(
        'token',
        hashes.filter((h) => h !== ''),
      );
      return values.flatMap((v) => {
        const t = parseRecord(tokenRecord, v);
        return t
          ? [{ name: t.name, role: t.role, teams: t.teams, createdAt: t.createdAt, createdBy: t.createdBy }]
          : [];
      });
    },
  };
}
