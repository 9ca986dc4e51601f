/**
 * The Redis store's write path: one Lua script per commit, queued in the MULTI after the WATCHes.
 * Every write of a batch travels as arguments of that one command (a thousand-event batch is some
 * thousands of HINCRBYs: sent one by one they cost the client more CPU than the projection), and the
 * script checks the commit's guard (store epoch, event ids still unseen) before writing anything, so
 * the shared dedupe buckets need no WATCH.
 */
import type { CommandSink } from './commands.ts';
import type { EventIdRef } from './store.ts';

/**
 * ARGV: epoch key, epoch read ('' = none), new epoch ('' = no guard), the number of dedupe checks,
 * then per check its bucket key and id, then the writes, each an opcode and its arguments
 * (SA: key, count, members; L: sequence key, number of logs, then per log its key, commits to keep
 * ('' = all), count, members). Returns 1 when written, 0 when a guard failed (nothing written).
 */
export const COMMIT_SCRIPT = `
local a = ARGV
local i = 1
local epochKey, epochRead, newEpoch = a[1], a[2], a[3]
if newEpoch ~= '' then
  local cur = redis.call('GET', epochKey)
  if epochRead == '' then
    if cur then return 0 end
  elseif cur ~= epochRead then
    return 0
  end
end
local checks = tonumber(a[4])
i = 5
for _ = 1, checks do
  if redis.call('SISMEMBER', a[i], a[i + 1]) == 1 then return 0 end
  i = i + 2
end
if newEpoch ~= '' and epochRead == '' then redis.call('SET', epochKey, newEpoch) end
local n = #a
while i <= n do
  local op = a[i]
  if op == 'HI' then
    redis.call('HINCRBY', a[i + 1], a[i + 2], a[i + 3]); i = i + 4
  elseif op == 'S' then
    redis.call('SET', a[i + 1], a[i + 2]); i = i + 3
  elseif op == 'SX' then
    redis.call('SET', a[i + 1], a[i + 2], 'PXAT', a[i + 3]); i = i + 4
  elseif op == 'PX' then
    redis.call('PEXPIREAT', a[i + 1], a[i + 2]); i = i + 3
  elseif op == 'SA' then
    local key, count = a[i + 1], tonumber(a[i + 2])
    i = i + 3
    local last = i + count - 1
    while i <= last do
      local upto = math.min(i + 999, last)
      redis.call('SADD', key, unpack(a, i, upto))
      i = upto + 1
    end
  elseif op == 'ZA' then
    redis.call('ZADD', a[i + 1], a[i + 2], a[i + 3]); i = i + 4
  elseif op == 'ZR' then
    redis.call('ZREM', a[i + 1], a[i + 2]); i = i + 3
  elseif op == 'ZRB' then
    redis.call('ZREMRANGEBYSCORE', a[i + 1], a[i + 2], a[i + 3]); i = i + 4
  elseif op == 'HS' then
    redis.call('HSET', a[i + 1], a[i + 2], a[i + 3]); i = i + 4
  elseif op == 'D' then
    redis.call('DEL', a[i + 1]); i = i + 2
  elseif op == 'L' then
    local seq = redis.call('INCR', a[i + 1])
    local logs = tonumber(a[i + 2])
    i = i + 3
    for _ = 1, logs do
      local key, keep, count = a[i], a[i + 1], tonumber(a[i + 2])
      i = i + 3
      local last = i + count - 1
      while i <= last do
        local upto = math.min(i + 499, last)
        local zargs = {}
        for j = i, upto do
          zargs[#zargs + 1] = seq
          zargs[#zargs + 1] = a[j]
        end
        redis.call('ZADD', key, unpack(zargs))
        i = upto + 1
      end
      if keep ~= '' then redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. (seq - tonumber(keep))) end
    end
  else
    return redis.error_reply('floorboard commit script: unknown opcode ' .. tostring(op))
  end
end
return 1
`;

/** Redis' score syntax for infinities. */
export function toRedisScore(n: number): string {
  if (n === Number.NEGATIVE_INFINITY) return '-inf';
  if (n === Number.POSITIVE_INFINITY) return '+inf';
  return String(n);
}

/** The script's arguments for a commit: guard first, then a sink that appends the writes. */
export function commitArgs(
  epochKey: string,
  guard: {
    epoch: string | null;
    newEpoch: string;
    unseen: ReadonlyArray<EventIdRef & { key: string }>;
  } | null,
): { args: string[]; sink: CommandSink } {
  const args: string[] = [epochKey];
  if (guard === null) args.push('', '', '0');
  else {
    args.push(guard.epoch ?? '', guard.newEpoch, String(guard.unseen.length));
    for (const u of guard.unseen) args.push(u.key, u.id);
  }
  const sink: CommandSink = {
    set: (k, v, at) => void (at === undefined ? args.push('S', k, v) : args.push('SX', k, v, String(at))),
    del: (k) => void args.push('D', k),
    zadd: (k, score, member) => void args.push('ZA', k, String(score), member),
    zrem: (k, member) => void args.push('ZR', k, member),
    zremrangebyscore: (k, min, max) => void args.push('ZRB', k, toRedisScore(min), toRedisScore(max)),
    hincrby: (k, f, by) => void args.push('HI', k, f, String(by)),
    hset: (k, f, v) => void args.push('HS', k, f, v),
    sadd: (k, members) => {
      args.push('SA', k, String(members.length));
      for (const m of members) args.push(m);
    },
    pexpireat: (k, at) => void args.push('PX', k, String(at)),
    logChanges: (seqKey, logs) => {
      args.push('L', seqKey, String(logs.length));
      for (const l of logs) {
        args.push(l.key, l.keepCommits === undefined ? '' : String(l.keepCommits), String(l.members.length));
        for (const m of l.members) args.push(m);
      }
    },
  };
  return { args, sink };
}
