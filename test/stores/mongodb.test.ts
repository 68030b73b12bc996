/**
 * The store contract on MongoDB. It runs only when CAIRN_MONGODB_URI names a reachable server (each
 * test in its own database, dropped afterwards); otherwise the whole suite is reported as skipped.
 */
import { mongodbUri, openMongodbForTest } from './mongodb-support.js';
import { runStoreContract } from './contract.js';

runStoreContract(mongodbUri ? 'mongodb backend' : 'mongodb backend (skipped: set CAIRN_MONGODB_URI)', openMongodbForTest, { skip: !mongodbUri });
