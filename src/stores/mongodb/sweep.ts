/**
 * Expiry in MongoDB: the server's TTL monitor deletes lapsed records by their `expiresAt` index
 * (about once a minute), reads already treat them as absent by the injected clock, and
 * `purgeExpired` deletes every family's lapsed records at once on demand (the families run their
 * deletes in parallel).
 */
import type { MongoContext, MongoFamily } from './connection.js';

export function mongoPurge(ctx: MongoContext, families: readonly MongoFamily<unknown>[]): () => Promise<number> {
  return async () => {
    const t = ctx.now();
    const counts = await ctx.guard(() => Promise.all(families.flatMap((f) => (f.purge ? [f.purge(t)] : []))));
    return counts.reduce((n, c) => n + c, 0);
  };
}
