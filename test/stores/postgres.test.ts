/**
 * The store contract on PostgreSQL, each test in its own schema (dropped afterwards), plus what only
 * this backend has: migrations that run once when instances start together, the unique and search
 * indexes the queries use, filters meaning what the in-process evaluator says, sweeps racing on two
 * instances, bad URIs refused with a sentence. These run only when CAIRN_POSTGRES_URI is set (else
 * they are reported as skipped); the settings checks and an unreachable server's refusal run always.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeSettings, loadSettings, type SettingsError } from '../../src/config/settings.js';
import { matchesFilter, parseQueryFilter } from '../../src/crest/query-filter.js';
import { isStoreError, openStore, type OpenStoreOptions, type Store } from '../../src/stores/index.js';
import { Params, compileFilter } from '../../src/stores/postgres/filter.js';
import { MIGRATIONS, objectIndexName } from '../../src/stores/postgres/migrations.js';
import { FIND_UNIQUE_SQL } from '../../src/stores/postgres/objects.js';
import { deadPort } from '../support/smtp-peer.js';
import { createTestSchema, openPostgresForTest, postgresUri, type TestSchema } from './postgres-support.js';
import { runStoreContract } from './contract.js';

runStoreContract(postgresUri ? 'postgres backend' : 'postgres backend (skipped: set CAIRN_POSTGRES_URI)', openPostgresForTest, {
  skip: !postgresUri,
});

const run = postgresUri ? describe : describe.skip;
const T0 = 1_700_000_000_000;

/** Opens a store on `schema` (the default unique keys unless given). */
function openOn(schema: TestSchema, options: Partial<OpenStoreOptions> = {}): Promise<Store> {
  return openStore({ dataDir: '/nonexistent-unused', postgresUri: schema.uri, sweepIntervalMs: 0, ...options });
}

async function withClient<T>(schema: TestSchema, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: schema.uri });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** The index names an EXPLAIN of `sql` mentions, with sequential scans discouraged so any usable index shows. */
async function indexesUsed(schema: TestSchema, sql: string, params: unknown[]): Promise<string[]> {
  return withClient(schema, async (c) => {
    await c.query('SET enable_seqscan = off');
    const r = await c.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
    return [...JSON.stringify(r.rows[0]?.['QUERY PLAN']).matchAll(/"Index Name":"([^"]+)"/g)].map((m) => m[1] as string);
  });
}

run(postgresUri ? 'postgres backend: what only it has' : 'postgres backend: what only it has (skipped: set CAIRN_POSTGRES_URI)', () => {
  let schema: TestSchema;
  const opened: Store[] = [];
  beforeEach(async () => {
    schema = await createTestSchema();
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    await schema.drop();
  });
  const open = async (options: Partial<OpenStoreOptions> = {}): Promise<Store> => {
    const s = await openOn(schema, options);
    opened.push(s);
    return s;
  };

  it('migrates once when four instances open a new schema at the same time', async () => {
    const stores = await Promise.all(Array.from({ length: 4 }, () => open({ searchableFields: { 'managed/user': ['givenName'] } })));
    expect(stores.map((s) => s.backend)).toEqual(['postgres', 'postgres', 'postgres', 'postgres']);
    await withClient(schema, async (c) => {
      const versions = await c.query('SELECT version FROM cairn_schema_migrations ORDER BY version');
      expect(versions.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      const indexes = await c.query('SELECT kind, field FROM cairn_object_indexes ORDER BY kind, field');
      expect(indexes.rows).toEqual([
        { kind: 'search', field: 'givenName' },
        { kind: 'unique', field: 'mail' },
        { kind: 'unique', field: 'userName' },
      ]);
    });
    // One instance's writes are the others' reads.
    const [a, b] = stores as [Store, Store];
    const u = await a.objects.create('managed/user', { userName: 'shared', mail: 'shared@example.com' });
    expect(await b.objects.read('managed/user', u._id)).toEqual(u);
    await expect(b.objects.create('managed/user', { userName: 'SHARED' })).rejects.toMatchObject({ code: 'store.unique_constraint' });
  });

  it('answers unique lookups and eq filters on searchable fields from indexes', async () => {
    const store = await open({ searchableFields: { 'managed/user': ['givenName', 'address/city'] } });
    await store.objects.create('managed/user', { userName: 'bjensen', mail: 'b@example.com', givenName: 'Barbara', address: [{ city: 'Oslo' }] });
    // Enough other users that the planner prefers an index to reading the table.
    await withClient(schema, async (c) => {
      await c.query(`INSERT INTO cairn_objects (resource, id, rev, doc, unique_keys)
        SELECT 'managed/user', 'u' || g, 'r', jsonb_build_object('_id', 'u' || g, 'givenName', 'n' || g, 'address', jsonb_build_array(jsonb_build_object('city', 'c' || g))),
          jsonb_build_object('userName', 'u' || g) FROM generate_series(1, 5000) AS g`);
      await c.query('ANALYZE cairn_objects');
    });
    const unique = await indexesUsed(schema, FIND_UNIQUE_SQL, ['managed/user', 'userName', 'bjensen']);
    expect(unique).toContain(objectIndexName('unique', 'managed/user', 'userName'));
    for (const [filter, field] of [
      ['givenName eq "BARBARA"', 'givenName'],
      ['/address/city eq "oslo"', 'address/city'],
    ] as const) {
      const params = new Params(['managed/user']);
      const where = compileFilter(parseQueryFilter(filter), params);
      const used = await indexesUsed(schema, `SELECT doc FROM cairn_objects WHERE resource = $1 AND ${where}`, params.values);
      expect(used, filter).toContain(objectIndexName('search', 'managed/user', field));
      expect((await store.objects.query('managed/user', parseQueryFilter(filter))).result.map((o) => o.userName)).toEqual(['bjensen']);
    }
  });

  it('declares a field unique over existing objects (backfilled), refuses when they clash, and drops it when undeclared', async () => {
    const userNameOnly = { uniqueKeys: { 'managed/user': ['userName'] } };
    const first = await open(userNameOnly);
    const a = await first.objects.create('managed/user', { userName: 'a', mail: 'Same@Example.com' });
    const b = await first.objects.create('managed/user', { userName: 'b', mail: 'same@example.COM' });
    await expect(open()).rejects.toMatchObject({ code: 'store.unavailable', message: expect.stringMatching(/already share a mail value/) });
    await first.objects.patch('managed/user', b._id, { set: { mail: 'other@example.com' } });
    const both = await open();
    expect((await both.objects.findUnique('managed/user', 'mail', 'SAME@example.com'))?._id).toBe(a._id);
    await expect(both.objects.create('managed/user', { userName: 'c', mail: 'OTHER@example.com' })).rejects.toMatchObject({
      code: 'store.unique_constraint',
      detail: { field: 'mail' },
    });
    const again = await open(userNameOnly);
    await again.objects.create('managed/user', { userName: 'c', mail: 'other@example.com' });
  });

  it('means what the in-process evaluator means, filter by filter', async () => {
    const store = await open({ uniqueKeys: {}, searchableFields: { 'managed/thing': ['userName', 'roles', 'addresses/city'] } });
    const things: Record<string, Record<string, unknown>> = {
      alice: {
        userName: 'alice',
        givenName: 'Alice',
        mail: 'alice@example.com',
        age: 30,
        score: 1.5,
        preferences: { marketing: true, updates: true },
        roles: ['admin', 'user'],
        addresses: [{ city: 'Paris' }, { city: 'Lyon', zip: '69001' }],
      },
      bob: { userName: 'Bob', mail: 'a.b+c@x.io', age: 17, preferences: { marketing: false, updates: true }, roles: ['user'], manager: null },
      carol: { userName: 'carol', givenName: 'Carol', age: '42', preferences: { updates: false }, sn: 'ÉMILE' },
      dave: { userName: 'dave', preferences: null, nested: [null, [1, [2]], { b: null }], v: 'a.b*c+d?e^f$g{h}i(j)k|l[m]n\\o%_' },
      erin: { userName: 'erin', age: 30.0, tags: [], flags: [true, false], '0': 'zero', deep: { list: [{ x: [{ y: 'Y' }] }] } },
    };
    const ids: Record<string, string> = {};
    for (const [name, thing] of Object.entries(things)) ids[(await store.objects.create('managed/thing', { _id: name, ...thing }))._id] = name;
    const filters = [
      'true',
      'false',
      '!true',
      'userName eq "ALICE"',
      'userName eq "ali"',
      'mail co "EXAMPLE"',
      'mail co ".b+"',
      'mail co "a*"',
      'mail sw "Alice@"',
      'mail sw ""',
      'mail co ""',
      'mail eq ""',
      '/age ge 18',
      '/age lt 18',
      '/age le 30 and /age gt 17',
      '/age eq 30',
      '/age eq "30"',
      '/age eq "42"',
      '/age gt "4"',
      '/score gt 1.25',
      'userName lt "b"',
      'userName ge "Bob"',
      'userName gt "b\\u0000z"',
      'userName le "b\\u0000z"',
      'userName eq "b\\u0000"',
      '/preferences/marketing eq false',
      '/preferences/marketing eq "false"',
      '/preferences pr',
      '/preferences eq null',
      '/preferences/marketing pr',
      '!(/preferences/marketing pr)',
      '!(/preferences pr) or /preferences/marketing eq false or /preferences/updates eq false',
      '/manager eq null',
      '/manager pr',
      '/givenName eq null',
      'roles eq "ADMIN"',
      'roles eq "user"',
      'roles sw "adm"',
      '/roles/1 eq "user"',
      '/roles/01 eq "user"',
      '/roles/9999999999 pr',
      '/addresses/city eq "lyon"',
      '/addresses/city co "ari"',
      '/addresses/0/city eq "Lyon"',
      '/addresses/1/city eq "Lyon"',
      '/addresses/zip pr',
      '/addresses/zip eq null',
      '/addresses pr',
      '/userName/first eq "a"',
      '/nested eq 1',
      '/nested/1/0 eq 1',
      '/nested/b eq null',
      '/nested/b pr',
      '/nested pr',
      '/tags pr',
      '/tags eq null',
      '/flags eq false',
      '/flags eq true',
      '/0 eq "ZERO"',
      '/deep/list/x/y eq "y"',
      '/sn eq "émile"',
      '/v eq "a.b*c+d?e^f$g{h}i(j)k|l[m]n\\\\o%_"',
      '/v co "%_"',
      '/v co "*c+d?"',
      'userName eq "alice" or userName eq "carol" and /age eq "42"',
      '(userName eq "alice" or userName eq "carol") and /age eq "42"',
    ];
    for (const text of filters) {
      const filter = parseQueryFilter(text);
      const expected = Object.entries(things)
        .filter(([name, thing]) => matchesFilter(filter, { _id: name, _rev: 'r', ...thing }))
        .map(([name]) => name)
        .sort();
      const page = await store.objects.query('managed/thing', filter, { sortKeys: ['_id'] });
      expect(
        page.result.map((o) => ids[o._id]),
        text,
      ).toEqual(expected);
    }
  });

  it('sorts as the shared value order says: missing < numbers < strings < objects < arrays < booleans', async () => {
    const store = await open({ uniqueKeys: {} });
    const values: [string, unknown][] = [
      ['s-b', 'b'],
      ['t', true],
      ['n10', 10],
      ['missing', undefined],
      ['s-B', 'B'],
      ['n-1', -1.5],
      ['o', { a: 1 }],
      ['null', null],
      ['f', false],
      ['arr', [1]],
      ['n2', 2],
    ];
    for (const [id, v] of values) await store.objects.create('managed/thing', { _id: id, ...(v === undefined ? {} : { v }) });
    const asc = (await store.objects.query('managed/thing', parseQueryFilter('true'), { sortKeys: ['v'] })).result.map((o) => o._id);
    expect(asc).toEqual(['missing', 'null', 'n-1', 'n2', 'n10', 's-B', 's-b', 'o', 'arr', 'f', 't']);
    const desc = (await store.objects.query('managed/thing', parseQueryFilter('true'), { sortKeys: ['-v'] })).result.map((o) => o._id);
    expect(desc).toEqual(['t', 'f', 'arr', 'o', 's-b', 's-B', 'n10', 'n2', 'n-1', 'missing', 'null']);
  });

  it('sweeps on two instances at once without waiting for or double-counting each other', async () => {
    let clock = T0;
    const [a, b] = await Promise.all([open({ now: () => clock }), open({ now: () => clock })]);
    for (let i = 0; i < 1200; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => a.kv.set(`k${i + j}`, i, { expiresAt: T0 + 1000 })));
    for (let i = 0; i < 300; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => a.counters.increment(`c${i + j}`, 1000)));
    await a.kv.set('forever', 1);
    clock += 1000;
    const removed = await Promise.all([a.purgeExpired(), b.purgeExpired(), a.purgeExpired()]);
    expect(removed.reduce((x, y) => x + y, 0)).toBe(1500);
    expect(await b.purgeExpired()).toBe(0);
    expect((await b.kv.get('forever'))?.value).toBe(1);
  });

  it('sweeps on its timer, one instance at a time, until nothing past due is left', async () => {
    let clock = T0;
    const [a] = await Promise.all([open({ now: () => clock, sweepIntervalMs: 20 }), open({ now: () => clock, sweepIntervalMs: 20 })]);
    for (let i = 0; i < 700; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => a.kv.set(`t${i + j}`, 1, { expiresAt: T0 + 1 })));
    clock += 1;
    const left = async (): Promise<number> =>
      withClient(schema, async (c) => Number((await c.query('SELECT count(*) AS n FROM cairn_kv')).rows[0]?.n));
    for (let n = await left(); n > 0; n = await left()) await new Promise((r) => setTimeout(r, 20));
    expect(await a.purgeExpired()).toBe(0);
  });

  it('keeps to its pool size: a role allowed 2 connections serves 50 concurrent writes', async () => {
    const role = `cairn_pool_${schema.name.slice(-12)}`;
    await withClient(schema, async (c) => {
      await c.query(`CREATE ROLE ${role} LOGIN CONNECTION LIMIT 2`);
      await c.query(`GRANT USAGE, CREATE ON SCHEMA ${schema.name} TO ${role}`);
    });
    try {
      const u = new URL(schema.uri);
      u.username = role;
      const store = await openStore({ dataDir: '/unused', postgresUri: u.toString(), postgresPoolMax: 2, sweepIntervalMs: 0 });
      opened.push(store);
      const counts = await Promise.all(Array.from({ length: 50 }, () => store.counters.increment('pooled', 60_000)));
      expect([...counts].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      await store.close();
    } finally {
      await withClient(schema, async (c) => {
        await c.query(`DROP OWNED BY ${role}`);
        await c.query(`DROP ROLE ${role}`);
      });
    }
  });

  it('keeps keys and subjects longer than an index entry (1024 three-byte characters)', async () => {
    const store = await open();
    const long = '€'.repeat(1024);
    const other = '€'.repeat(1023) + '£';
    await store.kv.set(long, 'long');
    expect((await store.kv.get(long))?.value).toBe('long');
    expect(await store.kv.get(other)).toBeUndefined();
    expect(await store.counters.increment(long, 60_000)).toBe(1);
    expect(await store.counters.get(other)).toBe(0);
    await store.suspended.put(long, { a: 1 }, Date.now() + 60_000, { subject: long, scope: long });
    await store.sessions.create('s1', { subjects: [long], data: {}, idleTimeoutMs: 60_000, maxLifetimeMs: 60_000 });
    expect((await store.sessions.listBySubject(long)).map((s) => s.subjects)).toEqual([[long]]);
    expect(await store.suspended.deleteBySubject(long, long)).toBe(1);
  });

  it('refuses values PostgreSQL cannot hold with a 400 and matches nothing with them', async () => {
    const store = await open();
    await expect(store.objects.create('managed/user', { userName: 'nul', sn: 'a\u0000b' })).rejects.toMatchObject({
      code: 'store.invalid',
      status: 400,
    });
    await expect(store.kv.set('k', 'a\u0000')).rejects.toMatchObject({ code: 'store.invalid' });
    await expect(store.kv.set('k', 'half a pair \ud800')).rejects.toMatchObject({ code: 'store.invalid' });
    expect((await store.objects.query('managed/user', { op: 'eq', field: ['sn'], value: 'a\u0000b' })).result).toEqual([]);
  });

  it('reports an unreachable server as unavailable, with the reason and without the password', async () => {
    const port = await deadPort();
    const failure = await openStore({ dataDir: '/unused', postgresUri: `postgres://cairn:s3cret-pw@127.0.0.1:${port}/cairn` }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isStoreError(failure, 'store.unavailable')).toBe(true);
    expect((failure as Error).message).toMatch(/cannot be opened: .*ECONNREFUSED/);
    expect((failure as Error).message).not.toContain('s3cret-pw');
    await expect(openStore({ dataDir: '/unused', postgresUri: 'mysql://x' })).rejects.toThrow(/postgres:\/\//);
  });
});

describe('configuring PostgreSQL', () => {
  it("keeps the test server's URI from processes the tests start", () => {
    // test/support/store-env.ts moved it: a `cairn` command started with {...process.env} uses its own store.
    expect(process.env.CAIRN_POSTGRES_URI).toBeUndefined();
  });

  it('checks the URI, the pool size and the key-encryption keys, naming each variable', () => {
    const problems = (env: Record<string, string>): string[] => {
      try {
        loadSettings({ CAIRN_DATA_DIR: '/tmp/unused', ...env });
        return [];
      } catch (e) {
        return (e as SettingsError).problems;
      }
    };
    expect(problems({ CAIRN_POSTGRES_URI: 'mysql://db/cairn' })).toEqual(['CAIRN_POSTGRES_URI must start with postgres:// or postgresql://.']);
    expect(problems({ CAIRN_POSTGRES_URI: 'postgres://db/cairn', CAIRN_MONGODB_URI: 'mongodb://db/cairn' })).toEqual([
      'CAIRN_POSTGRES_URI and CAIRN_MONGODB_URI are both set; choose one store.',
    ]);
    expect(problems({ CAIRN_POSTGRES_POOL_MAX: '0' })[0]).toMatch(/^CAIRN_POSTGRES_POOL_MAX must be >= 1/);
    expect(problems({ CAIRN_KEY_ENCRYPTION_KEY: 'short' })).toEqual([
      'CAIRN_KEY_ENCRYPTION_KEY must be at least 32 characters long (e.g. `openssl rand -base64 32`).',
    ]);
    expect(problems({ CAIRN_KEY_ENCRYPTION_KEY_PREVIOUS: 'x'.repeat(32) })).toEqual([
      'CAIRN_KEY_ENCRYPTION_KEY_PREVIOUS is set without CAIRN_KEY_ENCRYPTION_KEY.',
    ]);
    const ok = loadSettings({
      CAIRN_DATA_DIR: '/tmp/unused',
      CAIRN_POSTGRES_URI: 'postgresql://u:p@db/cairn',
      CAIRN_KEY_ENCRYPTION_KEY: 'k'.repeat(32),
    });
    expect(ok.postgresPoolMax).toBe(10);
    const shown = describeSettings(ok);
    expect(shown.find((s) => s.name === 'postgresUri')?.value).toBe('********');
    expect(shown.find((s) => s.name === 'keyEncryptionKey')?.value).toBe('********');
  });

  it('stops `cairn serve` with a sentence, not a stack, when the database cannot be reached', async () => {
    const port = await deadPort();
    const dataDir = await mkdtemp(join(tmpdir(), 'cairn-pg-down-'));
    try {
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [join(import.meta.dirname, '..', '..', 'bin', 'cairn.js'), 'serve', '--workers', '1'],
          {
            env: {
              PATH: process.env.PATH,
              CAIRN_DATA_DIR: dataDir,
              PORT: '0',
              CAIRN_HOST: '127.0.0.1',
              CAIRN_POSTGRES_URI: `postgres://cairn:pw-not-shown@127.0.0.1:${port}/cairn`,
              CAIRN_LOG_LEVEL: 'silent',
            },
          },
          (error, _stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr }),
        );
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^cairn serve: The postgres store cannot be opened: .*ECONNREFUSED/m);
      expect(r.stderr).not.toContain('pw-not-shown');
      expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
