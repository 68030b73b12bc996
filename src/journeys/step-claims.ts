/**
 * Single-use journey steps. A journey's state rides in the client's hands (the authId), so without a
 * mark in the store the same step could be sent again — after it succeeded, after the journey moved
 * on, or many times at once — and run again: a second session from one sign-in, a reset link's
 * new-password step changing the password again. Each step token carries a unique id and its expiry;
 * before the step runs, the protocol adapter claims that id with one atomic store claim (ClaimStore):
 * of any number of concurrent or later posts, in any process or instance, exactly one gets to run it.
 * A step that did not move the journey (a `validateOnly` check, a page shown again because of a policy
 * failure, the client's own mistake) gives its claim back, so the same step may be sent again; any
 * other keeps the claim until the token would have expired anyway.
 */
import type { ClaimStore } from '../stores/types.js';

/** A step token's unique id and its expiry (epoch ms), both from the verified token. */
export interface StepToken {
  id: string;
  expiresAt: number;
}

export interface StepClaims {
  /** Claims the step; false when it was claimed before or is being run. */
  claim(step: StepToken): Promise<boolean>;
  /** Gives a claim back: the step did not move its journey and may be sent again. */
  release(step: StepToken): Promise<void>;
}

/** Kept a little past the token's expiry, against clocks that differ between instances. */
const CLOCK_MARGIN_MS = 60_000;

export function createStepClaims(claims: ClaimStore): StepClaims {
  const key = (step: StepToken): string => `step:${step.id}`;
  return {
    claim: (step) => claims.claim(key(step), step.expiresAt + CLOCK_MARGIN_MS),
    release: (step) => claims.release(key(step), step.expiresAt + CLOCK_MARGIN_MS),
  };
}
