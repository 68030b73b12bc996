/**
 * Template rendering: placeholders, HTML escaping, one-line subjects, locale choice and the plain
 * text derived from HTML.
 */
import { describe, expect, it } from 'vitest';
import { htmlToText, pickLocale, renderTemplate } from '../../src/mail/render.js';
import type { EmailTemplate } from '../../src/mail/types.js';

const template = (over: Partial<EmailTemplate> = {}): EmailTemplate => ({
  name: 't',
  source: 't.json',
  defaultLocale: 'en',
  enabled: true,
  from: '',
  mimeType: 'text/html',
  subject: { en: 'Hello {{object.givenName}}', fr: 'Bonjour {{object.givenName}}' },
  message: {
    en: '<p>Hi {{ object.givenName }} {{object.preferences.colour}}</p><p><a href="{{object.resumeURI}}">Reset</a></p>',
    fr: '<p>Salut {{object.givenName}}</p>',
  },
  ...over,
});

describe('renderTemplate', () => {
  it('escapes every value in the HTML part and keeps the link intact', () => {
    const out = renderTemplate(template(), ['en'], {
      givenName: '<script>alert(1)</script>',
      preferences: { colour: '"blue" & \'green\'' },
      resumeURI: 'https://cairn.test/am/XUI/?suspendedId=abc&authIndexType=service&authIndexValue=ResetPassword',
    });
    expect(out.html).toBe(
      '<p>Hi &lt;script&gt;alert(1)&lt;/script&gt; &quot;blue&quot; &amp; &#x27;green&#x27;</p>' +
        '<p><a href="https://cairn.test/am/XUI/?suspendedId&#x3D;abc&amp;authIndexType&#x3D;service&amp;authIndexValue&#x3D;ResetPassword">Reset</a></p>',
    );
    expect(out.text).toBe(
      'Hi <script>alert(1)</script> "blue" & \'green\'\n\n' +
        'Reset <https://cairn.test/am/XUI/?suspendedId=abc&authIndexType=service&authIndexValue=ResetPassword>',
    );
  });

  it('renders unknown, non-scalar and inherited paths as empty', () => {
    const html =
      '<p>[{{object.missing}}][{{object.a.b.c}}][{{object.list}}][{{object.constructor}}][{{object.__proto__}}][{{other.x}}][{{object.n}}][{{object.ok}}]</p>';
    const out = renderTemplate(template({ message: { en: html } }), [], { a: 'x', list: ['a'], n: 42, ok: false });
    expect(out.html).toBe('<p>[][][][][][][42][false]</p>');
  });

  it('keeps the subject on one line whatever a value holds', () => {
    const out = renderTemplate(template(), ['en'], { givenName: 'Eve\r\nBcc: victim@example.com\n\tX-Injected: 1' });
    expect(out.subject).toBe('Hello Eve Bcc: victim@example.com X-Injected: 1');
    expect(out.subject).not.toMatch(/[\r\n\t]/);
  });

  it('picks the locale from the preference list, then defaultLocale, then the first', () => {
    expect(renderTemplate(template(), ['fr-CA', 'en'], { givenName: 'Zoé' }).subject).toBe('Bonjour Zoé');
    expect(renderTemplate(template(), ['de', 'FR'], { givenName: 'Zoé' }).locale).toBe('fr');
    expect(renderTemplate(template(), ['de'], { givenName: 'Zoé' }).locale).toBe('en');
    const noDefault = template({ defaultLocale: 'it', subject: { fr: 's', de: 'd' }, message: { fr: 'x', de: 'y' } });
    expect(renderTemplate(noDefault, ['es'], {}).locale).toBe('fr');
    expect(pickLocale(['en', 'pt-BR'], ['pt_br'], 'en')).toBe('pt-BR');
    expect(pickLocale(['en', 'pt-BR'], ['pt-PT'], 'en')).toBe('pt-BR');
  });

  it('uses a hand-written text part when the template has one, unescaped', () => {
    const out = renderTemplate(template({ text: { en: 'Hi {{object.givenName}}: {{object.resumeURI}}' } }), ['en'], {
      givenName: 'A & B',
      resumeURI: 'https://x.test/?a=1&b=2',
    });
    expect(out.text).toBe('Hi A & B: https://x.test/?a=1&b=2');
  });

  it('renders text/plain templates without an HTML part', () => {
    const out = renderTemplate(template({ mimeType: 'text/plain', message: { en: 'Code for {{object.givenName}}: <b>' } }), [], { givenName: '<i>' });
    expect(out).toEqual({ locale: 'en', subject: 'Hello <i>', text: 'Code for <i>: <b>' });
  });

  it('puts AIC styles into the HTML head', () => {
    const out = renderTemplate(template({ styles: 'p{color:red}', message: { en: '<html><head></head><body><p>x</p></body></html>' } }), [], {});
    expect(out.html).toBe('<html><head><style>p{color:red}</style></head><body><p>x</p></body></html>');
  });
});

describe('htmlToText', () => {
  it('turns blocks into lines, lists into dashes, drops head and style, and keeps link URLs', () => {
    const html = `<!DOCTYPE html><html><head><title>T</title><style>p{}</style></head><body>
      <h1>Title</h1><p>One
      line.</p><ul><li>a</li><li>b</li></ul>
      <p><a href="https://x.test/a?b=1&amp;c=2" style="x">Go <b>now</b></a><br>https://plain.test</p>
      <p><a href="https://same.test/">https://same.test/</a> &copy;&nbsp;&#233;&#x27;</p></body></html>`;
    expect(htmlToText(html)).toBe(
      "Title\n\nOne line.\n\n- a\n- b\n\nGo now <https://x.test/a?b=1&c=2>\nhttps://plain.test\n\nhttps://same.test/ &copy; é'",
    );
  });
});

describe('theme colours in templates', () => {
  it('fills {{theme.primary}} / {{theme.onPrimary}} beside {{object.*}}, escaped like any value', () => {
    const button = template({
      message: { en: '<a style="background:{{theme.primary}};color:{{theme.onPrimary}}" href="{{object.resumeURI}}">Go</a>' },
    });
    const out = renderTemplate(button, ['en'], { resumeURI: 'https://x.test/' }, { theme: { primary: '#7a1f5c', onPrimary: '#fff' } });
    expect(out.html).toBe('<a style="background:#7a1f5c;color:#fff" href="https://x.test/">Go</a>');
    const hostile = renderTemplate(button, ['en'], {}, { theme: { primary: '"><script>', onPrimary: '' } });
    expect(hostile.html).not.toContain('<script>');
    // `object` is the person's data and always wins over another root of the same name.
    expect(renderTemplate(template({ message: { en: '{{object.a}}' } }), ['en'], { a: 'mine' }, { object: { a: 'theirs' } }).html).toBe('mine');
  });
});
