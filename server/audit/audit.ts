/**
 * The audit log: who did what, when. Entries are `audit` records with an expiry, indexed by time in the
 * `audit` sorted set. `record()` returns the ops so an action and its audit entry commit in one
 * transaction; `append()` commits an entry on its own. Entries are kept `retentionDays` (at least 180).
 */
import { randomBytes } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { ROLES, type AuditEntry, type Role } from '../contract/auth.ts';
import type { Clock } from '../clock.ts';
import type { Op } from '../domain/ops.ts';
import { createKeys } from '../store/keys.ts';
import type { LiveStore } from '../store/store.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Entries fetched per store read while scanning. */
const PAGE = 200;
export const DEFAULT_AUDIT_LIMIT = 100;
export const MAX_AUDIT_LIMIT = 10_000;

/** What a caller states about an action. */
export interface AuditInput {
  actor: string;
  role: Role | null;
  action: string;
  target?: string;
  details?: Record<string, unknown>;
}

/** Filters for `query()`. Times are epoch ms, both ends inclusive. */
export interface AuditQuery {
  from?: number;
  to?: number;
  /** Exact actor name. */
  actor?: string;
  /** An action (`auth.login`) or an action prefix ending at a dot (`auth` matches `auth.login.failed`). */
  action?: string;
  /** At most this many entries (default 100, at most 10 000). */
  limit?: number;
}

export interface AuditLog {
  /** The ops that write `entry` (and trim expired index members), to commit with the action. */
  record(entry: AuditInput): Op[];
  /** Writes `entry` in its own transaction. */
  append(entry: AuditInput): Promise<void>;
  /** Matching entries, newest first. */
  query(q?: AuditQuery): Promise<AuditEntry[]>;
  /** Entries as CSV: when (ISO with the centre's offset), actor, role, action, target, details (JSON). */
  toCsv(entries: readonly AuditEntry[]): string;
}

export interface AuditLogDeps {
  store: LiveStore;
  clock: Clock;
  /** How long entries are kept (config `retention.auditDays`; default 400). */
  retentionDays?: number;
  /** The centre's IANA time zone, for `when` (default UTC). */
  timezone?: string;
}

const stored = z.object({
  id: z.string(),
  at: z.number(),
  actor: z.string(),
  role: z.enum(ROLES).nullable(),
  action: z.string(),
  target: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
});
type StoredEntry = z.infer<typeof stored>;

function matchesAction(action: string, filter: string): boolean {
  return action === filter || action.startsWith(filter.endsWith('.') ? filter : `${filter}.`);
}

/** Spreadsheet programs run cells that start like a formula; a leading apostrophe keeps them text. */
export function csvSafe(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

/** Creates the audit log over `store`. */
export function createAuditLog(deps: AuditLogDeps): AuditLog {
  const { store, clock } = deps;
  const retentionMs = (deps.retentionDays ?? 400) * DAY;
  const zone = deps.timezone ?? 'UTC';
  const index = createKeys(store.prefix).index({ name: 'audit' });
  let seq = 0;

  const when = (at: number): string =>
    DateTime.fromMillis(at, { zone }).toISO() ?? new Date(at).toISOString();

  function record(entry: AuditInput): Op[] {
    const at = clock.now();
    seq = (seq + 1) % 1_000_000;
    // Time first so ids sort like the index; the counter orders one instance's entries within a ms.
    const id = `${at}-${String(seq).padStart(6, '0')}-${randomBytes(4).toString('hex')}`;
    const value: StoredEntry = {
      id,
      at,
      actor: entry.actor,
      role: entry.role,
      action: entry.action,
      target: entry.target ?? null,
      details: entry.details ?? null,
    };
    return [
      { op: 'put', kind: 'audit', id, value, expireAt: at + retentionMs },
      { op: 'zadd', index: { name: 'audit' }, member: id, score: at },
      { op: 'zremBelow', index: { name: 'audit' }, score: at - retentionMs },
    ];
  }

  async function append(entry: AuditInput): Promise<void> {
    const tx = await store.begin();
    // Nothing was read, so nothing can conflict: the commit always applies.
    await tx.commit(record(entry));
  }

  async function query(q: AuditQuery = {}): Promise<AuditEntry[]> {
    const limit = Math.min(Math.max(1, Math.floor(q.limit ?? DEFAULT_AUDIT_LIMIT)), MAX_AUDIT_LIMIT);
    const to = q.to ?? Number.POSITIVE_INFINITY;
    // The index is read oldest-first only, so walk back from `to` in growing time windows.
    const [oldest] = await store.zrange(index, q.from ?? Number.NEGATIVE_INFINITY, to, 1);
    if (!oldest) return [];
    const from = oldest.score;
    const out: AuditEntry[] = [];
    let hi = to;
    let span = HOUR;
    while (out.length < limit && hi >= from) {
      const lo = Math.max(from, Math.min(hi, clock.now()) - span);
      const ids = (await store.zrange(index, lo, hi)).map((s) => s.member).reverse();
      for (let i = 0; i < ids.length && out.length < limit; i += PAGE) {
        const values = await store.getRecords('audit', ids.slice(i, i + PAGE));
        for (const v of values) {
          const e = stored.safeParse(v);
          if (!e.success) continue; // expired between the index read and this one
          if (q.actor !== undefined && e.data.actor !== q.actor) continue;
          if (q.action !== undefined && !matchesAction(e.data.action, q.action)) continue;
          out.push({ ...e.data, when: when(e.data.at) });
          if (out.length >= limit) break;
        }
      }
      hi = lo - 1; // scores are whole milliseconds
      span *= 4;
    }
    return out;
  }

  function toCsv(entries: readonly AuditEntry[]): string {
    return stringify(
      entries.map((e) => [
        when(e.at),
        csvSafe(e.actor),
        e.role ?? '',
        csvSafe(e.action),
        csvSafe(e.target ?? ''),
        e.details === null ? '' : JSON.stringify(e.details),
      ]),
      { header: true, columns: ['when', 'actor', 'role', 'action', 'target', 'details'] },
    );
  }

  return { record, append, query, toCsv };
}
