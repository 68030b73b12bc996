/**
 * Opens the configured store (embedded lmdb under the data directory, or MongoDB when
 * CAIRN_MONGODB_URI is set) with the unique keys the managed-object schema declares.
 */
import type { Settings } from '../config/settings.js';
import { openStore } from '../stores/index.js';
import type { Store } from '../stores/types.js';

export async function openStoreBundle(
  settings: Readonly<Settings>,
  now: () => number,
  uniqueKeys?: Record<string, readonly string[]>,
): Promise<Store> {
  return openStore({
    dataDir: settings.dataDir,
    ...(settings.mongodbUri ? { mongodbUri: settings.mongodbUri } : {}),
    now,
    ...(uniqueKeys ? { uniqueKeys } : {}),
  });
}
