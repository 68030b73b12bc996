/**
 * Single-use claims in `cairn_claims`, keyed by (expiry, key): a claim is one `INSERT … ON CONFLICT
 * DO NOTHING`, so of any number of concurrent claims on every connection and instance exactly one
 * inserts the row. A claim's expiry is always in the future (records.ts), so a lapsed row the sweep
 * has not removed yet can never be claimed again.
 */
import { checkClaimExpiry, checkKey, checkTime } from '../records.js';
import type { ClaimStore } from '../types.js';
import { storageKey, type Db } from './db.js';

export function postgresClaims(db: Db, now: () => number): ClaimStore {
  return {
    async claim(key, expiresAt) {
      checkKey(key, 'claim key');
      const at = checkClaimExpiry(expiresAt, now());
      const rows = await db.rows('INSERT INTO cairn_claims (expires_at, key) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1', [
        at,
        storageKey(key),
      ]);
      return rows.length === 1;
    },
    async release(key, expiresAt) {
      checkKey(key, 'claim key');
      await db.rows('DELETE FROM cairn_claims WHERE expires_at = $1 AND key = $2', [checkTime(expiresAt, 'claim expiry'), storageKey(key)]);
    },
  };
}
