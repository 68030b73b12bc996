/**
 * The store's public surface and its factory: `openStore` picks PostgreSQL or MongoDB when a URI is
 * configured and the embedded lmdb store under the data directory otherwise. Only src/stores/ imports
 * `lmdb`, `mongodb` or `pg`; everything else depends on the Store interface in ./types.ts.
 */
import { openLmdbStore } from './lmdb/open.js';
import { openMongoStore } from './mongodb/open.js';
import { openPostgresStore } from './postgres/open.js';
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
  if (options.postgresUri !== undefined && options.postgresUri !== '') {
    if (options.mongodbUri) throw new TypeError('openStore: set either postgresUri or mongodbUri, not both');
    if (!/^postgres(ql)?:\/\//.test(options.postgresUri)) throw new TypeError('openStore: postgresUri must start with postgres:// or postgresql://');
    const max = options.postgresPoolMax;
    if (max !== undefined && (!Number.isInteger(max) || max < 1)) throw new TypeError('openStore: postgresPoolMax must be a positive whole number');
    return openPostgresStore({
      uri: options.postgresUri,
      now,
      uniqueKeys,
      searchable: options.searchableFields ?? {},
      sweepIntervalMs,
      ...(max === undefined ? {} : { pool: { max } }),
      log: options.log ?? (() => undefined),
    });
  }
  if (options.mongodbUri !== undefined && options.mongodbUri !== '') {
    if (!/^mongodb(\+srv)?:\/\//.test(options.mongodbUri)) throw new TypeError('openStore: mongodbUri must start with mongodb:// or mongodb+srv://');
    return openMongoStore({ uri: options.mongodbUri, now, uniqueKeys });
  }
  return openLmdbStore({ dataDir: options.dataDir, now, uniqueKeys, searchable: options.searchableFields ?? {}, sweepIntervalMs });
}
