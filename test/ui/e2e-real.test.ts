/**
 * The hosted pages in headless Chromium against the REAL Cairn server (shipped journeys, a real SMTP
 * peer on loopback, lmdb in a temp dir): a reset requested from the Login page's "Forgot password?"
 * link, the e-mailed link opened in a new browser context, a password refused by policy then a good
 * one, sign-in with it; wrong passwords up to the Retry Limit; used and garbage links; French.
 * Screenshots go to test-results/ui/real-*.png; axe-core finds no serious violation on any page.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fillAndSubmit,
  focused,
  hasChromium,
  launchBrowser,
  openPage,
  screenshot,
  seriousA11yViolations,
  waitForHeading,
  type TestPage,
} from './browser-helpers.js';
import { localPath as local, startRealServer, submitAndWait, type RealServer } from './real-server.js';

const OLD_PASSWORD = 'an old but decent passphrase';
const NEW_PASSWORD = 'a brand new memorable passphrase';
const WRONG_CREDENTIALS = 'The username or password is incorrect.';
const LINK_EXPIRED = 'This link has expired or has already been used.';
const run = hasChromium() || process.env.CI === 'true';

describe.runIf(run)('hosted pages against the real server', { timeout: 60_000 }, () => {
  let browser: Browser;
  let real: RealServer;
  const opened: TestPage[] = [];

  const open = async (path: string, locale?: string): Promise<TestPage> => {
    const tp = await openPage(browser, `${real.url}${path}`, locale ? { locale } : {});
    opened.push(tp);
    return tp;
  };
  /** Screenshot, then axe-core: no serious or critical violation. */
  const expectAccessible = async (page: Page, name: string): Promise<void> => {
    await screenshot(page, `real-${name}`);
    expect(await seriousA11yViolations(page), name).toEqual([]);
  };
  const createUser = (userName: string, mail: string): Promise<void> => real.createUser({ userName, mail, password: OLD_PASSWORD });

  beforeAll(async () => {
    if (!hasChromium()) throw new Error('Chromium is required under CI: apt-get install -y chromium');
    real = await startRealServer();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const tp of opened) await tp.context.close().catch(() => undefined);
    await browser?.close();
    await real?.stop();
  });

  it('resets a forgotten password from the e-mailed link, after one refused by policy, then signs in', async () => {
    await createUser('bjensen', 'bjensen@example.com');
    const ask = await open('/login/');
    const { page } = ask;
    await waitForHeading(page, 'Sign in');
    await expectAccessible(page, 'login');
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await waitForHeading(page, 'Reset your password');
    await expectAccessible(page, 'reset-request');
    await fillAndSubmit(page, { 'Email address': 'bjensen@example.com' });
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    await expect(page.getByText('An email has been sent to the address you entered.').isVisible()).resolves.toBe(true);
    await expectAccessible(page, 'reset-check-email');
    expect(ask.problems).toEqual([]);

    // Another browser (no cookies in common) opens the link from the e-mail.
    const link = await real.mailedLink('bjensen@example.com', 0);
    const mailed = await open(local(link));
    const change = mailed.page;
    await waitForHeading(change, 'Reset your password');
    expect(new URL(change.url()).searchParams.has('suspendedId')).toBe(false);
    const password = change.getByLabel('Password', { exact: true });
    await expect(password.getAttribute('autocomplete')).resolves.toBe('new-password');

    // Live check (validateOnly): every failed policy as a sentence next to the field.
    await password.fill('password1');
    const errors = change.locator(`#${await password.getAttribute('id')}-errors`);
    await errors.getByText('This password is too common. Choose one that is harder to guess.').waitFor();
    await expect(password.getAttribute('aria-invalid')).resolves.toBe('true');
    await expectAccessible(change, 'reset-refused-live');

    // Submitted anyway: the server refuses it, the page comes back with the failures, focus on the field,
    // and neither password field is cleared: the refused password is corrected, not typed twice again.
    await password.fill('password1');
    await change.getByLabel('Confirm password').fill('password1');
    expect(await submitAndWait(change, 'Continue')).toBe(200);
    await expect.poll(() => focused(change)).toBe(`input#${await password.getAttribute('id')}`);
    await errors.getByText('This password is too common. Choose one that is harder to guess.').waitFor();
    await expect(password.inputValue()).resolves.toBe('password1');
    await expect(change.getByLabel('Confirm password').inputValue()).resolves.toBe('password1');
    await expectAccessible(change, 'reset-refused');

    await password.fill(NEW_PASSWORD);
    await fillAndSubmit(change, { 'Confirm password': NEW_PASSWORD });
    await waitForHeading(change, 'Your password has been changed');
    expect(new URL(change.url()).searchParams.has('suspendedId')).toBe(false);
    await expectAccessible(change, 'reset-done');

    await change.getByRole('link', { name: 'Sign in' }).click();
    await waitForHeading(change, 'Sign in');
    await fillAndSubmit(change, { Username: 'bjensen', Password: NEW_PASSWORD });
    await waitForHeading(change, 'Welcome, Barbara Jensen');
    expect(change.url()).not.toContain('suspendedId');
    await expectAccessible(change, 'signed-in');
    expect(mailed.problems).toEqual([]);
  });

  it('says the username or password is incorrect, then fails the journey at the Retry Limit', async () => {
    await createUser('wrongpw', 'wrongpw@example.com');
    const tp = await open('/login/');
    const { page } = tp;
    await waitForHeading(page, 'Sign in');
    const userName = page.getByLabel('Username', { exact: true });
    const password = page.getByLabel('Password', { exact: true });
    const refused = page.getByRole('alert').filter({ hasText: WRONG_CREDENTIALS });

    // The shipped Login sends the same page back (HTTP 200) on a wrong password, five times.
    for (let attempt = 1; attempt <= 5; attempt++) {
      if (attempt === 1) await userName.fill('wrongpw');
      await password.fill(`not it ${attempt}`);
      expect(await submitAndWait(page, 'Continue')).toBe(200);
      await expect.poll(() => password.inputValue()).toBe(''); // a fresh page: the password is typed again
      await refused.waitFor();
      expect(await focused(page)).toBe('div#error-summary');
      await expect(userName.inputValue()).resolves.toBe('wrongpw');
      if (attempt === 1) await expectAccessible(page, 'login-wrong-password');
    }

    // The sixth: Retry Limit rejects, the journey fails (401) and starts again with its message.
    await password.fill('not it 6');
    expect(await submitAndWait(page, 'Continue')).toBe(401);
    await page.getByRole('alert').filter({ hasText: 'The details you entered are not correct. Please try again.' }).waitFor();
    expect(await focused(page)).toBe('div#error-summary');
    await expect(userName.inputValue()).resolves.toBe('');
    await expect(page.getByRole('button', { name: 'Continue', exact: true }).isEnabled()).resolves.toBe(true);
    await expectAccessible(page, 'login-failed');
    expect(tp.problems).toEqual([]);
  });

  it('explains a used link and a garbage link, and offers a new one', async () => {
    await createUser('used', 'used@example.com');
    const since = real.smtp.received.length;
    const ask = await open('/login/?authIndexType=service&authIndexValue=ResetPassword');
    await waitForHeading(ask.page, 'Reset your password');
    await fillAndSubmit(ask.page, { 'Email address': 'used@example.com' });
    await ask.page.getByRole('heading', { name: 'Check your email' }).waitFor();
    const link = local(await real.mailedLink('used@example.com', since));

    const first = await open(link); // the first use continues the journey
    await first.page.getByLabel('Password', { exact: true }).waitFor();

    const garbage = '/login/?suspendedId=not-a-real-id&authIndexType=service&authIndexValue=ResetPassword';
    for (const [name, address] of [
      ['used', link],
      ['garbage', garbage],
    ] as const) {
      const tp = await open(address);
      await tp.page.getByText(LINK_EXPIRED).waitFor();
      expect(new URL(tp.page.url()).searchParams.has('suspendedId')).toBe(false);
      await expect(tp.page.getByRole('button').count()).resolves.toBe(0);
      await expectAccessible(tp.page, `link-${name}`);
      await tp.page.getByRole('link', { name: 'Request a new link' }).click();
      await waitForHeading(tp.page, 'Reset your password');
      await expect(tp.page.getByLabel('Email address', { exact: true }).isVisible()).resolves.toBe(true);
      expect(tp.problems).toEqual([]);
    }
  });

  it('speaks French with a French browser: the server’s journey texts and the pages’ own', async () => {
    const tp = await open('/login/', 'fr-FR');
    const { page } = tp;
    await waitForHeading(page, 'Connexion');
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    await expect(page.getByRole('link', { name: 'Mot de passe oublié ?' }).count()).resolves.toBe(1);
    await expect(page.getByRole('button', { name: 'Continuer' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Afficher le mot de passe' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page, 'login-fr');

    await page.getByRole('textbox').first().fill('personne');
    await page.locator('input[type="password"]').fill('pas le bon');
    expect(await submitAndWait(page, 'Continuer')).toBe(200);
    await page.getByRole('alert').filter({ hasText: 'Le nom d’utilisateur ou le mot de passe est incorrect.' }).waitFor();
    await expectAccessible(page, 'login-fr-wrong-password');
    expect(tp.problems).toEqual([]);
  });
});
