/**
 * Query Filter Decision (AM `QueryFilterDecisionNode`): `true` when the journey's user (found by
 * `identityAttribute`, else `shared._id`) matches the CREST `queryFilter`, else `false`. With nobody
 * identified AM throws; Cairn answers `false` and records `journey.identity.missing`. The filter is
 * parsed when the journey is validated, so a bad filter stops start-up rather than a login.
 */
import { parseQueryFilter, QueryFilterError } from '../crest/query-filter.js';
import { identityMissing, resolveIdentity } from './helpers/identity-lookup.js';
import { defineNode } from './types.js';
import { IDENTITY_ATTRIBUTE_PROPERTY, TRUE_FALSE_OUTCOMES } from './helpers/schema-parts.js';

export interface QueryFilterDecisionConfig {
  queryFilter: string;
  identityAttribute: string;
}

export const queryFilterDecisionNode = defineNode<QueryFilterDecisionConfig>({
  type: 'QueryFilterDecisionNode',
  displayName: 'Query Filter Decision',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['queryFilter'],
    properties: {
      queryFilter: {
        title: 'Query filter',
        description: 'CREST query filter the user must match, e.g. `!(/preferences pr) or /preferences/marketing eq false`.',
        type: 'string',
        minLength: 1,
      },
      identityAttribute: IDENTITY_ATTRIBUTE_PROPERTY,
    },
  },
  outcomes: TRUE_FALSE_OUTCOMES,

  checkConfig(config) {
    try {
      parseQueryFilter(config.queryFilter);
      return [];
    } catch (e) {
      const message = e instanceof QueryFilterError ? e.message : 'invalid query filter';
      return [{ pointer: '/queryFilter', message: `Not a valid CREST query filter: ${message}` }];
    }
  },

  async process(ctx) {
    const resource = ctx.journey.identityResource;
    const object = await resolveIdentity(ctx, resource, ctx.config.identityAttribute);
    if (!object) return identityMissing(ctx, 'QueryFilterDecisionNode');
    const matches = await ctx.services.identity.matches(resource, object._id, ctx.config.queryFilter);
    return { kind: 'outcome', outcome: matches ? 'true' : 'false' };
  },
});
