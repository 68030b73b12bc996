/**
 * The store contract on MongoDB. It runs only when CAIRN_MONGODB_URI names a reachable server (each
 * test in its own database, dropped afterwards); otherwise the whole suite is reported as skipped.
 */
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { openStore } from '../../src/stores/index.js';
import { runStoreContract } from './contract.js';

const uri = process.env.CAIRN_MONGODB_URI;

/** The URI with its database replaced by a fresh one, so tests never touch real data. */
function withDatabase(base: string, name: string): string {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

runStoreContract(
  uri ? 'mongodb backend' : 'mongodb backend (skipped: set CAIRN_MONGODB_URI)',
  async (now) => {
    const testUri = withDatabase(uri as string, `cairn_test_${randomBytes(6).toString('hex')}`);
    const store = await openStore({ dataDir: '/nonexistent-unused', mongodbUri: testUri, now });
    return {
      store,
      async dispose() {
        await store.close();
        const client = new MongoClient(testUri);
        try {
          await client.db().dropDatabase();
        } finally {
          await client.close();
        }
      },
    };
  },
  { skip: !uri },
);
