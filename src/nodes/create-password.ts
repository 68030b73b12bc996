/**
 * Create Password (AM `CreatePasswordNode`): asks for a new password twice (two PasswordCallbacks) and
 * asks again — with an error TextOutputCallback — until both match and it has at least
 * `minPasswordLength` characters; then the password goes to transient `password` (and to
 * `objectAttributes.password` there, so Create Object stores it). Outcome `outcome`. The identity
 * service applies the password policies when the password is stored.
 */
import { MESSAGE_ERROR, passwordCallback, textOutputCallback } from '../callbacks/builders.js';
import { readString } from '../callbacks/readers.js';
import type { Callback } from '../callbacks/types.js';
import { setObjectAttribute } from './helpers/object-attributes.js';
import { defineNode, type NodeContext, type NodeResult } from './types.js';

export interface CreatePasswordConfig {
  minPasswordLength: number;
}

const TEXTS = {
  password: { en: 'Create a password', fr: 'Choisissez un mot de passe' },
  confirm: { en: 'Confirm password', fr: 'Confirmez le mot de passe' },
  tooShort: { en: 'Password must be a minimum of {n} characters', fr: 'Le mot de passe doit comporter au moins {n} caractères' },
  mismatch: { en: 'Passwords do not match', fr: 'Les mots de passe ne correspondent pas' },
};

function ask(ctx: NodeContext<CreatePasswordConfig>, error?: string): NodeResult {
  const callbacks: Callback[] = [passwordCallback(ctx.localize(TEXTS.password)), passwordCallback(ctx.localize(TEXTS.confirm))];
  if (error !== undefined) callbacks.push(textOutputCallback(error, MESSAGE_ERROR));
  return { kind: 'callbacks', callbacks };
}

export const createPasswordNode = defineNode<CreatePasswordConfig>({
  type: 'CreatePasswordNode',
  displayName: 'Create Password',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      minPasswordLength: {
        title: 'Minimum password length',
        description: 'Shortest password accepted here (the password policies apply when it is stored).',
        type: 'integer',
        minimum: 0,
        default: 8,
      },
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],
  multipleCallbacks: true,

  async process(ctx) {
    const returned = (ctx.callbacks ?? []).filter((cb) => cb.type === 'PasswordCallback');
    if (returned.length === 0) return ask(ctx);
    if (returned.length !== 2) throw new Error(`Create Password expects 2 PasswordCallbacks, got ${returned.length}.`);
    const [password, confirmation] = returned.map((cb) => readString(cb)) as [string, string];
    if (password.trim() === '') return ask(ctx);
    const min = ctx.config.minPasswordLength;
    if ([...password].length < min) return ask(ctx, ctx.localize(TEXTS.tooShort).replace('{n}', String(min)));
    if (password !== confirmation) return ask(ctx, ctx.localize(TEXTS.mismatch));
    ctx.transient['password'] = password;
    setObjectAttribute(ctx.transient, 'password', password);
    return { kind: 'outcome', outcome: 'outcome' };
  },
});
