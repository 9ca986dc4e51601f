/** Translates abstract operations into Redis-style commands, shared by both stores. */
import type { Op } from '../domain/ops.ts';
import { TICKET_LOG_COMMITS, touchedBy } from './changes.ts';
import type { Keys } from './keys.ts';

/** One sorted set of the change log: the ids a commit changed, scored with its sequence number. */
export interface ChangeLogEntry {
  key: string;
  members: readonly string[];
  /** Drop members whose last change is more than this many commits old (none dropped when absent). */
  keepCommits?: number;
}

/** The Redis commands the stores' write path uses; the Redis store queues them in a MULTI. */
export interface CommandSink {
  set(key: string, value: string, expireAtMs?: number): void;
  del(key: string): void;
  zadd(key: string, score: number, member: string): void;
  zrem(key: string, member: string): void;
  zremrangebyscore(key: string, min: number, max: number): void;
  hincrby(key: string, field: string, by: number): void;
  hset(key: string, field: string, value: string): void;
  sadd(key: string, members: string[]): void;
  pexpireat(key: string, atMs: number): void;
  /** Increments the sequence number at `seqKey` and scores each log's members with the new value. */
  logChanges(seqKey: string, logs: readonly ChangeLogEntry[]): void;
}

/** Writes `ops` to `sink`, in order, then the change log entry of what they changed (changes.ts). */
export function writeOps(ops: readonly Op[], keys: Keys, sink: CommandSink): void {
  writeEach(ops, keys, sink);
  const touched = touchedBy(ops);
  if (touched.agents.length > 0 || touched.tickets.length > 0) {
    sink.logChanges(keys.changeSeq(), [
      { key: keys.changeLog('agents'), members: touched.agents },
      { key: keys.changeLog('tickets'), members: touched.tickets, keepCommits: TICKET_LOG_COMMITS },
    ]);
  }
}

function writeEach(ops: readonly Op[], keys: Keys, sink: CommandSink): void {
  for (const op of ops) {
    switch (op.op) {
      case 'put':
        sink.set(keys.record(op.kind, op.id), JSON.stringify(op.value), op.expireAt);
        break;
      case 'del':
        sink.del(keys.record(op.kind, op.id));
        break;
      case 'zadd':
        sink.zadd(keys.index(op.index), op.score, op.member);
        break;
      case 'zrem':
        sink.zrem(keys.index(op.index), op.member);
        break;
      case 'zremBelow':
        sink.zremrangebyscore(keys.index(op.index), Number.NEGATIVE_INFINITY, op.score);
        break;
      case 'incr':
        sink.hincrby(keys.counter(op.counter), op.field, op.by);
        break;
      case 'expireAt':
        sink.pexpireat(keys.counter(op.counter), op.at);
        break;
      case 'sadd':
        sink.sadd(keys.set(op.set), [op.member]);
        break;
      case 'expireSetAt':
        sink.pexpireat(keys.set(op.set), op.at);
        break;
      case 'setOffset':
        sink.set(keys.offset(op.namespace, op.topic, op.partition), op.offset);
        break;
      case 'markSeen':
        if (op.ids.length > 0) {
          sink.sadd(keys.dedupe(op.bucket), op.ids);
          sink.pexpireat(keys.dedupe(op.bucket), op.expireAt);
        }
        break;
      case 'stats':
        for (const [f, by] of Object.entries(op.incr)) sink.hincrby(keys.stats(), f, by);
        for (const [f, v] of Object.entries(op.set)) sink.hset(keys.stats(), f, v);
        break;
    }
  }
}
