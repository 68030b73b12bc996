/**
 * The catalogue mechanism every module that sends text uses (src/i18n/catalogue.ts): texts keyed by
 * message id in every shipped language, checked when defined (no missing or empty text, the English
 * parameters in every language, no stray ids, one definition per name), resolved per request as
 * locale maps, and listed so the language checks of the pages know every text. Also a tripwire: no
 * node module sends a text written as a literal (an English prompt, message or failure message) —
 * a node's texts come from a catalogue or the journey's locale maps.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogues, defineCatalogue } from '../../src/i18n/catalogue.js';
import { SHIPPED_LANGUAGES } from '../../src/i18n/messages.js';
import { localize } from '../../src/journeys/locale.js';
import { NODE_DESCRIPTORS } from '../../src/nodes/index.js';

const NODES_DIR = join(import.meta.dirname, '..', '..', 'src', 'nodes');

describe('defineCatalogue', () => {
  it('gives each text as a locale map the request’s language picks, parameters filled', () => {
    const texts = defineCatalogue('test.terms', {
      en: { prompt: 'Accept the terms', version: 'Version {version}' },
      fr: { prompt: 'Acceptez les conditions', version: 'Version {version}' },
    });
    expect(texts.ids).toEqual(['prompt', 'version']);
    expect(texts.text('prompt')).toEqual({ en: 'Accept the terms', fr: 'Acceptez les conditions' });
    expect(localize(texts.text('prompt'), ['fr-CA', 'en'])).toBe('Acceptez les conditions');
    expect(localize(texts.text('prompt'), ['de'])).toBe('Accept the terms');
    expect(texts.text('version', { version: 3 })).toEqual({ en: 'Version 3', fr: 'Version 3' });
    expect(texts.english('prompt')).toBe('Accept the terms');
    expect(catalogues().map((c) => c.name)).toContain('test.terms');
  });

  it('completes a journey’s stock English with the other languages, and keeps a journey’s own wording', () => {
    const texts = defineCatalogue('test.complete', { en: { ok: 'Next' }, fr: { ok: 'Suivant' } });
    expect(texts.complete(undefined, 'ok')).toEqual({ en: 'Next', fr: 'Suivant' });
    expect(texts.complete('Next', 'ok')).toEqual({ en: 'Next', fr: 'Suivant' });
    expect(texts.complete({ en: 'Next' }, 'ok')).toEqual({ en: 'Next', fr: 'Suivant' });
    expect(texts.complete({}, 'ok')).toEqual({ en: 'Next', fr: 'Suivant' });
    expect(texts.complete({ en: 'Next', fr: 'Après' }, 'ok')).toEqual({ en: 'Next', fr: 'Après' });
    expect(texts.complete({ en: 'Go on' }, 'ok')).toEqual({ en: 'Go on' });
    expect(texts.complete('Go on', 'ok')).toBe('Go on');
  });

  it('refuses an incomplete catalogue, a changed parameter, a stray id and a second definition, naming them', () => {
    // Texts the compiler cannot check, as from a file: the checks at definition are what refuse them.
    const unchecked = defineCatalogue as (name: string, texts: Record<string, Record<string, string>>) => unknown;
    const bad = (fr: Record<string, string>): unknown => unchecked(`test.bad.${Object.keys(fr).join('')}`, { en: { a: 'A {n}' }, fr });
    expect(() => bad({})).toThrow('The catalogue "test.bad." has no fr text for "a".');
    expect(() => bad({ a: '  ' })).toThrow('has no fr text for "a"');
    expect(() => bad({ a: 'A {count}' })).toThrow(
      'The fr text of "a" in the catalogue "test.bad.a" does not have the same parameters as the English text.',
    );
    expect(() => unchecked('test.stray', { en: { a: 'A' }, fr: { a: 'A', b: 'B' } })).toThrow('fr texts without an English one: b');
    expect(() => defineCatalogue('test.terms', { en: { a: 'A' }, fr: { a: 'A' } })).toThrow('The catalogue "test.terms" is defined twice.');
  });

  it('lists every catalogue the nodes define, each complete in every shipped language', () => {
    expect(NODE_DESCRIPTORS.length).toBeGreaterThan(0);
    const shipped = catalogues().filter((c) => !c.name.startsWith('test.'));
    expect(shipped.map((c) => c.name)).toContain('nodes');
    for (const catalogue of shipped) {
      for (const language of SHIPPED_LANGUAGES) {
        expect(Object.keys(catalogue.texts[language]).sort(), `${catalogue.name} ${language}`).toEqual([...catalogue.ids].sort());
      }
      for (const id of catalogue.ids) expect(catalogue.texts.fr[id], `${catalogue.name} ${id}`).not.toBe('');
    }
  });
});

describe('node modules', () => {
  // A text written as a literal: a callback's text, a prompt, a failure message.
  const LITERAL_TEXT = [
    /\b[a-z]\w*Callback\(\s*['"`]/,
    /\b(prompt|errorMessage)\s*:\s*['"`]/,
    /\bctx\.localize\(\s*['"`]/,
    // A locale map written inline ({ en: '…', fr: '…' }), which no language check sees: use defineCatalogue.
    /\ben\s*:\s*['"`]/,
    // A sentence kept in a constant ("Select a security question").
    /^\s*(export\s+)?const\s+[A-Z_]+\s*=\s*['"`][A-Z][a-z]*\s/,
  ];
  // AM's failure messages go out in English as AM sends them, since clients match on them; the pages
  // show them in their own language (ui/src/core/journeys.ts).
  const AM_WIRE_TEXTS = ["'Login failure'", "'User Locked Out.'"];
  // Likewise IDM's refusals of a self-service step (its 400 body's message, IDM's words): the
  // self-service pages show them in their own language (ui/src/selfservice/texts.ts).
  const IDM_WIRE_TEXTS = [
    "'Recaptcha verification is unsuccessful.'",
    "'Answers are not matched'",
    "'Too many wrong answers to the security questions; try again later.'",
    "'Must accept terms and conditions'",
    "'Invalid query filter'",
    "'Unable to find account'",
  ];

  it('send no text written as a literal: their texts come from a catalogue or the journey', () => {
    const files = readdirSync(NODES_DIR, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    const found: string[] = [];
    for (const file of files) {
      readFileSync(join(NODES_DIR, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/^\s*(\*|\/\/|\/\*)/.test(line)) return;
          if ([...AM_WIRE_TEXTS, ...IDM_WIRE_TEXTS].some((text) => line.includes(text))) return;
          if (LITERAL_TEXT.some((pattern) => pattern.test(line))) found.push(`src/nodes/${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
  });
});
