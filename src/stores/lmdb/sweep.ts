/**
 * The expiry sweep: walks each environment's time-ordered expiry index up to "now" in batches of
 * SWEEP_BATCH (one write transaction each, so a sweep never holds the writer lock for long) and asks
 * the record's family to remove it if it is still past due (a touch or rewrite may have moved it).
 * Runs on demand (`purgeExpired`) and every `intervalMs` when that is above 0.
 */
import type { Database } from 'lmdb';
import { END, SEP, pad, type Expire, type ExpiryKind, type LmdbEnvironment, type Transaction } from './environment.js';

const SWEEP_BATCH = 500;

export interface LmdbSweeper {
  /** Removes every past-due record; returns how many. */
  purgeExpired(): Promise<number>;
  /** Stops the periodic sweep. */
  stop(): void;
}

export function lmdbSweeper(env: LmdbEnvironment, expire: Readonly<Record<ExpiryKind, Expire>>, intervalMs: number): LmdbSweeper {
  const { now } = env;

  /** Deletes one batch of past-due records of one environment; returns how many index entries it handled. */
  const sweepBatch = (expiry: Database<1, string>, run: Transaction): { handled: number; removed: number } =>
    run(() => {
      const t = now();
      const due = [...expiry.getKeys({ end: pad(t) + END, limit: SWEEP_BATCH })];
      let removed = 0;
      for (const k of due) {
        expiry.removeSync(k);
        const [, kind = '', key = ''] = k.split(SEP);
        const family = Object.hasOwn(expire, kind) ? expire[kind as ExpiryKind] : undefined;
        if (family?.(key, t)) removed++;
      }
      return { handled: due.length, removed };
    });

  const purgeExpired = async (): Promise<number> => {
    let total = 0;
    for (const [expiry, run] of [
      [env.durableExpiry, env.write],
      [env.volatileExpiry, env.volatileWrite],
    ] as const) {
      for (;;) {
        const { handled, removed } = sweepBatch(expiry, run);
        total += removed;
        if (handled < SWEEP_BATCH) break;
      }
    }
    return total;
  };

  let stopped = false;
  const timer =
    intervalMs > 0
      ? setInterval(() => {
          if (!stopped) purgeExpired().catch(() => undefined); // best effort; the next run retries
        }, intervalMs)
      : undefined;
  timer?.unref();

  return {
    purgeExpired,
    stop() {
      stopped = true;
      if (timer) clearInterval(timer);
    },
  };
}
