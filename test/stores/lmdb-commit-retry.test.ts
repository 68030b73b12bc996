// The embedded store's group commit retries what lmdb-js's bundled LMDB fails now and then in its free-space
// bookkeeping (MDB_BAD_TXN from mdb_freelist_save, seen on a worker's first commit after a million-user import):
// the whole commit was aborted, so the transaction runs again; anything else, or a failure that persists, is the
// store's 503. The failure cannot be caused on demand, so `childTransaction` fails the way lmdb-js's does: the
// write's promise rejects with "Commit failed" and the native error (code -30782) in its `commitError` promise.
import { describe, expect, it } from 'vitest';
import { isStoreError } from '../../src/stores/errors.js';
import { groupCommit } from '../../src/stores/lmdb/environment.js';

function lmdbCommitFailure(code: number): Error {
  const native = Object.assign(new Error(`lmdb status ${code}: reserved freelist had a data entry with zero-size, last id 1`), { code });
  return Object.assign(new Error('Commit failed (see commitError for details)'), { commitError: Promise.reject(native) });
}

/** An lmdb root whose first `failures` commits fail with `code`; the rest run `fn` and commit. */
function flakyRoot(failures: number, code = -30782) {
  let runs = 0;
  const root = {
    runs: () => runs,
    flushed: Promise.resolve(true),
    childTransaction<T>(fn: () => T): Promise<T> {
      runs++;
      const result = fn();
      return runs <= failures ? Promise.reject(lmdbCommitFailure(code)) : Promise.resolve(result);
    },
  };
  return root;
}

describe('group commit on lmdb', () => {
  it('runs a transaction again when LMDB aborted its commit in the free-space bookkeeping', async () => {
    const root = flakyRoot(2);
    const commit = groupCommit(root as never);
    await expect(commit(() => 'written')).resolves.toBe('written');
    expect(root.runs()).toBe(3);
  });

  it('answers 503 when the failure persists, after three attempts in all', async () => {
    const root = flakyRoot(10);
    const failure = await groupCommit(root as never)(() => 'written').catch((e: unknown) => e);
    expect(isStoreError(failure, 'store.unavailable')).toBe(true);
    expect(root.runs()).toBe(3);
  });

  it('does not retry any other failed commit', async () => {
    const root = flakyRoot(1, -30792); // MDB_MAP_FULL
    const failure = await groupCommit(root as never)(() => 'written').catch((e: unknown) => e);
    expect(isStoreError(failure, 'store.unavailable')).toBe(true);
    expect(root.runs()).toBe(1);
  });
});
