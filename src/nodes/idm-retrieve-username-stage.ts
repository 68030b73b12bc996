/**
 * IDM self-service `retrieveUsername` stage: puts the identified account's username into the success
 * `additions` (`userName`) — only when the person proved control of the account's mailbox earlier in the
 * process (emailValidation). IDM shows it to anyone who typed a matching address, which turns the stock
 * forgotten-username process into a lookup service; `legacyEnumerationErrors: true` restores that.
 */
import { addSuccessAddition, selfServiceOf } from './helpers/self-service.js';
import { defineNode } from './types.js';

export interface RetrieveUsernameStageConfig {
  legacyEnumerationErrors: boolean;
}

export const idmRetrieveUsernameStage = defineNode<RetrieveUsernameStageConfig>({
  type: 'IdmRetrieveUsernameNode',
  displayName: 'IDM Retrieve Username Stage',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      legacyEnumerationErrors: {
        title: 'Show the username unverified (Cairn)',
        description: "IDM's behaviour: return the username to whoever found the account, without a proven mailbox.",
        type: 'boolean',
        default: false,
      },
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],

  async process(ctx) {
    const username = ctx.shared['username'];
    const state = selfServiceOf(ctx.shared);
    if (typeof username === 'string' && username !== '' && state.lookup !== 'none' && (state.emailVerified || ctx.config.legacyEnumerationErrors)) {
      addSuccessAddition(ctx.shared, 'userName', username);
    }
    return { kind: 'outcome', outcome: 'outcome' };
  },
});
