/**
 * IDM self-service `kbaSecurityAnswerDefinitionStage` (registration): asks for `minimumAnswersToDefine`
 * security answers (selfservice.kba.json, which replaces the stage's `numberOfAnswersUserMustSet` as in
 * IDM), one KbaCreateCallback each offering the predefined questions and a question of one's own. The
 * answers are checked and hashed by the shared KBA module (src/identity/kba.ts) and kept, hashed only, in
 * `objectAttributes[kbaPropertyName]` for the stage that creates or updates the account.
 */
import { kbaCreateCallback } from '../callbacks/builders.js';
import { readString } from '../callbacks/readers.js';
import { KbaDefinitionError, type KbaDefinition } from '../identity/kba.js';
import { predefinedQuestions, questionIdOf } from './helpers/kba-questions.js';
import { setObjectAttribute } from './helpers/object-attributes.js';
import { KBA_CONFIG_PROPERTY, KBA_PROPERTY_NAME_PROPERTY, stageError, STAGE_TEXTS } from './helpers/self-service.js';
import { defineNode } from './types.js';

export interface KbaDefinitionStageConfig {
  kbaPropertyName: string;
  numberOfAnswersUserMustSet?: string | number;
  kbaConfig?: Record<string, unknown> | null;
}

export const idmKbaDefinitionStage = defineNode<KbaDefinitionStageConfig>({
  type: 'IdmKbaDefinitionNode',
  displayName: 'IDM KBA Definition Stage',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      kbaPropertyName: KBA_PROPERTY_NAME_PROPERTY,
      numberOfAnswersUserMustSet: {
        title: 'Answers to define (replaced)',
        description: 'Replaced by minimumAnswersToDefine of selfservice.kba.json, as IDM does.',
        type: ['string', 'integer'],
      },
      kbaConfig: KBA_CONFIG_PROPERTY,
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],

  async process(ctx) {
    const kba = ctx.services.kba;
    const n = kba.config.minimumAnswersToDefine;
    const returned = ctx.callbacks?.filter((cb) => cb.type === 'KbaCreateCallback');
    if (!returned || returned.length === 0) {
      const predefined = [...predefinedQuestions(ctx).values()];
      return {
        kind: 'callbacks',
        callbacks: Array.from({ length: n }, () =>
          kbaCreateCallback({
            prompt: ctx.localize(STAGE_TEXTS.text('prompt.kba')),
            predefinedQuestions: predefined,
            allowUserDefinedQuestions: true,
          }),
        ),
        description: ctx.localize(STAGE_TEXTS.text('description.kbaDefinition')),
        stage: 'initial',
      };
    }
    const definitions: KbaDefinition[] = returned.map((cb) => {
      const question = readString(cb, 'question');
      const answer = readString(cb, 'answer');
      const questionId = questionIdOf(ctx, question);
      return questionId === undefined ? { customQuestion: question, answer } : { questionId, answer };
    });
    try {
      setObjectAttribute(ctx.shared, ctx.config.kbaPropertyName, await kba.define(definitions));
    } catch (e) {
      if (e instanceof KbaDefinitionError) throw stageError(e.message);
      throw e;
    }
    return { kind: 'outcome', outcome: 'outcome' };
  },
});
