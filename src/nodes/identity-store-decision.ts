/**
 * Identity Store Decision (AM `IdentityStoreDecisionNode`): checks `shared.username` + `transient.password`.
 * TRUE on a match (writes `shared._id`, the stored userName as `shared.username`); LOCKED ("User Locked
 * Out.") when, with the right password, the account is inactive; FALSE ("Login failure") otherwise:
 * unknown user, wrong password and a spent attempt budget alike. No password expiry: never CANCELLED/EXPIRED.
 */
import { checkCredentials } from './helpers/credentials.js';
import { isInactive } from './helpers/identity-lookup.js';
import { defineNode, type NodeResult } from './types.js';

export interface IdentityStoreDecisionConfig {
  minimumPasswordLength: number;
  useUniversalIdForUsername: boolean;
  mixedCaseForPasswordChangeMessages: boolean;
}

export const LOGIN_FAILURE_MESSAGE = 'Login failure';
export const LOCKED_MESSAGE = 'User Locked Out.';

const LOCKED: NodeResult = { kind: 'outcome', outcome: 'LOCKED', errorMessage: LOCKED_MESSAGE };
const FALSE: NodeResult = { kind: 'outcome', outcome: 'FALSE', errorMessage: LOGIN_FAILURE_MESSAGE };

export const identityStoreDecisionNode = defineNode<IdentityStoreDecisionConfig>({
  type: 'IdentityStoreDecisionNode',
  displayName: 'Identity Store Decision',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      minimumPasswordLength: {
        title: 'Minimum password length',
        description: 'AM: used by the password-change flow on expiry, which Cairn does not have; the identity policies decide length.',
        type: 'integer',
        minimum: 0,
        default: 8,
      },
      useUniversalIdForUsername: {
        title: 'Use universal id for username',
        description: "Write the object's _id (instead of its userName) to shared.username on success.",
        type: 'boolean',
        default: false,
      },
      mixedCaseForPasswordChangeMessages: {
        title: 'Mixed case for password change messages',
        description: 'AM: message casing of the password-change flow on expiry; kept from AM exports, no effect in Cairn.',
        type: 'boolean',
        default: false,
      },
    },
  },
  outcomes: [
    { id: 'TRUE', displayName: 'True' },
    { id: 'FALSE', displayName: 'False' },
    { id: 'LOCKED', displayName: 'Locked' },
    { id: 'CANCELLED', displayName: 'Cancelled' },
    { id: 'EXPIRED', displayName: 'Expired' },
  ],

  async process(ctx) {
    const result = await checkCredentials(ctx);
    // A spent attempt budget answers exactly like a wrong password: an unknown user can never be
    // throttled, so anything else would tell real accounts apart (RST-43). The journey's Retry
    // Limit / Account Lockout path still applies.
    if (result.verdict !== 'match') return FALSE;
    // Only someone who knows the password learns that the account is locked.
    if (isInactive(result.object)) return LOCKED;

    const { object } = result;
    ctx.shared['_id'] = object._id;
    const userName = object['userName'];
    if (ctx.config.useUniversalIdForUsername) ctx.shared['username'] = object._id;
    else if (typeof userName === 'string' && userName !== '') ctx.shared['username'] = userName;
    return { kind: 'outcome', outcome: 'TRUE' };
  },
});
