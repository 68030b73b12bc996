/**
 * The self-service pages' texts: the `selfservice.*` keys of the pages' one catalogue (ui/src/i18n/en.ts
 * and fr.ts, with the theme's overrides like every other text), and IDM's refusals in the page's language.
 * IDM's server sends its refusals in English, as IDM does (clients match on them); the pages show the
 * ones they know in their own words and any other as a sentence of their own, never the server's English.
 */
import { en, type MessageKey } from '../i18n/en.js';
import { createTranslator, type Overrides } from '../i18n/index.js';

type Prefixed = Extract<MessageKey, `selfservice.${string}`>;
export type SelfServiceTextKey = Prefixed extends `selfservice.${infer K}` ? K : never;

export function selfServiceText(locale: string, key: SelfServiceTextKey, params: Record<string, string> = {}, overrides: Overrides = {}): string {
  return createTranslator(locale, overrides).t(`selfservice.${key}`, params);
}

/** Whether `key` names one of these texts (a field label may be a key or a server's description). */
export const isTextKey = (key: string): key is SelfServiceTextKey => Object.hasOwn(en, `selfservice.${key}`);

/** IDM's refusal messages (their start), and the page's text for each. */
const REFUSALS: readonly (readonly [string, SelfServiceTextKey])[] = [
  ['Answers are not matched', 'error.answersNotMatched'],
  ['Too many wrong answers to the security questions', 'error.kbaLocked'],
  ['Must accept terms and conditions', 'error.termsRefused'],
  ['Recaptcha verification is unsuccessful', 'error.captchaRefused'],
  ['Unable to find account', 'error.accountNotFound'],
  ['Invalid query filter', 'error.invalidQuery'],
  ['Email address mismatch', 'error.mailMismatch'],
  ['Invalid token', 'error.invalidToken'],
  ['Invalid snapshot token', 'error.invalidToken'],
  ['Invalid code', 'error.invalidCode'],
  ['Input code is missing', 'error.invalidCode'],
  ['The account no longer exists', 'error.accountGone'],
  ['The account changed since this request began', 'error.accountChanged'],
];

/** The key of the page's text for a refusal the server sent (its own English message, or none: unreachable). */
export function refusalKey(message: string | undefined, reached = message !== undefined): SelfServiceTextKey {
  if (message === undefined) return reached ? 'error.refused' : 'error.network';
  const found = REFUSALS.find(([start]) => message.startsWith(start));
  return found ? found[1] : 'error.refused';
}
