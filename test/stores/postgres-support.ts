/**
 * PostgreSQL for tests: the server named by CAIRN_POSTGRES_URI (.ci/run starts a throwaway cluster
 * and exports it; test/support/store-env.ts hands it on as CAIRN_TEST_POSTGRES_URI, so no child
 * process inherits it), and a private schema per test so tests never share tables or touch real data.
 * Suites that need PostgreSQL skip, saying so in their name, when the URI is not set.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore } from '../../src/stores/index.js';
import type { TestStore } from '../support/stores.js';

export const postgresUri = process.env.CAIRN_TEST_POSTGRES_URI || undefined;

/** The base URI with its search_path set to `schema` (where the store creates its tables). */
export function uriWithSchema(base: string, schema: string): string {
  const u = new URL(base);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

export interface TestSchema {
  name: string;
  /** CAIRN_POSTGRES_URI pointing into the schema. */
  uri: string;
  drop(): Promise<void>;
}

/** Creates an empty schema `cairn_test_<random>` on the test server. */
export async function createTestSchema(base = postgresUri): Promise<TestSchema> {
  if (!base) throw new Error('CAIRN_POSTGRES_URI is not set');
  const name = `cairn_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${name}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    uri: uriWithSchema(base, name),
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A PostgreSQL store in a fresh schema (sweeper off); dispose closes it and drops the schema. */
export async function openPostgresForTest(now: () => number): Promise<TestStore> {
  const schema = await createTestSchema();
  const store = await openStore({ dataDir: '/nonexistent-unused', postgresUri: schema.uri, now, sweepIntervalMs: 0 });
  return {
    store,
    async dispose() {
      await store.close();
      await schema.drop();
    },
  };
}
