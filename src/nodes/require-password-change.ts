/**
 * Require Password Change (Cairn `RequirePasswordChangeNode`, midPoint's `forceChange`): marks the
 * journey's user (`shared._id`) so that the next Login journey asks for a new password before it
 * succeeds (`passwordMustChange: true`, which the identity service clears on the next password change
 * that does not set it). Written through the identity service's one save path. outcome, or FAILURE
 * when nobody is identified or the write is refused.
 */
import { PASSWORD_MUST_CHANGE } from '../identity/identity-service.js';
import { refusalText } from '../i18n/node-texts.js';
import type { PolicyFailure } from '../identity/ports.js';
import { isIdentityFailure } from './helpers/identity-lookup.js';
import { auditEffect, defineNode, type NodeContext, type NodeResult } from './types.js';

export type RequirePasswordChangeConfig = Record<string, never>;

/** FAILURE, saying why in the request's language (the refused policies, else that the account was not updated). */
const failure = (ctx: NodeContext<RequirePasswordChangeConfig>, refusal: { failedPolicies?: PolicyFailure[] } = {}): NodeResult => ({
  kind: 'outcome',
  outcome: 'FAILURE',
  errorMessage: ctx.localize(refusalText(refusal, 'failure.accountNotUpdated')),
});

export const requirePasswordChangeNode = defineNode<RequirePasswordChangeConfig>({
  type: 'RequirePasswordChangeNode',
  displayName: 'Require Password Change',
  configSchema: { type: 'object', additionalProperties: false, properties: {} },
  outcomes: [
    { id: 'outcome', displayName: 'Outcome' },
    { id: 'FAILURE', displayName: 'Failure' },
  ],

  async process(ctx) {
    const id = ctx.shared['_id'];
    if (typeof id !== 'string' || id === '') return failure(ctx);
    const saved = await ctx.services.identity.update(ctx.journey.identityResource, id, { [PASSWORD_MUST_CHANGE]: true });
    if (isIdentityFailure(saved)) return failure(ctx, saved);
    return { kind: 'outcome', outcome: 'outcome', effects: [auditEffect('password.mustchange', { journey: ctx.journey.id, userId: id })] };
  },
});
