/**
 * Data Store Decision (AM `DataStoreDecisionNode`): checks `shared.username` (else the collected
 * `objectAttributes.userName`) and `transient.password` against the identity store. `true` on a match with an active account (writing `shared._id`); `false`
 * for a blank password, an unknown user, a wrong password, a spent attempt budget or an inactive account,
 * all alike to the client.
 */
import { checkCredentials } from './helpers/credentials.js';
import { isInactive } from './helpers/identity-lookup.js';
import { defineNode } from './types.js';
import { TRUE_FALSE_OUTCOMES } from './helpers/schema-parts.js';

export const dataStoreDecisionNode = defineNode<Record<string, never>>({
  type: 'DataStoreDecisionNode',
  displayName: 'Data Store Decision',
  configSchema: { type: 'object', additionalProperties: false, properties: {} },
  outcomes: TRUE_FALSE_OUTCOMES,

  async process(ctx) {
    const result = await checkCredentials(ctx);
    if (result.verdict !== 'match' || isInactive(result.object)) return { kind: 'outcome', outcome: 'false' };
    ctx.shared['_id'] = result.object._id;
    // The identified user names the session (AM's identified identity) when no username was collected.
    const userName = result.object['userName'];
    if (typeof ctx.shared['username'] !== 'string' && typeof userName === 'string') ctx.shared['username'] = userName;
    return { kind: 'outcome', outcome: 'true' };
  },
});
