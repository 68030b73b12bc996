/**
 * Required Attributes Present (AM `RequiredAttributesDecisionNode`): `true` when every property the
 * managed-object schema marks required has a value in the journey's `objectAttributes` (shared +
 * transient) or on the identified object (`shared._id`), else `false`. Used before Create Object or
 * progressive profiling to decide whether more must be collected.
 */
import { getPath, mergedObjectAttributes } from './helpers/object-attributes.js';
import { assertJourneyResource, identifiedIdOf } from './helpers/identity-lookup.js';
import { hasValue, objectHasAttribute } from './helpers/attribute-presence.js';
import { defineNode } from './types.js';
import { TRUE_FALSE_OUTCOMES } from './helpers/schema-parts.js';

export interface RequiredAttributesDecisionConfig {
  identityResource: string;
}

export const requiredAttributesDecisionNode = defineNode<RequiredAttributesDecisionConfig>({
  type: 'RequiredAttributesDecisionNode',
  displayName: 'Required Attributes Present',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      identityResource: {
        title: 'Identity resource',
        description: "The managed object type whose required properties are checked; must be the journey's identityResource.",
        type: 'string',
        minLength: 1,
        default: 'managed/user',
      },
    },
  },
  outcomes: TRUE_FALSE_OUTCOMES,

  async process(ctx) {
    const resource = assertJourneyResource(ctx, 'Required Attributes Present', ctx.config.identityResource);
    const collected = mergedObjectAttributes(ctx.shared, ctx.transient);
    const missing = ctx.services.schema.requiredProperties(resource).filter((name) => !hasValue(getPath(collected, name)));
    if (missing.length === 0) return { kind: 'outcome', outcome: 'true' };

    const id = identifiedIdOf(ctx);
    const object = id === undefined ? undefined : await ctx.services.identity.read(resource, id);
    const complete = object !== undefined && missing.every((name) => objectHasAttribute(object, name));
    return { kind: 'outcome', outcome: complete ? 'true' : 'false' };
  },
});
