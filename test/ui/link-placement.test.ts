// Where the pages put the links to other journeys, and how they say AM's stock texts: pure functions
// of ui/src/core/journeys.ts and ui/src/i18n (no browser).
import { describe, expect, it } from 'vitest';
import { planPage } from '../../ui/src/core/form-model.js';
import { failureMessage, placeLinks } from '../../ui/src/core/journeys.js';
import { sanitizeDescription, textOf } from '../../ui/src/core/sanitize.js';
import type { Step, WireCallback } from '../../ui/src/core/types.js';
import { createTranslator } from '../../ui/src/i18n/index.js';

const prompt = (value: string) => ({ name: 'prompt', value });
const name: WireCallback = { type: 'NameCallback', output: [prompt('User Name')], input: [{ name: 'IDToken1', value: '' }] };
const password: WireCallback = { type: 'PasswordCallback', output: [prompt('Password')], input: [{ name: 'IDToken2', value: '' }] };
const newPassword: WireCallback = {
  type: 'ValidatedCreatePasswordCallback',
  output: [prompt('Password'), { name: 'policies', value: {} }, { name: 'failedPolicies', value: [] }],
  input: [{ name: 'IDToken1', value: '' }],
};
const step = (callbacks: WireCallback[], description = ''): Step => ({ authId: 'x', callbacks, description });
const place = (journey: string, s: Step) => placeLinks(journey, sanitizeDescription(s.description ?? ''), planPage(s).fields);

describe('placeLinks', () => {
  it('moves AIC’s stock recovery links out of the description, next to their fields', () => {
    const aic = step(
      [name, password],
      'New here? <a href="#/service/Registration">Create an account</a><br><a href="#/service/ForgottenUsername">Forgot username?</a><a href="#/service/ResetPassword"> Forgot password?</a>',
    );
    const placed = place('Login', aic);
    expect(textOf(placed.description)).toBe('New here? Create an account');
    expect([...placed.byField]).toEqual([
      [0, [{ journey: 'ForgottenUsername', key: 'link.forgotUsername' }]],
      [1, [{ journey: 'ResetPassword', key: 'link.forgotPassword' }]],
    ]);
    expect(placed.nav).toEqual([]);
  });

  it('adds the shipped neighbours by their fields when the description has none, the rest under the form', () => {
    const placed = place('Login', step([name, password]));
    expect([...placed.byField.keys()].sort()).toEqual([0, 1]);
    expect(placed.description).toEqual([]);
    const reset = place('ResetPassword', step([newPassword], 'Enter your email address or <a href="#/service/Login">sign in</a>.'));
    expect(reset.byField.size).toBe(0); // a new password is not the sign-in password
    expect(textOf(reset.description)).toBe('Enter your email address or sign in.');
    expect(reset.nav).toEqual([{ journey: 'ForgottenUsername', key: 'link.forgotUsername' }]);
  });

  it('keeps a recovery link in the description when the page has no field for it, and external links always', () => {
    const placed = place(
      'Other',
      step([newPassword], '<a href="#/service/ResetPassword">Forgot password?</a> <a href="https://example.com/#/service/ResetPassword">help</a>'),
    );
    expect(textOf(placed.description)).toBe('Forgot password? help');
    expect(placed.byField.size).toBe(0);
  });

  it('uses the description’s text for a journey the pages have no words for', () => {
    const placed = place('Login', step([name, password], '<a href="#/service/ResetPasswordSms">Reset by text message</a>'));
    expect([...(placed.byField.get(1) ?? [])]).toEqual([
      { journey: 'ResetPasswordSms', text: 'Reset by text message' },
      { journey: 'ResetPassword', key: 'link.forgotPassword' },
    ]);
  });
});

describe('AM’s stock texts in the pages’ words', () => {
  it('relabels AM’s and IDM’s stock English in either language, and leaves a journey’s own text alone', () => {
    const en = createTranslator('en');
    const fr = createTranslator('fr');
    expect(['User Name', 'Email Address', 'First Name', 'Sign In', 'Reset Password'].map(en.server)).toEqual([
      'Username',
      'Email address',
      'First name',
      'Sign in',
      'Reset your password',
    ]);
    expect(['User Name', 'Email Address', 'Password'].map(fr.server)).toEqual(['Nom d’utilisateur', 'Adresse e-mail', 'Mot de passe']);
    expect(fr.server('Nom d’utilisateur')).toBe('Nom d’utilisateur');
    expect(en.server('Your favourite colour')).toBe('Your favourite colour');
  });

  it('says AM’s stock failure messages from the catalogue and passes a journey’s own through', () => {
    expect(failureMessage('Login failure')).toBeNull();
    expect(failureMessage('User Locked Out.')).toEqual({ key: 'error.locked' });
    expect(failureMessage('Le compte n’a pas pu être mis à jour.')).toEqual({ text: 'Le compte n’a pas pu être mis à jour.' });
    expect(failureMessage('  ')).toBeNull();
  });
});
