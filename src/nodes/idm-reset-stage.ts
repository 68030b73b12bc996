/**
 * IDM self-service `resetStage`: sets the identified account's new password through the identity service's
 * one save path (policies all at once, argon2id, sessions revoked, attempt budget cleared, "password
 * changed" e-mail, audit). It re-reads the account first and refuses when it is gone or its address no
 * longer is the one the process verified (PingIDM 7). A password the policy refuses comes back, as in
 * PingIDM 7.5, as the same requirements again with the failed policies (ValidatedCreatePasswordCallback's
 * failedPolicies), never saved; `validateOnly` checks without saving (AM's live validation).
 */
import { nodeText } from '../i18n/node-texts.js';
import { validatedCreatePasswordCallback } from '../callbacks/builders.js';
import { readString, readValidateOnly } from '../callbacks/readers.js';
import { isIdentityFailure } from './helpers/identity-lookup.js';
import { getObjectAttribute } from './helpers/object-attributes.js';
import { IDENTITY_SERVICE_URL_PROPERTY, misconfigured, resourceOf, stageError, STAGE_TEXTS } from './helpers/self-service.js';
import type { PolicyFailure } from '../identity/ports.js';
import { auditEffect, defineNode, type NodeContext, type NodeResult } from './types.js';

export interface ResetStageConfig {
  identityServiceUrl: string;
  identityPasswordField: string;
}

export const PASSWORD_MISSING = 'password is missing from input';

function ask(ctx: NodeContext<ResetStageConfig>, failedPolicies: PolicyFailure[] = [], validateOnly = false): NodeResult {
  const resource = resourceOf(ctx.config.identityServiceUrl);
  const policies = ctx.services.policy.describe(resource, ctx.config.identityPasswordField);
  return {
    kind: 'callbacks',
    callbacks: [
      validatedCreatePasswordCallback({ prompt: ctx.localize(nodeText('prompt.password')), policies, failedPolicies, validateOnly, echoOn: false }),
    ],
    description: ctx.localize(STAGE_TEXTS.text('description.reset')),
    stage: 'initial',
  };
}

export const idmResetStage = defineNode<ResetStageConfig>({
  type: 'IdmResetNode',
  displayName: 'IDM Reset Stage',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      identityServiceUrl: IDENTITY_SERVICE_URL_PROPERTY,
      identityPasswordField: {
        title: 'Password field',
        description: 'The attribute holding the password.',
        type: 'string',
        minLength: 1,
        default: 'password',
      },
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],
  allowedInPage: false,

  async process(ctx) {
    const resource = resourceOf(ctx.config.identityServiceUrl);
    const id = ctx.shared['_id'];
    if (typeof id !== 'string' || id === '') throw misconfigured('resetStage', 'identified account (_id)');
    const user = await ctx.services.identity.read(resource, id);
    if (!user) throw stageError('The account no longer exists.');
    const verified = getObjectAttribute(ctx.shared, 'mail');
    if (typeof verified === 'string' && typeof user['mail'] === 'string' && verified.toLowerCase() !== user['mail'].toLowerCase()) {
      throw stageError('The account changed since this request began; start again.');
    }

    const returned = ctx.callbacks?.find((cb) => cb.type === 'ValidatedCreatePasswordCallback');
    if (!returned) return ask(ctx);
    const password = readString(returned);
    if (password === '') throw stageError(PASSWORD_MISSING);
    const field = ctx.config.identityPasswordField;
    if (readValidateOnly(returned)) {
      return ask(ctx, await ctx.services.policy.check(resource, field, password, { objectId: id, attributes: user }), true);
    }
    const saved = await ctx.services.identity.update(resource, id, { [field]: password });
    if (isIdentityFailure(saved)) {
      if (saved.failedPolicies && saved.failedPolicies.length > 0) return ask(ctx, saved.failedPolicies);
      throw stageError(saved.message);
    }
    return { kind: 'outcome', outcome: 'outcome', effects: [auditEffect('selfservice.password.reset', { journey: ctx.journey.id, userId: id })] };
  },
});
