/**
 * Cairn's hosted pages at PingIDM's End User UI routes, in headless Chromium against the real server and
 * a real SMTP peer: "forgot password" at `/#/passwordreset/`, the e-mailed `/#/passwordreset/&token=…&code=…`
 * link opened in another browser, a password refused by policy (the rules shown) then a good one, the
 * success page; the new password then signs in through AM's Login. The used link shows the server's
 * refusal with a way to start again. IDM's 4/5 route (`#passwordReset/`) opens the same page. No console
 * error, no CSP violation, and axe-core finds no serious violation.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asSuccess } from '../support/forgerock-sdk.js';
import { amLogin, createUser, linkIn, mailTo, SHIPPED_JOURNEYS } from '../support/selfservice.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';
import { hasChromium, launchBrowser, openPage, screenshot, seriousA11yViolations, waitForHeading, type TestPage } from './browser-helpers.js';

const PUBLIC_URL = 'https://id.example.test';
const ADMIN_TOKEN = 'selfservice-ui-admin-token-0123456789abcdefg';
const NEW_PASSWORD = 'a brand new memorable passphrase';
const run = hasChromium() || process.env.CI === 'true';

describe.runIf(run)("the hosted pages at IDM's routes", { timeout: 60_000 }, () => {
  let browser: Browser;
  let smtp: SmtpPeer;
  let server: TestServer;
  const opened: TestPage[] = [];
  const open = async (path: string): Promise<TestPage> => {
    const tp = await openPage(browser, `${server.url}${path}`);
    opened.push(tp);
    return tp;
  };

  beforeAll(async () => {
    smtp = await startSmtpPeer();
    server = await startTestServer({
      CAIRN_JOURNEYS_DIR: SHIPPED_JOURNEYS,
      CAIRN_SMTP_URL: smtp.url,
      CAIRN_PUBLIC_URL: PUBLIC_URL,
      CAIRN_ADMIN_TOKEN: ADMIN_TOKEN,
    });
    browser = await launchBrowser();
    await createUser(server.url, ADMIN_TOKEN, {
      userName: 'pagetest',
      mail: 'pagetest@example.com',
      givenName: 'Page',
      sn: 'Test',
      password: 'an old but decent passphrase',
    });
  });
  afterAll(async () => {
    for (const tp of opened) expect(tp.problems, 'console errors or CSP violations').toEqual([]);
    await browser?.close();
    await server?.stop();
    await smtp?.close();
  });

  it('forgot password → e-mailed link → a refused then a good password → success; then AM Login', async () => {
    const start = await open('/#/passwordreset/');
    await waitForHeading(start.page, 'Reset your password');
    expect(new URL(start.page.url()).pathname).toBe('/login/'); // `/` redirects, keeping the IDM route in the fragment
    const count = smtp.received.length;
    await start.page.getByLabel('Email address', { exact: true }).fill('pagetest@example.com');
    await start.page.getByRole('button', { name: 'Continue' }).click();
    await start.page.getByRole('heading', { name: 'Check your email' }).waitFor();
    expect(await seriousA11yViolations(start.page)).toEqual([]);
    await screenshot(start.page, 'selfservice-check-mail');

    const link = linkIn(await mailTo(smtp, 'pagetest@example.com', count + 1));
    expect(link.url.startsWith(`${PUBLIC_URL}/#/passwordreset/&token=`)).toBe(true);
    // Another browser, no state: the link alone carries the process on.
    const mailed = await open(link.url.replace(PUBLIC_URL, ''));
    const password = mailed.page.getByLabel('New password', { exact: true });
    await password.waitFor();
    expect(mailed.page.url()).not.toContain(link.code); // the code leaves the address bar once used
    await expect.poll(() => mailed.page.locator('.field-hint li').allTextContents()).toContain('Must be at least 8 characters long.');
    expect(await seriousA11yViolations(mailed.page)).toEqual([]);

    await password.fill('12345678');
    await mailed.page.getByRole('button', { name: 'Change password' }).click();
    await mailed.page.getByRole('alert').getByText('Must not be a repeated or sequential pattern such as “aaaa” or “1234”.').waitFor();
    await screenshot(mailed.page, 'selfservice-password-refused');

    await mailed.page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await mailed.page.getByRole('button', { name: 'Change password' }).click();
    await mailed.page.getByText('Your password has been changed. You can now sign in with it.').waitFor();
    expect(await seriousA11yViolations(mailed.page)).toEqual([]);
    await screenshot(mailed.page, 'selfservice-done');
    expect(asSuccess(await amLogin(server.amUrl, 'pagetest', NEW_PASSWORD)).getSessionToken()).toBeDefined();

    // The same link again: the server's refusal (IDM's "Invalid token") in the page's words, and a way to start again.
    const again = await open(link.url.replace(PUBLIC_URL, ''));
    await again.page.getByRole('alert').getByText('This link has expired or has already been used.', { exact: false }).waitFor();
    await again.page.getByRole('link', { name: 'Start again' }).click();
    await again.page.getByLabel('Email address', { exact: true }).waitFor();
  });

  it("opens IDM 4/5's #passwordReset/ route and French", async () => {
    const old = await openPage(browser, `${server.url}/login/#passwordReset/`, { locale: 'fr-FR' });
    opened.push(old);
    await waitForHeading(old.page, 'Réinitialiser votre mot de passe');
    await old.page.getByLabel('Adresse e-mail', { exact: true }).waitFor();
  });
});
