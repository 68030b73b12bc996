/**
 * Removal of records whose time is up. Every table with a lifetime has a B-tree index on its expiry
 * column; a sweep deletes past-due rows in batches of `DELETE … WHERE key IN (SELECT … ORDER BY expiry
 * LIMIT n FOR UPDATE SKIP LOCKED)`, so sweeps running at once on several instances never wait for each
 * other and never remove a row twice, and a row being written meanwhile is left for the next sweep.
 * The periodic sweep also takes an advisory lock (pg_try_advisory_xact_lock) for each batch, so in a
 * cluster one instance at a time does the work and the others skip their turn. Reads never depend on
 * a sweep: they compare expiry with the clock themselves.
 */
import type { Db, Tx } from './db.js';
import { LOCK_SPACE, SWEEP_LOCK } from './migrations.js';

const BATCH = 500;

/** Each table with a lifetime: its key column(s) and its (indexed) expiry column, epoch ms. */
const EXPIRING = [
  { table: 'cairn_sessions', key: 'id', expiry: 'idle_expires_at' },
  { table: 'cairn_suspended', key: 'id_hash', expiry: 'expires_at' },
  { table: 'cairn_counters', key: 'key', expiry: 'resets_at' },
  { table: 'cairn_kv', key: 'key', expiry: 'expires_at' },
  { table: 'cairn_claims', key: 'expires_at, key', expiry: 'expires_at' },
] as const;

const SWEEP_SQL = EXPIRING.map(
  ({ table, key, expiry }) =>
    `WITH removed AS (
       DELETE FROM ${table} WHERE (${key}) IN (
         SELECT ${key} FROM ${table} WHERE ${expiry} <= $1 ORDER BY ${expiry} LIMIT $2 FOR UPDATE SKIP LOCKED)
       AND ${expiry} <= $1 RETURNING 1)
     SELECT count(*)::bigint AS n FROM removed`,
);

/**
 * Deletes every record past due at `t`, batch by batch; returns how many were removed. `batch` runs
 * one statement and may refuse (return undefined) to stop the sweep early.
 */
async function sweepWith(batch: (sql: string) => Promise<number | undefined>): Promise<number> {
  let total = 0;
  for (const sql of SWEEP_SQL) {
    for (;;) {
      const n = await batch(sql);
      if (n === undefined) return total;
      total += n;
      if (n < BATCH) break;
    }
  }
  return total;
}

/** Deletes every record past due at `t`; returns how many were removed. Safe to run on many instances at once. */
export function sweep(rows: Tx['rows'], t: number): Promise<number> {
  return sweepWith(async (sql) => (await rows<{ n: number }>(sql, [t, BATCH]))[0]?.n ?? 0);
}

/**
 * The periodic sweep: each batch is a short transaction that first takes the sweep lock with
 * pg_try_advisory_xact_lock (transaction-level, so it also holds behind a transaction-pooling proxy
 * such as PgBouncer); an instance that finds it taken leaves the work to the one holding it.
 */
export function sweepIfFirst(db: Db, t: number): Promise<number> {
  return sweepWith((sql) =>
    db.transaction(async (tx) => {
      const [lock] = await tx.rows<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1, $2) AS ok', [LOCK_SPACE, SWEEP_LOCK]);
      if (!lock?.ok) return undefined;
      return (await tx.rows<{ n: number }>(sql, [t, BATCH]))[0]?.n ?? 0;
    }),
  );
}

/** Runs `sweepIfFirst` about every `intervalMs` (±25 %, so instances started together drift apart). */
export function startSweeper(db: Db, now: () => number, intervalMs: number, onError: (e: unknown) => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(
      () => {
        sweepIfFirst(db, now())
          .catch(onError) // the next turn retries
          .finally(schedule);
      },
      intervalMs * (0.75 + Math.random() / 2),
    );
    timer.unref();
  };
  schedule();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
