/**
 * The in-process store of the embedded default: a small keyspace with Redis semantics (strings,
 * hashes, sorted sets, sets, expiry on the injected clock). Passes the same contract suite as Redis.
 */
import type { Op, RecordKind } from '../domain/ops.ts';
import { changesSince } from './changes.ts';
import { writeOps, type CommandSink } from './commands.ts';
import { createKeys, type Keys } from './keys.ts';
import { SortedSet } from './sorted-set.ts';
import type { CommitGuard, IngestRead, LiveStore, Transaction } from './store.ts';

type Value =
  | { type: 'string'; v: string }
  | { type: 'hash'; v: Map<string, string> }
  | { type: 'zset'; v: SortedSet }
  | { type: 'set'; v: Set<string> };
type Entry = Value & { expireAt: number | null };

export interface MemoryStoreOptions {
  prefix: string;
  now: () => number;
}

/** Creates an empty in-process store. */
export function createMemoryStore(opts: MemoryStoreOptions): LiveStore {
  const keys: Keys = createKeys(opts.prefix);
  const data = new Map<string, Entry>();
  let lock: Promise<void> = Promise.resolve();
  let commits = 0;

  /** Drops expired keys that nothing has read since they expired, so memory stays bounded. */
  function sweep(): void {
    const now = opts.now();
    for (const [k, e] of data) if (e.expireAt !== null && e.expireAt <= now) data.delete(k);
  }

  function live(key: string): Entry | undefined {
    const e = data.get(key);
    if (e && e.expireAt !== null && e.expireAt <= opts.now()) {
      data.delete(key);
      return undefined;
    }
    return e;
  }
  function typed<T extends Value['type']>(
    key: string,
    type: T,
    create: boolean,
  ): Extract<Entry, { type: T }> | undefined {
    const e = live(key);
    if (e) {
      if (e.type !== type) throw new Error(`WRONGTYPE ${key} holds a ${e.type}, not a ${type}`);
      return e as Extract<Entry, { type: T }>;
    }
    if (!create) return undefined;
    const fresh = (
      type === 'string'
        ? { type, v: '', expireAt: null }
        : type === 'hash'
          ? { type, v: new Map(), expireAt: null }
          : type === 'zset'
            ? { type, v: new SortedSet(), expireAt: null }
            : { type, v: new Set(), expireAt: null }
    ) as Extract<Entry, { type: T }>;
    data.set(key, fresh);
    return fresh;
  }
  function dropIfEmpty(key: string, e: Entry): void {
    if (e.type !== 'string' && e.v.size === 0) data.delete(key);
  }

  const sink: CommandSink = {
    set(key, value, expireAtMs) {
      data.set(key, { type: 'string', v: value, expireAt: expireAtMs ?? null });
    },
    del(key) {
      data.delete(key);
    },
    zadd(key, score, member) {
      typed(key, 'zset', true)?.v.add(member, score);
    },
    zrem(key, member) {
      const z = typed(key, 'zset', false);
      if (z) {
        z.v.delete(member);
        dropIfEmpty(key, z);
      }
    },
    zremrangebyscore(key, min, max) {
      const z = typed(key, 'zset', false);
      if (!z) return;
      z.v.deleteRange(min, max);
      dropIfEmpty(key, z);
    },
    hincrby(key, field, by) {
      const h = typed(key, 'hash', true);
      if (!h) return;
      const next = Number(h.v.get(field) ?? '0') + by;
      h.v.set(field, String(next));
    },
    hset(key, field, value) {
      typed(key, 'hash', true)?.v.set(field, value);
    },
    sadd(key, members) {
      const s = typed(key, 'set', true);
      for (const m of members) s?.v.add(m);
    },
    pexpireat(key, atMs) {
      const e = live(key);
      if (!e) return;
      if (atMs <= opts.now()) data.delete(key);
      else e.expireAt = atMs;
    },
    logChanges(seqKey, logs) {
      const seq = Number(getString(seqKey) ?? '0') + 1;
      sink.set(seqKey, String(seq));
      for (const l of logs) {
        for (const m of l.members) sink.zadd(l.key, seq, m);
        if (l.keepCommits !== undefined)
          sink.zremrangebyscore(l.key, Number.NEGATIVE_INFINITY, seq - l.keepCommits - 1);
      }
    },
  };

  function getRecords(kind: RecordKind, ids: readonly string[]): Array<unknown | null> {
    return ids.map((id) => {
      const e = typed(keys.record(kind, id), 'string', false);
      return e ? (JSON.parse(e.v) as unknown) : null;
    });
  }

  const getString = (key: string): string | null => typed(key, 'string', false)?.v ?? null;
  const offsetOf = (namespace: string, topic: string, partition: number): string | null =>
    getString(keys.offset(namespace, topic, partition)) ??
    typed(keys.legacyOffsets(namespace, topic), 'hash', false)?.v.get(String(partition)) ??
    null;
  const isSeen = (id: string, bucket: number): boolean =>
    typed(keys.dedupe(bucket), 'set', false)?.v.has(id) ?? false;

  /** Whether a commit's guard holds now (the in-process store runs one transaction at a time, so the
   * checks and the writes that follow are atomic). */
  function guardHolds(guard: CommitGuard): boolean {
    const epoch = getString(keys.epoch());
    if (epoch !== guard.epoch) return false;
    return !guard.unseen.some((u) => isSeen(u.id, u.bucket));
  }

  return {
    kind: 'in-memory',
    describe: 'in-process memory (nothing is persisted)',
    prefix: opts.prefix,
    async begin(): Promise<Transaction> {
      // One transaction at a time: the previous one must commit or abort first.
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
      return {
        async getOffset(namespace, topic, partition) {
          return offsetOf(namespace, topic, partition);
        },
        async seen(ids) {
          return ids.map(({ id, bucket }) => isSeen(id, bucket));
        },
        async getRecords(kind, ids) {
          return getRecords(kind, ids);
        },
        async readIngest(req): Promise<IngestRead> {
          return {
            epoch: getString(keys.epoch()),
            offset: offsetOf(req.namespace, req.topic, req.partition),
            seen: req.ids.map(({ id, bucket }) => isSeen(id, bucket)),
            records: req.records.map((r) => getRecords(r.kind, r.ids)),
          };
        },
        async readRecords(reads) {
          return reads.map((r) => getRecords(r.kind, r.ids));
        },
        async commit(ops: readonly Op[], guard?: CommitGuard) {
          try {
            if (guard) {
              if (!guardHolds(guard)) return false;
              if (guard.epoch === null) sink.set(keys.epoch(), guard.newEpoch);
            }
            writeOps(ops, keys, sink);
            if (++commits % 500 === 0) sweep();
            return true;
          } finally {
            finish();
          }
        },
        async abort() {
          finish();
        },
      };
    },
    async epoch() {
      return getString(keys.epoch());
    },
    async offsets(namespace, partitions) {
      return partitions.map(({ topic, partition }) => offsetOf(namespace, topic, partition));
    },
    onReconnect() {
      // Nothing to lose: the in-process store lives and dies with the process.
    },
    async getRecords(kind, ids) {
      return getRecords(kind, ids);
    },
    async zrange(key, min, max, limit) {
      return typed(key, 'zset', false)?.v.range(min, max, limit) ?? [];
    },
    async zranges(reads) {
      return reads.map((r) => typed(r.key, 'zset', false)?.v.range(r.min, r.max, r.limit) ?? []);
    },
    async zcard(ks) {
      return ks.map((k) => typed(k, 'zset', false)?.v.size ?? 0);
    },
    async zcount(ks, min, max) {
      return ks.map((k) => typed(k, 'zset', false)?.v.count(min, max) ?? 0);
    },
    async hgetall(ks) {
      return ks.map((k) => Object.fromEntries(typed(k, 'hash', false)?.v ?? []));
    },
    async smembers(key) {
      return [...(typed(key, 'set', false)?.v ?? [])];
    },
    async zmscore(key, members) {
      const z = typed(key, 'zset', false)?.v;
      return members.map((m) => z?.score(m) ?? null);
    },
    async smismember(key, members) {
      const s = typed(key, 'set', false)?.v;
      return members.map((m) => s?.has(m) ?? false);
    },
    async changes(since) {
      const seqOf = () => Number(getString(keys.changeSeq()) ?? '0');
      const after = (of: 'agents' | 'tickets') =>
        (typed(keys.changeLog(of), 'zset', false)?.v.range(since?.seq ?? 0, Number.POSITIVE_INFINITY) ?? [])
          .filter((s) => s.score > (since?.seq ?? 0))
          .map((s) => s.member);
      const seq = seqOf();
      const logged = since === null ? null : { agents: after('agents'), tickets: after('tickets') };
      return changesSince(since, getString(keys.epoch()), seq, logged, seqOf());
    },
    async clear() {
      const n = data.size;
      data.clear();
      return n;
    },
    async ping() {
      return true;
    },
    async close() {
      data.clear();
    },
  };
}
