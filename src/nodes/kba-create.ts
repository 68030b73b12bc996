/**
 * KBA Definition (AM `KbaCreateNode`): asks for as many security questions and answers as
 * `minimumAnswersToDefine` of selfservice.kba.json, one KbaCreateCallback each offering the predefined
 * questions (in the request's language) and, with `allowUserDefinedQuestions`, a question of one's own.
 * A returned question equal to a predefined one's text is stored as its `questionId`, any other as a
 * `customQuestion` (as AM maps them). The answers are checked and hashed by the shared KBA module
 * (src/identity/kba.ts) and written, hashed only, to transient `objectAttributes[kbaPropertyName]`,
 * which Create Object and Patch Object store. Invalid definitions (a question twice, a blank answer, a
 * question of one's own where none is allowed) are asked again, as AM does, with the same callbacks
 * and the questions kept — never the answers: the page keeps its shape, so a client's live
 * (validateOnly) checks of the other fields on a Page Node go on undisturbed. Outcome `outcome`.
 */
import { kbaCreateCallback } from '../callbacks/builders.js';
import { readString } from '../callbacks/readers.js';
import { KbaDefinitionError, type KbaDefinition } from '../identity/kba.js';
import { defineCatalogue } from '../i18n/catalogue.js';
import type { LocalizedText } from '../journeys/model.js';
import { predefinedQuestions } from './helpers/kba-questions.js';
import { setObjectAttribute } from './helpers/object-attributes.js';
import { defineNode, type NodeContext, type NodeResult } from './types.js';

export interface KbaCreateConfig {
  message: LocalizedText;
  allowUserDefinedQuestions: boolean;
}

/** The prompt when the journey's `message` gives none (AM's default), in every shipped language. */
const TEXTS = defineCatalogue('node.KbaCreateNode', {
  en: { defaultMessage: 'Select a security question' },
  fr: { defaultMessage: 'Choisissez une question de sécurité' },
});

/** The KbaCreateCallbacks, with the questions already chosen (never the answers). */
function ask(ctx: NodeContext<KbaCreateConfig>, questions: readonly string[] = []): NodeResult {
  const prompt = ctx.localize(TEXTS.complete(ctx.config.message, 'defaultMessage')) || ctx.localize(TEXTS.text('defaultMessage'));
  const predefined = [...predefinedQuestions(ctx).values()];
  const callbacks = Array.from({ length: ctx.services.kba.config.minimumAnswersToDefine }, (_, i) =>
    kbaCreateCallback({
      prompt,
      predefinedQuestions: predefined,
      allowUserDefinedQuestions: ctx.config.allowUserDefinedQuestions,
      question: questions[i] ?? '',
    }),
  );
  return { kind: 'callbacks', callbacks };
}

export const kbaCreateNode = defineNode<KbaCreateConfig>({
  type: 'KbaCreateNode',
  displayName: 'KBA Definition',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      message: {
        title: 'Message',
        description: 'The prompt of each question, by locale (default "Select a security question").',
        type: 'object',
        additionalProperties: { type: 'string' },
        default: {},
      },
      allowUserDefinedQuestions: {
        title: 'Allow user-defined questions',
        description: 'Let people write a question of their own instead of choosing a predefined one.',
        type: 'boolean',
        default: true,
      },
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],

  async process(ctx) {
    const returned = ctx.callbacks?.filter((cb) => cb.type === 'KbaCreateCallback');
    if (!returned || returned.length === 0) return ask(ctx);

    const questions = returned.map((cb) => readString(cb, 'question').trim());
    const idByText = new Map([...predefinedQuestions(ctx)].map(([id, text]) => [text, id]));
    const definitions: KbaDefinition[] = [];
    for (const [i, cb] of returned.entries()) {
      const question = questions[i] as string;
      const answer = readString(cb, 'answer');
      if (question === '') return ask(ctx, questions);
      const questionId = idByText.get(question);
      if (questionId !== undefined) definitions.push({ questionId, answer });
      else if (ctx.config.allowUserDefinedQuestions) definitions.push({ customQuestion: question, answer });
      else return ask(ctx, questions);
    }
    let stored;
    try {
      stored = await ctx.services.kba.define(definitions);
    } catch (e) {
      if (e instanceof KbaDefinitionError) return ask(ctx, questions);
      throw e;
    }
    setObjectAttribute(ctx.transient, ctx.services.kba.config.kbaPropertyName, stored);
    return { kind: 'outcome', outcome: 'outcome' };
  },
});
