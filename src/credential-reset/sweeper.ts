/**
 * The sweep of credential resets nobody finished: a `credentialReset` progress record past its expiry
 * is removed from the user when it is next presented (identityService.takeCredentialReset) or when a
 * new reset replaces it; this removes the ones never presented again, so that administrators do not
 * see stale resets and the user object holds no dead nonce hash. Every `intervalMs`, in batches of
 * `batch` (each record a conditional write, so instances sweeping together or a reset completing at
 * the same moment do no harm), until a batch comes back short.
 */
import type { IdentityService } from '../identity/identity-service.js';

export interface CredentialResetSweeper {
  /** Removes every expired record now; returns how many went. */
  sweep(): Promise<number>;
  stop(): void;
}

export interface CredentialResetSweeperDeps {
  identity: Pick<IdentityService, 'sweepCredentialResets'>;
  /** The identity resources whose users may carry a record (the realms' user resources). */
  resources: readonly string[];
  /** 0 turns the timer off (sweep() still works). */
  intervalMs: number;
  batch?: number;
  onError: (error: unknown) => void;
}

/** At most this many batches per resource in one sweep: the rest waits for the next interval. */
const MAX_BATCHES = 100;

export function startCredentialResetSweeper(deps: CredentialResetSweeperDeps): CredentialResetSweeper {
  const batch = deps.batch ?? 100;
  let running: Promise<number> | undefined;

  async function sweepAll(): Promise<number> {
    let total = 0;
    for (const resource of new Set(deps.resources)) {
      for (let i = 0; i < MAX_BATCHES; i++) {
        const removed = await deps.identity.sweepCredentialResets(resource, batch);
        total += removed;
        if (removed < batch) break;
      }
    }
    return total;
  }

  // One sweep at a time: a slow store never piles sweeps up.
  const sweep = (): Promise<number> =>
    (running ??= sweepAll().finally(() => {
      running = undefined;
    }));

  const timer =
    deps.intervalMs > 0
      ? setInterval(() => {
          sweep().catch(deps.onError);
        }, deps.intervalMs)
      : undefined;
  timer?.unref();

  return {
    sweep,
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}
