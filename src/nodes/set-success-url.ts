/**
 * Success URL (AM `SetSuccessUrlNode`): sets `shared.successUrl`, which the success response carries
 * as `successUrl`. Sends no callbacks; always continues on `outcome`.
 */
import { defineNode } from './types.js';

export interface SetSuccessUrlConfig {
  successUrl: string;
}

export const setSuccessUrlNode = defineNode<SetSuccessUrlConfig>({
  type: 'SetSuccessUrlNode',
  displayName: 'Success URL',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['successUrl'],
    properties: {
      successUrl: {
        title: 'Success URL',
        description: 'Where the client goes after a successful journey, e.g. "https://www.example.com/".',
        type: 'string',
        minLength: 1,
        maxLength: 2048,
      },
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],

  async process(ctx) {
    ctx.shared['successUrl'] = ctx.config.successUrl;
    return { kind: 'outcome', outcome: 'outcome' };
  },
});
