/**
 * The store's public surface and its factory: `openStore` picks MongoDB when a URI is configured and
 * the embedded lmdb store under the data directory otherwise. Only src/stores/ imports `lmdb` or
 * `mongodb`; everything else depends on the Store interface in ./types.ts.
 */
import { openLmdbStore } from './lmdb/open.js';
import { openMongoStore } from './mongodb/open.js';
import { DEFAULT_UNIQUE_KEYS, checkUniqueKeys } from './records.js';
import type { OpenStoreOptions, Store } from './types.js';

export type * from './types.js';
export { StoreError, isStoreError, type StoreErrorCode } from './errors.js';
export { DEFAULT_UNIQUE_KEYS, uniqueKeyOf } from './records.js';

const DEFAULT_SWEEP_INTERVAL_MS = 60_000;

/**
 * Opens the configured store. Example:
 * `const store = await openStore({ dataDir: '/var/lib/cairn', mongodbUri: process.env.CAIRN_MONGODB_URI });`
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  if (typeof options?.dataDir !== 'string' || options.dataDir === '') throw new TypeError('openStore: dataDir is required');
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new TypeError('openStore: now must be a function returning epoch milliseconds');
  const uniqueKeys = checkUniqueKeys(options.uniqueKeys ?? DEFAULT_UNIQUE_KEYS);
  const sweepIntervalMs = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
  if (typeof sweepIntervalMs !== 'number' || !Number.isFinite(sweepIntervalMs) || sweepIntervalMs < 0) {
    throw new TypeError('openStore: sweepIntervalMs must be a non-negative number of milliseconds');
  }
  if (options.mongodbUri !== undefined && options.mongodbUri !== '') {
    if (!/^mongodb(\+srv)?:\/\//.test(options.mongodbUri)) throw new TypeError('openStore: mongodbUri must start with mongodb:// or mongodb+srv://');
    return openMongoStore({ uri: options.mongodbUri, now, uniqueKeys });
  }
  return openLmdbStore({ dataDir: options.dataDir, now, uniqueKeys, sweepIntervalMs });
}
