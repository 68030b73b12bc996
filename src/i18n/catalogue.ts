/**
 * Cairn's server-side catalogues: message id → text, in every shipped language. A module that sends
 * text to a person (a node's prompt, a refusal, a choice label) declares its texts once with
 * `defineCatalogue(name, { en: {...}, fr: {...} })` next to its code and sends `ctx.localize(texts.text(id))`;
 * the request's `locale` / `Accept-Language` then picks the language, as AM's resource bundles do.
 *
 * English is the reference: its ids are the catalogue's ids, and every other shipped language must
 * translate each of them (a compile error otherwise), with the same `{name}` parameters (checked when
 * the catalogue is defined). Every catalogue defined is listed by `catalogues()`, so the checks that
 * walk the pages in each language (test/ui/language-texts.ts) know every text Cairn can send.
 */
import type { LocalizedText } from '../journeys/model.js';
import { fillParams, SHIPPED_LANGUAGES, type Params, type ShippedLanguage } from './messages.js';

/** One language's texts: every id of the catalogue. */
export type Texts<Id extends string> = { readonly [K in Id]: string };

/** What `defineCatalogue` takes: English (the ids) and every other shipped language, complete. */
export type CatalogueTexts<Id extends string> = { readonly en: Texts<Id> } & {
  readonly [L in Exclude<ShippedLanguage, 'en'>]: Texts<NoInfer<Id>>;
};

export interface Catalogue<Id extends string = string> {
  /** Unique among catalogues: "nodes", "node.TermsAndConditionsNode", … */
  readonly name: string;
  readonly ids: readonly Id[];
  readonly texts: Readonly<Record<ShippedLanguage, Texts<Id>>>;
  /** The text as a locale map of every shipped language (English first, the fallback), parameters filled. */
  text(id: Id, params?: Params): LocalizedText;
  /** The English text: a node's schema default, AM's own wording where AM has one. */
  english(id: Id): string;
  /**
   * A journey's text, completed with the catalogue's translations of `id` when the journey holds only
   * the stock English (as a plain string or as `{ "en": … }`) or nothing; any other text is the
   * journey's own wording and is returned as it is.
   */
  complete(text: LocalizedText | string | undefined, id: Id): LocalizedText | string | undefined;
}

const registry = new Map<string, Catalogue>();

const paramsOf = (text: string): string => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort().join(',');
const baseLanguage = (tag: string): string => tag.toLowerCase().split(/[-_]/)[0] ?? '';

/** Declares (once per name) a catalogue; throws on an empty text, a missing id or a changed parameter. */
export function defineCatalogue<Id extends string>(name: string, texts: CatalogueTexts<Id>): Catalogue<Id> {
  if (registry.has(name)) throw new Error(`The catalogue "${name}" is defined twice.`);
  const all = texts as unknown as Record<ShippedLanguage, Texts<Id>>;
  const ids = Object.keys(all.en) as Id[];
  for (const language of SHIPPED_LANGUAGES) {
    const own = all[language] as Record<string, unknown> | undefined;
    if (!own) throw new Error(`The catalogue "${name}" has no ${language} texts.`);
    for (const id of ids) {
      const value = own[id];
      if (typeof value !== 'string' || value.trim() === '') throw new Error(`The catalogue "${name}" has no ${language} text for "${id}".`);
      if (paramsOf(value) !== paramsOf(all.en[id]))
        throw new Error(`The ${language} text of "${id}" in the catalogue "${name}" does not have the same parameters as the English text.`);
    }
    const extra = Object.keys(own).filter((id) => !(id in all.en));
    if (extra.length > 0) throw new Error(`The catalogue "${name}" has ${language} texts without an English one: ${extra.join(', ')}.`);
  }
  const text = (id: Id, params: Params = {}): LocalizedText =>
    Object.fromEntries(SHIPPED_LANGUAGES.map((language) => [language, fillParams(all[language][id], params)]));
  const english = (id: Id): string => all.en[id];
  const complete = (value: LocalizedText | string | undefined, id: Id): LocalizedText | string | undefined => {
    const stock = all.en[id];
    if (value === undefined || value === stock) return text(id);
    if (typeof value === 'string') return value;
    const entries = Object.entries(value);
    if (entries.length === 0) return text(id);
    const englishTexts = entries.filter(([tag]) => baseLanguage(tag) === 'en').map(([, v]) => v);
    if (englishTexts.length === 0 || englishTexts.some((v) => v !== stock)) return value;
    return { ...value, ...Object.fromEntries(Object.entries(text(id)).filter(([language]) => !(language in value))) };
  };
  const catalogue: Catalogue<Id> = { name, ids, texts: all, text, english, complete };
  registry.set(name, catalogue);
  return catalogue;
}

/** Every catalogue defined so far (each module defines its own when it is loaded). */
export const catalogues = (): readonly Catalogue[] => [...registry.values()];
