/**
 * The PostgreSQL store, for several stateless Cairn instances (each with its own worker processes) on
 * one database: opens a bounded pool, checks the server (version 12 or later, UTF-8), migrates the
 * schema and the object indexes once across instances (src/stores/postgres/migrations.ts), and
 * assembles the record families, each one file: objects, sessions, suspensions, counters, claims, kv, sweeper.
 * Tables live in the first schema of the connection's search_path (choose one with
 * `?options=-c%20search_path%3Dcairn` in the URI); the URI never appears in errors or logs.
 */
import { StoreError } from '../errors.js';
import type { Store, UniqueKeys } from '../types.js';
import { createDb, DEFAULT_POOL_LIMITS, type Db, type PoolLimits } from './db.js';
import { postgresClaims } from './claims.js';
import { postgresCounters } from './counters.js';
import { postgresKv } from './kv.js';
import { migrate } from './migrations.js';
import { postgresObjects } from './objects.js';
import { postgresSessions } from './sessions.js';
import { startSweeper, sweep } from './sweeper.js';
import { postgresSuspensions } from './suspensions.js';

export interface PostgresStoreOptions {
  uri: string;
  now: () => number;
  uniqueKeys: UniqueKeys;
  /** Per resource, the fields to index for `eq` lookups (the schema's searchable properties). */
  searchable: Readonly<Record<string, readonly string[]>>;
  sweepIntervalMs: number;
  pool?: Partial<PoolLimits>;
  /** Operational notes: migrations applied, indexes changed, connections lost (never the URI). */
  log: (line: string) => void;
}

const MIN_SERVER_VERSION = 120000;

/** Why the store could not open, for the operator's console: the server's or driver's reason, never the URI. */
function openFailure(e: unknown): StoreError {
  const source = e instanceof StoreError ? ((e as { cause?: unknown }).cause ?? e) : e;
  const reason = source instanceof Error ? source.message : String(source);
  return new StoreError(503, 'store.unavailable', `The postgres store cannot be opened: ${reason}`, undefined, e);
}

async function checkServer(db: Db, log: (line: string) => void): Promise<void> {
  const [server] = await db.rows<{ version: string; encoding: string; folds: boolean }>(
    `SELECT current_setting('server_version_num') AS version, current_setting('server_encoding') AS encoding, lower('ÀÉÎ') = 'àéî' AS folds`,
  );
  if (!server || Number(server.version) < MIN_SERVER_VERSION) throw new Error('PostgreSQL 12 or later is required');
  if (server.encoding !== 'UTF8') throw new Error(`the database encoding is ${server.encoding}; Cairn needs a UTF8 database`);
  if (!server.folds) {
    log(
      'postgres: the database lower-cases only ASCII letters (LC_CTYPE C); _queryFilter eq/co/sw compare other letters case-sensitively. Create the database with a UTF-8 locale (e.g. C.UTF-8) to fix this.',
    );
  }
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const { now, uniqueKeys, log } = options;
  const limits: PoolLimits = { ...DEFAULT_POOL_LIMITS, ...options.pool };
  let lastIdleError = 0;
  const db = createDb(options.uri, limits, (e) => {
    // Once a minute at most: a database restart breaks every idle connection at once.
    if (now() - lastIdleError < 60_000) return;
    lastIdleError = now();
    log(`postgres: an idle connection was lost (${e.message}); new ones are opened as needed`);
  });
  try {
    await checkServer(db, log);
    const report = await migrate((fn) => db.transaction(fn), { uniqueKeys, searchable: options.searchable });
    if (report.applied.length > 0) log(`postgres: applied schema migration(s) ${report.applied.join(', ')}`);
    for (const c of report.created) log(`postgres: created the ${c} index`);
    for (const d of report.dropped) log(`postgres: dropped the ${d} index (no longer declared)`);
  } catch (e) {
    await db.end().catch(() => undefined);
    throw openFailure(e);
  }

  const stopSweeper =
    options.sweepIntervalMs > 0
      ? startSweeper(db, now, options.sweepIntervalMs, (e) => log(`postgres: sweep failed (${(e as Error).message}); the next one retries`))
      : () => undefined;
  let closed = false;

  return {
    backend: 'postgres',
    objects: postgresObjects(db, uniqueKeys),
    sessions: postgresSessions(db, now),
    suspended: postgresSuspensions(db, now),
    counters: postgresCounters(db, now),
    claims: postgresClaims(db, now),
    kv: postgresKv(db, now),
    purgeExpired: () => sweep(db.rows, now()),
    async health() {
      if (closed) return { backend: 'postgres', ok: false };
      try {
        await db.rows('SELECT 1');
        return { backend: 'postgres', ok: true };
      } catch {
        return { backend: 'postgres', ok: false };
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      stopSweeper();
      await db.end();
    },
  };
}
