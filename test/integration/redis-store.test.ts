import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { createKeys } from '../../server/store/keys.ts';
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
