/**
 * The Redis store. Each batch is one optimistic transaction on a connection of its own: WATCH what it
 * read (the store epoch, the partition's offset, the records), then MULTI/EXEC one script that checks
 * the commit's guard and writes everything with the new offset, so state and offset change atomically
 * or not at all (redis-script.ts). An ingestion batch is two round trips: the reads, and the commit.
 */
import { Redis } from 'ioredis';
import type { RecordKind } from '../domain/ops.ts';
import { changesSince } from './changes.ts';
import { writeOps } from './commands.ts';
import { createKeys, type Keys } from './keys.ts';
import { COMMIT_SCRIPT, commitArgs, toRedisScore } from './redis-script.ts';
import { RedisVersionError, redisVersionOf, redisVersionSupported } from './redis-version.ts';
import type { IngestRead, LiveStore, RangeRead, Scored, Transaction } from './store.ts';

export {
  MIN_REDIS_VERSION,
  RedisVersionError,
  redisVersionOf,
  redisVersionSupported,
} from './redis-version.ts';

export interface RedisStoreOptions {
  url: string;
  prefix: string;
  /** Called when the connection state changes, for logs and health. */
  onConnectionChange?: (up: boolean, err?: Error) => void;
  /**
   * Resolve only once Redis answers and is recent enough, rejecting otherwise (default true). With
   * false the store is returned at once and keeps connecting in the background; until Redis answers
   * every operation fails (and ingestion retries).
   */
  waitForConnection?: boolean;
  /** Transactions that may run at once, each on its own connection (WATCH is per connection). Default 1. */
  txConnections?: number;
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

type RangeReply = Array<string | [string, string | number]>;

/** ZRANGE arguments for a range read (by score, ascending, with scores). */
function rangeArgs(r: RangeRead): Array<string | number> {
  const args: Array<string | number> = [r.key, toRedisScore(r.min), toRedisScore(r.max), 'BYSCORE'];
  if (r.limit !== undefined) args.push('LIMIT', 0, r.limit);
  args.push('WITHSCORES');
  return args;
}

/** Results of a pipeline, throwing the first command error. */
function results(res: Array<[Error | null, unknown]> | null): unknown[] {
  if (res === null) throw new Error('redis pipeline was discarded');
  return res.map(([err, v]) => {
    if (err) throw err;
    return v;
  });
}

/** A transaction connection and how many times it has lost its connection (WATCHes die with it). */
interface TxConnection {
  redis: Redis;
  drops: number;
}

/** Creates the Redis store (see RedisStoreOptions.waitForConnection). */
export async function createRedisStore(opts: RedisStoreOptions): Promise<LiveStore> {
  const keys = createKeys(opts.prefix);
  const where = redactRedisUrl(opts.url);
  const reads = connect(opts.url);
  const txs: TxConnection[] = Array.from({ length: Math.max(1, opts.txConnections ?? 1) }, () => ({
    redis: connect(opts.url),
    drops: 0,
  }));
  let incompatible: RedisVersionError | null = null;
  let closing = false;
  const changed = (up: boolean, err?: Error) => {
    if (!closing) opts.onConnectionChange?.(up, err);
  };
  let readyOnce = false;
  const reconnectListeners: Array<() => void> = [];

  const checkVersion = async (): Promise<void> => {
    const version = redisVersionOf(await reads.info('server'));
    incompatible =
      version !== null && !redisVersionSupported(version) ? new RedisVersionError(version, where) : null;
    if (incompatible) changed(false, incompatible);
  };
  for (const c of [reads, ...txs.map((t) => t.redis)]) {
    c.on('error', (err: Error) => changed(false, err));
  }
  for (const t of txs) t.redis.on('close', () => t.drops++);
  reads.on('ready', () => {
    changed(true);
    void checkVersion().catch(() => undefined);
    if (readyOnce) for (const l of reconnectListeners) l();
    readyOnce = true;
  });
  reads.on('end', () => changed(false));

  const all = [reads, ...txs.map((t) => t.redis)];
  if (opts.waitForConnection ?? true) {
    try {
      await Promise.all(all.map((c) => c.connect()));
      await checkVersion();
    } catch (err) {
      for (const c of all) c.disconnect();
      throw err;
    }
    if (incompatible) {
      for (const c of all) c.disconnect();
      throw incompatible;
    }
  } else {
    // ioredis keeps retrying (retryStrategy) after a failed first attempt.
    for (const c of all) void c.connect().catch(() => undefined);
  }
  const usable = (): void => {
    if (incompatible) throw incompatible;
  };

  // A pool of transaction connections: begin() waits for a free one.
  const free = [...txs];
  const waiting: Array<(t: TxConnection) => void> = [];
  const acquire = (): Promise<TxConnection> => {
    const t = free.pop();
    return t ? Promise.resolve(t) : new Promise((r) => waiting.push(r));
  };
  const release = (t: TxConnection): void => {
    const next = waiting.shift();
    if (next) next(t);
    else free.push(t);
  };

  return {
    kind: 'redis',
    describe: where,
    prefix: opts.prefix,
    async begin(): Promise<Transaction> {
      const conn = await acquire();
      const tx = conn.redis;
      const drops = conn.drops;
      let done = false;
      const finish = () => {
        if (!done) {
          done = true;
          release(conn);
        }
      };
      const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
        try {
          usable();
          return await fn();
        } catch (err) {
          // A failed read ends the transaction: drop the watches so the next one starts clean.
          await tx.unwatch().catch(() => undefined);
          finish();
          throw err;
        }
      };
      const offsetOf = async (namespace: string, topic: string, partition: number) => {
        const key = keys.offset(namespace, topic, partition);
        await tx.watch(key);
        return (
          (await tx.get(key)) ?? (await tx.hget(keys.legacyOffsets(namespace, topic), String(partition)))
        );
      };
      return {
        getOffset: (namespace, topic, partition) => guard(() => offsetOf(namespace, topic, partition)),
        seen: (ids) =>
          guard(async () => {
            if (ids.length === 0) return [];
            const p = tx.pipeline();
            const order = queueSeen(p, keys, ids);
            return seenFlags(ids.length, order, results(await p.exec()));
          }),
        getRecords: (kind: RecordKind, ids) =>
          guard(async () => {
            if (ids.length === 0) return [];
            const rk = ids.map((id) => keys.record(kind, id));
            await tx.watch(...rk);
            return parseRecords(await tx.mget(...rk));
          }),
        readIngest: (req) =>
          guard(async (): Promise<IngestRead> => {
            const offsetKey = keys.offset(req.namespace, req.topic, req.partition);
            const recordKeys = req.records.map((r) => r.ids.map((id) => keys.record(r.kind, id)));
            const p = tx.pipeline();
            p.watch([keys.epoch(), offsetKey, ...recordKeys.flat()]);
            p.get(keys.epoch());
            p.get(offsetKey);
            p.hget(keys.legacyOffsets(req.namespace, req.topic), String(req.partition));
            const order = queueSeen(p, keys, req.ids);
            for (const k of recordKeys) if (k.length > 0) p.mget(k);
            const res = results(await p.exec());
            let at = 4 + order.length;
            return {
              epoch: (res[1] as string | null) ?? null,
              offset: ((res[2] as string | null) ?? (res[3] as string | null)) || null,
              seen: seenFlags(req.ids.length, order, res.slice(4, 4 + order.length)),
              records: recordKeys.map((k) =>
                k.length === 0 ? [] : parseRecords(res[at++] as Array<string | null>),
              ),
            };
          }),
        readRecords: (reads) =>
          guard(async () => {
            const recordKeys = reads.map((r) => r.ids.map((id) => keys.record(r.kind, id)));
            const all = recordKeys.flat();
            if (all.length === 0) return recordKeys.map(() => []);
            const p = tx.pipeline();
            p.watch(all);
            for (const k of recordKeys) if (k.length > 0) p.mget(k);
            const res = results(await p.exec());
            let at = 1;
            return recordKeys.map((k) =>
              k.length === 0 ? [] : parseRecords(res[at++] as Array<string | null>),
            );
          }),
        async commit(ops, commitGuard) {
          try {
            usable();
            // The connection dropped since this transaction began: its WATCHes are gone (and Redis may
            // have come back empty), so committing now could overwrite what it did not see.
            if (conn.drops !== drops) {
              await tx.unwatch().catch(() => undefined);
              return false;
            }
            const { args, sink } = commitArgs(
              keys.epoch(),
              commitGuard
                ? {
                    ...commitGuard,
                    unseen: commitGuard.unseen.map((u) => ({ ...u, key: keys.dedupe(u.bucket) })),
                  }
                : null,
            );
            writeOps(ops, keys, sink);
            const m = tx.multi();
            m.eval(COMMIT_SCRIPT, 0, args);
            const res = await m.exec();
            if (res === null) return false; // a watched key changed: the caller retries
            const [[err, written] = [null, 0]] = res;
            if (err) throw err;
            return Number(written) === 1;
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
    async epoch() {
      usable();
      return reads.get(keys.epoch());
    },
    async offsets(namespace, partitions) {
      usable();
      if (partitions.length === 0) return [];
      const p = reads.pipeline();
      for (const { topic, partition } of partitions) {
        p.get(keys.offset(namespace, topic, partition));
        p.hget(keys.legacyOffsets(namespace, topic), String(partition));
      }
      const res = results(await p.exec());
      return partitions.map(
        (_, i) => ((res[2 * i] as string | null) ?? (res[2 * i + 1] as string | null)) || null,
      );
    },
    onReconnect(listener) {
      reconnectListeners.push(listener);
    },
    async getRecords(kind, ids) {
      usable();
      if (ids.length === 0) return [];
      return parseRecords(await reads.mget(...ids.map((id) => keys.record(kind, id))));
    },
    async zrange(key, min, max, limit) {
      usable();
      return pairs((await reads.call('ZRANGE', ...rangeArgs({ key, min, max, limit }))) as RangeReply);
    },
    async zranges(ranges) {
      usable();
      if (ranges.length === 0) return [];
      const p = reads.pipeline();
      for (const r of ranges) p.call('ZRANGE', ...rangeArgs(r));
      return results(await p.exec()).map((reply) => pairs(reply as RangeReply));
    },
    async zcard(ks) {
      usable();
      if (ks.length === 0) return [];
      const p = reads.pipeline();
      for (const k of ks) p.zcard(k);
      return results(await p.exec()).map(Number);
    },
    async zcount(ks, min, max) {
      usable();
      if (ks.length === 0) return [];
      const p = reads.pipeline();
      for (const k of ks) p.zcount(k, toRedisScore(min), toRedisScore(max));
      return results(await p.exec()).map(Number);
    },
    async hgetall(ks) {
      usable();
      if (ks.length === 0) return [];
      const p = reads.pipeline();
      for (const k of ks) p.hgetall(k);
      return results(await p.exec()) as Array<Record<string, string>>;
    },
    async smembers(key) {
      usable();
      return reads.smembers(key);
    },
    async zmscore(key, members) {
      usable();
      if (members.length === 0) return [];
      const res = (await reads.call('ZMSCORE', key, ...members)) as Array<string | number | null>;
      return res.map((v) => (v === null ? null : Number(v)));
    },
    async smismember(key, members) {
      usable();
      if (members.length === 0) return [];
      return (await reads.smismember(key, ...members)).map((v) => v === 1);
    },
    async changes(since) {
      usable();
      const p = reads.pipeline();
      p.get(keys.epoch());
      p.get(keys.changeSeq());
      if (since !== null) {
        const above = `(${since.seq}`;
        p.zrangebyscore(keys.changeLog('agents'), above, '+inf');
        p.zrangebyscore(keys.changeLog('tickets'), above, '+inf');
      }
      p.get(keys.changeSeq());
      const res = results(await p.exec());
      const logged = since === null ? null : { agents: res[2] as string[], tickets: res[3] as string[] };
      return changesSince(
        since,
        (res[0] as string | null) ?? null,
        Number(res[1] ?? 0),
        logged,
        Number(res.at(-1) ?? 0),
      );
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
      closing = true;
      for (const c of all) c.disconnect();
    },
  };
}

/** Queues one SMISMEMBER per dedupe bucket; returns the request indexes each one answers. */
function queueSeen(
  p: ReturnType<Redis['pipeline']>,
  keys: Keys,
  ids: ReadonlyArray<{ id: string; bucket: number }>,
): number[][] {
  const byBucket = new Map<number, number[]>();
  ids.forEach(({ bucket }, i) => {
    const list = byBucket.get(bucket);
    if (list) list.push(i);
    else byBucket.set(bucket, [i]);
  });
  for (const [b, idx] of byBucket)
    p.smismember(
      keys.dedupe(b),
      idx.map((i) => ids[i]?.id ?? ''),
    );
  return [...byBucket.values()];
}

function seenFlags(n: number, order: number[][], replies: unknown[]): boolean[] {
  const out = new Array<boolean>(n).fill(false);
  order.forEach((idx, j) => {
    const flags = replies[j] as number[];
    idx.forEach((i, k) => (out[i] = flags[k] === 1));
  });
  return out;
}
