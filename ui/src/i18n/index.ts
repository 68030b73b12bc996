/**
 * Chooses the page language and translates message keys. The language comes from the `locale`
 * parameter, then the browser's preferred languages, then English; the operator's theme may
 * override any text per language. Formatting (parameters, plurals, lists) and the policy sentences
 * are Cairn's shared rules (src/i18n/). Pure: locale lists and overrides are passed in.
 */
import { formatMessage, shippedLanguage, type Params } from '../../../src/i18n/messages.js';
import { policySentence, ruleSentence } from '../../../src/i18n/policies.js';
import type { PolicyFailure } from '../core/types.js';
import { en, type Catalog, type Message, type MessageKey } from './en.js';
import { fr } from './fr.js';
import { stockKey } from './stock.js';

export type { MessageKey } from './en.js';
export type { Params };

export const CATALOGS: Readonly<Record<string, Catalog>> = { en, fr };
export const SUPPORTED_LOCALES = Object.keys(CATALOGS);
/** Each language named in itself, for the selector. */
export const LOCALE_NAMES: Readonly<Record<string, string>> = { en: 'English', fr: 'Français' };

/** The first supported language among the candidates ("fr-CA" → "fr"), else "en". */
export const pickLocale = (candidates: readonly (string | undefined)[]): string => shippedLanguage(candidates);

export type Overrides = Readonly<Record<string, Readonly<Record<string, string>>>>;

export interface Translator {
  readonly locale: string;
  t(key: MessageKey, params?: Params): string;
  /** A readable sentence for a failed (or required) policy. */
  policy(failure: PolicyFailure): string;
  /** A requirement as a checklist states it ("Must not be a common password."). */
  rule(requirement: PolicyFailure): string;
  /** A text from the server: AM's stock texts ("User Name") in the pages' wording and language, others as they came. */
  server(text: string): string;
}

export function createTranslator(locale: string, overrides: Overrides = {}): Translator {
  const catalog = CATALOGS[locale] ?? en;
  const own = overrides[locale] ?? {};
  const t = (key: MessageKey, params: Params = {}): string => {
    const override = own[key];
    const message: Message = typeof override === 'string' ? override : (catalog[key] ?? en[key]);
    return formatMessage(message, params, locale);
  };
  const server = (text: string): string => {
    const key = stockKey(text);
    return key ? t(key) : text;
  };
  return { locale, t, server, policy: (failure) => policySentence(failure, locale, t), rule: (requirement) => ruleSentence(requirement, locale, t) };
}
