/**
 * Username Collector (AM `UsernameCollectorNode`): asks for a username with a NameCallback until a
 * non-blank one comes back, and writes it to `shared.username`. No configuration.
 */
import { nameCallback } from '../callbacks/builders.js';
import { readString } from '../callbacks/readers.js';
import { nodeText } from '../i18n/node-texts.js';
import { defineNode } from './types.js';

export type UsernameCollectorConfig = Record<string, never>;

export const usernameCollectorNode = defineNode<UsernameCollectorConfig>({
  type: 'UsernameCollectorNode',
  displayName: 'Username Collector',
  configSchema: { type: 'object', additionalProperties: false, properties: {} },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],

  async process(ctx) {
    const returned = ctx.callbacks?.find((cb) => cb.type === 'NameCallback');
    const username = returned ? readString(returned) : '';
    if (username === '') return { kind: 'callbacks', callbacks: [nameCallback(ctx.localize(nodeText('prompt.username')))] };
    ctx.shared['username'] = username;
    return { kind: 'outcome', outcome: 'outcome' };
  },
});
