/**
 * Chooses the page language and translates message keys. The language comes from the `locale`
 * parameter, then the browser's preferred languages, then English; the operator's theme may
 * override any text per language. Pure: locale lists and overrides are passed in.
 */
import { en, type Catalog, type Message, type MessageKey } from './en.js';
import { fr } from './fr.js';
import { policyMessage } from '../core/policies.js';
import type { PolicyFailure } from '../core/types.js';

export type { MessageKey } from './en.js';

export const CATALOGS: Readonly<Record<string, Catalog>> = { en, fr };
export const SUPPORTED_LOCALES = Object.keys(CATALOGS);
/** Each language named in itself, for the selector. */
export const LOCALE_NAMES: Readonly<Record<string, string>> = { en: 'English', fr: 'Français' };

/** The first supported language among the candidates ("fr-CA" → "fr"), else "en". */
export function pickLocale(candidates: readonly (string | undefined)[]): string {
  for (const candidate of candidates) {
    if (!candidate) continue;
    const language = candidate.trim().toLowerCase().split(/[-_]/)[0] ?? '';
    if (SUPPORTED_LOCALES.includes(language)) return language;
  }
  return 'en';
}

export type Params = Readonly<Record<string, string | number>>;
export type Overrides = Readonly<Record<string, Readonly<Record<string, string>>>>;

export interface Translator {
  readonly locale: string;
  t(key: MessageKey, params?: Params): string;
  /** A readable sentence for a failed (or required) policy. */
  policy(failure: PolicyFailure): string;
}

const format = (template: string, params: Params): string =>
  template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));

export function createTranslator(locale: string, overrides: Overrides = {}): Translator {
  const catalog = CATALOGS[locale] ?? en;
  const own = overrides[locale] ?? {};
  const plurals = new Intl.PluralRules(locale);
  const listFormat = (items: string[]): string => {
    try {
      return new Intl.ListFormat(locale, { type: 'conjunction' }).format(items);
    } catch {
      return items.join(', ');
    }
  };

  const t = (key: MessageKey, params: Params = {}): string => {
    const override = own[key];
    const message: Message = typeof override === 'string' ? override : (catalog[key] ?? en[key]);
    if (typeof message === 'string') return format(message, params);
    const n = typeof params.count === 'number' ? params.count : Number(params.count ?? 0);
    return format(plurals.select(n) === 'one' ? message.one : message.other, params);
  };

  const fieldName = (name: string): string => {
    const key = `field.${name}`;
    return key in catalog ? t(key as MessageKey) : name;
  };

  const policy = (failure: PolicyFailure): string => {
    const { key, params, lists } = policyMessage(failure);
    const all: Record<string, string | number> = { ...params };
    if (lists.fields) all.fields = lists.fields.length > 0 ? listFormat(lists.fields.map(fieldName)) : t('field.others');
    if (lists.characters) all.characters = lists.characters.map((c) => `“${c}”`).join(' ');
    return t(key, all);
  };

  return { locale, t, policy };
}
