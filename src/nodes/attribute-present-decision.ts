/**
 * Attribute Present Decision (AM `AttributePresentDecisionNode`): `true` when the journey's user
 * (found by `identityAttribute`, else `shared._id`) has a non-empty `presentAttribute` (nested with
 * "/"), else `false` (also when nobody is identified). The identity service never returns a password
 * hash; a set password shows as `passwordSet: true` (helpers/attribute-presence.ts).
 */
import { objectHasAttribute } from './helpers/attribute-presence.js';
import { resolveIdentity } from './helpers/identity-lookup.js';
import { defineNode } from './types.js';
import { IDENTITY_ATTRIBUTE_PROPERTY, TRUE_FALSE_OUTCOMES } from './helpers/schema-parts.js';

export interface AttributePresentDecisionConfig {
  presentAttribute: string;
  identityAttribute: string;
}

export const attributePresentDecisionNode = defineNode<AttributePresentDecisionConfig>({
  type: 'AttributePresentDecisionNode',
  displayName: 'Attribute Present Decision',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      presentAttribute: {
        title: 'Present attribute',
        description: 'The attribute of the user that must hold a value ("a/b" for nested ones); "password" works too.',
        type: 'string',
        minLength: 1,
        pattern: '^[^/]+(/[^/]+)*$',
        default: 'password',
      },
      identityAttribute: IDENTITY_ATTRIBUTE_PROPERTY,
    },
  },
  outcomes: TRUE_FALSE_OUTCOMES,

  async process(ctx) {
    const object = await resolveIdentity(ctx, ctx.journey.identityResource, ctx.config.identityAttribute);
    const present = object !== undefined && objectHasAttribute(object, ctx.config.presentAttribute);
    return { kind: 'outcome', outcome: present ? 'true' : 'false' };
  },
});
