/**
 * The serving process's answer to a store commit that failed with nobody waiting for it. Every write Cairn
 * acknowledges awaits its commit and answers the store's 503 when it fails; but lmdb-js also rejects a
 * promise of its own that nobody can wait for (the start of its event-turn batch, `writeBatchStart` in
 * lmdb-js's write.js) with its "Commit failed" error, the native cause in `commitError`, and unhandled it
 * would end the process under Node's default — as a million-user store's first commit after an import did
 * (LMDB's MDB_BAD_TXN in its free-space bookkeeping), and as any failed commit would. The transaction was
 * rolled back whole and no client was told it succeeded, so the process reports it and serves on. Any
 * other unhandled rejection still ends the process, as Node's default does.
 */
import { failedCommitCause, isFailedCommit, isNativeLmdbError } from '../stores/lmdb/environment.js';

/** Installs the policy for this process; `report` gets the native cause of each absorbed failure, once. Returns the uninstaller. */
export function absorbFailedCommits(report: (cause: unknown) => void): () => void {
  const reported = new WeakSet<object>();
  const once = (cause: unknown): void => {
    if (typeof cause === 'object' && cause !== null) {
      if (reported.has(cause)) return;
      reported.add(cause);
    }
    report(cause);
  };
  const onRejection = (reason: unknown): void => {
    // lmdb-js rejects both the write's promise and, after it, the `commitError` promise holding the cause.
    if (isFailedCommit(reason)) void failedCommitCause(reason).then(once);
    else if (isNativeLmdbError(reason)) once(reason);
    else throw reason; // Node's default: an uncaught exception ends the process
  };
  process.on('unhandledRejection', onRejection);
  return () => process.off('unhandledRejection', onRejection);
}
