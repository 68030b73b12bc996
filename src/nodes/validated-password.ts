/**
 * Platform Password (AM `ValidatedPasswordNode`): collects a password. Without validation a plain
 * PasswordCallback; with validation a ValidatedCreatePasswordCallback checked against the password
 * policies for this user (`shared._id`), re-sent blank with `failedPolicies` on failure or validateOnly.
 * Writes the password to transient state only (`objectAttributes[passwordAttribute]`, `password`).
 */
import { passwordCallback, validatedCreatePasswordCallback } from '../callbacks/builders.js';
import { readString, readValidateOnly } from '../callbacks/readers.js';
import { nodeText } from '../i18n/node-texts.js';
import type { PolicyFailure } from '../identity/ports.js';
import { policyContextOf, setObjectAttribute } from './helpers/object-attributes.js';
import { defineNode, type NodeContext, type NodeResult } from './types.js';

export interface ValidatedPasswordConfig {
  validateInput: boolean;
  passwordAttribute: string;
}

function store(ctx: NodeContext<ValidatedPasswordConfig>, password: string): NodeResult {
  setObjectAttribute(ctx.transient, ctx.config.passwordAttribute, password);
  ctx.transient['password'] = password;
  return { kind: 'outcome', outcome: 'outcome' };
}

export const validatedPasswordNode = defineNode<ValidatedPasswordConfig>({
  type: 'ValidatedPasswordNode',
  displayName: 'Platform Password',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      validateInput: {
        title: 'Validate input',
        description: 'Check the password against the password policies (and offer live validation via validateOnly).',
        type: 'boolean',
        default: false,
      },
      passwordAttribute: {
        title: 'Password attribute',
        description: 'The identity attribute that holds the password.',
        type: 'string',
        minLength: 1,
        default: 'password',
      },
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],

  async process(ctx) {
    const { validateInput, passwordAttribute } = ctx.config;
    if (!validateInput) {
      const returned = ctx.callbacks?.find((cb) => cb.type === 'PasswordCallback');
      const password = returned ? readString(returned) : '';
      if (password === '') return { kind: 'callbacks', callbacks: [passwordCallback(ctx.localize(nodeText('prompt.password')))] };
      return store(ctx, password);
    }

    const resource = ctx.journey.identityResource;
    const prompt = ctx.localize(ctx.services.schema.property(resource, passwordAttribute)?.title ?? nodeText('prompt.password'));
    const policies = ctx.services.policy.describe(resource, passwordAttribute);
    const returned = ctx.callbacks?.find((cb) => cb.type === 'ValidatedCreatePasswordCallback');
    if (!returned) {
      return { kind: 'callbacks', callbacks: [validatedCreatePasswordCallback({ prompt, policies, echoOn: false })] };
    }

    const password = readString(returned);
    const validateOnly = readValidateOnly(returned);
    const failedPolicies: PolicyFailure[] =
      password === ''
        ? [{ policyRequirement: 'REQUIRED' }]
        : await ctx.services.policy.check(resource, passwordAttribute, password, policyContextOf(ctx));
    if (validateOnly || failedPolicies.length > 0) {
      // The builder always sends the password input blank: a password is never echoed.
      return {
        kind: 'callbacks',
        callbacks: [validatedCreatePasswordCallback({ prompt, policies, failedPolicies, validateOnly, echoOn: false })],
      };
    }
    return store(ctx, password);
  },
});
