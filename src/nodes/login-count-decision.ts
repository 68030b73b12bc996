/**
 * Login Count Decision (AM `LoginCountDecisionNode`): compares the user's login count (kept by
 * Increment Login Count) with `amount`: `AT` → `true` when it equals `amount`, `EVERY` → `true` when it
 * is a multiple of it; `false` otherwise, and when the user has never logged in. The user is found by
 * `identityAttribute` (else the username, else `shared._id`); with nobody identified AM throws, Cairn
 * answers `false` and records `journey.identity.missing`.
 */
import { identityMissing, resolveIdentity } from './helpers/identity-lookup.js';
import { IDENTITY_ATTRIBUTE_PROPERTY, TRUE_FALSE_OUTCOMES } from './helpers/schema-parts.js';
import { defineNode } from './types.js';

export interface LoginCountDecisionConfig {
  interval: 'AT' | 'EVERY';
  amount: number;
  identityAttribute: string;
}

export const loginCountDecisionNode = defineNode<LoginCountDecisionConfig>({
  type: 'LoginCountDecisionNode',
  displayName: 'Login Count Decision',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      interval: {
        title: 'Interval',
        description: 'AT: true when the login count equals the amount; EVERY: true whenever it is a multiple of the amount.',
        enum: ['AT', 'EVERY'],
        default: 'AT',
      },
      amount: { title: 'Amount', description: 'The login count compared with.', type: 'integer', minimum: 1, default: 25 },
      identityAttribute: IDENTITY_ATTRIBUTE_PROPERTY,
    },
  },
  outcomes: TRUE_FALSE_OUTCOMES,

  async process(ctx) {
    const user = await resolveIdentity(ctx, ctx.journey.identityResource, ctx.config.identityAttribute);
    if (!user) return identityMissing(ctx, 'LoginCountDecisionNode');
    const count = user['loginCount'];
    const { interval, amount } = ctx.config;
    const hit = typeof count === 'number' && Number.isInteger(count) && (interval === 'AT' ? count === amount : count % amount === 0);
    return { kind: 'outcome', outcome: hit ? 'true' : 'false' };
  },
});
