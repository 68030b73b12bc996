/**
 * Identify Existing User (AM `IdentifyExistingUserNode`): looks up the object whose `identityAttribute`
 * equals the value collected (`objectAttributes[identityAttribute]`, else `shared.username`). Found →
 * `true`, writing `shared._id` and, when `identifier` is set and present on the object, `shared.username`
 * and `objectAttributes[identifier]`; not found → `false`, state untouched. One lookup either way.
 */
import { setObjectAttribute } from './helpers/object-attributes.js';
import { identityValueOf } from './helpers/identity-lookup.js';
import { defineNode } from './types.js';
import { TRUE_FALSE_OUTCOMES } from './helpers/schema-parts.js';

export interface IdentifyExistingUserConfig {
  identifier: string;
  identityAttribute: string;
}

export const identifyExistingUserNode = defineNode<IdentifyExistingUserConfig>({
  type: 'IdentifyExistingUserNode',
  displayName: 'Identify Existing User',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      identifier: {
        title: 'Identifier',
        description: 'Attribute of the found object copied to the username (and objectAttributes); "" copies nothing.',
        type: 'string',
        default: 'userName',
      },
      identityAttribute: {
        title: 'Identity attribute',
        description: 'The attribute looked up, with the value collected for it (else the username).',
        type: 'string',
        minLength: 1,
        default: 'mail',
      },
    },
  },
  outcomes: TRUE_FALSE_OUTCOMES,

  async process(ctx) {
    const { identifier, identityAttribute } = ctx.config;
    const value = identityValueOf(ctx, identityAttribute);
    if (value === undefined) return { kind: 'outcome', outcome: 'false' };
    // One lookup whatever the answer; nothing else differs in cost between the two outcomes.
    const found = await ctx.services.identity.findByAttribute(ctx.journey.identityResource, identityAttribute, value);
    if (!found) return { kind: 'outcome', outcome: 'false' };

    ctx.shared['_id'] = found._id;
    const identified = identifier === '' ? undefined : found[identifier];
    if (typeof identified === 'string' && identified !== '') {
      ctx.shared['username'] = identified;
      setObjectAttribute(ctx.shared, identifier, identified);
    }
    return { kind: 'outcome', outcome: 'true' };
  },
});
