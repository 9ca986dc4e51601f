import { inject } from 'vitest';
import { createRedisStore } from '../../server/store/redis-store.ts';
import { storeContract } from '../contract/store-contract.ts';
import { uniqueName } from '../support/services.ts';

storeContract('redis', {
  make: async () => createRedisStore({ url: inject('redisUrl'), prefix: `${uniqueName('contract')}:` }),
  twin: async (store) => createRedisStore({ url: inject('redisUrl'), prefix: store.prefix }),
});
