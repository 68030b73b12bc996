/**
 * Key/value in lmdb's durable environment (`kv`: key → value, version, expiry). Conditional writes
 * (insert-if-absent, compare-and-set, delete-if-version) check and write in one transaction; a
 * lapsed entry counts as absent before the sweep removes it.
 */
import { checkKey, checkTime, newRev, toJson } from '../records.js';
import type { KeyValueStore, KvEntry, KvWriteOptions } from '../types.js';
import type { Expire, LmdbEnvironment } from './environment.js';

interface KvStored {
  value: unknown;
  version: string;
  expiresAt: number | null;
}

export function lmdbKv(env: LmdbEnvironment): { store: KeyValueStore; expire: Expire } {
  const { now, commit, read, reindex } = env;
  const kv = env.db<KvStored>('kv'); // key → entry

  const kvLive = (e: KvStored | undefined): e is KvStored => e !== undefined && (e.expiresAt === null || now() < e.expiresAt);
  const kvEntry = (value: unknown, options: KvWriteOptions | undefined): KvStored => ({
    value: toJson(value, 'The value'),
    version: newRev(),
    expiresAt: options?.expiresAt === undefined ? null : checkTime(options.expiresAt, 'expiry time'),
  });
  const kvPut = (key: string, old: KvStored | undefined, e: KvStored): void => {
    kv.putSync(key, e);
    reindex('kv', key, old?.expiresAt, e.expiresAt);
  };

  const store: KeyValueStore = {
    async get<T>(key: string) {
      checkKey(key);
      const e = read(() => kv.get(key));
      return kvLive(e) ? (e as KvEntry<T>) : undefined;
    },

    async set<T>(key: string, value: T, options?: KvWriteOptions) {
      checkKey(key);
      const e = kvEntry(value, options);
      await commit(() => kvPut(key, kv.get(key), e));
      return e as KvEntry<T>;
    },

    async insertIfAbsent<T>(key: string, value: T, options?: KvWriteOptions) {
      checkKey(key);
      const e = kvEntry(value, options);
      return commit(() => {
        const old = kv.get(key);
        if (kvLive(old)) return undefined;
        kvPut(key, old, e);
        return e as KvEntry<T>;
      });
    },

    async compareAndSet<T>(key: string, expectedVersion: string, value: T, options?: KvWriteOptions) {
      checkKey(key);
      const e = kvEntry(value, options);
      return commit(() => {
        const old = kv.get(key);
        if (!kvLive(old) || old.version !== expectedVersion) return undefined;
        kvPut(key, old, e);
        return e as KvEntry<T>;
      });
    },

    async delete(key, ifVersion) {
      checkKey(key);
      return commit(() => {
        const old = kv.get(key);
        if (old === undefined) return false;
        const live = kvLive(old);
        if (live && ifVersion !== undefined && old.version !== ifVersion) return false;
        kv.removeSync(key);
        reindex('kv', key, old.expiresAt, null);
        return live;
      });
    },
  };

  const expire: Expire = (key) => {
    const e = kv.get(key);
    if (e === undefined || kvLive(e)) return false;
    kv.removeSync(key);
    return true;
  };
  return { store, expire };
}
