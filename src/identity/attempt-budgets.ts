/**
 * Attempt budgets: how many secret checks (password guesses, administrator credentials) one subject
 * (an account, a device, a client address, an administrator name) may have evaluated, kept in the
 * store's counters so that every process and instance shares them exactly.
 *
 * A budget allows `max` evaluations that are *failures or still in flight* per window; correct
 * answers give their place back. Each check takes a numbered ticket (`t`, one atomic increment) and
 * may be evaluated once `t − returned ≤ allowed`: the first `allowed` go at once, later ones wait
 * (polling, less often the further back in line they are) until a correct answer returns its ticket,
 * and are refused as soon as the window's failures reach the allowance. A waiting check waits as
 * long as the line moves — however long the line, on however busy a machine — and gives up only
 * when nothing has settled for `stallMs` (a process that died holding tickets) or after `maxWaitMs`
 * in all. So any number of parallel correct passwords are all evaluated (in turns), while 50
 * parallel wrong ones evaluate at most `allowed` — tickets are only ever admitted below
 * `allowed + returned`, whatever the interleaving across processes.
 *
 * Windows are aligned on multiples of `windowMs` (every counter of a window is named after it) and
 * expire on their own: nothing is ever locked for longer than a window. The allowance is
 * progressive: failures (and refusals) in the last `historyMs` shrink it — `max`, then `max/2`, then
 * 1 per window — and a correct answer clears that history. Every check does the same store work
 * whether it is evaluated, refused or fails, so the cost of an answer tells nothing.
 */
import type { CounterPort } from './ports.js';

export interface Budget {
  /** Store key prefix naming the subject, e.g. `login:account:…`; never a raw identifier. */
  key: string;
  /** Evaluations allowed per window with a clean history. */
  max: number;
}

export interface AttemptBudgetOptions {
  counters: CounterPort;
  /** Length of a window (aligned on its multiples). */
  windowMs: number;
  /** How far back failures shrink the allowance. Default 24 hours. */
  historyMs?: number;
  /** How long a waiting check waits for the line to move (a check to settle) before it is refused. Default 10 s. */
  stallMs?: number;
  /** Longest wait for a turn in all before a check is refused. Default 60 s. */
  maxWaitMs?: number;
  now: () => number;
  /** For tests: how a waiting check pauses. */
  sleep?: (ms: number) => Promise<void>;
}

export type Settlement = 'success' | 'failure';

export interface Ticket {
  /** True when every budget admitted the check: evaluate it, then settle. */
  readonly admitted: boolean;
  /** Milliseconds until the window of the budget that refused ends (0 when admitted). */
  readonly retryAfterMs: number;
  /**
   * Settles the check under every budget, once: `success` gives the tickets back and clears the
   * history; `failure` (also for a refused check) counts against each. Resolves to the number of
   * failures in the first budget's window, this one included (0 on success).
   */
  settle(outcome: Settlement): Promise<number>;
}

export interface AttemptBudgets {
  /**
   * Takes a ticket under each budget, in order; a later budget is only waited for once the earlier
   * ones admitted. A refused check still takes (and settles) a ticket under every budget.
   */
  take(budgets: readonly Budget[]): Promise<Ticket>;
}

export const DEFAULT_HISTORY_MS = 24 * 60 * 60_000;
export const DEFAULT_STALL_MS = 10_000;
export const DEFAULT_MAX_WAIT_MS = 60_000;
/** A waiting check polls after POLL_MIN_MS + POLL_STEP_MS per check ahead of it (at most POLL_MAX_MS), ±50 %. */
const POLL_MIN_MS = 4;
const POLL_STEP_MS = 4;
const POLL_MAX_MS = 100;

/** The allowance of a budget after `failures` recent failures: max, then max/2, then 1. */
export function allowance(max: number, failures: number): number {
  const halvings = Math.floor(failures / (2 * max));
  return Math.max(1, Math.floor(max / 2 ** Math.min(halvings, 30)));
}

interface Held {
  budget: Budget;
  keys: { taken: string; returned: string; failed: string; history: string };
}

export function createAttemptBudgets(options: AttemptBudgetOptions): AttemptBudgets {
  const { counters, windowMs, now } = options;
  const historyMs = options.historyMs ?? DEFAULT_HISTORY_MS;
  const stallMs = options.stallMs ?? DEFAULT_STALL_MS;
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  const keysOf = (budget: Budget, window: number): Held['keys'] => {
    const base = `${budget.key}:w${window}`;
    return { taken: `${base}:t`, returned: `${base}:r`, failed: `${base}:f`, history: `${budget.key}:h` };
  };

  /**
   * Takes a ticket under one budget and decides it. A check `refused` by an earlier budget still
   * takes its ticket and reads the budget (the same store work), but neither waits nor is admitted.
   */
  async function decide(held: Held, refused: boolean, deadline: number): Promise<boolean> {
    const { keys, budget } = held;
    const ticket = await counters.increment(keys.taken, windowMs);
    const allowed = allowance(budget.max, await counters.get(keys.history));
    let settled = -1;
    let movedAt = now();
    for (;;) {
      const [returned, failed] = await Promise.all([counters.get(keys.returned), counters.get(keys.failed)]);
      if (refused || failed >= allowed) return false;
      const ahead = ticket - returned - allowed;
      if (ahead <= 0) return true;
      const t = now();
      if (returned + failed !== settled) {
        settled = returned + failed;
        movedAt = t;
      } else if (t - movedAt >= stallMs) return false;
      if (t >= deadline) return false;
      await sleep(Math.min(POLL_MAX_MS, POLL_MIN_MS + ahead * POLL_STEP_MS) * (0.5 + Math.random()));
    }
  }

  return {
    async take(budgets) {
      const t0 = now();
      const window = Math.floor(t0 / windowMs);
      const retryAfterMs = (window + 1) * windowMs - t0;
      const held: Held[] = budgets.map((budget) => ({ budget, keys: keysOf(budget, window) }));
      const deadline = t0 + maxWaitMs;
      let admitted = true;
      for (const h of held) admitted = (await decide(h, !admitted, deadline)) && admitted;
      let settled = false;
      return {
        admitted,
        retryAfterMs: admitted ? 0 : retryAfterMs,
        async settle(outcome) {
          if (settled) throw new Error('An attempt is settled once.');
          settled = true;
          const counts = await Promise.all(
            held.map(async ({ keys }) => {
              if (outcome === 'success') {
                await Promise.all([counters.increment(keys.returned, windowMs), counters.reset(keys.history)]);
                return 0;
              }
              const [failures] = await Promise.all([counters.increment(keys.failed, windowMs), counters.increment(keys.history, historyMs)]);
              return failures;
            }),
          );
          return counts[0] ?? 0;
        },
      };
    },
  };
}
