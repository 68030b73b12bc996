/**
 * The stock journeys of issue 15 on the hosted pages, in headless Chromium against the real Cairn
 * server (shipped journeys, a real SMTP peer on loopback): Registration with a security question and
 * the terms, confirmed from the e-mailed link in another browser; ResetPasswordByCode with the code
 * from the e-mail; ProgressiveProfile's preferences page on the third sign-in; UpdatePassword for the
 * signed-in browser. Screenshots go to test-results/ui/stock-*.png; axe-core finds no serious violation.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../support/eml.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';
import {
  fillAndSubmit,
  hasChromium,
  launchBrowser,
  openPage,
  screenshot,
  seriousA11yViolations,
  waitForHeading,
  type TestPage,
} from './browser-helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const PUBLIC_URL = 'https://id.example.test';
const ADMIN_TOKEN = 'ui-stock-admin-token-0123456789abcdefghijk';
const run = hasChromium() || process.env.CI === 'true';

describe.runIf(run)('stock journeys on the hosted pages against the real server', { timeout: 90_000 }, () => {
  let browser: Browser;
  let smtp: SmtpPeer;
  let server: TestServer;
  const opened: TestPage[] = [];

  const open = async (path: string): Promise<TestPage> => {
    const tp = await openPage(browser, `${server.url}${path}`);
    opened.push(tp);
    return tp;
  };
  const expectAccessible = async (page: Page, name: string): Promise<void> => {
    await screenshot(page, `stock-${name}`);
    expect(await seriousA11yViolations(page), name).toEqual([]);
  };
  const createUser = async (userName: string, mail: string, password: string): Promise<void> => {
    const res = await fetch(`${server.url}/openidm/managed/user?_action=create`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ userName, mail, givenName: 'Barbara', sn: 'Jensen', password }),
    });
    expect(res.status).toBe(201);
  };
  /** The text of the newest e-mail to `to`, once `count` have arrived for it. */
  const mailText = async (to: string, count = 1): Promise<string> => {
    const mine = () => smtp.received.filter((m) => m.to.includes(to));
    while (mine().length < count) await smtp.waitFor(smtp.received.length + 1, 10_000);
    return parseMail(mine().at(-1)?.raw ?? '').text ?? '';
  };
  const signIn = async (page: Page, userName: string, password: string): Promise<void> => {
    await waitForHeading(page, 'Sign in');
    await fillAndSubmit(page, { Username: userName, Password: password });
  };

  beforeAll(async () => {
    if (!hasChromium()) throw new Error('Chromium is required under CI: apt-get install -y chromium');
    smtp = await startSmtpPeer();
    server = await startTestServer({
      CAIRN_JOURNEYS_DIR: join(ROOT, 'journeys'),
      CAIRN_SMTP_URL: smtp.url,
      CAIRN_PUBLIC_URL: PUBLIC_URL,
      CAIRN_ADMIN_TOKEN: ADMIN_TOKEN,
      CAIRN_AUDIT_LOG: 'off',
    });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const tp of opened) await tp.context.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
    await smtp?.close();
  });

  it('registers with a security question and the terms, confirmed from the e-mailed link in another browser', async () => {
    const tp = await open('/login/#/service/Registration');
    const { page } = tp;
    await waitForHeading(page, 'Create an account');
    await page.getByLabel('Username', { exact: true }).fill('chromium-user');
    await page.getByLabel('First name', { exact: true }).fill('Chloe');
    await page.getByLabel('Last name', { exact: true }).fill('Rome');
    await page.getByLabel('Email address', { exact: true }).fill('chloe@example.com');
    await page.getByLabel('Send me news and updates', { exact: true }).check();
    await page.getByLabel('Password', { exact: true }).fill('seven blue whales swimming north');
    await page.getByLabel('Confirm password', { exact: true }).fill('seven blue whales swimming north');
    await page.getByLabel('Security question', { exact: true }).selectOption("What's your favorite color?");
    await page.getByLabel('Answer', { exact: true }).fill('Teal');
    await page.getByLabel('I accept the terms and conditions', { exact: true }).check();
    await expectAccessible(page, 'registration');
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    expect(tp.problems).toEqual([]);

    const link = /https?:\/\/\S+suspendedId=[^\s"<]+/.exec(await mailText('chloe@example.com'))?.[0] ?? '';
    expect(link.startsWith(`${PUBLIC_URL}/login/?`)).toBe(true);
    const url = new URL(link);
    const confirmed = await open(`${url.pathname}${url.search}${url.hash}`);
    await waitForHeading(confirmed.page, 'Your account has been created');
    await expectAccessible(confirmed.page, 'registration-done');
    const users = (await (
      await fetch(
        `${server.url}/openidm/managed/user?_queryFilter=${encodeURIComponent('userName eq "chromium-user"')}&_fields=*,kbaInfo,termsAccepted`,
        {
          headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
        },
      )
    ).json()) as { result: Record<string, any>[] };
    expect(users.result[0]).toMatchObject({
      mail: 'chloe@example.com',
      preferences: { updates: true, marketing: false },
      termsAccepted: { termsVersion: '1.0' },
    });
    expect(users.result[0]?.kbaInfo).toEqual([{ questionId: '1', answer: expect.objectContaining({ type: 'salted-hash' }) }]);
    expect(confirmed.problems).toEqual([]);
  });

  it('resets a password with the code from the e-mail', async () => {
    await createUser('codeuser', 'codeuser@example.com', 'amber tiles on roofs');
    const tp = await open('/login/#/service/ResetPasswordByCode');
    const { page } = tp;
    await waitForHeading(page, 'Reset your password');
    await fillAndSubmit(page, { 'Email address': 'codeuser@example.com' });
    const codeField = page.getByLabel('One-time password', { exact: true });
    await codeField.waitFor();
    await expectAccessible(page, 'reset-by-code');
    const code = /\b(\d{8})\b/.exec(await mailText('codeuser@example.com'))?.[1] ?? '';
    await codeField.fill(code);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await waitForHeading(page, 'Reset your password');
    await page.getByLabel('Password', { exact: true }).fill('crimson leaves falling softly');
    await fillAndSubmit(page, { 'Confirm password': 'crimson leaves falling softly' });
    await waitForHeading(page, 'Your password has been changed');
    await page.getByRole('link', { name: 'Sign in', exact: true }).click();
    await signIn(page, 'codeuser', 'crimson leaves falling softly');
    await waitForHeading(page, 'Welcome, Barbara Jensen');
    expect(tp.problems).toEqual([]);
  });

  it('asks for the preferences on the third sign-in, then changes the password of the signed-in browser', async () => {
    await createUser('thirdtime', 'thirdtime@example.com', 'copper kettle whistling');
    for (let i = 0; i < 2; i++) {
      const once = await open('/login/');
      await signIn(once.page, 'thirdtime', 'copper kettle whistling');
      await waitForHeading(once.page, 'Welcome, Barbara Jensen');
    }
    const tp = await open('/login/');
    const { page } = tp;
    await signIn(page, 'thirdtime', 'copper kettle whistling');
    await waitForHeading(page, 'Please select your preferences');
    await page.getByLabel('Send me special offers and services', { exact: true }).check();
    await expectAccessible(page, 'progressive-profile');
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await waitForHeading(page, 'Welcome, Barbara Jensen');

    // The same browser, signed in, changes its password.
    await page.goto(`${server.url}/login/?authIndexType=service&authIndexValue=UpdatePassword&ForceAuth=true`);
    await waitForHeading(page, 'Enter your current password');
    await fillAndSubmit(page, { Password: 'copper kettle whistling' });
    await waitForHeading(page, 'Change your password');
    await page.getByLabel('Password', { exact: true }).fill('velvet thunder at dusk');
    await fillAndSubmit(page, { 'Confirm password': 'velvet thunder at dusk' });
    await waitForHeading(page, 'Your password has been changed');
    await expectAccessible(page, 'update-password-done');
    const again = await open('/login/');
    await signIn(again.page, 'thirdtime', 'velvet thunder at dusk');
    await waitForHeading(again.page, 'Welcome, Barbara Jensen');
    expect(tp.problems).toEqual([]);
  });
});
