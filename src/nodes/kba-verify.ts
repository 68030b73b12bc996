/**
 * KBA Verification (AM `KbaVerifyNode`): asks the journey's user (found by `identityAttribute`, else
 * the username) as many of their own security questions as `minimumAnswersToVerify`, picked at
 * random, one PasswordCallback each with the question in the request's language as its prompt, and
 * checks the answers through the shared KBA module: `true` when all match, `false` otherwise.
 * Failures are counted per account in the store and lapse after `lockoutMinutes`; past
 * `numberOfAttemptsAllowed` nothing is evaluated and the outcome is `false` (AM throws "Maximum
 * attempts exceeded"; AM keeps the count in `kbaInfo`, Cairn in the store, so it cannot be replayed).
 * Where AM throws for an unknown user or one with too few answers, Cairn asks predefined questions
 * no answer can match and answers `false`, so the node does not tell who has an account.
 */
import { passwordCallback } from '../callbacks/builders.js';
import { readString } from '../callbacks/readers.js';
import { pickQuestions, storedAnswersOf, type KbaQuestionRef } from '../identity/kba.js';
import { resolveIdentity } from './helpers/identity-lookup.js';
import { questionText } from './helpers/kba-questions.js';
import { IDENTITY_ATTRIBUTE_PROPERTY, TRUE_FALSE_OUTCOMES } from './helpers/schema-parts.js';
import { auditEffect, defineNode } from './types.js';

export interface KbaVerifyConfig {
  kbaInfoAttribute: string;
  identityAttribute: string;
}

/** What the node asked, in its local state between its two steps. */
interface Asked {
  asked: KbaQuestionRef[];
  /** Nobody (or nobody with enough answers) was identified: no answer can match. */
  decoy?: true;
}

export const kbaVerifyNode = defineNode<KbaVerifyConfig>({
  type: 'KbaVerifyNode',
  displayName: 'KBA Verification',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      kbaInfoAttribute: {
        title: 'KBA info attribute',
        description: 'The user attribute holding the security answers.',
        type: 'string',
        minLength: 1,
        default: 'kbaInfo',
      },
      identityAttribute: IDENTITY_ATTRIBUTE_PROPERTY,
    },
  },
  outcomes: TRUE_FALSE_OUTCOMES,

  async process(ctx) {
    const kba = ctx.services.kba;
    const resource = ctx.journey.identityResource;
    const user = await resolveIdentity(ctx, resource, ctx.config.identityAttribute);
    const stored = user ? storedAnswersOf(user, ctx.config.kbaInfoAttribute) : [];
    const local = ctx.local as Partial<Asked>;
    const returned = ctx.callbacks?.filter((cb) => cb.type === 'PasswordCallback');

    if (!returned || !Array.isArray(local.asked)) {
      const n = kba.config.minimumAnswersToVerify;
      let asked = user ? pickQuestions(stored, n) : undefined;
      if (!asked) {
        // Predefined questions nobody answered: the same page, whatever the reason.
        const ids = Object.keys(kba.config.questions).map((questionId) => ({ questionId }));
        if (ids.length === 0) return { kind: 'outcome', outcome: 'false' };
        asked = Array.from({ length: n }, (_, i) => ids[i % ids.length] as KbaQuestionRef);
        local.decoy = true;
      }
      local.asked = asked;
      return { kind: 'callbacks', callbacks: asked.map((ref) => passwordCallback(questionText(ctx, ref))) };
    }

    const answers = returned.map((cb) => readString(cb));
    const check = user && !local.decoy ? await kba.verify({ resource, id: user._id }, stored, local.asked, answers) : await kba.verifyNobody(answers);
    if (check.result === 'match') {
      // Answers the KBA module re-hashed (legacy IDM hashes, once it reads them) are saved as re-hashed.
      if (user && check.upgraded) await ctx.services.identity.update(resource, user._id, { [ctx.config.kbaInfoAttribute]: check.upgraded });
      return { kind: 'outcome', outcome: 'true' };
    }
    return {
      kind: 'outcome',
      outcome: 'false',
      effects: [auditEffect('journey.kba.failed', { journey: ctx.journey.id, node: ctx.nodeId, locked: check.result === 'locked' })],
    };
  },
});
