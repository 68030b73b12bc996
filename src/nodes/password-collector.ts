/**
 * Password Collector (AM `PasswordCollectorNode`): asks for a password with a PasswordCallback until a
 * non-blank one comes back, and writes it to `transient.password` only. No configuration.
 */
import { passwordCallback } from '../callbacks/builders.js';
import { readString } from '../callbacks/readers.js';
import { nodeText } from '../i18n/node-texts.js';
import { defineNode } from './types.js';

export type PasswordCollectorConfig = Record<string, never>;

export const passwordCollectorNode = defineNode<PasswordCollectorConfig>({
  type: 'PasswordCollectorNode',
  displayName: 'Password Collector',
  configSchema: { type: 'object', additionalProperties: false, properties: {} },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],

  async process(ctx) {
    const returned = ctx.callbacks?.find((cb) => cb.type === 'PasswordCallback');
    const password = returned ? readString(returned) : '';
    if (password === '') return { kind: 'callbacks', callbacks: [passwordCallback(ctx.localize(nodeText('prompt.password')))] };
    ctx.transient['password'] = password;
    return { kind: 'outcome', outcome: 'outcome' };
  },
});
