// The hosted pages in headless Chromium against the fake API (fake-api.ts): every callback type,
// the reset-password e-mail flow, every error a person must understand, keyboard-only use, French,
// the theme, no CSP violation, and axe-core with no serious or critical violation on each page.
// Screenshots go to test-results/ui/. Skipped where Chromium is absent, except under CI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createFakeApi, type FakeApi } from './fake-api.js';
import {
  fillAndSubmit,
  focused,
  hasChromium,
  launchBrowser,
  openPage,
  screenshot,
  seriousA11yViolations,
  startUiServer,
  waitForHeading,
  type TestPage,
  type UiServer,
} from './browser-helpers.js';

const run = hasChromium() || process.env.CI === 'true';

describe.runIf(run)('hosted pages in Chromium', { timeout: 90_000 }, () => {
  let browser: Browser;
  let server: UiServer;
  let api: FakeApi;
  let themeDir: string;
  const opened: TestPage[] = [];

  const open = async (path: string, locale?: string): Promise<TestPage> => {
    const tp = await openPage(browser, `${server.origin}${path}`, locale ? { locale } : {});
    opened.push(tp);
    return tp;
  };
  const expectAccessible = async (page: Page, name: string): Promise<void> => {
    await screenshot(page, name);
    expect(await seriousA11yViolations(page), name).toEqual([]);
  };
  const expectClean = (tp: TestPage): void => {
    expect(tp.problems).toEqual([]);
  };

  beforeAll(async () => {
    if (!hasChromium()) throw new Error('Chromium is required under CI: apt-get install -y chromium');
    themeDir = await mkdtemp(join(tmpdir(), 'cairn-ui-theme-'));
    const themeFile = join(themeDir, 'theme.json');
    await writeFile(themeFile, JSON.stringify({ productName: 'Acme', logo: { src: 'logo.svg', alt: '' }, colors: { primary: '#2b3a67' } }));
    api = createFakeApi({ users: { demo: 'Ch4ng3it!' }, mails: { 'demo@example.com': 'demo' } });
    server = await startUiServer({ themeFile, mountApi: (app) => app.use('/am', api.router) });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const tp of opened) await tp.context.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
    if (themeDir) await rm(themeDir, { recursive: true, force: true });
  });

  it('signs in after a wrong password, with the error announced and focused', async () => {
    const tp = await open('/login/');
    const { page } = tp;
    await waitForHeading(page, 'Sign in');
    expect(await focused(page)).toBe('h1#page-title');
    await expect(page.getByLabel('Username', { exact: true }).getAttribute('autocomplete')).resolves.toBe('username');
    await expect(page.getByLabel('Password', { exact: true }).getAttribute('autocomplete')).resolves.toBe('current-password');
    // The description's recovery links sit by their fields, once each; the rest of it stays above.
    await expect(page.getByRole('link', { name: 'Forgot password?' }).count()).resolves.toBe(1);
    await expect(page.locator('.description').textContent()).resolves.toBe('New here? Create an account');
    await expect(page.locator('.field:has(#cb1) + .field-links').getByRole('link').allTextContents()).resolves.toEqual(['Forgot password?']);
    await expect(page.locator('.field:has(#cb0) + .field-links').getByRole('link').allTextContents()).resolves.toEqual(['Forgot username?']);
    await expectAccessible(page, 'login');

    await fillAndSubmit(page, { Username: 'demo', Password: 'nope' });
    await page.getByRole('alert').filter({ hasText: 'The details you entered are not correct' }).waitFor();
    expect(await focused(page)).toBe('div#error-summary');
    await expectAccessible(page, 'login-wrong-password');

    await fillAndSubmit(page, { Username: 'demo', Password: 'Ch4ng3it!' });
    await waitForHeading(page, 'You are signed in');
    expect(new URL(page.url()).hash).toBe('#/success');
    await expectAccessible(page, 'signed-in');
    expectClean(tp);
  });

  it('honours goto: the successUrl from the API is where the browser goes', async () => {
    server.app.get('/app/', (_req, res) => {
      res.type('html').send('<!doctype html><html lang="en"><title>App</title><h1>App home</h1></html>');
    });
    const tp = await open('/login/?authIndexType=service&authIndexValue=Login&goto=%2Fapp%2F');
    await waitForHeading(tp.page, 'Sign in');
    await fillAndSubmit(tp.page, { Username: 'demo', Password: 'Ch4ng3it!' });
    await tp.page.waitForURL(`${server.origin}/app/`);
    expect(api.calls.at(-1)?.query.goto).toBe('/app/');
  });

  it('resets a password from the e-mailed link, refuses a weak one live, then signs in with the new one', async () => {
    const request = await open('/login/?authIndexType=service&authIndexValue=ResetPassword');
    const { page } = request;
    await waitForHeading(page, 'Reset your password');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByText('This field is required.').isVisible()).resolves.toBe(true);
    expect(await focused(page)).toBe('input#cb0');
    await fillAndSubmit(page, { 'Email address': 'demo@example.com' });
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    await expect(page.getByRole('button').count()).resolves.toBe(0);
    await expect(page.getByRole('link', { name: 'Sign in' }).count()).resolves.toBeGreaterThan(0);
    await expectAccessible(page, 'reset-check-email');
    expectClean(request);

    const link = api.links.get('demo@example.com')?.at(-1);
    expect(link).toBeDefined();
    const mailed = await open(link ?? '');
    const change = mailed.page;
    await waitForHeading(change, 'Change Password');
    expect(new URL(change.url()).searchParams.has('suspendedId')).toBe(false);
    expect(new URL(change.url()).searchParams.get('authIndexValue')).toBe('ResetPassword');
    await expect(change.getByLabel('Password', { exact: true }).getAttribute('autocomplete')).resolves.toBe('new-password');
    await expect(change.getByText('Must be at least 8 characters long.').count()).resolves.toBe(1); // the requirement hint

    const validations = api.calls.length;
    await change.getByLabel('Password', { exact: true }).fill('demo');
    const errors = change.locator('#cb0-errors');
    await errors.getByText('The password does not meet every requirement below.').waitFor();
    // The checklist stays, each rule marked; the failing sentence is apart from it.
    const rules = change.locator('#cb0-hint .rule');
    expect(await rules.evaluateAll((items) => items.map((li) => `${li.getAttribute('data-state')}: ${li.textContent}`))).toEqual([
      'unmet: Must be at least 8 characters long. (not met)',
      'unmet: Must contain at least 1 capital letter. (not met)',
      'unmet: Must contain at least 1 number. (not met)',
      'unmet: Must not contain your username. (not met)',
    ]);
    expect(await errors.locator('li').allTextContents()).toEqual(['The password does not meet every requirement below.']);
    const live = api.calls.slice(validations).filter((c) => JSON.stringify(c.body).includes('"IDToken1validateOnly","value":true'));
    expect(live.length).toBeGreaterThan(0);
    await expect(change.getByLabel('Password', { exact: true }).getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(change.getByLabel('Password', { exact: true }).getAttribute('aria-describedby')).resolves.toBe('cb0-hint cb0-errors');
    expect(await change.locator('#cb0-hint').isVisible()).toBe(true);
    await expectAccessible(change, 'reset-weak-password');
    // Better, not there yet: met rules turn green as they are typed.
    await change.getByLabel('Password', { exact: true }).fill('Demonstration');
    await expect.poll(() => rules.evaluateAll((items) => items.map((li) => li.getAttribute('data-state')))).toEqual(['met', 'met', 'unmet', 'unmet']);

    // Show-password toggles both fields; a different confirmation is refused before anything is sent.
    await change.getByRole('button', { name: 'Show password' }).click();
    await expect(change.getByLabel('Confirm password').getAttribute('type')).resolves.toBe('text');
    await change.getByRole('button', { name: 'Hide password' }).click();
    await change.getByLabel('Password', { exact: true }).fill('N3w-Secret-pass');
    await fillAndSubmit(change, { 'Confirm password': 'N3w-Secret-typo' });
    await change.getByText('The two passwords are not the same.').waitFor();
    expect(await focused(change)).toBe('input#cb0-confirm');
    await fillAndSubmit(change, { 'Confirm password': 'N3w-Secret-pass' });
    await waitForHeading(change, 'Your password has been changed');
    await expectAccessible(change, 'reset-done');
    expect(api.users.get('demo')).toBe('N3w-Secret-pass');

    await change.getByRole('link', { name: 'Sign in' }).click();
    await waitForHeading(change, 'Sign in');
    await fillAndSubmit(change, { Username: 'demo', Password: 'N3w-Secret-pass' });
    await waitForHeading(change, 'You are signed in');
    expectClean(mailed);

    // The same link again: used, so explained, with a way to ask for a new one.
    const again = await open(link ?? '');
    await again.page.getByText('This link has expired or has already been used.').waitFor();
    const newLink = again.page.getByRole('link', { name: 'Request a new link' });
    expect(await newLink.getAttribute('href')).toBe('?authIndexType=service&authIndexValue=ResetPassword&locale=en');
    expect(new URL(again.page.url()).searchParams.has('suspendedId')).toBe(false);
    await expectAccessible(again.page, 'reset-link-expired');
    await newLink.click();
    await waitForHeading(again.page, 'Reset your password');
    api.users.set('demo', 'Ch4ng3it!');
  });

  it('renders every callback type, never runs the description or script messages, and walks to the end', async () => {
    const tp = await open('/login/?authIndexType=service&authIndexValue=AllCallbacks');
    const { page } = tp;
    await waitForHeading(page, 'Everything');
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(await page.locator('main img, main script, main [onerror]').count()).toBe(0);
    await expect(page.getByRole('link', { name: 'bad link' }).count()).resolves.toBe(0);
    await expect(page.getByText('bad link').count()).resolves.toBe(1);
    await expect(page.getByText('Information message').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('alert').filter({ hasText: 'Error message' }).count()).resolves.toBe(1);
    await expect(page.getByText('needs a script that these pages never run').isVisible()).resolves.toBe(true);
    await expect(page.getByText('window.__xss=4').count()).resolves.toBe(0);
    await expect(page.getByText('It needs its provider’s script').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('radio', { name: 'red' }).isChecked()).resolves.toBe(true);
    await expect(page.getByLabel('Country').evaluate((el) => el.tagName)).resolves.toBe('SELECT');
    await expect(page.getByRole('region', { name: 'Terms and conditions' }).textContent()).resolves.toBe('You agree to be nice.');
    await expectAccessible(page, 'all-callbacks');

    // Client-side checks first: required fields and the terms.
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText(/Please correct \d+ fields\./).waitFor();
    expect(await page.getByText('You must accept the terms and conditions to continue.').isVisible()).toBe(true);

    await page.getByLabel('Username', { exact: true }).fill('taken');
    await page.locator('#cb4-errors').getByText('This value is already in use.').waitFor(); // live validateOnly
    await page.getByLabel('Username', { exact: true }).fill('alice');
    await expect.poll(() => page.locator('#cb4-errors li').count()).toBe(0);
    await page.getByLabel('Nickname').fill('Al');
    await page.getByLabel('First name').fill('Alice');
    await page.getByRole('spinbutton', { name: 'Age (optional)' }).fill('42');
    await page.getByLabel('Send me special offers').check();
    await page.getByRole('radio', { name: 'blue' }).check();
    await page.getByLabel('Country').selectOption({ label: 'Italy' });
    await page.getByLabel('Security question').selectOption({ label: 'Write my own question' });
    await page.getByLabel('Your own question').fill('First concert?');
    await page.getByLabel('Answer').fill('Muse');
    await page.getByLabel('I accept the terms and conditions').check();
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByText('Do you want to continue?').waitFor();
    const submitted = api.submissions.at(-1) as { callbacks: { input?: { name: string; value: unknown }[] }[] };
    const inputs = Object.fromEntries(submitted.callbacks.flatMap((c) => c.input ?? []).map((i) => [i.name, i.value]));
    expect(inputs).toEqual({
      IDToken5: 'alice',
      IDToken5validateOnly: false,
      IDToken6: 'Al',
      IDToken7: 'Alice',
      IDToken7validateOnly: false,
      IDToken8: 42,
      IDToken8validateOnly: false,
      IDToken9: true,
      IDToken9validateOnly: false,
      IDToken10: 2,
      IDToken11: 2,
      IDToken12question: 'First concert?',
      IDToken12answer: 'Muse',
      IDToken13: true,
      IDToken14: 'clientData',
      IDToken16: '',
    });
    await expect(page.getByRole('button', { name: 'Continue' }).count()).resolves.toBe(0);
    await expectAccessible(page, 'confirmation');
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.getByRole('status').filter({ hasText: 'Processing, please wait…' }).waitFor();
    await screenshot(page, 'polling');
    await waitForHeading(page, 'All done');
    expect(document_title(await page.title())).toBe('All done');
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expectClean(tp);
  });

  it('says clearly when a step needs a callback these pages cannot show', async () => {
    const tp = await open('/login/?authIndexType=service&authIndexValue=Weird');
    await tp.page.getByText('This step needs something these pages cannot show (DeviceProfileCallback).').waitFor();
    await expect(tp.page.getByRole('button').count()).resolves.toBe(0);
    await expectAccessible(tp.page, 'unknown-callback');
  });

  it('explains a timed-out journey and starts again', async () => {
    const tp = await open('/login/?authIndexType=service&authIndexValue=Timeout');
    await fillAndSubmit(tp.page, { Username: 'x' });
    await tp.page.getByText('Your session timed out. Please start again.').waitFor();
    await expectAccessible(tp.page, 'timed-out');
    await tp.page.getByRole('button', { name: 'Start again' }).click();
    await tp.page.getByLabel('Username').waitFor();
  });

  it('explains an unreachable server and an unknown journey', async () => {
    const tp = await open('/login/?authIndexType=service&authIndexValue=Unreachable');
    await fillAndSubmit(tp.page, { Username: 'x' });
    await tp.page.getByText('Cannot reach the server. Check your connection and try again.').waitFor();
    await expect(tp.page.getByRole('button', { name: 'Try again' }).isVisible()).resolves.toBe(true);
    await expectAccessible(tp.page, 'unreachable');

    const unknown = await open('/login/?authIndexType=service&authIndexValue=NoSuchJourney');
    await unknown.page.getByText('This page does not exist.').waitFor();
    await expect(unknown.page.getByRole('link', { name: 'Sign in' }).getAttribute('href')).resolves.toContain('authIndexValue=Login');
    await expectAccessible(unknown.page, 'unknown-journey');
  });

  it('keeps the XUI hash links of a page description, and follows the recovery links it moved by the fields', async () => {
    const tp = await open('/login/');
    await waitForHeading(tp.page, 'Sign in');
    await expect(tp.page.locator('.description').getByRole('link', { name: 'Create an account' }).getAttribute('href')).resolves.toBe(
      '#/service/Registration',
    );
    await tp.page.getByRole('link', { name: 'Forgot password?' }).click();
    await waitForHeading(tp.page, 'Reset your password');
    expect(new URL(tp.page.url()).searchParams.get('authIndexValue')).toBe('ResetPassword');
    expect(api.calls.at(-1)?.query.authIndexValue).toBe('ResetPassword');
  });

  it('works with the keyboard only', async () => {
    const tp = await open('/login/');
    const { page } = tp;
    await waitForHeading(page, 'Sign in');
    const order: string[] = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      order.push(await focused(page));
    }
    const at = (name: string): number => order.indexOf(name);
    expect(at('input#cb0')).toBeGreaterThan(-1);
    // Each recovery link right after the field it is about.
    expect(order[at('input#cb0') + 1]).toBe('a:Forgot username?');
    expect(at('input#cb1')).toBe(at('input#cb0') + 2);
    expect(order[at('input#cb1') + 1]).toBe('button:Show password');
    expect(order[at('input#cb1') + 2]).toBe('a:Forgot password?');
    expect(order[at('input#cb1') + 3]).toBe('button:Continue');

    // Focus is visible: the focused control draws an outline.
    await page.getByLabel('Username').focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).toBe('solid');

    await page.keyboard.type('demo');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Ch4ng3it!');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space'); // show the password
    await expect(page.getByLabel('Password', { exact: true }).getAttribute('type')).resolves.toBe('text');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await waitForHeading(page, 'You are signed in');
    expect(await focused(page)).toBe('h1#page-title');
    expectClean(tp);
  });

  it('speaks French from the browser languages, sends the locale, and switches language', async () => {
    const tp = await open('/login/', 'fr-FR');
    const { page } = tp;
    await waitForHeading(page, 'Connexion');
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    expect(api.calls.at(-1)?.query.locale).toBe('fr');
    await expect(page.getByRole('button', { name: 'Continuer' }).isVisible()).resolves.toBe(true);
    await expect(page.getByText('Afficher le mot de passe').isVisible()).resolves.toBe(true);
    await expectAccessible(page, 'login-fr');
    await page.getByLabel('Langue').selectOption('en');
    await waitForHeading(page, 'Sign in');
    expect(api.calls.at(-1)?.query.locale).toBe('en');
    expect(new URL(page.url()).searchParams.get('locale')).toBe('en');
    await expect(page.getByRole('button', { name: 'Continue' }).isVisible()).resolves.toBe(true);
    expectClean(tp);
  });

  it('applies the operator theme without a rebuild', async () => {
    const tp = await open('/login/');
    await waitForHeading(tp.page, 'Sign in');
    expect(await tp.page.locator('#product').textContent()).toBe('Acme');
    expect(await tp.page.evaluate('getComputedStyle(document.querySelector("button.primary")).backgroundColor')).toBe('rgb(43, 58, 103)');
    // AIC's stock header "Sign In" is shown in the pages' wording.
    expect(await tp.page.title()).toBe('Sign in – Acme');
  });
});

const document_title = (title: string): string => title.split(' – ')[0] ?? title;
