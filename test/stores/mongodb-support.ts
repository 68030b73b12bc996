/**
 * MongoDB for tests: the server named by CAIRN_MONGODB_URI (test/support/store-env.ts hands it on as
 * CAIRN_TEST_MONGODB_URI, so no child process inherits it), and a fresh database per test, dropped
 * afterwards (scratch-mongodb.ts). Suites that need MongoDB skip, saying so in their name, when the
 * URI is not set.
 */
import type { TestStore } from '../support/stores.js';
import { openScratchMongoStore } from './scratch-mongodb.js';

export const mongodbUri = process.env.CAIRN_TEST_MONGODB_URI || undefined;

/** A MongoDB store in a fresh database `cairn_test_<random>` (sweeper off); dispose closes it and drops the database. */
export async function openMongodbForTest(now: () => number): Promise<TestStore> {
  if (!mongodbUri) throw new Error('CAIRN_MONGODB_URI is not set');
  return openScratchMongoStore(mongodbUri, 'cairn_test', { now, sweepIntervalMs: 0 });
}
