/**
 * Get Session Data (AM `SessionDataNode`): copies one property of the session the request carries
 * (`UserToken`, `UserId`, … or one a journey set) into shared state under `sharedStateKey`, and into
 * `objectAttributes` as well, as AM does for the platform's nodes. Without a live session, or when the
 * session has no such property, nothing changes. Outcome `outcome`. Journeys run it with `ForceAuth`
 * (a request with a session otherwise gets that session back without running a journey).
 */
import { setObjectAttribute } from './helpers/object-attributes.js';
import { defineNode } from './types.js';

export interface SessionDataConfig {
  sessionDataKey: string;
  sharedStateKey: string;
}

export const sessionDataNode = defineNode<SessionDataConfig>({
  type: 'SessionDataNode',
  displayName: 'Get Session Data',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['sessionDataKey', 'sharedStateKey'],
    properties: {
      sessionDataKey: {
        title: 'Session data key',
        description:
          'The session property to read: UserToken (username), UserId (user _id), Principal, Service, AuthLevel, authInstant, or one set by Set Session Properties.',
        type: 'string',
        minLength: 1,
      },
      sharedStateKey: {
        title: 'Shared state key',
        description: 'Where the value goes in shared state (and in objectAttributes).',
        type: 'string',
        minLength: 1,
        not: { enum: ['__proto__', 'constructor', 'prototype'] },
      },
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],

  async process(ctx) {
    const token = ctx.request.ssoTokenId;
    const properties = token ? await ctx.services.sessions.properties(token) : undefined;
    const value = properties && Object.hasOwn(properties, ctx.config.sessionDataKey) ? properties[ctx.config.sessionDataKey] : undefined;
    if (value !== undefined) {
      ctx.shared[ctx.config.sharedStateKey] = value;
      setObjectAttribute(ctx.shared, ctx.config.sharedStateKey, value);
    }
    return { kind: 'outcome', outcome: 'outcome' };
  },
});
