/**
 * Remove Session Properties (AM `RemoveSessionPropertiesNode`): the properties named in
 * `propertyNames` that earlier nodes of the journey set (Set Session Properties) will not be in the
 * session it creates. System properties cannot be removed. Outcome `outcome`.
 */
import { SESSION_PROPERTY_NAME, systemPropertyProblems } from './set-session-properties.js';
import { defineNode } from './types.js';

export interface RemoveSessionPropertiesConfig {
  propertyNames: string[];
}

export const removeSessionPropertiesNode = defineNode<RemoveSessionPropertiesConfig>({
  type: 'RemoveSessionPropertiesNode',
  displayName: 'Remove Session Properties',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['propertyNames'],
    properties: {
      propertyNames: {
        title: 'Property names',
        description: 'The session properties to remove.',
        type: 'array',
        items: SESSION_PROPERTY_NAME,
        minItems: 1,
        uniqueItems: true,
      },
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],

  checkConfig: (config) => systemPropertyProblems(config.propertyNames, (i) => `/propertyNames/${i}`),

  async process(ctx) {
    for (const name of ctx.config.propertyNames) delete ctx.session.properties[name];
    return { kind: 'outcome', outcome: 'outcome' };
  },
});
