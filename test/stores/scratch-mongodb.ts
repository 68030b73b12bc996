/**
 * A MongoDB store in a fresh database of the server CAIRN_MONGODB_URI names, dropped on dispose, so
 * tests never touch real data. Here because only the store tests (test/stores/) open the driver.
 */
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { openStore } from '../../src/stores/index.js';
import type { OpenStoreOptions } from '../../src/stores/types.js';
import type { OpenedStore } from './contract.js';

export async function openScratchMongoStore(
  baseUri: string,
  prefix: string,
  options: Omit<OpenStoreOptions, 'dataDir' | 'mongodbUri'> = {},
): Promise<OpenedStore> {
  const u = new URL(baseUri);
  u.pathname = `/${prefix}_${randomBytes(6).toString('hex')}`;
  const uri = u.toString();
  const store = await openStore({ ...options, dataDir: '/nonexistent-unused', mongodbUri: uri });
  return {
    store,
    async dispose() {
      await store.close();
      const client = new MongoClient(uri);
      try {
        await client.db().dropDatabase();
      } finally {
        await client.close();
      }
    },
  };
}
