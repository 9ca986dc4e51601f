import { storeContract } from '../../test/contract/store-contract.ts';
import { createMemoryStore } from './memory-store.ts';

storeContract('in-memory', {
  make: async (now) => createMemoryStore({ prefix: 'contract:', now }),
  twin: async () => null,
});
