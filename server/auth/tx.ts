/** Read-decide-commit against a LiveStore, retried while a record read meanwhile changed. */
import type { Op } from '../domain/ops.ts';
import type { LiveStore, Transaction } from '../store/store.ts';

const MAX_ATTEMPTS = 10;

/**
 * Runs `decide` in a transaction and commits the ops it returns; if a record it read changed before
 * the commit, runs it again. A throw from `decide` aborts the transaction and propagates.
 */
export async function transact<T>(
  store: LiveStore,
  decide: (tx: Transaction) => Promise<{ ops: Op[]; result: T }>,
): Promise<T> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const tx = await store.begin();
    let decided: { ops: Op[]; result: T };
    try {
      decided = await decide(tx);
    } catch (err) {
      await tx.abort();
      throw err;
    }
    if (await tx.commit(decided.ops)) return decided.result;
  }
  throw new Error('the access records kept changing while writing; try again');
}

/** Commits `ops` in a transaction of their own (nothing read, so nothing can conflict). */
export async function commitOps(store: LiveStore, ops: Op[]): Promise<void> {
  const tx = await store.begin();
  await tx.commit(ops);
}
