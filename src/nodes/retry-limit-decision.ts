/**
 * Retry Limit Decision (AM `RetryLimitDecisionNode`): counts each visit in the store (CounterPort, atomic,
 * fixed 15-minute window) per journey + node + account: Retry while within `retryLimit`, then Reject. Never
 * in the authId, so replays and parallel steps can neither reset nor outrun it; a successful credential
 * check (Identity/Data Store Decision) clears it.
 */
import { randomUUID } from 'node:crypto';
import { RETRY_WINDOW_MS, retryAccountOf, retryCounterKey } from './helpers/counter-keys.js';
import { defineNode } from './types.js';

export interface RetryLimitDecisionConfig {
  retryLimit: number;
  incrementUserAttributeOnFailure: boolean;
}

/**
 * Shared-state key of the fallback subject when no account is known yet (no `_id`, no `username`): a
 * random id for this journey run. Weaker than an account: replaying an authId issued before the run
 * id existed starts a new count, so journeys should identify the user before counting.
 */
export const RETRY_RUN_ID = 'retryRunId';

function runIdOf(shared: Record<string, unknown>): string {
  const existing = shared[RETRY_RUN_ID];
  if (typeof existing === 'string' && existing !== '') return existing;
  const created = randomUUID();
  shared[RETRY_RUN_ID] = created;
  return created;
}

export const retryLimitDecisionNode = defineNode<RetryLimitDecisionConfig>({
  type: 'RetryLimitDecisionNode',
  displayName: 'Retry Limit Decision',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      retryLimit: {
        title: 'Retry limit',
        description: 'Visits allowed (within 15 minutes) before this node answers Reject.',
        type: 'integer',
        minimum: 1,
        default: 3,
      },
      incrementUserAttributeOnFailure: {
        title: 'Save retry limit to user',
        description: 'AM: keep the count on the user (true) or in the journey (false). Cairn always keeps it in the store, per account.',
        type: 'boolean',
        default: true,
      },
    },
  },
  outcomes: [
    { id: 'Retry', displayName: 'Retry' },
    { id: 'Reject', displayName: 'Reject' },
  ],

  async process(ctx) {
    const counters = ctx.services.counters;
    const subject = retryAccountOf(ctx.shared) ?? { kind: 'run' as const, value: runIdOf(ctx.shared) };
    const key = await retryCounterKey(counters, ctx.journey.id, ctx.nodeId, subject);
    const count = await counters.increment(key, RETRY_WINDOW_MS);
    return { kind: 'outcome', outcome: count <= ctx.config.retryLimit ? 'Retry' : 'Reject' };
  },
});
