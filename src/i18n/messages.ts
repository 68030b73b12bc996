/**
 * The few rules every Cairn catalogue follows, shared by the server (node texts, command-line
 * sentences) and the hosted pages: a message is a string with `{name}` parameters, or a `one` /
 * `other` pair chosen by the `count` parameter (Intl.PluralRules); lists are joined the way the
 * language joins them. Pure and dependency-free, so the pages' bundle can import it.
 */

export type Message = string | { readonly one: string; readonly other: string };
export type Params = Readonly<Record<string, string | number>>;

/** The languages Cairn ships complete catalogues for; English is the reference. */
export const SHIPPED_LANGUAGES = ['en', 'fr'] as const;
export type ShippedLanguage = (typeof SHIPPED_LANGUAGES)[number];

/** The first shipped language among the candidates ("fr-CA" → "fr"), else English. */
export function shippedLanguage(candidates: readonly (string | undefined)[]): ShippedLanguage {
  for (const candidate of candidates) {
    if (!candidate) continue;
    const language = candidate.trim().toLowerCase().split(/[-_]/)[0] ?? '';
    if ((SHIPPED_LANGUAGES as readonly string[]).includes(language)) return language as ShippedLanguage;
  }
  return 'en';
}

/** Replaces `{name}` with its parameter; unknown names stay as they are (visible, never silent). */
export const fillParams = (template: string, params: Params): string =>
  template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));

/** The text of `message` in `locale` with its parameters filled. */
export function formatMessage(message: Message, params: Params, locale: string): string {
  if (typeof message === 'string') return fillParams(message, params);
  const n = typeof params.count === 'number' ? params.count : Number(params.count ?? 0);
  return fillParams(new Intl.PluralRules(locale).select(n) === 'one' ? message.one : message.other, params);
}

/** "a, b or c" in the language's own way (`disjunction`), or "a, b and c" (`conjunction`). */
export function joinList(items: readonly string[], locale: string, type: 'conjunction' | 'disjunction'): string {
  try {
    return new Intl.ListFormat(locale, { type }).format(items);
  } catch {
    return items.join(', ');
  }
}
