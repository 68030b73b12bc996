/**
 * KBA Decision (AM `KbaDecisionNode`): `true` when the journey's user (found by `identityAttribute`,
 * else the username) has at least `minimumAnswersToDefine` security answers (selfservice.kba.json) in
 * the KBA attribute, `false` otherwise. With nobody identified AM throws; Cairn answers `false` and
 * records `journey.identity.missing`.
 */
import { storedAnswersOf } from '../identity/kba.js';
import { identityMissing, resolveIdentity } from './helpers/identity-lookup.js';
import { IDENTITY_ATTRIBUTE_ONLY_SCHEMA, TRUE_FALSE_OUTCOMES } from './helpers/schema-parts.js';
import { defineNode } from './types.js';

export interface KbaDecisionConfig {
  identityAttribute: string;
}

export const kbaDecisionNode = defineNode<KbaDecisionConfig>({
  type: 'KbaDecisionNode',
  displayName: 'KBA Decision',
  configSchema: IDENTITY_ATTRIBUTE_ONLY_SCHEMA,
  outcomes: TRUE_FALSE_OUTCOMES,

  async process(ctx) {
    const { config } = ctx.services.kba;
    const user = await resolveIdentity(ctx, ctx.journey.identityResource, ctx.config.identityAttribute);
    if (!user) return identityMissing(ctx, 'KbaDecisionNode');
    return { kind: 'outcome', outcome: storedAnswersOf(user, config.kbaPropertyName).length >= config.minimumAnswersToDefine ? 'true' : 'false' };
  },
});
