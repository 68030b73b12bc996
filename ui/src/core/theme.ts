/**
 * The operator's theme (`/login/theme.json`, read at run time so no rebuild is needed): product name,
 * logo, colours and text overrides per language. Everything is checked here — colours must look like
 * CSS colours, the logo must be a same-site path or a data:image URL (the CSP allows nothing else),
 * texts must be known message keys — and whatever is wrong is dropped and reported. Pure.
 */
import { en } from '../i18n/en.js';
import { safeHref } from './sanitize.js';
import { isRecord } from './types.js';

export const COLOR_NAMES = [
  'primary',
  'onPrimary',
  'background',
  'surface',
  'text',
  'muted',
  'border',
  'error',
  'success',
  'warning',
  'link',
  'focus',
] as const;
export type ColorName = (typeof COLOR_NAMES)[number];

export interface Theme {
  productName?: string;
  logo?: { src: string; alt: string };
  /** Where "Continue to <product>" leads from the success page (a same-site path or an http(s) URL). */
  homeUrl?: string;
  colors: Partial<Record<ColorName, string>>;
  /** locale → message key → text. */
  texts: Record<string, Record<string, string>>;
}

const COLOR = /^(#[0-9a-f]{3,8}|(rgb|rgba|hsl|hsla)\(\s*[0-9.,%\s/deg]+\)|[a-z]{3,20})$/i;
const LOCALE = /^[a-z]{2,8}(-[a-z0-9]{1,8})*$/i;
const MAX_TEXT = 1000;

/** A logo source the page's CSP lets load: a same-site path or a data:image URL (not SVG-with-script risk: img never runs scripts). */
export function safeLogoSrc(src: string): boolean {
  if (/^data:image\/(png|gif|jpeg|webp|svg\+xml)[;,]/i.test(src)) return src.length <= 200_000;
  if (src.length > 500 || /[\s\\]/.test(src) || src.startsWith('//')) return false;
  return !/^[a-z][a-z0-9+.-]*:/i.test(src);
}

export function readTheme(input: unknown): { theme: Theme; problems: string[] } {
  const theme: Theme = { colors: {}, texts: {} };
  const problems: string[] = [];
  if (!isRecord(input)) return { theme, problems: input === undefined ? [] : ['the theme is not a JSON object'] };

  if (typeof input.productName === 'string' && input.productName.trim() !== '' && input.productName.length <= 100) {
    theme.productName = input.productName.trim();
  } else if (input.productName !== undefined) problems.push('productName must be a short string');

  if (isRecord(input.logo)) {
    const src = input.logo.src;
    if (typeof src === 'string' && safeLogoSrc(src)) {
      theme.logo = { src, alt: typeof input.logo.alt === 'string' ? input.logo.alt.slice(0, 200) : '' };
    } else problems.push('logo.src must be a same-site path or a data:image URL');
  } else if (input.logo !== undefined) problems.push('logo must be an object {src, alt}');

  if (typeof input.homeUrl === 'string' && safeHref(input.homeUrl) !== null) theme.homeUrl = safeHref(input.homeUrl) as string;
  else if (input.homeUrl !== undefined) problems.push('homeUrl must be a same-site path or an http(s) URL');

  if (isRecord(input.colors)) {
    for (const [name, value] of Object.entries(input.colors)) {
      if (!(COLOR_NAMES as readonly string[]).includes(name)) problems.push(`unknown colour "${name}"`);
      else if (typeof value !== 'string' || !COLOR.test(value.trim())) problems.push(`colour "${name}" is not a CSS colour`);
      else theme.colors[name as ColorName] = value.trim();
    }
  } else if (input.colors !== undefined) problems.push('colors must be an object');

  if (isRecord(input.texts)) {
    for (const [locale, texts] of Object.entries(input.texts)) {
      if (!LOCALE.test(locale) || !isRecord(texts)) {
        problems.push(`texts.${locale} must be an object of texts`);
        continue;
      }
      const own: Record<string, string> = {};
      for (const [key, text] of Object.entries(texts)) {
        if (!(key in en)) problems.push(`texts.${locale}: unknown message key "${key}"`);
        else if (typeof text !== 'string' || text.length > MAX_TEXT) problems.push(`texts.${locale}.${key} must be a string`);
        else own[key] = text;
      }
      theme.texts[locale.toLowerCase()] = own;
    }
  } else if (input.texts !== undefined) problems.push('texts must be an object');

  return { theme, problems };
}

/** The CSS custom properties for the theme's colours ("primary" → "--cairn-primary"). */
export function cssVariables(theme: Theme): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(theme.colors)) {
    vars[`--cairn-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`] = value;
  }
  return vars;
}
