/**
 * The pages people expect, in Chromium against the real server with an operator theme: "Forgot
 * password?" right under the password (and "Forgot username?" under the username), at desktop and
 * phone sizes; full-width primary buttons and a one-line header on a phone; the new password's full
 * checklist with each rule met or not met as it is typed, the failing sentence apart; the signed-in
 * page with the person's name, a way on and sign-out; the e-mail's button in the theme's colour.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../support/eml.js';
import {
  hasChromium,
  launchBrowser,
  openPage,
  screenshot,
  seriousA11yViolations,
  VIEWPORTS,
  waitForHeading,
  type TestPage,
} from './browser-helpers.js';
import { localPath, startRealServer, submitAndWait, type RealServer } from './real-server.js';

const run = hasChromium() || process.env.CI === 'true';
const PASSWORD = 'an old but decent passphrase';
const THEME_PRIMARY = '#7a1f5c';

const box = async (locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> => {
  const b = await locator.boundingBox();
  if (!b) throw new Error(`${String(locator)} is not visible`);
  return b;
};

describe.runIf(run)('the pages people expect', { timeout: 90_000 }, () => {
  let browser: Browser;
  let real: RealServer;
  let themeDir: string;
  const opened: TestPage[] = [];
  const open = async (path: string): Promise<TestPage> => {
    const tp = await openPage(browser, `${real.url}${path}`);
    opened.push(tp);
    return tp;
  };

  beforeAll(async () => {
    if (!hasChromium()) throw new Error('Chromium is required under CI: apt-get install -y chromium');
    themeDir = await mkdtemp(join(tmpdir(), 'cairn-theme-'));
    const themeFile = join(themeDir, 'theme.json');
    await writeFile(themeFile, JSON.stringify({ productName: 'Acme', homeUrl: '/app/', colors: { primary: THEME_PRIMARY, onPrimary: '#ffffff' } }));
    real = await startRealServer({ CAIRN_UI_THEME_FILE: themeFile });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const tp of opened) await tp.context.close().catch(() => undefined);
    await browser?.close();
    await real?.stop();
    if (themeDir) await rm(themeDir, { recursive: true, force: true });
  });

  it('puts "Forgot password?" right under the password and "Forgot username?" under the username, at both sizes', async () => {
    const { page, problems } = await open('/login/');
    await waitForHeading(page, 'Sign in');
    // The shipped description holds only those two links: they moved, and nothing is left above the form.
    await expect(page.locator('.description').count()).resolves.toBe(0);
    for (const size of VIEWPORTS) {
      await page.setViewportSize(size);
      const username = await box(page.getByLabel('Username', { exact: true }));
      const password = await box(page.getByLabel('Password', { exact: true }));
      const forgotUsername = await box(page.getByRole('link', { name: 'Forgot username?' }));
      const forgotPassword = await box(page.getByRole('link', { name: 'Forgot password?' }));
      const submit = await box(page.getByRole('button', { name: 'Continue' }));
      expect(forgotUsername.y).toBeGreaterThan(username.y + username.height - 1);
      expect(forgotUsername.y).toBeLessThan(password.y);
      expect(forgotPassword.y).toBeGreaterThan(password.y + password.height - 1);
      expect(forgotPassword.y).toBeLessThan(submit.y);
      // Close to its field: within two lines of text.
      expect(forgotPassword.y - (password.y + password.height)).toBeLessThan(80);
      await screenshot(page, `expected-login-${size.width}x${size.height}`);
    }
    // In reading (and tab) order too: the link follows the password's field, before the button.
    await expect(page.locator('.field:has(input[type="password"]) + .field-links a').textContent()).resolves.toBe('Forgot password?');
    await expect(page.locator('.field:has(input[autocomplete="username"]) + .field-links a').textContent()).resolves.toBe('Forgot username?');
    expect(problems).toEqual([]);
  });

  it('on a phone: the primary button spans the form and the header stays one uncluttered line', async () => {
    const { page } = await open('/login/');
    await waitForHeading(page, 'Sign in');
    await page.setViewportSize({ width: 390, height: 844 });
    const form = await box(page.locator('main form'));
    const submit = await box(page.getByRole('button', { name: 'Continue' }));
    expect(Math.abs(submit.width - form.width)).toBeLessThanOrEqual(1);
    const header = await box(page.locator('header.brand'));
    const select = await box(page.getByRole('combobox', { name: 'Language' })); // still named for screen readers
    const product = await box(page.locator('#product'));
    expect(header.height).toBeLessThan(64);
    expect(Math.abs(select.y + select.height / 2 - (product.y + product.height / 2))).toBeLessThan(8); // one row
    expect(await page.locator('#lang-label').evaluate((el) => el.getBoundingClientRect().width)).toBeLessThanOrEqual(1);
    expect(select.x + select.width).toBeLessThanOrEqual(390);
    // Desktop: the button keeps its own width, the label is shown.
    await page.setViewportSize({ width: 1280, height: 800 });
    expect((await box(page.getByRole('button', { name: 'Continue' }))).width).toBeLessThan((await box(page.locator('main form'))).width / 2);
    expect(await page.locator('#lang-label').isVisible()).toBe(true);
  });

  it('shows the whole checklist, each rule met or not as the password is typed, the failing sentence apart; a refusal keeps both fields', async () => {
    await real.createUser({ userName: 'checklist', mail: 'checklist@example.com', password: PASSWORD });
    const ask = await open('/login/?authIndexType=service&authIndexValue=ResetPassword');
    await waitForHeading(ask.page, 'Reset your password');
    const since = real.smtp.received.length;
    await ask.page.getByLabel('Email address', { exact: true }).fill('checklist@example.com');
    await submitAndWait(ask.page, 'Continue');
    const mail = (await real.smtp.waitFor(since + 1)).slice(since).find((m) => m.to.includes('checklist@example.com'));
    const html = parseMail(mail?.raw ?? '').html ?? '';
    // The e-mail's button has the theme's colour, not a colour of its own.
    expect(html).toContain(`background:${THEME_PRIMARY};color:#ffffff`);

    const { page } = await open(localPath(await real.mailedLink('checklist@example.com', since)));
    await waitForHeading(page, 'Reset your password');
    const password = page.getByLabel('Password', { exact: true });
    const id = await password.getAttribute('id');
    const rules = page.locator(`#${id}-hint .rule`);
    const errors = page.locator(`#${id}-errors li`);
    const states = (): Promise<string[]> =>
      rules.evaluateAll((items) => items.map((li) => `${li.getAttribute('data-state')} ${li.firstChild?.textContent}`));
    const rulesAll = [
      'Must be at least 8 characters long.',
      'Must be at most 256 characters long.',
      'Must not contain your username, first name, last name, or email address.',
      'Must not be a common password.',
      'Must not be a repeated or sequential pattern such as “aaaa” or “1234”.',
    ];
    // Before typing: every rule, none marked.
    expect(await states()).toEqual(rulesAll.map((r) => `pending ${r}`));
    await expect(errors.count()).resolves.toBe(0);

    // "password1": common; every other rule met. Its own sentence says so, apart from the checklist.
    await password.fill('password1');
    await expect.poll(states).toEqual(rulesAll.map((r) => `${r === 'Must not be a common password.' ? 'unmet' : 'met'} ${r}`));
    await expect.poll(() => errors.allTextContents()).toEqual(['This password is too common. Choose one that is harder to guess.']);
    await expect(rules.nth(3).textContent()).resolves.toBe('Must not be a common password. (not met)');
    await screenshot(page, 'expected-checklist-common');

    // "checklist1" holds the e-mail address's name: that rule unmet, and one sentence for it.
    await password.fill('checklist1');
    await expect.poll(states).toEqual(rulesAll.map((r, i) => `${i === 2 ? 'unmet' : 'met'} ${r}`));
    await expect.poll(() => errors.allTextContents()).toEqual(['The password does not meet every requirement below.']);
    expect(await seriousA11yViolations(page)).toEqual([]);

    // Submitted anyway: refused, and neither field is cleared.
    await page.getByLabel('Confirm password').fill('checklist1');
    expect(await submitAndWait(page, 'Continue')).toBe(200);
    await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.id')).toBe(id);
    await expect(password.inputValue()).resolves.toBe('checklist1');
    await expect(page.getByLabel('Confirm password').inputValue()).resolves.toBe('checklist1');
    expect(await states()).toEqual(rulesAll.map((r, i) => `${i === 2 ? 'unmet' : 'met'} ${r}`));

    // Every rule met: accepted.
    await password.fill('a brand new memorable passphrase');
    await expect.poll(states).toEqual(rulesAll.map((r) => `met ${r}`));
    await expect.poll(() => errors.count()).toBe(0);
    await page.getByLabel('Confirm password').fill('a brand new memorable passphrase');
    await submitAndWait(page, 'Continue');
    await waitForHeading(page, 'Your password has been changed');
  });

  it('greets the signed-in person by name, offers a way on, and signs out', async () => {
    await real.createUser({ userName: 'greeted', mail: 'greeted@example.com', password: PASSWORD, givenName: 'Élise', sn: 'Durand' });
    const { page, problems } = await open('/login/');
    await waitForHeading(page, 'Sign in');
    await page.getByLabel('Username', { exact: true }).fill('greeted');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await submitAndWait(page, 'Continue');
    await waitForHeading(page, 'Welcome, Élise Durand');
    await page.getByText('You are signed in as greeted.').waitFor();
    // The way on: the theme's home first (primary), changing the password, signing out.
    const actions = page.locator('main .actions > *');
    expect(await actions.evaluateAll((els) => els.map((el) => `${el.tagName} ${el.className} ${el.textContent}`))).toEqual([
      'A button primary Continue to Acme',
      'A button secondary Change your password',
      'BUTTON button secondary Sign out',
    ]);
    await expect(page.getByRole('link', { name: 'Continue to Acme' }).getAttribute('href')).resolves.toBe('/app/');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'expected-signed-in');

    const [logout] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/sessions?_action=logout')),
      page.getByRole('button', { name: 'Sign out' }).click(),
    ]);
    expect(logout.status()).toBe(200);
    await waitForHeading(page, 'You are signed out');
    // The session is over on the server, not only on the page.
    const info = await page.evaluate(() =>
      fetch('/am/json/realms/root/sessions?_action=getSessionInfo', { method: 'POST', headers: { 'Content-Type': 'application/json' } }).then(
        (r) => r.status,
      ),
    );
    expect(info).toBe(401);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await waitForHeading(page, 'Sign in');
    expect(problems).toEqual([]);
  });

  it('names nobody on the success page without a session, and reads only one’s own profile', async () => {
    const { page } = await open('/login/#/success');
    await waitForHeading(page, 'You are signed in');
    await expect(page.getByRole('button', { name: 'Sign out' }).count()).resolves.toBe(0);
    const status = await page.evaluate(() => fetch('/am/json/realms/root/users/greeted').then((r) => r.status));
    expect(status).toBe(401);
    await page.goto(`${real.url}/login/`);
    await waitForHeading(page, 'Sign in');
    await page.getByLabel('Username', { exact: true }).fill('greeted');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await submitAndWait(page, 'Continue');
    await waitForHeading(page, /^Welcome/);
    const other = await page.evaluate(() => fetch('/am/json/realms/root/users/checklist').then((r) => r.status));
    expect(other).toBe(403);
    const own = (await page.evaluate(() => fetch('/am/json/realms/root/users/greeted').then((r) => r.json()))) as Record<string, unknown>;
    expect(own).toEqual({
      username: 'greeted',
      realm: '/',
      uid: ['greeted'],
      givenName: ['Élise'],
      sn: ['Durand'],
      mail: ['greeted@example.com'],
      cn: ['Élise Durand'],
    });
  });
});
