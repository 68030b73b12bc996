/**
 * IDM self-service `kbaSecurityAnswerVerificationStage`: asks the identified account some of its own
 * security questions, picked at random (as many as `minimumAnswersToVerify` of selfservice.kba.json, which
 * replaces the stage's `numberOfQuestionsUserMustAnswer` as in IDM), one PasswordCallback each, and checks
 * every answer through the shared KBA module (src/identity/kba.ts): normalised compare, failures counted per
 * account in the store with a lockout that lapses. Any wrong answer is IDM's 400 "Answers are not matched",
 * without saying which. An unidentified request (userQuery found nobody) is asked predefined questions and
 * always refused, so this stage does not tell either.
 */
import { passwordCallback } from '../callbacks/builders.js';
import { readString } from '../callbacks/readers.js';
import { pickQuestions, storedAnswersOf, type KbaQuestionRef } from '../identity/kba.js';
import { questionText } from './helpers/kba-questions.js';
import {
  IDENTITY_SERVICE_URL_PROPERTY,
  KBA_CONFIG_PROPERTY,
  KBA_PROPERTY_NAME_PROPERTY,
  resourceOf,
  stageError,
  STAGE_TEXTS,
} from './helpers/self-service.js';
import { defineNode, type NodeContext } from './types.js';

export interface KbaVerificationStageConfig {
  kbaPropertyName: string;
  identityServiceUrl: string;
  numberOfQuestionsUserMustAnswer?: string | number;
  kbaConfig?: Record<string, unknown> | null;
}

export const ANSWERS_NOT_MATCHED = 'Answers are not matched';
export const KBA_LOCKED = 'Too many wrong answers to the security questions; try again later.';

/** What the stage asked, kept in its local state between its two steps. */
export interface AskedQuestions {
  asked: KbaQuestionRef[];
  /** Nobody identified: predefined questions were asked, and no answer can match. */
  decoy?: true;
}

/** `n` predefined question ids at random, for a request that identified nobody. */
function decoyQuestions(ctx: NodeContext<unknown>, n: number): KbaQuestionRef[] | undefined {
  const ids = Object.keys(ctx.services.kba.config.questions);
  const refs = pickQuestions(
    ids.map((questionId) => ({ questionId, answer: { type: 'salted-hash' as const, value: { algorithm: '', data: '' } } })),
    n,
  );
  return refs;
}

export const idmKbaVerificationStage = defineNode<KbaVerificationStageConfig>({
  type: 'IdmKbaVerificationNode',
  displayName: 'IDM KBA Verification Stage',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      kbaPropertyName: KBA_PROPERTY_NAME_PROPERTY,
      identityServiceUrl: IDENTITY_SERVICE_URL_PROPERTY,
      numberOfQuestionsUserMustAnswer: {
        title: 'Questions to answer (replaced)',
        description: 'Replaced by minimumAnswersToVerify of selfservice.kba.json, as IDM does.',
        type: ['string', 'integer'],
      },
      kbaConfig: KBA_CONFIG_PROPERTY,
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],
  allowedInPage: false,

  async process(ctx) {
    const kba = ctx.services.kba;
    const n = kba.config.minimumAnswersToVerify;
    const resource = resourceOf(ctx.config.identityServiceUrl);
    const id = typeof ctx.shared['_id'] === 'string' ? ctx.shared['_id'] : undefined;
    const user = id === undefined ? undefined : await ctx.services.identity.read(resource, id);
    const stored = user ? storedAnswersOf(user, ctx.config.kbaPropertyName) : [];
    const local = ctx.local as Partial<AskedQuestions>;

    if (!ctx.callbacks || !Array.isArray(local.asked)) {
      const asked = user ? pickQuestions(stored, n) : decoyQuestions(ctx, n);
      if (!asked) {
        throw stageError(
          `Insufficient number of questions. Minimum number of questions user must answer: ${n}, Questions available: ${stored.length}`,
        );
      }
      local.asked = asked;
      if (!user) local.decoy = true;
      return {
        kind: 'callbacks',
        callbacks: asked.map((ref) => passwordCallback(questionText(ctx, ref))),
        description: ctx.localize(STAGE_TEXTS.text('description.kbaVerification')),
        stage: 'initial',
      };
    }

    const answers = ctx.callbacks.filter((cb) => cb.type === 'PasswordCallback').map((cb) => readString(cb));
    if (answers.length !== local.asked.length || answers.some((a) => a.trim() === '')) throw stageError('Every security question must be answered.');
    const check = local.decoy || !user ? await kba.verifyNobody(answers) : await kba.verify({ resource, id: user._id }, stored, local.asked, answers);
    if (check.result === 'locked') throw stageError(KBA_LOCKED);
    if (check.result !== 'match') throw stageError(ANSWERS_NOT_MATCHED);
    // IDM's SHA-256 answers re-hashed with argon2id now that their plaintext was seen (best effort).
    if (check.result === 'match' && check.upgraded && user)
      await ctx.services.identity.update(resource, user._id, { [ctx.config.kbaPropertyName]: check.upgraded });
    return { kind: 'outcome', outcome: 'outcome' };
  },
});
