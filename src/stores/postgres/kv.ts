/**
 * Key/value entries in `cairn_kv`, each write one statement: insert-if-absent is an INSERT whose ON
 * CONFLICT branch only replaces a lapsed entry, compare-and-set and conditional delete carry the
 * version (and liveness) in their WHERE. Exactly one of any number of concurrent writers wins.
 */
import { checkKey, checkTime, newRev, toJson } from '../records.js';
import type { KeyValueStore, KvEntry, KvWriteOptions } from '../types.js';
import { jsonParam, storageKey, type Db } from './db.js';

const LIVE = '(expires_at IS NULL OR expires_at > $2)';

export function postgresKv(db: Db, now: () => number): KeyValueStore {
  const entryOf = <T>(value: unknown, options: KvWriteOptions | undefined): KvEntry<T> => ({
    value: toJson(value, 'The value') as T,
    version: newRev(),
    expiresAt: options?.expiresAt === undefined ? null : checkTime(options.expiresAt, 'expiry time'),
  });
  /** $1 key, $2 now, $3 value, $4 version, $5 expiry. */
  const params = (key: string, e: KvEntry<unknown>): unknown[] => [storageKey(key), now(), jsonParam(e.value), e.version, e.expiresAt];

  return {
    async get<T>(key: string) {
      checkKey(key);
      const [row] = await db.rows<{ value: T; version: string; expires_at: number | null }>(
        `SELECT value, version, expires_at FROM cairn_kv WHERE key = $1 AND ${LIVE}`,
        [storageKey(key), now()],
      );
      return row ? { value: row.value, version: row.version, expiresAt: row.expires_at } : undefined;
    },

    async set<T>(key: string, value: T, options?: KvWriteOptions) {
      checkKey(key);
      const e = entryOf<T>(value, options);
      await db.rows(
        `INSERT INTO cairn_kv (key, value, version, expires_at) VALUES ($1, $2::jsonb, $3, $4) ON CONFLICT (key) DO UPDATE SET
           value = EXCLUDED.value, version = EXCLUDED.version, expires_at = EXCLUDED.expires_at`,
        [storageKey(key), jsonParam(e.value), e.version, e.expiresAt],
      );
      return e;
    },

    async insertIfAbsent<T>(key: string, value: T, options?: KvWriteOptions) {
      checkKey(key);
      const e = entryOf<T>(value, options);
      const written = await db.rows(
        `INSERT INTO cairn_kv AS k (key, value, version, expires_at) VALUES ($1, $3::jsonb, $4, $5) ON CONFLICT (key) DO UPDATE SET
           value = EXCLUDED.value, version = EXCLUDED.version, expires_at = EXCLUDED.expires_at
         WHERE k.expires_at IS NOT NULL AND k.expires_at <= $2
         RETURNING k.key`,
        params(key, e),
      );
      return written.length === 1 ? e : undefined;
    },

    async compareAndSet<T>(key: string, expectedVersion: string, value: T, options?: KvWriteOptions) {
      checkKey(key);
      const e = entryOf<T>(value, options);
      const written = await db.rows(
        `UPDATE cairn_kv SET value = $3::jsonb, version = $4, expires_at = $5 WHERE key = $1 AND version = $6 AND ${LIVE} RETURNING key`,
        [...params(key, e), expectedVersion],
      );
      return written.length === 1 ? e : undefined;
    },

    async delete(key, ifVersion) {
      checkKey(key);
      // A lapsed entry is removed whatever its version, and reported as nothing deleted.
      const [row] = await db.rows<{ live: boolean }>(
        `DELETE FROM cairn_kv WHERE key = $1 AND (NOT ${LIVE} OR $3::text IS NULL OR version = $3::text) RETURNING ${LIVE} AS live`,
        [storageKey(key), now(), ifVersion ?? null],
      );
      return row?.live === true;
    },
  };
}
