/**
 * The store contract on MongoDB. It runs only when CAIRN_MONGODB_URI names a reachable server (each
 * test in its own database, dropped afterwards); otherwise the whole suite is reported as skipped.
 */
import { runStoreContract } from './contract.js';
import { openScratchMongoStore } from './scratch-mongodb.js';

// CAIRN_MONGODB_URI, handed on by test/support/store-env.ts.
const uri = process.env.CAIRN_TEST_MONGODB_URI;

runStoreContract(
  uri ? 'mongodb backend' : 'mongodb backend (skipped: set CAIRN_MONGODB_URI)',
  (now) => openScratchMongoStore(uri as string, 'cairn_test', { now }),
  { skip: !uri },
);
