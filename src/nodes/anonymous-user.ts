/**
 * Anonymous User Mapping (AM `AnonymousUserNode`): makes the journey's user the anonymous user
 * (`anonymousUserName`, AM's default `anonymous`): shared `username` is set to it and any user
 * identified before is forgotten (`_id`), so the session the journey creates is the anonymous one.
 * The session records `AuthType: Anonymous`. Outcome `outcome`.
 */
import { defineNode } from './types.js';

export interface AnonymousUserConfig {
  anonymousUserName: string;
}

export const anonymousUserNode = defineNode<AnonymousUserConfig>({
  type: 'AnonymousUserNode',
  displayName: 'Anonymous User Mapping',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      anonymousUserName: {
        title: 'Anonymous user name',
        description: 'The username of the sessions this node makes.',
        type: 'string',
        minLength: 1,
        default: 'anonymous',
      },
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],

  async process(ctx) {
    ctx.shared['username'] = ctx.config.anonymousUserName;
    delete ctx.shared['_id'];
    ctx.session.properties['AuthType'] = 'Anonymous';
    return { kind: 'outcome', outcome: 'outcome' };
  },
});
