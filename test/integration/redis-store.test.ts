import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { createKeys } from '../../server/store/keys.ts';
import { COMMIT_SCRIPT, commitArgs } from '../../server/store/redis-script.ts';
import { createRedisStore, redisVersionOf, redisVersionSupported } from '../../server/store/redis-store.ts';
import { storeContract } from '../contract/store-contract.ts';
import { uniqueName } from '../support/services.ts';

storeContract('redis', {
  make: async () => createRedisStore({ url: inject('redisUrl'), prefix: `${uniqueName('contract')}:` }),
  twin: async (store) => createRedisStore({ url: inject('redisUrl'), prefix: store.prefix }),
});

describe('redis store', () => {
  it('resumes from the offsets an older version kept in one hash per topic', async () => {
    const prefix = `${uniqueName('legacy')}:`;
    const raw = new Redis(inject('redisUrl'));
    await raw.hset(createKeys(prefix).legacyOffsets('n', 't'), '2', '41');
    const store = await createRedisStore({ url: inject('redisUrl'), prefix });
    try {
      expect(
        await store.offsets('n', [
          { topic: 't', partition: 2 },
          { topic: 't', partition: 1 },
        ]),
      ).toEqual(['41', null]);
      const tx = await store.begin();
      const read = await tx.readIngest({ namespace: 'n', topic: 't', partition: 2, ids: [], records: [] });
      expect(read.offset).toBe('41');
      expect(
        await tx.commit([{ op: 'setOffset', namespace: 'n', topic: 't', partition: 2, offset: '50' }], {
          epoch: read.epoch,
          newEpoch: 'E',
          unseen: [],
        }),
      ).toBe(true);
      expect(await store.offsets('n', [{ topic: 't', partition: 2 }])).toEqual(['50']);
    } finally {
      await store.clear();
      await store.close();
      raw.disconnect();
    }
  });

  it("scores a commit's changed ids with its sequence number and trims a log to the commits it keeps", async () => {
    const prefix = `${uniqueName('log')}:`;
    const keys = createKeys(prefix);
    const raw = new Redis(inject('redisUrl'));
    try {
      // 600 members: more than one ZADD of the script's chunks.
      const many = Array.from({ length: 600 }, (_, i) => `t${i}`);
      for (const members of [many, ['t1'], ['x'], ['y']]) {
        const { args, sink } = commitArgs(keys.epoch(), null);
        sink.logChanges(keys.changeSeq(), [
          { key: keys.changeLog('agents'), members: ['a'] },
          { key: keys.changeLog('tickets'), members, keepCommits: 2 },
        ]);
        expect(await raw.eval(COMMIT_SCRIPT, 0, ...args)).toBe(1);
      }
      expect(await raw.get(keys.changeSeq())).toBe('4');
      expect(await raw.zrange(keys.changeLog('agents'), '0', '-1', 'WITHSCORES')).toEqual(['a', '4']);
      // After commit 4, commits 2..4 are kept: t1 (2), x (3), y (4); the rest of commit 1 is gone.
      expect(await raw.zrange(keys.changeLog('tickets'), '0', '-1', 'WITHSCORES')).toEqual([
        't1',
        '2',
        'x',
        '3',
        'y',
        '4',
      ]);
    } finally {
      await raw.del(keys.changeSeq(), keys.changeLog('agents'), keys.changeLog('tickets'));
      raw.disconnect();
    }
  });

  it('knows which Redis versions it can use', () => {
    expect(redisVersionOf('# Server\r\nredis_version:7.2.4\r\nredis_git_sha1:0\r\n')).toBe('7.2.4');
    expect(redisVersionOf('# Server\r\n')).toBeNull();
    expect(['6.2.0', '6.2.14', '7.0.15', '10.0.0'].map(redisVersionSupported)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['6.0.16', '5.0.7', '6.1.9'].map(redisVersionSupported)).toEqual([false, false, false]);
  });
});
