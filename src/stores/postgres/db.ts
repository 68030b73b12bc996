/**
 * The connection pool and the one way the PostgreSQL backend runs SQL: parameterised statements
 * (`$1`, `$2`, …; values never enter the SQL text) through a bounded `pg` pool, with every driver or
 * server error turned into a StoreError. A database that is down, restarting, out of connections or
 * too slow is a 503 (`store.unavailable`, its cause kept for the server's log); a value PostgreSQL
 * cannot hold (a NUL character in a string, a key too large for an index) is a 400 naming the problem.
 *
 * Why `pg` (node-postgres) rather than `postgres` (porsager): it is the driver most Node services and
 * ORMs run on, its pool has explicit, documented limits (size, wait for a connection, idle and total
 * connection lifetime) and reports idle connections a restart broke as events instead of crashing,
 * errors carry the server's SQLSTATE and constraint name (which the unique-key mapping needs), plain
 * `$n` parameters keep every statement visible as SQL, and it installs without native code.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { StoreError, invalid } from '../errors.js';

export interface PoolLimits {
  /** Connections this process may open (default 10). */
  max: number;
  /** How long a query may wait for a free connection or for a new one to open, in ms (default 5 000). */
  connectTimeoutMs: number;
  /** Server-side limit on one statement, in ms (default 15 000). */
  statementTimeoutMs: number;
}

export const DEFAULT_POOL_LIMITS: PoolLimits = Object.freeze({ max: 10, connectTimeoutMs: 5_000, statementTimeoutMs: 15_000 });

/** What a family of records needs from the database: one statement at a time, or a transaction on one connection. */
export interface Db {
  /** Runs one statement and returns its rows. */
  rows<R extends object>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs `fn` inside BEGIN … COMMIT on one connection (ROLLBACK when it throws). */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Wraps any error the way every store method reports it. */
  fail(e: unknown): StoreError;
  end(): Promise<void>;
}

export interface Tx {
  rows<R extends object>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

// int8 (bigint) columns hold epoch milliseconds and counts, always below 2^53: read them as numbers.
const INT8_OID = 20;
const types = new pg.TypeOverrides();
types.setTypeParser(INT8_OID, (v: string) => Number(v));

const unavailableWith = (cause: unknown): StoreError =>
  new StoreError(503, 'store.unavailable', 'The postgres store is unavailable', undefined, cause);

/**
 * The StoreError for a driver or server error. A string PostgreSQL cannot hold (a NUL or an unpaired
 * surrogate) and an index entry too large (54000) are the caller's input; everything else — connection failures (08), shutdown and restart (57), resources (53),
 * timeouts, unknown — means the store cannot serve now.
 */
export function toStoreError(e: unknown): StoreError {
  if (e instanceof StoreError) return e;
  const code = (e as { code?: unknown })?.code;
  // 22P05 untranslatable character (\u0000 in JSON), 22021 not in the encoding (a NUL byte in text),
  // 22P02 JSON PostgreSQL will not read (an unpaired surrogate escape).
  if (code === '22P05' || code === '22021' || code === '22P02') {
    return invalid('A value holds a character the PostgreSQL store cannot keep (NUL or an unpaired surrogate)');
  }
  if (code === '54000') return invalid('A value is too large for the PostgreSQL store to index');
  return unavailableWith(e);
}

/** The SQLSTATE of a failed statement (also when already wrapped in a StoreError), and the constraint it names. */
export function sqlStateOf(e: unknown): { code?: string; constraint?: string } {
  const source = e instanceof StoreError ? (e as { cause?: unknown }).cause : e;
  const { code, constraint } = (source ?? {}) as { code?: unknown; constraint?: unknown };
  return { ...(typeof code === 'string' ? { code } : {}), ...(typeof constraint === 'string' ? { constraint } : {}) };
}

/** The pool for `uri`, its limits applied; connection errors of idle clients are absorbed (the pool replaces them). */
export function createDb(uri: string, limits: PoolLimits, onIdleError: (e: Error) => void): Db {
  const pool = new pg.Pool({
    connectionString: uri,
    max: limits.max,
    connectionTimeoutMillis: limits.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    // Connections are renewed now and then, so a failover or a connection pooler's rebalancing is picked up.
    maxLifetimeSeconds: 30 * 60,
    statement_timeout: limits.statementTimeoutMs,
    query_timeout: limits.statementTimeoutMs + 5_000,
    idle_in_transaction_session_timeout: limits.statementTimeoutMs,
    application_name: 'cairn',
    keepAlive: true,
    types,
  });
  // A restart or a network cut breaks idle connections: pg reports it here (and drops them). Without a
  // listener the 'error' event would end the process.
  pool.on('error', onIdleError);

  const run = async <R extends object>(client: pg.Pool | pg.PoolClient, sql: string, params: readonly unknown[]): Promise<R[]> => {
    try {
      return (await client.query<R & pg.QueryResultRow>(sql, params as unknown[])).rows;
    } catch (e) {
      throw toStoreError(e);
    }
  };

  const withClient = async <T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (e) {
      throw toStoreError(e);
    }
    let broken: Error | undefined;
    try {
      return await fn(client);
    } catch (e) {
      broken = e instanceof StoreError && e.status === 503 ? e : undefined;
      throw e;
    } finally {
      // A connection that failed is not given back to other callers.
      client.release(broken);
    }
  };

  return {
    rows: (sql, params = []) => run(pool, sql, params),
    async transaction(fn) {
      return withClient(async (client) => {
        await run(client, 'BEGIN', []);
        try {
          const result = await fn({ rows: (sql, params = []) => run(client, sql, params) });
          await run(client, 'COMMIT', []);
          return result;
        } catch (e) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw toStoreError(e);
        }
      });
    },
    fail: toStoreError,
    end: () => pool.end(),
  };
}

/**
 * The form of a key as stored in an indexed column. Keys and subjects may be 1024 characters (up to
 * 4 KiB of UTF-8), more than a B-tree or GIN entry holds; long ones (and any starting with U+0001, so
 * the mapping stays one-to-one) are stored as U+0001 + their SHA-256. They are only ever looked up by
 * equality, never listed, so nothing else changes.
 */
export function storageKey(key: string): string {
  if (Buffer.byteLength(key) <= 512 && !key.startsWith('\u0001')) return key;
  return `\u0001${createHash('sha256').update(key).digest('hex')}`;
}

/** A JSON value as a `$n::jsonb` parameter (pg would send a JavaScript array as a PostgreSQL array). */
export const jsonParam = (value: unknown): string => JSON.stringify(value);
