/**
 * Single-use claims in MongoDB (`claims`: one document per claim, its `_id` the expiry and the key,
 * TTL on the expiry). A claim is one insert: of any number of concurrent claims on every instance, the
 * unique `_id` lets one in and answers the others with a duplicate key. A claim's expiry is always in
 * the future (records.ts), so a lapsed document the TTL monitor has not removed yet is never claimed again.
 */
import { unavailable } from '../errors.js';
import { checkClaimExpiry, checkKey, checkTime } from '../records.js';
import type { ClaimStore } from '../types.js';
import { TTL, isDuplicate, type MongoContext, type MongoFamily } from './connection.js';

interface ClaimDoc {
  /** `<expiry in epoch ms>:<key>`: the integer ends at the first colon, so the pair reads back unambiguously. */
  _id: string;
  expiresAt: Date;
}

export function mongoClaims(ctx: MongoContext): MongoFamily<ClaimStore> {
  const { now, guard } = ctx;
  const claims = ctx.db.collection<ClaimDoc>('claims');
  const idOf = (key: string, at: number): string => `${at}:${key}`;

  const store: ClaimStore = {
    async claim(key, expiresAt) {
      checkKey(key, 'claim key');
      const at = checkClaimExpiry(expiresAt, now());
      try {
        await claims.insertOne({ _id: idOf(key, at), expiresAt: new Date(at) });
        return true;
      } catch (e) {
        if (isDuplicate(e)) return false;
        throw unavailable('mongodb', e);
      }
    },
    async release(key, expiresAt) {
      checkKey(key, 'claim key');
      const id = idOf(key, checkTime(expiresAt, 'claim expiry'));
      await guard(() => claims.deleteOne({ _id: id }));
    },
  };

  return {
    store,
    async createIndexes() {
      await claims.createIndexes([TTL('ttl')]);
    },
    async purge(t) {
      return (await claims.deleteMany({ expiresAt: { $lte: new Date(t) } })).deletedCount;
    },
  };
}
