/**
 * Single-use journey steps. A journey's state rides in the client's hands (the authId), so without a
 * mark in the store the same step could be sent again — after it succeeded, after the journey moved
 * on, or many times at once — and run again: a second session from one sign-in, a reset link's
 * new-password step changing the password again. Each step token carries a unique id; before the
 * step runs, the protocol adapter claims that id with one atomic store increment: of any number of
 * concurrent or later posts, in any process or instance, exactly one gets to run it. A step that did
 * not move the journey (a `validateOnly` check, a page shown again because of a policy failure,
 * the client's own mistake) gives its claim back, so the same step may be sent again; any other
 * keeps the claim until the token would have expired anyway.
 */
import type { CounterPort } from '../identity/ports.js';

export interface StepClaims {
  /** Claims step `id` (valid until `expiresAt`, epoch ms); false when it was claimed before or is being run. */
  claim(id: string, expiresAt: number): Promise<boolean>;
  /** Gives a claim back: the step did not move its journey and may be sent again. */
  release(id: string): Promise<void>;
}

/** Kept a little past the token's expiry, against clocks that differ between instances. */
const CLOCK_MARGIN_MS = 60_000;

export function createStepClaims(counters: CounterPort, now: () => number): StepClaims {
  const key = (id: string): string => `step:${id}`;
  return {
    async claim(id, expiresAt) {
      return (await counters.increment(key(id), Math.max(1, expiresAt - now()) + CLOCK_MARGIN_MS)) === 1;
    },
    release: (id) => counters.reset(key(id)),
  };
}
