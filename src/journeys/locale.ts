/**
 * Locale negotiation and localised texts. The request's locales come from the `locale` query
 * parameter first, then `Accept-Language` (by q-value); a text map is resolved by exact tag, then by
 * language ("fr-CA" → "fr"), then falls back to the map's first entry, as AM does.
 */
import type { LocalizedText } from './model.js';

const TAG = /^[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*$/;

function normalise(tag: string): string {
  return tag.trim().replace(/_/g, '-').toLowerCase();
}

/** Parses `Accept-Language`, ignoring malformed entries; most preferred first. */
export function parseAcceptLanguage(header: string | undefined): string[] {
  if (!header) return [];
  const entries: { tag: string; q: number; i: number }[] = [];
  header
    .slice(0, 1024)
    .split(',')
    .forEach((part, i) => {
      const [rawTag = '', ...params] = part.split(';');
      const tag = rawTag.trim();
      if (!TAG.test(tag)) return;
      let q = 1;
      for (const p of params) {
        const m = /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p);
        if (m) q = Number(m[1]);
      }
      if (Number.isFinite(q) && q > 0) entries.push({ tag: normalise(tag), q, i });
    });
  return entries.sort((a, b) => b.q - a.q || a.i - b.i).map((e) => e.tag);
}

/** The request's locales, most preferred first: `locale` parameter, then `Accept-Language`. */
export function requestLocales(localeParam: string | undefined, acceptLanguage: string | undefined): string[] {
  const out: string[] = [];
  if (localeParam && TAG.test(localeParam.trim())) out.push(normalise(localeParam));
  for (const tag of parseAcceptLanguage(acceptLanguage)) if (!out.includes(tag)) out.push(tag);
  return out;
}

/** Resolves a localised text for the given locales; a plain string is returned as it is. */
export function localize(text: LocalizedText | string | undefined, locales: readonly string[], fallback = ''): string {
  if (text === undefined || text === null) return fallback;
  if (typeof text === 'string') return text;
  const keys = Object.keys(text);
  if (keys.length === 0) return fallback;
  const byTag = new Map(keys.map((k) => [normalise(k), k]));
  for (const wanted of locales) {
    const exact = byTag.get(wanted);
    if (exact !== undefined) return text[exact] ?? fallback;
    const language = wanted.split('-')[0] ?? wanted;
    const lang = byTag.get(language);
    if (lang !== undefined) return text[lang] ?? fallback;
    const sibling = keys.find((k) => normalise(k).split('-')[0] === language);
    if (sibling !== undefined) return text[sibling] ?? fallback;
  }
  return text[keys[0] as string] ?? fallback;
}
