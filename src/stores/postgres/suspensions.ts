/**
 * Suspended journeys in `cairn_suspended`, keyed by the hash of the suspended id. The single-use take
 * is one `DELETE … RETURNING`: of any number of concurrent takes, on any number of instances, exactly
 * one gets the row back (the others find it gone), and an expired record is deleted but not returned.
 */
import { checkKey, checkTime, toJsonObject } from '../records.js';
import type { SuspendedJourneyStore, SuspensionOwner } from '../types.js';
import { jsonParam, storageKey, type Db } from './db.js';

export function postgresSuspensions(db: Db, now: () => number): SuspendedJourneyStore {
  return {
    async put(idHash, record, expiresAt, owner?: SuspensionOwner) {
      checkKey(idHash, 'suspension id');
      const body = jsonParam(toJsonObject(record, 'The suspended record'));
      const at = checkTime(expiresAt, 'expiry time');
      const subject = owner === undefined ? null : storageKey(checkKey(owner.subject, 'subject'));
      const scope = owner?.scope === undefined ? null : storageKey(checkKey(owner.scope, 'scope'));
      await db.rows(
        `INSERT INTO cairn_suspended (id_hash, record, expires_at, subject_key, scope_key) VALUES ($1, $2::jsonb, $3, $4, $5)
         ON CONFLICT (id_hash) DO UPDATE SET
           record = EXCLUDED.record, expires_at = EXCLUDED.expires_at, subject_key = EXCLUDED.subject_key, scope_key = EXCLUDED.scope_key`,
        [storageKey(idHash), body, at, subject, scope],
      );
    },

    async take<T>(idHash: string) {
      checkKey(idHash, 'suspension id');
      const t = now();
      const [row] = await db.rows<{ record: T; expires_at: number }>('DELETE FROM cairn_suspended WHERE id_hash = $1 RETURNING record, expires_at', [
        storageKey(idHash),
      ]);
      return row !== undefined && t < row.expires_at ? row.record : undefined;
    },

    async deleteBySubject(subject, scope) {
      checkKey(subject, 'subject');
      const scopeKey = scope === undefined ? null : storageKey(checkKey(scope, 'scope'));
      const [row] = await db.rows<{ live: number }>(
        `WITH removed AS (
           DELETE FROM cairn_suspended WHERE subject_key = $1 AND ($2::text IS NULL OR scope_key = $2::text) RETURNING expires_at)
         SELECT count(*) FILTER (WHERE expires_at > $3)::bigint AS live FROM removed`,
        [storageKey(subject), scopeKey, now()],
      );
      return row?.live ?? 0;
    },
  };
}
