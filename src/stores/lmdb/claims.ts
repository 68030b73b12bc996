/**
 * Single-use claims in lmdb's volatile environment (`claims`: `padded expiry SEP key` → 1). The key
 * leads with its expiry, so the database is its own time-ordered expiry index: a claim is one
 * `noOverwrite` put (one short write transaction, atomic across every process of the host, no read
 * before it and no second entry to keep), and the sweep deletes the keys below "now" in order.
 * A step claim was a counter increment before (read, write, and the counter's expiry entry in one
 * transaction under the environment's cross-process write lock): 3–8% of a step's CPU went to the
 * difference (bench:ab).
 */
import { checkClaimExpiry, checkKey, checkTime } from '../records.js';
import type { ClaimStore } from '../types.js';
import { END, SEP, pad, type LmdbEnvironment } from './environment.js';

/** Deletes one batch of claims past due at `t` (inside the sweep's write transaction); returns how many. */
export type SweepClaims = (t: number, limit: number) => number;

export function lmdbClaims(env: LmdbEnvironment): { store: ClaimStore; sweep: SweepClaims } {
  const { now } = env;
  const claims = env.db<1>('claims', 'volatile');
  const claimKey = (key: string, expiresAt: number): string => `${pad(expiresAt)}${SEP}${key}`;

  const store: ClaimStore = {
    async claim(key, expiresAt) {
      checkKey(key, 'claim key');
      const k = claimKey(key, checkClaimExpiry(expiresAt, now()));
      // One short write transaction (volatileWrite: a failing lmdb call is a 503, LMDB's freelist failure
      // retried); with noOverwrite the put writes nothing and answers false when the key exists (lmdb's
      // types say void).
      return env.volatileWrite(() => claims.putSync(k, 1, { noOverwrite: true }) as unknown) === true;
    },
    async release(key, expiresAt) {
      checkKey(key, 'claim key');
      const k = claimKey(key, checkTime(expiresAt, 'claim expiry'));
      env.volatileWrite(() => claims.removeSync(k));
    },
  };

  const sweep: SweepClaims = (t, limit) => {
    const due = [...claims.getKeys({ end: pad(t) + END, limit })];
    for (const k of due) claims.removeSync(k);
    return due.length;
  };
  return { store, sweep };
}
