/**
 * IDM self-service `selfRegistration` stage: creates the account from what the earlier stages collected
 * (`objectAttributes`, the password from transient state, the hashed security answers) through the
 * identity service, which checks every policy again and refuses a taken username or address. The new
 * account becomes the journey's (`_id`, username); the password leaves the state.
 */
import { CairnError } from '../errors/cairn-error.js';
import { isIdentityFailure } from './helpers/identity-lookup.js';
import { getObjectAttribute } from './helpers/object-attributes.js';
import { IDENTITY_SERVICE_URL_PROPERTY, misconfigured, resourceOf } from './helpers/self-service.js';
import { auditEffect, defineNode } from './types.js';

export interface SelfRegistrationStageConfig {
  identityServiceUrl: string;
}

export const idmSelfRegistrationStage = defineNode<SelfRegistrationStageConfig>({
  type: 'IdmSelfRegistrationNode',
  displayName: 'IDM Self Registration Stage',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { identityServiceUrl: IDENTITY_SERVICE_URL_PROPERTY },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],

  async process(ctx) {
    const attributes = ctx.shared['objectAttributes'];
    if (typeof attributes !== 'object' || attributes === null || Object.keys(attributes).length === 0) {
      throw misconfigured('selfRegistration', 'user to create (objectAttributes)');
    }
    const password = getObjectAttribute(ctx.transient, 'password');
    const resource = resourceOf(ctx.config.identityServiceUrl);
    const created = await ctx.services.identity.create(resource, { ...attributes, ...(typeof password === 'string' ? { password } : {}) });
    if (isIdentityFailure(created)) {
      throw new CairnError({
        status: 403,
        code: 'policy.failed',
        message: created.failedPolicies?.length ? 'Policy validation failed' : created.message,
        ...(created.failedPolicies?.length ? { detail: { result: false, failedPolicies: created.failedPolicies } } : {}),
      });
    }
    delete ctx.transient['objectAttributes'];
    ctx.shared['_id'] = created._id;
    if (typeof created['userName'] === 'string') ctx.shared['username'] = created['userName'];
    return {
      kind: 'outcome',
      outcome: 'outcome',
      effects: [auditEffect('selfservice.registered', { journey: ctx.journey.id, resource, userId: created._id })],
    };
  },
});
