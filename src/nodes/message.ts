/**
 * Message Node (AM `MessageNode`): shows a localised message with Yes/No buttons (TextOutputCallback +
 * ConfirmationCallback, default option "No") and continues on `true` iff option 0 (Yes) was chosen.
 * When `stateField` is set, the chosen index is also stored in shared state under that name.
 */
import { confirmationCallback, MESSAGE_INFORMATION, textOutputCallback } from '../callbacks/builders.js';
import { readIndex } from '../callbacks/readers.js';
import { stockEnglish, withStockTranslations } from '../i18n/node-texts.js';
import type { LocalizedText } from '../journeys/model.js';
import { defineNode } from './types.js';
import { TRUE_FALSE_OUTCOMES } from './helpers/schema-parts.js';

export interface MessageConfig {
  message: LocalizedText;
  messageYes: LocalizedText;
  messageNo: LocalizedText;
  stateField?: string;
}

const localized = (title: string, description: string, fallback: string) => ({
  title,
  description,
  type: 'object',
  additionalProperties: { type: 'string' },
  default: { en: fallback },
});

export const messageNode = defineNode<MessageConfig>({
  type: 'MessageNode',
  displayName: 'Message Node',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      message: localized('Message', 'The message shown, per locale.', stockEnglish('message.default')),
      messageYes: localized('Positive answer', 'The label of the Yes option, per locale.', stockEnglish('message.yes')),
      messageNo: localized('Negative answer', 'The label of the No option, per locale.', stockEnglish('message.no')),
      stateField: {
        title: 'Shared state property name',
        description: 'When set, the chosen option index (0 Yes, 1 No) is stored in shared state under this name.',
        type: 'string',
        minLength: 1,
      },
    },
  },
  outcomes: TRUE_FALSE_OUTCOMES,
  multipleCallbacks: true,

  async process(ctx) {
    // Stock defaults ({ en: "Yes" }) come in the request's language from the catalogue.
    const yes = ctx.localize(withStockTranslations(ctx.config.messageYes, 'message.yes'));
    const no = ctx.localize(withStockTranslations(ctx.config.messageNo, 'message.no'));
    const returned = ctx.callbacks?.find((cb) => cb.type === 'ConfirmationCallback');
    const index = returned ? readIndex(returned) : undefined;
    if (index === undefined || index < 0 || index > 1) {
      return {
        kind: 'callbacks',
        callbacks: [
          textOutputCallback(ctx.localize(withStockTranslations(ctx.config.message, 'message.default')), MESSAGE_INFORMATION),
          confirmationCallback({ options: [yes, no], defaultOption: 1 }),
        ],
      };
    }
    if (ctx.config.stateField) ctx.shared[ctx.config.stateField] = index;
    return { kind: 'outcome', outcome: index === 0 ? 'true' : 'false' };
  },
});
