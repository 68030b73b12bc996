/**
 * Key/value in MongoDB (`kv`: value, version and expiry under the key, TTL on the expiry when there
 * is one). Conditional writes are single operations with the condition in the filter; a duplicate
 * key on insert means a live entry exists, so exactly one concurrent insertIfAbsent wins.
 */
import type { Document } from 'mongodb';
import { unavailable } from '../errors.js';
import { checkKey, checkTime, newRev, toJson } from '../records.js';
import type { KeyValueStore, KvEntry, KvWriteOptions } from '../types.js';
import { TTL, isDuplicate, type MongoContext, type MongoFamily } from './connection.js';

interface KvDoc {
  _id: string;
  value: unknown;
  version: string;
  expiresAtMs: number | null;
  expiresAt?: Date;
}

const kvDoc = (value: unknown, options: KvWriteOptions | undefined): Omit<KvDoc, '_id'> => {
  const expiresAtMs = options?.expiresAt === undefined ? null : checkTime(options.expiresAt, 'expiry time');
  return {
    value: toJson(value, 'The value'),
    version: newRev(),
    expiresAtMs,
    ...(expiresAtMs === null ? {} : { expiresAt: new Date(expiresAtMs) }),
  };
};
const entryOf = <T>(d: Omit<KvDoc, '_id'>): KvEntry<T> => ({ value: d.value as T, version: d.version, expiresAt: d.expiresAtMs });
const liveFilter = (t: number): Document => ({ $or: [{ expiresAtMs: null }, { expiresAtMs: { $gt: t } }] });

export function mongoKv(ctx: MongoContext): MongoFamily<KeyValueStore> {
  const { now, guard } = ctx;
  const kv = ctx.db.collection<KvDoc>('kv');

  const store: KeyValueStore = {
    async get<T>(key: string) {
      checkKey(key);
      const doc = await guard(() => kv.findOne({ _id: key, ...liveFilter(now()) }));
      return doc ? entryOf<T>(doc) : undefined;
    },

    async set<T>(key: string, value: T, options?: KvWriteOptions) {
      checkKey(key);
      const doc = kvDoc(value, options);
      await guard(() => kv.replaceOne({ _id: key }, doc, { upsert: true }));
      return entryOf<T>(doc);
    },

    async insertIfAbsent<T>(key: string, value: T, options?: KvWriteOptions) {
      checkKey(key);
      const doc = kvDoc(value, options);
      // Overwrite a lapsed entry the TTL monitor has not removed yet; otherwise insert, and a
      // duplicate-key error means a live entry exists (exactly one concurrent caller wins).
      const replaced = await guard(() => kv.replaceOne({ _id: key, expiresAtMs: { $lte: now() } }, doc));
      if (replaced.matchedCount === 1) return entryOf<T>(doc);
      try {
        await kv.insertOne({ _id: key, ...doc });
        return entryOf<T>(doc);
      } catch (e) {
        if (isDuplicate(e)) return undefined;
        throw unavailable('mongodb', e);
      }
    },

    async compareAndSet<T>(key: string, expectedVersion: string, value: T, options?: KvWriteOptions) {
      checkKey(key);
      const doc = kvDoc(value, options);
      const r = await guard(() => kv.replaceOne({ _id: key, version: expectedVersion, ...liveFilter(now()) }, doc));
      return r.matchedCount === 1 ? entryOf<T>(doc) : undefined;
    },

    async delete(key, ifVersion) {
      checkKey(key);
      const t = now();
      if (ifVersion === undefined) {
        const doc = await guard(() => kv.findOneAndDelete({ _id: key }));
        return doc !== null && (doc.expiresAtMs === null || t < doc.expiresAtMs);
      }
      const r = await guard(() => kv.deleteOne({ _id: key, version: ifVersion, ...liveFilter(t) }));
      if (r.deletedCount === 1) return true;
      await guard(() => kv.deleteOne({ _id: key, expiresAtMs: { $lte: t } }));
      return false;
    },
  };

  return {
    store,
    async createIndexes() {
      await kv.createIndexes([TTL('ttl')]);
    },
    async purge(t) {
      return (await kv.deleteMany({ expiresAtMs: { $lte: t } })).deletedCount;
    },
  };
}
