/**
 * Fixed-window counters in `cairn_counters`. An increment is one `INSERT … ON CONFLICT DO UPDATE`:
 * the row lock it takes serialises concurrent increments of a key across every connection and
 * instance, and the CASE opens a new window when the old one has passed, so each caller gets a
 * distinct count and the total is exact.
 */
import { checkDuration, checkKey } from '../records.js';
import type { CounterStore } from '../types.js';
import { storageKey, type Db } from './db.js';

export function postgresCounters(db: Db, now: () => number): CounterStore {
  return {
    async increment(key, windowMs) {
      checkKey(key, 'counter key');
      const w = checkDuration(windowMs, 'counter window');
      const t = now();
      const [row] = await db.rows<{ count: number }>(
        `INSERT INTO cairn_counters AS c (key, count, resets_at) VALUES ($1, 1, $2::bigint + $3::bigint)
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN c.resets_at > $2 THEN c.count + 1 ELSE 1 END,
           resets_at = CASE WHEN c.resets_at > $2 THEN c.resets_at ELSE EXCLUDED.resets_at END
         RETURNING count`,
        [storageKey(key), t, w],
      );
      return row?.count ?? 1;
    },

    async get(key) {
      checkKey(key, 'counter key');
      const [row] = await db.rows<{ count: number }>('SELECT count FROM cairn_counters WHERE key = $1 AND resets_at > $2', [storageKey(key), now()]);
      return row?.count ?? 0;
    },

    async reset(key) {
      checkKey(key, 'counter key');
      await db.rows('DELETE FROM cairn_counters WHERE key = $1', [storageKey(key)]);
    },
  };
}
