/**
 * The embedded store (the default): two lmdb environments under `<dataDir>` (environment.ts), one
 * module per record family (objects and their secondary indexes, sessions, suspensions, counters, claims, kv)
 * and the expiry sweep.
 * `store` holds users, suspended journeys and key/value: the writes queued in one turn of the event
 * loop are child transactions of one lmdb batch (group commit: one transaction and one fsync for all of
 * them, made by lmdb's write thread, so the event loop never waits for the disk), and none is
 * acknowledged before that commit is fsynced, so every acknowledged write survives kill -9 and power loss. `store-volatile`
 * holds sessions, counters and claims, committed to the OS without an fsync: an acknowledged write still
 * survives kill -9 (the OS keeps the pages); a power cut may lose the last seconds of them. Either way
 * a check-then-write (unique keys, `_rev`, single-use take, counters, compare-and-set) is atomic
 * across every process of the host.
 *
 * Why lmdb: a B+tree in a memory-mapped file with ACID transactions whose single-writer lock is a
 * cross-process mutex, so several workers of one host share it safely; readers never block; prebuilt
 * binaries, no server. The volatile environment's writes are short synchronous transactions (no fsync),
 * which keep each critical section obviously atomic; the durable one's are batched as above (a
 * synchronous fsync'd commit held the event loop for the disk's whole flush: a fifth of a Login
 * worker's time under load). Values are JSON-encoded (plain records, and no
 * msgpack structure sharing to coordinate between processes). Expiry: every record with a lifetime
 * has an entry in an `expiry` index (time-ordered; a claim's key is its own), reads treat past-due records as absent, and a
 * periodic sweep deletes them in small batches.
 */
import type { Store, UniqueKeys } from '../types.js';
import { lmdbClaims } from './claims.js';
import { lmdbCounters } from './counters.js';
import { openEnvironment } from './environment.js';
import { lmdbKv } from './kv.js';
import { secondaryIndexes } from './indexes.js';
import { lmdbObjects } from './objects.js';
import { lmdbSessions } from './sessions.js';
import { lmdbSuspensions } from './suspensions.js';
import { lmdbSweeper } from './sweep.js';

export interface LmdbStoreOptions {
  dataDir: string;
  now: () => number;
  uniqueKeys: UniqueKeys;
  /** Per resource, the searchable fields (`name` or `parent/child`) to index beside the unique ones. */
  searchable: Readonly<Record<string, readonly string[]>>;
  sweepIntervalMs: number;
}

/** The unique and searchable fields of each resource, each once, sorted. */
function indexedFields(options: LmdbStoreOptions): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const source of [options.uniqueKeys, options.searchable]) {
    for (const [resource, fields] of Object.entries(source)) out[resource] = [...new Set([...(out[resource] ?? []), ...fields])].sort();
  }
  return out;
}

export async function openLmdbStore(options: LmdbStoreOptions): Promise<Store> {
  const env = openEnvironment(options.dataDir, options.now);
  const indexes = secondaryIndexes(env, indexedFields(options));
  const objects = lmdbObjects(env, options.uniqueKeys, indexes);
  const sessions = lmdbSessions(env);
  const suspended = lmdbSuspensions(env);
  const counters = lmdbCounters(env);
  const claims = lmdbClaims(env);
  const kv = lmdbKv(env);
  const sweeper = lmdbSweeper(
    env,
    { session: sessions.expire, suspended: suspended.expire, counter: counters.expire, kv: kv.expire },
    claims.sweep,
    options.sweepIntervalMs,
  );
  let closed = false;

  return {
    backend: 'lmdb',
    objects: objects.store,
    queryStats: () => structuredClone(objects.stats),
    indexesBuilt: () => indexes.built(),
    sessions: sessions.store,
    suspended: suspended.store,
    counters: counters.store,
    claims: claims.store,
    kv: kv.store,
    purgeExpired: sweeper.purgeExpired,
    async health() {
      if (closed) return { backend: 'lmdb', ok: false };
      try {
        Array.from(env.durableExpiry.getKeys({ limit: 1 })); // real reads through both maps
        Array.from(env.volatileExpiry.getKeys({ limit: 1 }));
        return { backend: 'lmdb', ok: true };
      } catch {
        return { backend: 'lmdb', ok: false };
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await sweeper.stop();
      await indexes.stop();
      await env.close();
    },
  };
}
