// Every text Cairn ships, per language — the pages' catalogues, every server catalogue (the node
// texts and any module's own, src/i18n/catalogue.ts), the policy sentences,
// the shipped journeys' locale maps, the managed-object schema's titles — and a matcher that finds,
// among a page's visible texts, those that belong to another language. Used by the browser test that
// walks every shipped journey in French and in English.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogues } from '../../src/i18n/catalogue.js';
// Loads every node module, so each one's catalogue is defined.
import '../../src/nodes/index.js';
import { en } from '../../ui/src/i18n/en.js';
import { fr } from '../../ui/src/i18n/fr.js';
import { STOCK_TEXTS } from '../../ui/src/i18n/stock.js';
import { ROOT } from './real-server.js';

type Texts = Set<string>;

const addMessage = (set: Texts, message: unknown): void => {
  if (typeof message === 'string') set.add(message);
  else if (message && typeof message === 'object' && 'one' in message && 'other' in message) {
    set.add(String((message as { one: string }).one));
    set.add(String((message as { other: string }).other));
  }
};

/** The pieces of text an HTML description shows (text between tags), entities decoded. */
const htmlPieces = (html: string): string[] =>
  html
    .split(/<[^>]*>/)
    .map((piece) =>
      piece
        .replace(/&nbsp;/g, '\u00a0')
        .replace(/&amp;/g, '&')
        .trim(),
    )
    .filter((piece) => piece !== '');

/** Every `{ en: …, fr: … }` map in a JSON value: language → texts. */
function localeMaps(value: unknown, out: Record<'en' | 'fr', Texts>): void {
  if (Array.isArray(value)) value.forEach((v) => localeMaps(v, out));
  else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const language of ['en', 'fr'] as const) {
      const text = record[language];
      if (typeof text === 'string') for (const piece of [text, ...htmlPieces(text)]) out[language].add(piece);
    }
    Object.values(record).forEach((v) => localeMaps(v, out));
  }
}

export function shippedTexts(): Record<'en' | 'fr', Texts> {
  const out: Record<'en' | 'fr', Texts> = { en: new Set(), fr: new Set() };
  for (const message of Object.values(en)) addMessage(out.en, message);
  for (const message of Object.values(fr)) addMessage(out.fr, message);
  for (const catalogue of catalogues()) {
    for (const language of ['en', 'fr'] as const) for (const text of Object.values(catalogue.texts[language])) out[language].add(text);
  }
  const journeys = join(ROOT, 'journeys');
  for (const file of readdirSync(journeys).filter((f) => f.endsWith('.json')))
    localeMaps(JSON.parse(readFileSync(join(journeys, file), 'utf8')), out);
  localeMaps(JSON.parse(readFileSync(join(ROOT, 'config', 'managed.json'), 'utf8')), out);
  return out;
}

/**
 * The texts that must not appear on a page in `language`: the other language's texts that this
 * language does not share ("OK", "Cairn" are both), and AM's stock English wordings the pages replace
 * with their own ("User Name"), plus AM's English failure messages.
 */
export function foreignTexts(language: 'en' | 'fr'): string[] {
  const texts = shippedTexts();
  const other = language === 'fr' ? texts.en : texts.fr;
  const own = texts[language];
  const foreign = new Set([...other].filter((t) => !own.has(t) && t.replace(/\{\w+\}/g, '').trim().length > 1));
  for (const stock of Object.keys(STOCK_TEXTS)) if (!own.has(stock)) foreign.add(stock);
  for (const am of ['Login failure', 'User Locked Out.', 'Session has timed out']) foreign.add(am);
  return [...foreign];
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Which of `foreign` the page shows: a visible text equal to one (short ones such as "Yes" must be
 * the whole text), containing a long one, or matching a parameterised one ("Must be at least {count}
 * characters long.").
 */
export function findForeign(visible: readonly string[], foreign: readonly string[]): string[] {
  const found = new Set<string>();
  const matchers = foreign.map((text) => {
    const literal = text.replace(/\{\w+\}/g, '');
    const pattern = /\{\w+\}/.test(text)
      ? new RegExp(
          text
            .split(/\{\w+\}/)
            .map(escape)
            .join('.+?'),
        )
      : undefined;
    return { text, long: literal.length >= 16, pattern };
  });
  for (const shown of visible) {
    for (const m of matchers) {
      if (shown === m.text || (m.long && shown.includes(m.text)) || (m.pattern && m.long && m.pattern.test(shown)))
        found.add(`${m.text} (in "${shown}")`);
    }
  }
  return [...found];
}

/** The page's visible texts: each text node, each line of the rendered text, aria-labels and the title. */
export const VISIBLE_TEXTS = `(() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    const text = (node.textContent || '').trim();
    if (!text || !parent || parent.closest('[hidden], noscript, script, style, option:not(:checked)')) continue;
    if (!parent.checkVisibility({ visibilityProperty: true })) continue;
    out.push(text);
  }
  for (const line of document.body.innerText.split('\\n')) if (line.trim()) out.push(line.trim());
  for (const el of document.querySelectorAll('[aria-label]')) out.push(el.getAttribute('aria-label').trim());
  for (const part of document.title.split(' – ')) if (part.trim()) out.push(part.trim());
  return out;
})()`;
