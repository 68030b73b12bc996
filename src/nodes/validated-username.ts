/**
 * Platform Username (AM `ValidatedUsernameNode`): collects the username. Without validation a plain
 * NameCallback; with validation a ValidatedCreateUsernameCallback checked against the identity
 * policies, re-sent with `failedPolicies` (and not advancing) on failure or a validateOnly request.
 * Writes `shared.objectAttributes[usernameAttribute]` and `shared.username`.
 */
import { nameCallback, validatedCreateUsernameCallback } from '../callbacks/builders.js';
import { readString, readValidateOnly } from '../callbacks/readers.js';
import { nodeText } from '../i18n/node-texts.js';
import type { PolicyFailure } from '../identity/ports.js';
import { policyContextOf, setObjectAttribute } from './helpers/object-attributes.js';
import { defineNode, type NodeContext, type NodeResult } from './types.js';

export interface ValidatedUsernameConfig {
  validateInput: boolean;
  usernameAttribute: string;
  autocompleteValues?: string[];
}

function store(ctx: NodeContext<ValidatedUsernameConfig>, username: string): NodeResult {
  setObjectAttribute(ctx.shared, ctx.config.usernameAttribute, username);
  ctx.shared['username'] = username;
  return { kind: 'outcome', outcome: 'outcome' };
}

export const validatedUsernameNode = defineNode<ValidatedUsernameConfig>({
  type: 'ValidatedUsernameNode',
  displayName: 'Platform Username',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      validateInput: {
        title: 'Validate input',
        description: 'Check the username against the identity policies (and offer live validation via validateOnly).',
        type: 'boolean',
        default: false,
      },
      usernameAttribute: {
        title: 'Username attribute',
        description: 'The identity attribute that holds the username.',
        type: 'string',
        minLength: 1,
        default: 'userName',
      },
      autocompleteValues: {
        description: 'Kept from AIC exports; not used by Cairn.',
        type: 'array',
        items: { type: 'string' },
      },
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],

  async process(ctx) {
    const { validateInput, usernameAttribute } = ctx.config;
    if (!validateInput) {
      const returned = ctx.callbacks?.find((cb) => cb.type === 'NameCallback');
      const username = returned ? readString(returned) : '';
      if (username === '') return { kind: 'callbacks', callbacks: [nameCallback(ctx.localize(nodeText('prompt.username')))] };
      return store(ctx, username);
    }

    const resource = ctx.journey.identityResource;
    const prompt = ctx.localize(ctx.services.schema.property(resource, usernameAttribute)?.title ?? nodeText('prompt.newUsername'));
    const policies = ctx.services.policy.describe(resource, usernameAttribute);
    const returned = ctx.callbacks?.find((cb) => cb.type === 'ValidatedCreateUsernameCallback');
    if (!returned) return { kind: 'callbacks', callbacks: [validatedCreateUsernameCallback({ prompt, policies })] };

    const username = readString(returned);
    const validateOnly = readValidateOnly(returned);
    const failedPolicies: PolicyFailure[] =
      username === ''
        ? [{ policyRequirement: 'REQUIRED' }]
        : await ctx.services.policy.check(resource, usernameAttribute, username, policyContextOf(ctx, { [usernameAttribute]: username }));
    if (validateOnly || failedPolicies.length > 0) {
      return {
        kind: 'callbacks',
        callbacks: [validatedCreateUsernameCallback({ prompt, policies, failedPolicies, validateOnly, value: username })],
      };
    }
    return store(ctx, username);
  },
});
