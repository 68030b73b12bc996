/**
 * Accept Terms and Conditions (AM `AcceptTermsAndConditionsNode`): shows the active terms (their
 * version, text in the request's language and creation date) in a TermsAndConditionsCallback until
 * the person accepts them, then writes `termsAccepted: {acceptDate, termsVersion}` to shared state,
 * which Create Object and Patch Object record on the user. The version accepted is the one shown
 * (kept in shared `termsVersion`), even if the terms change meanwhile. Outcome `outcome`.
 */
import { termsAndConditionsCallback } from '../callbacks/builders.js';
import { readBoolean } from '../callbacks/readers.js';
import { TERMS_ACCEPTED } from '../identity/terms.js';
import { defineNode } from './types.js';

const TERMS_VERSION = 'termsVersion';

export const acceptTermsAndConditionsNode = defineNode<Record<string, never>>({
  type: 'AcceptTermsAndConditionsNode',
  displayName: 'Accept Terms and Conditions',
  configSchema: { type: 'object', additionalProperties: false, properties: {} },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],

  async process(ctx) {
    const returned = ctx.callbacks?.find((cb) => cb.type === 'TermsAndConditionsCallback');
    const shown = ctx.shared[TERMS_VERSION];
    if (returned && readBoolean(returned) && typeof shown === 'string') {
      ctx.shared[TERMS_ACCEPTED] = { acceptDate: new Date(ctx.services.now()).toISOString(), termsVersion: shown };
      return { kind: 'outcome', outcome: 'outcome' };
    }
    const active = ctx.services.terms.active();
    if (!active) throw new Error('No terms and conditions are configured (CAIRN_TERMS_FILE).');
    ctx.shared[TERMS_VERSION] = active.version;
    return {
      kind: 'callbacks',
      callbacks: [termsAndConditionsCallback({ version: active.version, terms: ctx.localize(active.terms), createDate: active.createDate })],
    };
  },
});
