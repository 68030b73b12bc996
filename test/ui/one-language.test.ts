/**
 * One language per page: headless Chromium walks every shipped journey's pages against the real
 * server — Login (refused, locked out), ForgottenUsername (and its e-mailed link back to sign-in),
 * ResetPassword (a refused then an accepted new password, the success page, sign-in, the signed-in
 * page with the person's name, sign-out), ResetPasswordByUsername, the used-link, unknown-journey and
 * invalid-address pages — once with a French browser and once with an English one. On every page no
 * visible text may be the other language's (the pages' catalogue, the node texts, the policy
 * sentences, the journeys' and the schema's locale maps) nor AM's stock English wording; every page
 * is axe-clean, and is saved at 1280×800 and 390×844 under test-results/ui/lang-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { findForeign, foreignTexts, VISIBLE_TEXTS } from './language-texts.js';
import { localPath, startRealServer, submitAndWait, type RealServer } from './real-server.js';

const run = hasChromium() || process.env.CI === 'true';
const PASSWORD = 'an old but decent passphrase';
const NEW_PASSWORD = 'a brand new memorable passphrase';

/** What each walk reads and types, in its language. */
const WORDS = {
  fr: {
    browser: 'fr-FR',
    signIn: 'Connexion',
    username: 'Nom d’utilisateur',
    password: 'Mot de passe',
    confirm: 'Confirmer le mot de passe',
    mail: 'Adresse e-mail',
    submit: 'Continuer',
    forgotUsername: 'Nom d’utilisateur oublié ?',
    forgotPassword: 'Mot de passe oublié ?',
    findUsername: 'Retrouver votre nom d’utilisateur',
    reset: 'Réinitialiser votre mot de passe',
    checkMail: 'Consultez votre messagerie',
    changed: 'Votre mot de passe a été modifié',
    signInAction: 'Se connecter',
    welcome: 'Bienvenue',
    signOut: 'Se déconnecter',
    signedOut: 'Vous êtes déconnecté',
    problem: 'Un problème est survenu',
  },
  en: {
    browser: 'en-GB',
    signIn: 'Sign in',
    username: 'Username',
    password: 'Password',
    confirm: 'Confirm password',
    mail: 'Email address',
    submit: 'Continue',
    forgotUsername: 'Forgot username?',
    forgotPassword: 'Forgot password?',
    findUsername: 'Find your username',
    reset: 'Reset your password',
    checkMail: 'Check your email',
    changed: 'Your password has been changed',
    signInAction: 'Sign in',
    welcome: 'Welcome',
    signOut: 'Sign out',
    signedOut: 'You are signed out',
    problem: 'There is a problem',
  },
} as const;

describe.runIf(run)('one language per page, every shipped journey', { timeout: 240_000 }, () => {
  let browser: Browser;
  let real: RealServer;
  const opened: TestPage[] = [];

  beforeAll(async () => {
    if (!hasChromium()) throw new Error('Chromium is required under CI: apt-get install -y chromium');
    // A budget above the Retry Limit: the locked-out page needs the right password evaluated after it.
    real = await startRealServer({ CAIRN_LOGIN_ATTEMPTS: '20' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const tp of opened) await tp.context.close().catch(() => undefined);
    await browser?.close();
    await real?.stop();
  });

  for (const language of ['fr', 'en'] as const) {
    it(`walks every page in ${language === 'fr' ? 'French' : 'English'} without a word of the other language`, async () => {
      const w = WORDS[language];
      const foreign = foreignTexts(language);
      const visited: string[] = [];
      const open = async (path: string): Promise<TestPage> => {
        const tp = await openPage(browser, `${real.url}${path}`, { locale: w.browser });
        opened.push(tp);
        return tp;
      };
      /** The page as it is now: its language, no foreign text, axe-clean, saved at both sizes. */
      const check = async (page: Page, name: string): Promise<void> => {
        visited.push(name);
        expect(await page.getAttribute('html', 'lang'), name).toBe(language);
        const shown = await page.evaluate<string[]>(VISIBLE_TEXTS);
        expect(findForeign(shown, foreign), `${name}: texts of the other language`).toEqual([]);
        expect(await seriousA11yViolations(page), `${name}: axe`).toEqual([]);
        for (const size of VIEWPORTS) {
          await page.setViewportSize(size);
          await screenshot(page, `lang-${language}-${name}-${size.width}x${size.height}`);
        }
        await page.setViewportSize({ width: 800, height: 900 });
      };
      /** Fills `label` with `value`, submits, checks the "check your email" page; the e-mailed link, on this server. */
      const askForMail = async (page: Page, label: string, value: string, name: string): Promise<string> => {
        const since = real.smtp.received.length;
        await page.getByLabel(label, { exact: true }).fill(value);
        await submitAndWait(page, w.submit);
        await page.getByRole('heading', { name: w.checkMail }).waitFor();
        await check(page, name);
        return localPath(await real.mailedLink(mail, since));
      };
      const user = `walk${language}`;
      const mail = `${user}@example.com`;
      await real.createUser({ userName: user, mail, password: PASSWORD });

      // Login, then a refused password.
      const login = await open('/login/');
      const { page } = login;
      await waitForHeading(page, w.signIn);
      await check(page, 'login');
      await page.getByLabel(w.username, { exact: true }).fill(user);
      await page.getByLabel(w.password, { exact: true }).fill('not the password');
      expect(await submitAndWait(page, w.submit)).toBe(200);
      await page.locator('#error-summary').waitFor({ state: 'visible' });
      await check(page, 'login-refused');

      // ForgottenUsername, from its link; the e-mail's link leads back to sign-in.
      await page.getByRole('link', { name: w.forgotUsername }).click();
      await waitForHeading(page, w.findUsername);
      await check(page, 'forgotten-username');
      const resumed = await open(await askForMail(page, w.mail, mail, 'forgotten-username-sent'));
      await waitForHeading(resumed.page, w.signIn);
      await check(resumed.page, 'forgotten-username-resumed');

      // ResetPassword: request, e-mail, a refused new password (the checklist), an accepted one.
      await page.goto(`${real.url}/login/`);
      await waitForHeading(page, w.signIn);
      await page.getByRole('link', { name: w.forgotPassword }).click();
      await waitForHeading(page, w.reset);
      await check(page, 'reset-request');
      const resetLink = await askForMail(page, w.mail, mail, 'reset-sent');
      const change = (await open(resetLink)).page;
      await waitForHeading(change, w.reset);
      await check(change, 'reset-new-password');
      const password = change.getByLabel(w.password, { exact: true });
      await password.fill('password1');
      await change.locator('.checklist .rule[data-state="unmet"]').first().waitFor();
      await check(change, 'reset-checklist');
      await change.getByLabel(w.confirm).fill('password1');
      await submitAndWait(change, w.submit);
      await change.locator('.checklist .rule[data-state="unmet"]').first().waitFor();
      await check(change, 'reset-refused');
      await password.fill(NEW_PASSWORD);
      await change.getByLabel(w.confirm).fill(NEW_PASSWORD);
      await submitAndWait(change, w.submit);
      await waitForHeading(change, w.changed);
      await check(change, 'reset-done');

      // Sign in with it: the signed-in page, then signed out.
      await change.getByRole('link', { name: w.signInAction }).click();
      await waitForHeading(change, w.signIn);
      await change.getByLabel(w.username, { exact: true }).fill(user);
      await change.getByLabel(w.password, { exact: true }).fill(NEW_PASSWORD);
      await submitAndWait(change, w.submit);
      await waitForHeading(change, `${w.welcome}, Barbara Jensen`);
      await check(change, 'signed-in');
      await change.getByRole('button', { name: w.signOut }).click();
      await waitForHeading(change, w.signedOut);
      await check(change, 'signed-out');

      // The used link, an unknown journey, an address that is not valid.
      const used = (await open(resetLink)).page;
      await waitForHeading(used, w.problem);
      await check(used, 'link-used');
      const unknown = (await open('/login/?authIndexType=service&authIndexValue=NoSuchJourney')).page;
      await waitForHeading(unknown, w.problem);
      await check(unknown, 'unknown-journey');
      const invalid = (await open('/login/?authIndexType=service&authIndexValue=%3Cscript%3E')).page;
      await waitForHeading(invalid, w.problem);
      await check(invalid, 'invalid-address');

      // ResetPasswordByUsername: the username, the e-mail, the new password.
      const byName = (await open('/login/?authIndexType=service&authIndexValue=ResetPasswordByUsername')).page;
      await waitForHeading(byName, w.reset);
      await check(byName, 'reset-by-username');
      const byNameChange = (await open(await askForMail(byName, w.username, user, 'reset-by-username-sent'))).page;
      await waitForHeading(byNameChange, w.reset);
      await check(byNameChange, 'reset-by-username-new-password');

      // Locked out after the Retry Limit: the journey fails, then the right password says "locked".
      const lockedUser = `locked${language}`;
      await real.createUser({ userName: lockedUser, mail: `${lockedUser}@example.com`, password: PASSWORD });
      const locked = (await open('/login/')).page;
      await waitForHeading(locked, w.signIn);
      await locked.getByLabel(w.username, { exact: true }).fill(lockedUser);
      let status = 200;
      for (let attempt = 1; status === 200 && attempt <= 10; attempt++) {
        await locked.getByLabel(w.password, { exact: true }).fill(`wrong ${attempt}`);
        status = await submitAndWait(locked, w.submit);
        if (status === 200) await locked.locator('#error-summary').waitFor({ state: 'visible' });
      }
      expect(status).toBe(401);
      const failed = language === 'fr' ? 'Les informations saisies ne sont pas correctes.' : 'The details you entered are not correct.';
      await locked.locator('#error-summary').getByText(failed, { exact: false }).waitFor();
      await check(locked, 'login-failed');
      await locked.getByLabel(w.username, { exact: true }).fill(lockedUser);
      await locked.getByLabel(w.password, { exact: true }).fill(PASSWORD);
      expect(await submitAndWait(locked, w.submit)).toBe(401);
      await locked
        .locator('#error-summary')
        .getByText(language === 'fr' ? 'Ce compte est verrouillé.' : 'This account is locked.', { exact: false })
        .waitFor();
      await check(locked, 'login-locked');

      expect(visited).toHaveLength(21);
      for (const tp of opened) expect(tp.problems, tp.page.url()).toEqual([]);
    });
  }
});
