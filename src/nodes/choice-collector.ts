/**
 * Choice Collector (AM `ChoiceCollectorNode`): lets the user pick one of the configured choices with a
 * ChoiceCallback (default choice pre-selected) and continues on the outcome named by the choice text.
 * A single choice is taken without asking. The prompt may be a locale map, and `choiceLabels` (Cairn)
 * may give each choice a locale map to show instead of its id; the stock "Choice?" comes in the
 * request's language.
 */
import { choiceCallback } from '../callbacks/builders.js';
import { readIndex } from '../callbacks/readers.js';
import { stockEnglish, withStockTranslations } from '../i18n/node-texts.js';
import type { LocalizedText } from '../journeys/model.js';
import { defineNode, type ConfigProblem } from './types.js';

export interface ChoiceCollectorConfig {
  choices: string[];
  defaultChoice: string;
  prompt: string | LocalizedText;
  choiceLabels?: Record<string, LocalizedText>;
}

export const choiceCollectorNode = defineNode<ChoiceCollectorConfig>({
  type: 'ChoiceCollectorNode',
  displayName: 'Choice Collector',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['choices', 'defaultChoice'],
    properties: {
      choices: {
        title: 'Choices',
        description: 'The options offered; each is also the id of an outcome.',
        type: 'array',
        items: { type: 'string', minLength: 1 },
        minItems: 1,
        uniqueItems: true,
      },
      defaultChoice: {
        title: 'Default choice',
        description: 'The option selected initially; must be one of the choices.',
        type: 'string',
      },
      prompt: {
        title: 'Prompt',
        description: 'The question shown with the choices: a text, or locale → text.',
        oneOf: [{ type: 'string' }, { type: 'object', additionalProperties: { type: 'string' } }],
        default: stockEnglish('prompt.choice'),
      },
      choiceLabels: {
        title: 'Choice labels (Cairn)',
        description: 'Choice → (locale → label) shown instead of the choice itself; choices without one are shown as they are.',
        type: 'object',
        additionalProperties: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
  },
  outcomes: (config) => (Array.isArray(config.choices) ? config.choices.map((c) => ({ id: c, displayName: c })) : []),

  checkConfig(config) {
    const problems: ConfigProblem[] = [];
    if (Array.isArray(config.choices) && !config.choices.includes(config.defaultChoice)) {
      problems.push({
        pointer: '/defaultChoice',
        message: `Default choice "${String(config.defaultChoice)}" is not one of the choices`,
      });
    }
    return problems;
  },

  async process(ctx) {
    const { choices, defaultChoice } = ctx.config;
    const only = choices.length === 1 ? choices[0] : undefined;
    if (only !== undefined) return { kind: 'outcome', outcome: only };

    const returned = ctx.callbacks?.find((cb) => cb.type === 'ChoiceCallback');
    const index = returned ? readIndex(returned) : undefined;
    const chosen = index === undefined ? undefined : choices[index];
    if (chosen !== undefined) return { kind: 'outcome', outcome: chosen };

    const defaultIndex = Math.max(0, choices.indexOf(defaultChoice));
    const labels = choices.map((c) => ctx.localize(ctx.config.choiceLabels?.[c], c) || c);
    return {
      kind: 'callbacks',
      callbacks: [choiceCallback(ctx.localize(withStockTranslations(ctx.config.prompt, 'prompt.choice')), labels, defaultIndex)],
    };
  },
});
