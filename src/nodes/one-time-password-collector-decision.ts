/**
 * OTP Collector Decision (AM `OneTimePasswordCollectorDecisionNode`): asks for the one-time password
 * with a PasswordCallback and answers `true` when it matches the code in the journey's state and the
 * code is younger than `passwordExpiryTime` minutes (then the code leaves the state), `false` otherwise.
 *
 * Beyond AM, counted in the store (so a replayed earlier step changes nothing): every answer counts
 * against the code before it is compared, and after MAX_OTP_ATTEMPTS the code is burnt (every later
 * answer is `false`, right or not); a right answer uses the code, once — a second use is `false`.
 */
import { timingSafeEqual } from 'node:crypto';
import { passwordCallback } from '../callbacks/builders.js';
import { readString } from '../callbacks/readers.js';
import {
  issuedCode,
  MAX_OTP_ATTEMPTS,
  ONE_TIME_PASSWORD,
  ONE_TIME_PASSWORD_ID,
  ONE_TIME_PASSWORD_TIMESTAMP,
  otpAttemptKey,
  otpUseKey,
} from './helpers/one-time-password.js';
import { defineCatalogue } from '../i18n/catalogue.js';
import { TRUE_FALSE_OUTCOMES } from './helpers/schema-parts.js';
import { auditEffect, defineNode, type Effect } from './types.js';

export interface OneTimePasswordCollectorDecisionConfig {
  passwordExpiryTime: number;
}

/** AM's prompt in English (the pages show it as "One-time password"), and its translation. */
const TEXTS = defineCatalogue('node.OneTimePasswordCollectorDecisionNode', {
  en: { oneTimePassword: 'One Time Password' },
  fr: { oneTimePassword: 'Mot de passe à usage unique' },
});

const sameCode = (a: string, b: string): boolean => {
  const x = Buffer.from(a.normalize('NFKC').trim());
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export const oneTimePasswordCollectorDecisionNode = defineNode<OneTimePasswordCollectorDecisionConfig>({
  type: 'OneTimePasswordCollectorDecisionNode',
  displayName: 'OTP Collector Decision',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      passwordExpiryTime: {
        title: 'One-time password validity',
        description: 'Minutes a code stays valid after it was generated.',
        type: 'integer',
        minimum: 1,
        maximum: 1440,
        default: 5,
      },
    },
  },
  outcomes: TRUE_FALSE_OUTCOMES,

  async process(ctx) {
    const returned = ctx.callbacks?.find((cb) => cb.type === 'PasswordCallback');
    const answer = returned ? readString(returned) : '';
    if (answer === '') return { kind: 'callbacks', callbacks: [passwordCallback(ctx.localize(TEXTS.text('oneTimePassword')))] };

    const counters = ctx.services.counters;
    const issued = issuedCode(ctx.transient, ctx.shared);
    const audit = (result: string): Effect[] => [auditEffect('otp.checked', { journey: ctx.journey.id, node: ctx.nodeId, result })];
    if (!issued) return { kind: 'outcome', outcome: 'false', effects: audit('no-code') };
    const validityMs = ctx.config.passwordExpiryTime * 60_000;
    const window = validityMs + 60_000;
    if ((await counters.increment(otpAttemptKey(issued.id), window)) > MAX_OTP_ATTEMPTS)
      return { kind: 'outcome', outcome: 'false', effects: audit('burnt') };
    if (!sameCode(answer, issued.code)) return { kind: 'outcome', outcome: 'false', effects: audit('mismatch') };
    if (ctx.services.now() >= issued.issuedAt * 1000 + validityMs) return { kind: 'outcome', outcome: 'false', effects: audit('expired') };
    if ((await counters.increment(otpUseKey(issued.id), window)) > 1) return { kind: 'outcome', outcome: 'false', effects: audit('used') };
    for (const state of [ctx.transient, ctx.shared]) {
      delete state[ONE_TIME_PASSWORD];
      delete state[ONE_TIME_PASSWORD_TIMESTAMP];
      delete state[ONE_TIME_PASSWORD_ID];
    }
    return { kind: 'outcome', outcome: 'true', effects: audit('match') };
  },
});
