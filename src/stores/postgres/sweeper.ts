/**
 * Removal of records whose time is up. Every table with a lifetime has a B-tree index on its expiry
 * column; a sweep deletes past-due rows in batches of `DELETE … WHERE key IN (SELECT … ORDER BY expiry
 * LIMIT n FOR UPDATE SKIP LOCKED)`, so sweeps running at once on several instances never wait for each
 * other and never remove a row twice, and a row being written meanwhile is left for the next sweep.
 * The periodic sweep also takes a session-level advisory lock with pg_try_advisory_lock, so in a
 * cluster one instance at a time does the work and the others skip their turn. Reads never depend on
 * a sweep: they compare expiry with the clock themselves.
 */
import type { Db, Tx } from './db.js';
import { LOCK_SPACE, SWEEP_LOCK } from './migrations.js';

const BATCH = 500;

/** Each table with a lifetime: its key column and its (indexed) expiry column, epoch ms. */
const EXPIRING = [
  { table: 'cairn_sessions', key: 'id', expiry: 'idle_expires_at' },
  { table: 'cairn_suspended', key: 'id_hash', expiry: 'expires_at' },
  { table: 'cairn_counters', key: 'key', expiry: 'resets_at' },
  { table: 'cairn_kv', key: 'key', expiry: 'expires_at' },
] as const;

const SWEEP_SQL = EXPIRING.map(
  ({ table, key, expiry }) =>
    `WITH removed AS (
       DELETE FROM ${table} WHERE ${key} IN (
         SELECT ${key} FROM ${table} WHERE ${expiry} <= $1 ORDER BY ${expiry} LIMIT $2 FOR UPDATE SKIP LOCKED)
       AND ${expiry} <= $1 RETURNING 1)
     SELECT count(*)::bigint AS n FROM removed`,
);

/** Deletes every record past due at `t`; returns how many were removed. */
export async function sweep(rows: Tx['rows'], t: number): Promise<number> {
  let total = 0;
  for (const sql of SWEEP_SQL) {
    for (;;) {
      const [row] = await rows<{ n: number }>(sql, [t, BATCH]);
      const n = row?.n ?? 0;
      total += n;
      if (n < BATCH) break;
    }
  }
  return total;
}

/** The periodic sweep: only the instance holding the sweep lock works; the others return 0. */
export async function sweepIfFirst(db: Db, t: number): Promise<number> {
  return db.session(async (tx) => {
    const [lock] = await tx.rows<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [LOCK_SPACE, SWEEP_LOCK]);
    if (!lock?.ok) return 0;
    try {
      return await sweep(tx.rows, t);
    } finally {
      await tx.rows('SELECT pg_advisory_unlock($1, $2)', [LOCK_SPACE, SWEEP_LOCK]);
    }
  });
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
