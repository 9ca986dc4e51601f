/**
 * The Redis store. Each batch is one optimistic transaction on a dedicated connection: WATCH the
 * offsets, dedupe buckets and records it reads, then MULTI/EXEC every write together with the new
 * offset, so state and offset change atomically or not at all.
 */
import { Redis, type ChainableCommander } from 'ioredis';
import type { RecordKind } from '../domain/ops.ts';
import { writeOps, type CommandSink } from './commands.ts';
import { createKeys } from './keys.ts';
import type { LiveStore, Scored, Transaction } from './store.ts';

export interface RedisStoreOptions {
  url: string;
  prefix: string;
  /** Called when the connection state changes, for logs and health. */
  onConnectionChange?: (up: boolean, err?: Error) => void;
}

function connect(url: string): Redis {
  return new Redis(url, {
    lazyConnect: true,
    // Fail fast while Redis is unreachable: the ingestor backs off and retries without committing.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(100 * times, 2000),
    connectTimeout: 3000,
  });
}

/** Where a Redis URL points, without credentials. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return 'redis (unparseable url)';
  }
}

function multiSink(m: ChainableCommander): CommandSink {
  return {
    set: (k, v, at) => void (at === undefined ? m.set(k, v) : m.set(k, v, 'PXAT', at)),
    del: (k) => void m.del(k),
    zadd: (k, s, member) => void m.zadd(k, s, member),
    zrem: (k, member) => void m.zrem(k, member),
    zremrangebyscore: (k, min, max) => void m.zremrangebyscore(k, toRedisScore(min), toRedisScore(max)),
    hincrby: (k, f, by) => void m.hincrby(k, f, by),
    hset: (k, f, v) => void m.hset(k, f, v),
    sadd: (k, members) => void m.sadd(k, ...members),
    pexpireat: (k, at) => void m.pexpireat(k, at),
  };
}

function toRedisScore(n: number): string {
  if (n === Number.NEGATIVE_INFINITY) return '-inf';
  if (n === Number.POSITIVE_INFINITY) return '+inf';
  return String(n);
}

function parseRecords(values: Array<string | null>): Array<unknown | null> {
  return values.map((v) => (v === null ? null : (JSON.parse(v) as unknown)));
}

/** ZRANGE … WITHSCORES replies flat (RESP2) or as [member, score] pairs (RESP3). */
function pairs(reply: Array<string | [string, string | number]>): Scored[] {
  const out: Scored[] = [];
  for (let i = 0; i < reply.length; i++) {
    const item = reply[i];
    if (Array.isArray(item)) out.push({ member: item[0], score: Number(item[1]) });
    else if (item !== undefined) out.push({ member: item, score: Number(reply[++i]) });
  }
  return out;
}

/** Connects to Redis; resolves once connected (rejects if Redis cannot be reached now). */
export async function createRedisStore(opts: RedisStoreOptions): Promise<LiveStore> {
  const keys = createKeys(opts.prefix);
  const reads = connect(opts.url);
  const tx = connect(opts.url); // WATCH state is per connection: transactions get their own.
  for (const c of [reads, tx]) {
    c.on('error', (err: Error) => opts.onConnectionChange?.(false, err));
  }
  reads.on('ready', () => opts.onConnectionChange?.(true));
  reads.on('end', () => opts.onConnectionChange?.(false));
  await Promise.all([reads.connect(), tx.connect()]);
  let lock: Promise<void> = Promise.resolve();

  return {
    kind: 'redis',
    describe: redactRedisUrl(opts.url),
    prefix: opts.prefix,
    async begin(): Promise<Transaction> {
      let release!: () => void;
      const prev = lock;
      lock = new Promise((r) => (release = r));
      await prev;
      let done = false;
      const finish = () => {
        if (!done) {
          done = true;
          release();
        }
      };
      const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
        try {
          return await fn();
        } catch (err) {
          // A failed read ends the transaction: drop the watches so the next one starts clean.
          await tx.unwatch().catch(() => undefined);
          finish();
          throw err;
        }
      };
      return {
        getOffset: (namespace, topic, partition) =>
          guard(async () => {
            const key = keys.offsets(namespace, topic);
            await tx.watch(key);
            return tx.hget(key, String(partition));
          }),
        seen: (ids) =>
          guard(async () => {
            if (ids.length === 0) return [];
            const byBucket = new Map<number, number[]>();
            ids.forEach(({ bucket }, i) => byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), i]));
            const bucketKeys = [...byBucket.keys()].map((b) => keys.dedupe(b));
            await tx.watch(...bucketKeys);
            const p = tx.pipeline();
            for (const [b, idx] of byBucket)
              p.smismember(keys.dedupe(b), ...idx.map((i) => ids[i]?.id ?? ''));
            const results = (await p.exec()) ?? [];
            const out = new Array<boolean>(ids.length).fill(false);
            [...byBucket.values()].forEach((idx, j) => {
              const [err, flags] = results[j] ?? [null, []];
              if (err) throw err;
              idx.forEach((i, k) => (out[i] = (flags as number[])[k] === 1));
            });
            return out;
          }),
        getRecords: (kind: RecordKind, ids) =>
          guard(async () => {
            if (ids.length === 0) return [];
            const rk = ids.map((id) => keys.record(kind, id));
            await tx.watch(...rk);
            return parseRecords(await tx.mget(...rk));
          }),
        async commit(ops) {
          try {
            const m = tx.multi();
            writeOps(ops, keys, multiSink(m));
            const res = await m.exec();
            if (res === null) return false; // a watched key changed: the caller retries
            for (const [err] of res) if (err) throw err;
            return true;
          } catch (err) {
            await tx.unwatch().catch(() => undefined);
            throw err;
          } finally {
            finish();
          }
        },
        async abort() {
          await tx.unwatch().catch(() => undefined);
          finish();
        },
      };
    },
    async getRecords(kind, ids) {
      if (ids.length === 0) return [];
      return parseRecords(await reads.mget(...ids.map((id) => keys.record(kind, id))));
    },
    async zrange(key, min, max, limit) {
      const args: Array<string | number> = [key, toRedisScore(min), toRedisScore(max), 'BYSCORE'];
      if (limit !== undefined) args.push('LIMIT', 0, limit);
      args.push('WITHSCORES');
      return pairs((await reads.call('ZRANGE', ...args)) as Array<string | [string, string]>);
    },
    async zcard(ks) {
      if (ks.length === 0) return [];
      const p = reads.pipeline();
      for (const k of ks) p.zcard(k);
      return ((await p.exec()) ?? []).map(([err, v]) => {
        if (err) throw err;
        return Number(v);
      });
    },
    async zcount(ks, min, max) {
      if (ks.length === 0) return [];
      const p = reads.pipeline();
      for (const k of ks) p.zcount(k, toRedisScore(min), toRedisScore(max));
      return ((await p.exec()) ?? []).map(([err, v]) => {
        if (err) throw err;
        return Number(v);
      });
    },
    async hgetall(ks) {
      if (ks.length === 0) return [];
      const p = reads.pipeline();
      for (const k of ks) p.hgetall(k);
      return ((await p.exec()) ?? []).map(([err, v]) => {
        if (err) throw err;
        return v as Record<string, string>;
      });
    },
    async smembers(key) {
      return reads.smembers(key);
    },
    async clear() {
      let deleted = 0;
      const pattern = `${opts.prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
      let cursor = '0';
      do {
        const [next, found] = await reads.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (found.length > 0) deleted += await reads.unlink(...found);
      } while (cursor !== '0');
      return deleted;
    },
    async ping() {
      try {
        return (await reads.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    async close() {
      reads.disconnect();
      tx.disconnect();
    },
  };
}
