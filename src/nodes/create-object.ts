/**
 * Create Object (AM `CreateObjectNode`): creates a managed object from every `objectAttributes` value
 * of shared + transient state. CREATED (writing `shared._id`) when the identity service creates it;
 * FAILURE when a schema-required attribute is missing or the service refuses (the refused policies,
 * e.g. a taken username or a weak password, become the journey's error message, in the request's language).
 * Terms accepted in the journey (Accept Terms and Conditions) are recorded on the object as `termsAccepted`.
 */
import { nodeText, refusalText } from '../i18n/node-texts.js';
import { getPath, mergedObjectAttributes } from './helpers/object-attributes.js';
import { hasValue } from './helpers/attribute-presence.js';
import { assertJourneyResource, isIdentityFailure } from './helpers/identity-lookup.js';
import { acceptedTermsOf } from './helpers/accepted-terms.js';
import { defineNode } from './types.js';

export interface CreateObjectConfig {
  identityResource: string;
}

export const createObjectNode = defineNode<CreateObjectConfig>({
  type: 'CreateObjectNode',
  displayName: 'Create Object',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      identityResource: {
        title: 'Identity resource',
        description: "The managed object type to create; must be the journey's identityResource.",
        type: 'string',
        minLength: 1,
        default: 'managed/user',
      },
    },
  },
  outcomes: [
    { id: 'CREATED', displayName: 'Created' },
    { id: 'FAILURE', displayName: 'Failed' },
  ],

  async process(ctx) {
    const resource = assertJourneyResource(ctx, 'Create Object', ctx.config.identityResource);
    const attributes = mergedObjectAttributes(ctx.shared, ctx.transient);
    delete attributes['_id'];
    delete attributes['_rev'];
    const missing = ctx.services.schema.requiredProperties(resource).filter((name) => !hasValue(getPath(attributes, name)));
    if (missing.length > 0)
      return {
        kind: 'outcome',
        outcome: 'FAILURE',
        errorMessage: ctx.localize(nodeText('failure.missingAttributes', { attributes: missing.join(', ') })),
      };

    Object.assign(attributes, acceptedTermsOf(ctx.shared));
    const result = await ctx.services.identity.create(resource, attributes);
    if (isIdentityFailure(result))
      return { kind: 'outcome', outcome: 'FAILURE', errorMessage: ctx.localize(refusalText(result, 'failure.accountNotCreated')) };
    ctx.shared['_id'] = result._id;
    return { kind: 'outcome', outcome: 'CREATED' };
  },
});
