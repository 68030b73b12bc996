/**
 * IDM self-service `termsAndConditions` stage: shows the terms (`termsTranslations`, in the request's
 * language) in a TermsAndConditionsCallback and passes only when they are accepted; otherwise IDM's 400
 * "Must accept terms and conditions". The acceptance is audited with the terms' version (a hash of their
 * texts, so a changed text is a new version).
 */
import { createHash } from 'node:crypto';
import { termsAndConditionsCallback } from '../callbacks/builders.js';
import { readBoolean } from '../callbacks/readers.js';
import { canonicalJson } from '../journeys/validate.js';
import type { LocalizedText } from '../journeys/model.js';
import { LOCALE_MAP_SCHEMA, stageError, STAGE_TEXTS } from './helpers/self-service.js';
import { auditEffect, defineNode } from './types.js';

export interface TermsStageConfig {
  termsTranslations: LocalizedText;
}

export const TERMS_REFUSED = 'Must accept terms and conditions';

const versionOf = (terms: LocalizedText): string => createHash('sha256').update(canonicalJson(terms)).digest('hex').slice(0, 12);

export const idmTermsStage = defineNode<TermsStageConfig>({
  type: 'IdmTermsNode',
  displayName: 'IDM Terms and Conditions Stage',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['termsTranslations'],
    properties: {
      termsTranslations: { title: 'Terms', description: 'Locale → the terms and conditions text.', ...LOCALE_MAP_SCHEMA },
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],

  async process(ctx) {
    const version = versionOf(ctx.config.termsTranslations);
    const returned = ctx.callbacks?.find((cb) => cb.type === 'TermsAndConditionsCallback');
    if (!returned) {
      return {
        kind: 'callbacks',
        callbacks: [termsAndConditionsCallback({ version, terms: ctx.localize(ctx.config.termsTranslations), createDate: '' })],
        description: ctx.localize(STAGE_TEXTS.text('description.terms')),
        stage: 'initial',
      };
    }
    if (!readBoolean(returned)) throw stageError(TERMS_REFUSED);
    return { kind: 'outcome', outcome: 'outcome', effects: [auditEffect('selfservice.terms.accepted', { journey: ctx.journey.id, version })] };
  },
});
