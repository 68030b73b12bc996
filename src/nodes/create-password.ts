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
import { defineCatalogue } from '../i18n/catalogue.js';
import { setObjectAttribute } from './helpers/object-attributes.js';
import { defineNode, type NodeContext, type NodeResult } from './types.js';

export interface CreatePasswordConfig {
  minPasswordLength: number;
}

/** AM's texts in English (its CreatePasswordNode bundle), and their translations. */
export const CREATE_PASSWORD_TEXTS = defineCatalogue('node.CreatePasswordNode', {
  en: {
    password: 'Create a password',
    confirm: 'Confirm password',
    tooShort: 'Password must be a minimum of {n} characters',
    mismatch: 'Passwords do not match',
  },
  fr: {
    password: 'Choisissez un mot de passe',
    confirm: 'Confirmer le mot de passe',
    tooShort: 'Le mot de passe doit comporter au moins {n}\u00a0caractères',
    mismatch: 'Les mots de passe ne correspondent pas',
  },
});
const TEXTS = CREATE_PASSWORD_TEXTS;

function ask(ctx: NodeContext<CreatePasswordConfig>, error?: string): NodeResult {
  const callbacks: Callback[] = [passwordCallback(ctx.localize(TEXTS.text('password'))), passwordCallback(ctx.localize(TEXTS.text('confirm')))];
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
    if ([...password].length < min) return ask(ctx, ctx.localize(TEXTS.text('tooShort', { n: min })));
    if (password !== confirmation) return ask(ctx, ctx.localize(TEXTS.text('mismatch')));
    ctx.transient['password'] = password;
    setObjectAttribute(ctx.transient, 'password', password);
    return { kind: 'outcome', outcome: 'outcome' };
  },
});
