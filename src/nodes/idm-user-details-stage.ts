/**
 * IDM self-service `userDetails` stage (registration): collects the new account's attributes and password,
 * one StringAttributeInputCallback per attribute of `attributes` (Cairn; IDM takes any object, which lets a
 * registrant set fields such as accountStatus or roles) and a ValidatedCreatePasswordCallback. Every value
 * is checked against the managed schema's policies at once; failures come back as the same requirements
 * with their failed policies. The address verified by emailValidation is kept: a different `mail` is IDM's
 * 400 "Email address mismatch". Values go to `objectAttributes` (the password to transient state).
 */
import { nodeText } from '../i18n/node-texts.js';
import { stringAttributeInputCallback, validatedCreatePasswordCallback } from '../callbacks/builders.js';
import { outputValue, readString, readValidateOnly } from '../callbacks/readers.js';
import type { Callback } from '../callbacks/types.js';
import { getObjectAttribute, objectAttributesOf, setObjectAttribute } from './helpers/object-attributes.js';
import { stageError, STAGE_TEXTS } from './helpers/self-service.js';
import type { PolicyFailure } from '../identity/ports.js';
import { defineNode, type NodeContext, type NodeResult } from './types.js';

export interface UserDetailsStageConfig {
  identityEmailField: string;
  attributes: string[];
}

const attribute = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' } as const;
/** Attributes a registrant never sets through this stage. */
const NEVER = new Set(['_id', '_rev', 'password', 'accountStatus', 'kbaInfo', 'effectiveRoles', 'roles', 'authzRoles']);

interface Collected {
  values: Record<string, string>;
  password: string;
  failures: Map<string, PolicyFailure[]>;
  validateOnly: boolean;
}

function ask(ctx: NodeContext<UserDetailsStageConfig>, collected?: Collected): NodeResult {
  const resource = ctx.journey.identityResource;
  const { schema, policy } = ctx.services;
  const names = fieldsOf(ctx);
  const callbacks: Callback[] = names.map((name) => {
    const prop = schema.property(resource, name);
    const known = getObjectAttribute(ctx.shared, name);
    return stringAttributeInputCallback({
      name,
      prompt: ctx.localize(prop?.title ?? prop?.description ?? name),
      required: prop?.required ?? false,
      policies: policy.describe(resource, name),
      failedPolicies: collected?.failures.get(name) ?? [],
      validateOnly: collected?.validateOnly ?? false,
      value: collected?.values[name] ?? (typeof known === 'string' ? known : ''),
    });
  });
  callbacks.push(
    validatedCreatePasswordCallback({
      prompt: ctx.localize(schema.property(resource, 'password')?.title ?? nodeText('prompt.password')),
      policies: policy.describe(resource, 'password'),
      failedPolicies: collected?.failures.get('password') ?? [],
      validateOnly: collected?.validateOnly ?? false,
      echoOn: false,
    }),
  );
  return { kind: 'callbacks', callbacks, description: ctx.localize(STAGE_TEXTS.text('description.userDetails')), stage: 'initial' };
}

/** The attributes asked for: the configured ones and the address (pre-filled with the verified one, if any). */
function fieldsOf(ctx: NodeContext<UserDetailsStageConfig>): string[] {
  const names = ctx.config.attributes.filter((a) => !NEVER.has(a));
  const mailField = ctx.config.identityEmailField;
  if (!names.includes(mailField)) names.push(mailField);
  return names;
}

export const idmUserDetailsStage = defineNode<UserDetailsStageConfig>({
  type: 'IdmUserDetailsNode',
  displayName: 'IDM User Details Stage',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      identityEmailField: { title: 'E-mail field', description: 'The attribute holding the address.', ...attribute, default: 'mail' },
      attributes: {
        title: 'Attributes (Cairn)',
        description: 'The attributes a registrant gives, besides the password and the verified address.',
        type: 'array',
        items: attribute,
        uniqueItems: true,
        default: ['userName', 'givenName', 'sn'],
      },
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],

  async process(ctx) {
    if (!ctx.callbacks) return ask(ctx);
    const resource = ctx.journey.identityResource;
    const mailField = ctx.config.identityEmailField;
    const verified = getObjectAttribute(ctx.shared, 'mail');
    const collected: Collected = { values: {}, password: '', failures: new Map(), validateOnly: false };
    for (const cb of ctx.callbacks) {
      collected.validateOnly ||= readValidateOnly(cb);
      if (cb.type === 'ValidatedCreatePasswordCallback') collected.password = readString(cb);
      else if (cb.type === 'StringAttributeInputCallback') {
        const name = outputValue(cb, 'name');
        if (typeof name === 'string') collected.values[name] = readString(cb).trim();
      }
    }
    const given = collected.values[mailField];
    if (typeof verified === 'string') {
      if (given !== undefined && given !== '' && given.toLowerCase() !== verified.toLowerCase()) throw stageError('Email address mismatch');
      collected.values[mailField] = verified;
    }
    const attributes: Record<string, unknown> = { ...objectAttributesOf(ctx.shared), ...collected.values };
    if (typeof verified === 'string') attributes[mailField] = verified;
    const context = { attributes: { ...attributes, password: collected.password } };
    for (const [name, value] of Object.entries({ ...collected.values, password: collected.password })) {
      const failed = await ctx.services.policy.check(resource, name, value === '' ? undefined : value, context);
      if (failed.length > 0) collected.failures.set(name, failed);
    }
    if (collected.password === '' && !collected.failures.has('password')) collected.failures.set('password', [{ policyRequirement: 'REQUIRED' }]);
    if (collected.validateOnly || collected.failures.size > 0) return ask(ctx, collected);
    for (const [name, value] of Object.entries(collected.values)) if (value !== '') setObjectAttribute(ctx.shared, name, value);
    setObjectAttribute(ctx.transient, 'password', collected.password);
    return { kind: 'outcome', outcome: 'outcome' };
  },
});
