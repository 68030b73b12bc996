// The operator's theme file checks, and the journey titles, links and landing decisions.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { cssVariables, readTheme } from '../../ui/src/core/theme.js';
import { isLandingUrl, journeyLinks, landingFor, titleKey } from '../../ui/src/core/journeys.js';

describe('readTheme', () => {
  it('accepts the shipped ui/theme.json without a single problem', () => {
    const { theme, problems } = readTheme(JSON.parse(readFileSync(new URL('../../ui/theme.json', import.meta.url), 'utf8')));
    expect(problems).toEqual([]);
    expect(theme.productName).toBe('Cairn');
    expect(cssVariables(theme)).toMatchObject({ '--cairn-primary': '#1d4f91', '--cairn-on-primary': '#ffffff' });
  });

  it('drops and reports what could break the page or its CSP', () => {
    const { theme, problems } = readTheme({
      productName: 'Acme',
      logo: { src: 'https://cdn.example/logo.png', alt: 'Acme' },
      colors: { primary: 'red; background: url(https://evil.example/x)', text: '#222', nope: '#fff' },
      texts: { en: { 'title.Login': 'Sign in to Acme', 'no.such.key': 'x' }, fr: 'oops' },
    });
    expect(theme).toEqual({ productName: 'Acme', colors: { text: '#222' }, texts: { en: { 'title.Login': 'Sign in to Acme' } } });
    expect(problems).toEqual([
      'logo.src must be a same-site path or a data:image URL',
      'colour "primary" is not a CSS colour',
      'unknown colour "nope"',
      'texts.en: unknown message key "no.such.key"',
      'texts.fr must be an object of texts',
    ]);
  });

  it('accepts same-site and data:image logos', () => {
    expect(readTheme({ logo: { src: '/assets/acme.svg', alt: 'Acme' } }).theme.logo).toEqual({ src: '/assets/acme.svg', alt: 'Acme' });
    expect(readTheme({ logo: { src: 'data:image/png;base64,iVBORw0KGgo=', alt: '' } }).problems).toEqual([]);
    expect(readTheme({ logo: { src: '//cdn.example/x.png' } }).problems).toHaveLength(1);
  });
});

describe('journeys', () => {
  it('titles the shipped journeys and falls back to the journey name', () => {
    expect(titleKey('Login')).toBe('title.Login');
    expect(titleKey('CustomThing')).toBe('title.default');
  });

  it('links Login, ResetPassword and ForgottenUsername to each other, skipping links the description has', () => {
    expect(journeyLinks('Login').map((l) => l.journey)).toEqual(['ResetPassword', 'ForgottenUsername']);
    expect(journeyLinks('Login', ['#/service/ResetPassword']).map((l) => l.journey)).toEqual(['ForgottenUsername']);
    expect(journeyLinks('ResetPassword', ['?authIndexType=service&authIndexValue=Login']).map((l) => l.journey)).toEqual(['ForgottenUsername']);
    expect(journeyLinks('ForgottenUsername').map((l) => l.key)).toEqual(['link.signIn', 'link.forgotPassword']);
    expect(journeyLinks('MyJourney')).toEqual([]);
  });

  it('picks the landing text from the journey', () => {
    expect(landingFor('Login')).toBe('signedIn');
    expect(landingFor('ResetPassword')).toBe('passwordChanged');
    expect(landingFor('Registration')).toBe('registered');
    expect(landingFor('Anything')).toBe('done');
  });

  it("recognises a successUrl that leads back to this page's landing route", () => {
    const page = 'https://id.example/login/?authIndexValue=Login';
    expect(isLandingUrl('', page)).toBe(true);
    expect(isLandingUrl('/login/#/success', page)).toBe(true);
    expect(isLandingUrl('https://id.example/login/#/success', page)).toBe(true);
    expect(isLandingUrl('https://other.example/login/#/success', page)).toBe(false);
    expect(isLandingUrl('/app/', page)).toBe(false);
  });
});
