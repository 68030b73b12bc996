/**
 * Terms and Conditions Decision (AM `TermsAndConditionsDecisionNode`): `true` when the journey's user
 * has accepted the active version of the terms (their `termsAccepted.termsVersion`), or when no terms
 * are configured; `false` otherwise, so the journey can ask again. With nobody identified AM throws;
 * Cairn answers `false` and records `journey.identity.missing`.
 */
import { acceptedVersionOf } from '../identity/terms.js';
import { identityMissing, resolveIdentity } from './helpers/identity-lookup.js';
import { IDENTITY_ATTRIBUTE_ONLY_SCHEMA, TRUE_FALSE_OUTCOMES } from './helpers/schema-parts.js';
import { defineNode } from './types.js';

export interface TermsAndConditionsDecisionConfig {
  identityAttribute: string;
}

export const termsAndConditionsDecisionNode = defineNode<TermsAndConditionsDecisionConfig>({
  type: 'TermsAndConditionsDecisionNode',
  displayName: 'Terms and Conditions Decision',
  configSchema: IDENTITY_ATTRIBUTE_ONLY_SCHEMA,
  outcomes: TRUE_FALSE_OUTCOMES,

  async process(ctx) {
    const active = ctx.services.terms.active();
    const user = await resolveIdentity(ctx, ctx.journey.identityResource, ctx.config.identityAttribute);
    if (!user) return identityMissing(ctx, 'TermsAndConditionsDecisionNode');
    return { kind: 'outcome', outcome: !active || acceptedVersionOf(user) === active.version ? 'true' : 'false' };
  },
});
