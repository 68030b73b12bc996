/**
 * Renders an IDM e-mail template for one recipient: picks the locale (preferred list, then the
 * template's defaultLocale, then its first), fills `{{object.path}}` placeholders — HTML-escaped in
 * the HTML part, with CR/LF removed in the subject — and derives a plain-text part that keeps links
 * visible. Only the simple `{{path}}` form exists: no raw `{{{…}}}`, no helpers, no blocks.
 */
import type { EmailTemplate, LocaleMap } from './types.js';

export interface RenderedMail {
  locale: string;
  subject: string;
  /** Absent for text/plain templates. */
  html?: string;
  text: string;
}

/** Any `{{ … }}` (or `{{{ … }}}`) occurrence. */
const ANY_MUSTACHE = /\{\{\{?[\s\S]*?\}?\}\}/g;
/** The one supported form: `{{ a.b.c }}`. */
const SIMPLE = /^\{\{\s*([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$-]*)*)\s*\}\}$/;

/** The first placeholder a template text uses that Cairn does not support, if any. */
export function unsupportedPlaceholder(text: string): string | undefined {
  for (const m of text.matchAll(ANY_MUSTACHE)) if (!SIMPLE.test(m[0])) return m[0];
  return undefined;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
  '`': '&#x60;',
  '=': '&#x3D;',
};

/** Handlebars' escaping: safe in element content and in quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`=]/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * Looks a dotted path up in `{ object }`, own properties only (no `constructor`, no `__proto__`).
 * Strings, finite numbers and booleans render; anything else renders empty.
 */
function lookup(root: Readonly<Record<string, unknown>>, path: string): string {
  let current: unknown = root;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return '';
    if (!Object.prototype.hasOwnProperty.call(current, segment)) return '';
    current = (current as Record<string, unknown>)[segment];
  }
  if (typeof current === 'string') return current;
  if (typeof current === 'number' && Number.isFinite(current)) return String(current);
  if (typeof current === 'boolean') return String(current);
  return '';
}

function fill(text: string, context: Readonly<Record<string, unknown>>, encode: (v: string) => string): string {
  return text.replace(ANY_MUSTACHE, (token) => {
    const m = SIMPLE.exec(token);
    return m?.[1] ? encode(lookup(context, m[1])) : '';
  });
}

const normaliseTag = (tag: string): string => tag.trim().replace(/_/g, '-').toLowerCase();

/**
 * The key of `available` to use: each preferred locale by exact tag, then by language ("fr-CA" →
 * "fr", or any "fr-*"); then `defaultLocale`; then the first key.
 */
export function pickLocale(available: readonly string[], preferred: readonly string[], defaultLocale: string): string | undefined {
  const byTag = new Map(available.map((k) => [normaliseTag(k), k]));
  for (const raw of preferred) {
    if (typeof raw !== 'string' || raw.trim() === '') continue;
    const wanted = normaliseTag(raw);
    const exact = byTag.get(wanted);
    if (exact !== undefined) return exact;
    const language = wanted.split('-')[0] ?? wanted;
    const sameLanguage = byTag.get(language) ?? available.find((k) => normaliseTag(k).split('-')[0] === language);
    if (sameLanguage !== undefined) return sameLanguage;
  }
  return byTag.get(normaliseTag(defaultLocale)) ?? available[0];
}

function inLocale(map: LocaleMap | undefined, locale: string, defaultLocale: string): string | undefined {
  if (!map) return undefined;
  return map[locale] ?? map[defaultLocale] ?? Object.values(map)[0];
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
const CONTROL_RUNS = /[\u0000-\u001f\u007f\u2028\u2029]+/g;

/** Control characters (CR, LF, tabs, …) become spaces and runs of spaces collapse: one header line. */
export function oneLine(value: string): string {
  return value.replace(CONTROL_RUNS, ' ').replace(/ {2,}/g, ' ').trim();
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/**
 * A readable plain-text version of an HTML body: block elements become line breaks, list items get
 * a dash, and every link keeps its URL visibly (`label <url>`) so it can be copied.
 */
export function htmlToText(html: string): string {
  let t = html.replace(/\r\n?/g, '\n');
  t = t.replace(/<!--[\s\S]*?-->/g, '');
  t = t.replace(/<(head|style|script|title)\b[\s\S]*?<\/\1\s*>/gi, '');
  t = t.replace(/<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')[^>]*>([\s\S]*?)<\/a\s*>/gi, (_all, dq?: string, sq?: string, inner: string = '') => {
    const url = (dq ?? sq ?? '').trim();
    const label = inner
      .replace(/<[^>]*>/g, '')
      .replace(/\s+/g, ' ')
      .trim();
    if (!url) return label;
    // `&lt;…&gt;`: the brackets must survive the tag stripping below; entities are decoded last
    return !label || decodeEntities(label) === decodeEntities(url) ? url : `${label} &lt;${url}&gt;`;
  });
  t = t.replace(/\s+/g, (ws) => (ws.includes('\n') ? ' ' : ws)); // source line breaks are not text breaks
  t = t.replace(/<br\s*\/?>/gi, '\n');
  t = t.replace(/<li\b[^>]*>/gi, '\n- ');
  t = t.replace(/<\/?(p|div|h[1-6]|ul|ol|table|tr|blockquote|section|article|header|footer|hr)\b[^>]*>/gi, '\n\n');
  t = t.replace(/<\/(td|th)\s*>/gi, ' ');
  t = t.replace(/<[^>]*>/g, '');
  t = decodeEntities(t);
  return t
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function withStyles(html: string, styles: string | undefined): string {
  if (!styles || styles.trim() === '') return html;
  const element = `<style>${styles.replace(/<\/style/gi, '<\\/style')}</style>`;
  return /<\/head\s*>/i.test(html) ? html.replace(/<\/head\s*>/i, `${element}</head>`) : element + html;
}

/**
 * Renders `template` for `object` in the best of `locales`. `extra` adds other roots next to
 * `object` (Cairn's `theme` colours); `object` always wins.
 */
export function renderTemplate(
  template: EmailTemplate,
  locales: readonly string[],
  object: Readonly<Record<string, unknown>>,
  extra: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {},
): RenderedMail {
  const context = { ...extra, object };
  const locale = pickLocale(Object.keys(template.message), locales, template.defaultLocale) ?? template.defaultLocale;
  const subject = oneLine(fill(inLocale(template.subject, locale, template.defaultLocale) ?? '', context, oneLine));
  const body = inLocale(template.html, locale, template.defaultLocale) ?? inLocale(template.message, locale, template.defaultLocale) ?? '';
  const plainSource = inLocale(template.text, locale, template.defaultLocale);
  if (template.mimeType === 'text/plain') {
    return { locale, subject, text: fill(plainSource ?? body, context, (v) => v) };
  }
  const html = withStyles(fill(body, context, escapeHtml), template.styles);
  const text = plainSource !== undefined ? fill(plainSource, context, (v) => v) : htmlToText(html);
  return { locale, subject, html, text };
}
