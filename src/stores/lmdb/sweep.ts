/**
 * The expiry sweep: walks each environment's time-ordered expiry index up to "now" in batches of
 * SWEEP_BATCH (one write transaction each, so a sweep never holds the writer lock for long) and asks
 * the record's family to remove it if it is still past due (a touch or rewrite may have moved it).
 * Between batches it yields to the event loop: a busy server expires a minute's worth of step claims
 * at once (60,000 at 1,000 steps/s, about half a second of work), and requests are answered in between
 * instead of waiting for all of it. Runs on demand (`purgeExpired`) and every `intervalMs` when that is
 * above 0; one sweep at a time per process.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Database } from 'lmdb';
import type { SweepClaims } from './claims.js';
import { END, SEP, pad, type Expire, type ExpiryKind, type LmdbEnvironment, type Transaction } from './environment.js';

/** Records per write transaction: about a millisecond of work, the longest a request waits for the sweep. */
const SWEEP_BATCH = 100;

export interface LmdbSweeper {
  /** Removes every past-due record (after any sweep already running); returns how many it removed. */
  purgeExpired(): Promise<number>;
  /** Stops the periodic sweep; resolves once a sweep in progress has finished its current batch. */
  stop(): Promise<void>;
}

export function lmdbSweeper(
  env: LmdbEnvironment,
  expire: Readonly<Record<ExpiryKind, Expire>>,
  sweepClaims: SweepClaims,
  intervalMs: number,
): LmdbSweeper {
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

  let stopped = false;
  let running: Promise<number> = Promise.resolve(0);

  /** One batch of each thing the sweep walks: the two expiry indexes, and the claims (their own time-ordered index, claims.ts). */
  const batches: readonly (() => { handled: number; removed: number })[] = [
    () => sweepBatch(env.durableExpiry, env.write),
    () => sweepBatch(env.volatileExpiry, env.volatileWrite),
    () => {
      const removed = env.volatileWrite(() => sweepClaims(now(), SWEEP_BATCH));
      return { handled: removed, removed };
    },
  ];

  const sweep = async (): Promise<number> => {
    let total = 0;
    for (const batch of batches) {
      for (;;) {
        if (stopped) return total;
        const { handled, removed } = batch();
        total += removed;
        if (handled < SWEEP_BATCH) break;
        await yieldToEventLoop();
      }
    }
    return total;
  };

  /** Runs a sweep once the one in progress (if any) has finished; sweeps never overlap within a process. */
  const purgeExpired = (): Promise<number> => {
    const next = running.catch(() => 0).then(sweep);
    running = next;
    return next;
  };

  let pending = false;
  const timer =
    intervalMs > 0
      ? setInterval(() => {
          // A timer tick while its previous sweep still runs adds nothing: that sweep reaches "now" anyway.
          if (stopped || pending) return;
          pending = true;
          purgeExpired()
            .catch(() => undefined) // best effort; the next run retries
            .finally(() => (pending = false));
        }, intervalMs)
      : undefined;
  timer?.unref();

  return {
    purgeExpired,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running.catch(() => undefined);
    },
  };
}
