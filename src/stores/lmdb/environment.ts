/**
 * The two lmdb environments under `<dataDir>/store` and what every record family shares: its
 * databases, the write transactions (one per environment), guarded reads, the composite-key helpers,
 * and the time-ordered expiry index that the sweep walks.
 *
 * `store` holds users, suspended journeys and key/value: every commit is fsync'd, so it survives a
 * power cut. `store-volatile` holds sessions, counters and claims: committed to the OS without an fsync (lmdb
 * noSync), so a killed process still loses nothing (the OS holds the pages), a power cut may lose the
 * last seconds (people sign in again; limits restart), and a login makes one fsync instead of four.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { StoreError, unavailable } from '../errors.js';

/** Separator inside composite keys; ids, keys and subjects never contain NUL (src/stores/records.ts). */
export const SEP = '\u0000';
/** Upper bound of a prefix range `prefix + SEP`: every key with that prefix sorts below `prefix + END`. */
export const END = '\u0001';
/** Virtual address space reserved for the map; the file itself only grows as data is written. */
const MAP_SIZE = 2 ** 34;

/** The record families with a lifetime, as named in the expiry index. */
export type ExpiryKind = 'session' | 'suspended' | 'counter' | 'kv';

export const pad = (t: number): string => String(t).padStart(16, '0');
const expiryKey = (at: number, kind: ExpiryKind, key: string): string => `${pad(at)}${SEP}${kind}${SEP}${key}`;
export const prefixRange = (prefix: string): { start: string; end: string } => ({ start: prefix + SEP, end: prefix + END });

export type Transaction = <T>(fn: () => T) => T;
/** A write transaction whose commit is shared with the others queued in the same turn of the event loop. */
export type GroupCommit = <T>(fn: () => T) => Promise<T>;

export interface LmdbEnvironment {
  readonly now: () => number;
  /** A JSON-encoded database of the durable (`store`) or the volatile (`store-volatile`) environment. */
  db<V>(name: string, where?: 'durable' | 'volatile'): Database<V, string>;
  /**
   * A database of the durable environment with byte-string keys and values, ordered bytewise (the
   * secondary index: lmdb's default key encoding would read a long key holding NUL back as an array).
   */
  binaryDb(name: string): Database<Buffer, Buffer>;
  /** Runs `fn` in one durable (fsync'd) write transaction; a throw inside rolls everything back. */
  readonly write: Transaction;
  /**
   * Runs `fn` as `write` does, committed together with every other `commit` of this turn of the event loop:
   * one transaction and one fsync for all of them (group commit), made off the event loop by lmdb's write
   * thread; each promise settled only after that fsync, so every acknowledged write is durable. A throwing
   * `fn` fails alone: its child transaction is aborted, so its partial writes never commit.
   */
  readonly commit: GroupCommit;
  /** The same in the volatile environment (sessions, counters). */
  readonly volatileWrite: Transaction;
  /** Runs a read; a failing lmdb call becomes a 503 StoreError. */
  readonly read: Transaction;
  /** Moves a record's entry in its environment's expiry index (inside a write transaction). */
  reindex(kind: ExpiryKind, key: string, from: number | null | undefined, to: number | null): void;
  /** padded time SEP kind SEP key → 1, for suspended journeys and key/value. */
  readonly durableExpiry: Database<1, string>;
  /** The same for sessions and counters (claims are their own index, claims.ts). */
  readonly volatileExpiry: Database<1, string>;
  close(): Promise<void>;
}

export function openEnvironment(dataDir: string, now: () => number): LmdbEnvironment {
  const path = join(dataDir, 'store');
  let root: RootDatabase;
  let volatileRoot: RootDatabase;
  try {
    mkdirSync(path, { recursive: true });
    mkdirSync(`${path}-volatile`, { recursive: true });
    root = open({ path, maxDbs: 16, mapSize: MAP_SIZE });
    volatileRoot = open({ path: `${path}-volatile`, maxDbs: 8, mapSize: MAP_SIZE, noSync: true });
  } catch (e) {
    throw unavailable('lmdb', e);
  }
  const db = <V>(name: string, where: 'durable' | 'volatile' = 'durable'): Database<V, string> =>
    (where === 'volatile' ? volatileRoot : root).openDB<V, string>({ name, encoding: 'json' });
  const binaryDb = (name: string): Database<Buffer, Buffer> => root.openDB<Buffer, Buffer>({ name, keyEncoding: 'binary', encoding: 'binary' });
  const durableExpiry = db<1>('expiry');
  const volatileExpiry = db<1>('expiry', 'volatile');

  const transaction =
    (env: RootDatabase): Transaction =>
    <T>(fn: () => T): T => {
      for (let attempt = 1; ; attempt++) {
        try {
          return env.transactionSync(fn);
        } catch (e) {
          if (e instanceof StoreError) throw e;
          if (attempt < COMMIT_ATTEMPTS && isFreelistFailure(e)) continue;
          throw unavailable('lmdb', e);
        }
      }
    };

  const write = transaction(root);
  return {
    now,
    db,
    binaryDb,
    write,
    commit: groupCommit(root),
    volatileWrite: transaction(volatileRoot),
    read: <T>(fn: () => T): T => {
      try {
        return fn();
      } catch (e) {
        throw unavailable('lmdb', e);
      }
    },
    reindex(kind, key, from, to) {
      const expiry = kind === 'session' || kind === 'counter' ? volatileExpiry : durableExpiry;
      if (from !== null && from !== undefined && from !== to) expiry.removeSync(expiryKey(from, kind, key));
      if (to !== null && to !== from) expiry.putSync(expiryKey(to, kind, key), 1);
    },
    durableExpiry,
    volatileExpiry,
    async close() {
      await root.close();
      await volatileRoot.close();
    },
  };
}

/**
 * Removes the record `key` of one family if it is past due at `t` (inside the sweep's write
 * transaction of the family's environment); true when it removed one.
 */
export type Expire = (key: string, t: number) => boolean;

/**
 * Group commit on lmdb's own batching: each write is a child transaction of the batch lmdb queues for this
 * turn of the event loop (one transaction, one fsync for the batch, done by lmdb's write thread, so the
 * event loop never waits for the disk). A throwing `fn` aborts its child transaction alone (its partial
 * writes never commit; the batch's other writes do). Each promise settles only once its batch is flushed
 * to disk (lmdb's overlapping sync commits first and syncs after), so every acknowledged write is durable.
 *
 * The flush awaited is the batch's own, taken as the write is queued: lmdb-js's `flushed` names the newest
 * batch when it is read, so read once the write has committed it may name a later batch, and a later batch
 * whose commit fails never resolves it — the committed write would wait forever for its answer.
 */
export function groupCommit(env: Pick<RootDatabase, 'childTransaction' | 'flushed'>): GroupCommit {
  const attempt = <T>(fn: () => T, n: number): Promise<T> => {
    const committed = env.childTransaction(fn);
    // `then` called now, synchronously, binds this batch's flush; a failed batch's flush stays pending, and
    // `committed` answers that failure.
    const flushed = new Promise<void>((resolve, reject) => void env.flushed.then(() => resolve(), reject));
    flushed.catch(() => undefined); // read below, once committed
    return committed.then(
      async (result) => {
        await flushed.catch((e: unknown) => {
          throw unavailable('lmdb', e);
        });
        return result;
      },
      async (e: unknown) => {
        if (e instanceof StoreError) throw e;
        // Always read the cause: an unread rejected commitError is an unhandled rejection that ends the process.
        const cause = await failedCommitCause(e);
        if (n < COMMIT_ATTEMPTS && isFreelistFailure(cause)) return attempt(fn, n + 1);
        throw unavailable('lmdb', cause);
      },
    );
  };
  return <T>(fn: () => T): Promise<T> => attempt(fn, 1);
}

/**
 * lmdb-js's bundled LMDB now and then fails a commit in its free-space bookkeeping (`mdb_freelist_save`:
 * MDB_BAD_TXN, "reserved freelist had a data entry with zero-size"; seen here on a worker's first commit
 * after importing a million users). The commit is aborted whole and lmdb reloads its free-space list, so
 * the same transaction run again is safe: it is retried, at most COMMIT_ATTEMPTS times in all.
 */
const MDB_BAD_TXN = -30782;
const COMMIT_ATTEMPTS = 3;

function isFreelistFailure(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === MDB_BAD_TXN;
}

/**
 * Whether `reason` is lmdb-js's rejection of a write whose commit LMDB aborted: "Commit failed", with the
 * native error in its `commitError` promise. The whole transaction was rolled back.
 */
export function isFailedCommit(reason: unknown): boolean {
  return reason instanceof Error && (reason as { commitError?: unknown }).commitError instanceof Promise;
}

/** A native LMDB error as lmdb-js raises it: an MDB_* status (MDB_KEYEXIST −30799 … MDB_BAD_DBI −30780) and its name. */
export function isNativeLmdbError(reason: unknown): boolean {
  const code = (reason as { code?: unknown } | undefined)?.code;
  return reason instanceof Error && typeof code === 'number' && code >= -30799 && code <= -30780 && reason.message.startsWith('MDB_');
}

/** The native error behind an asynchronous commit's "Commit failed" (its `commitError` promise), or `e` itself. */
export async function failedCommitCause(e: unknown): Promise<unknown> {
  const pending = typeof e === 'object' && e !== null ? (e as { commitError?: unknown }).commitError : undefined;
  if (!(pending instanceof Promise)) return e;
  return pending.then(
    () => e,
    (cause: unknown) => cause,
  );
}
