/**
 * One language per page: headless Chromium walks every shipped journey's pages against the real
 * server — Login (refused, failed after the Retry Limit, an inactive account), ForgottenUsername (and
 * its e-mailed link back to sign-in), ResetPassword (a refused then an accepted new password, the
 * success page, sign-in, the signed-in page with the person's name, sign-out), ResetPasswordByUsername,
 * Registration (the security question, the terms, the e-mailed link), ResetPasswordByQuestions (that
 * question answered), ResetPasswordByCode (the code from the e-mail), Login's inner ProgressiveProfile (the preferences on the third sign-in),
 * UpdatePassword (from the signed-in page), the used-link, unknown-journey and invalid-address pages —
 * once with a French browser and once with an English one. On every page no
 * visible text may be the other language's (the pages' catalogue, the node texts, the policy
 * sentences, the journeys' and the schema's locale maps) nor AM's stock English wording; every page
 * is axe-clean, and is saved at 1280×800 and 390×844 under test-results/ui/lang-*.png.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { titleKey } from '../../ui/src/core/journeys.js';
import { en } from '../../ui/src/i18n/en.js';
import { fr } from '../../ui/src/i18n/fr.js';
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
import { parseMail } from '../support/eml.js';
import { findForeign, foreignTexts, VISIBLE_TEXTS } from './language-texts.js';
import { localPath, ROOT, startRealServer, submitAndWait, type RealServer } from './real-server.js';

/** The shipped journeys the walk below goes through (ProgressiveProfile is Login's inner journey). */
const WALKED = [
  'Login',
  'ProgressiveProfile',
  'ForgottenUsername',
  'ResetPassword',
  'ResetPasswordByUsername',
  'ResetPasswordByCode',
  'ResetPasswordByQuestions',
  'Registration',
  'UpdatePassword',
  'HelpdeskReset',
];

describe('the shipped journeys', () => {
  it('are each walked below, with a page title of their own in every language', () => {
    const shipped = readdirSync(join(ROOT, 'journeys'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => (JSON.parse(readFileSync(join(ROOT, 'journeys', f), 'utf8')) as { _id: string })._id);
    expect(shipped.length).toBeGreaterThan(5);
    expect([...shipped].sort()).toEqual([...WALKED].sort());
    for (const journey of shipped) {
      expect(titleKey(journey), journey).not.toBe('title.default');
      expect(fr[titleKey(journey)], journey).not.toBe(en[titleKey(journey)]);
    }
  });
});

const run = hasChromium() || process.env.CI === 'true';
const PASSWORD = 'an old but decent passphrase';
const NEW_PASSWORD = 'a brand new memorable passphrase';
/** The administrator who walks HelpdeskReset (admin holds every role, helpdesk included). */
const OPERATOR = { user: 'walk-operator', password: 'an operator passphrase for the walk' };

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
    register: 'Créer un compte',
    givenName: 'Prénom',
    sn: 'Nom',
    updates: 'M’envoyer des nouvelles et des mises à jour',
    marketing: 'M’envoyer des offres spéciales et des services',
    question: 'Question de sécurité',
    answer: 'Réponse',
    terms: 'J’accepte les conditions générales',
    registered: 'Votre compte a été créé',
    oneTimePassword: 'Mot de passe à usage unique',
    preferences: 'Choisissez vos préférences',
    currentPassword: 'Vérifiez votre mot de passe',
    changePassword: 'Changer votre mot de passe',
    adminSignIn: 'Connexion administrateur',
    allDone: 'Terminé',
    helpdesk: 'Réinitialiser le mot de passe d’un utilisateur',
    onScreen: 'Affiché une fois sur mon écran, pour le lire à l’utilisateur',
    doneButton: 'Terminé',
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
    register: 'Create an account',
    givenName: 'First name',
    sn: 'Last name',
    updates: 'Send me news and updates',
    marketing: 'Send me special offers and services',
    question: 'Security question',
    answer: 'Answer',
    terms: 'I accept the terms and conditions',
    registered: 'Your account has been created',
    oneTimePassword: 'One-time password',
    preferences: 'Please select your preferences',
    currentPassword: 'Enter your current password',
    changePassword: 'Change your password',
    adminSignIn: 'Administrator sign-in',
    allDone: 'All done',
    helpdesk: 'Reset a user’s password',
    onScreen: 'Shown once on my screen, to read to the user',
    doneButton: 'Done',
  },
} as const;

describe.runIf(run)('one language per page, every shipped journey', { timeout: 240_000 }, () => {
  let browser: Browser;
  let real: RealServer;
  const opened: TestPage[] = [];

  beforeAll(async () => {
    if (!hasChromium()) throw new Error('Chromium is required under CI: apt-get install -y chromium');
    // A budget above the Retry Limit: the locked-out page needs the right password evaluated after it.
    real = await startRealServer({ CAIRN_LOGIN_ATTEMPTS: '20', CAIRN_ADMIN_USERNAME: OPERATOR.user, CAIRN_ADMIN_PASSWORD: OPERATOR.password });
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
      /** The text of the first e-mail to `to` among those received after the first `since`. */
      const mailedText = async (to: string, since: number): Promise<string> => {
        for (let count = since + 1; ; count++) {
          const found = (await real.smtp.waitFor(count, 10_000)).slice(since).find((m) => m.to.includes(to));
          if (found) return parseMail(found.raw).text ?? '';
        }
      };
      const signIn = async (page: Page, userName: string, password: string): Promise<void> => {
        await waitForHeading(page, w.signIn);
        await page.getByLabel(w.username, { exact: true }).fill(userName);
        await page.getByLabel(w.password, { exact: true }).fill(password);
        await submitAndWait(page, w.submit);
      };
      const user = `walk${language}`;
      const mail = `${user}@example.com`;
      // E-mail preferences chosen: the third sign-in's preferences page is walked with a user of its own.
      const chosen = { marketing: true, updates: true };
      await real.createUser({ userName: user, mail, password: PASSWORD, preferences: chosen });

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

      // Failed after the Retry Limit; then an inactive account, whose right password says "locked".
      const lockedUser = `locked${language}`;
      await real.createUser({ userName: lockedUser, mail: `${lockedUser}@example.com`, password: PASSWORD, preferences: chosen });
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
      const inactiveUser = `inactive${language}`;
      await real.createUser({ userName: inactiveUser, mail: `${inactiveUser}@example.com`, password: PASSWORD, accountStatus: 'inactive' });
      await locked.getByLabel(w.username, { exact: true }).fill(inactiveUser);
      await locked.getByLabel(w.password, { exact: true }).fill(PASSWORD);
      expect(await submitAndWait(locked, w.submit)).toBe(401);
      await locked
        .locator('#error-summary')
        .getByText(language === 'fr' ? 'Ce compte est verrouillé.' : 'This account is locked.', { exact: false })
        .waitFor();
      await check(locked, 'login-locked');

      // Registration: every field, the security question and the terms; the e-mailed link creates the account.
      const newUser = `new${language}`;
      const newMail = `${newUser}@example.com`;
      const register = (await open('/login/?authIndexType=service&authIndexValue=Registration')).page;
      await waitForHeading(register, w.register);
      await check(register, 'registration');
      await register.getByLabel(w.username, { exact: true }).fill(newUser);
      await register.getByLabel(w.givenName, { exact: true }).fill('Chloé');
      await register.getByLabel(w.sn, { exact: true }).fill('Rome');
      await register.getByLabel(w.mail, { exact: true }).fill(newMail);
      await register.getByLabel(w.updates, { exact: true }).check();
      await register.getByLabel(w.marketing, { exact: true }).check();
      await register.getByLabel(w.password, { exact: true }).fill(NEW_PASSWORD);
      await register.getByLabel(w.confirm, { exact: true }).fill(NEW_PASSWORD);
      await register.getByLabel(w.question, { exact: true }).selectOption({ index: 1 });
      await register.getByLabel(w.answer, { exact: true }).fill('Teal');
      await register.getByLabel(w.terms, { exact: true }).check();
      await check(register, 'registration-filled');
      const since = real.smtp.received.length;
      await submitAndWait(register, w.submit);
      await register.getByRole('heading', { name: w.checkMail }).waitFor();
      await check(register, 'registration-sent');
      const confirmed = (await open(localPath(await real.mailedLink(newMail, since)))).page;
      await waitForHeading(confirmed, w.registered);
      await check(confirmed, 'registration-done');

      // ResetPasswordByQuestions: the username, the security question answered at registration, a new password.
      const byQuestions = (await open('/login/?authIndexType=service&authIndexValue=ResetPasswordByQuestions')).page;
      await waitForHeading(byQuestions, w.reset);
      await check(byQuestions, 'reset-by-questions');
      await byQuestions.getByLabel(w.username, { exact: true }).fill(newUser);
      await submitAndWait(byQuestions, w.submit);
      const answerField = byQuestions.locator('input[type="password"]').first();
      await answerField.waitFor();
      await check(byQuestions, 'reset-by-questions-question');
      await answerField.fill('Teal');
      await submitAndWait(byQuestions, w.submit);
      await byQuestions.getByLabel(w.confirm, { exact: true }).waitFor();
      await check(byQuestions, 'reset-by-questions-new-password');
      await byQuestions.getByLabel(w.password, { exact: true }).fill(PASSWORD);
      await byQuestions.getByLabel(w.confirm, { exact: true }).fill(PASSWORD);
      await submitAndWait(byQuestions, w.submit);
      await waitForHeading(byQuestions, w.changed);
      await check(byQuestions, 'reset-by-questions-done');

      // ResetPasswordByCode: the address, the code from the e-mail, a new password.
      const byCode = (await open('/login/?authIndexType=service&authIndexValue=ResetPasswordByCode')).page;
      await waitForHeading(byCode, w.reset);
      await check(byCode, 'reset-by-code');
      const codeSince = real.smtp.received.length;
      await byCode.getByLabel(w.mail, { exact: true }).fill(mail);
      await submitAndWait(byCode, w.submit);
      const codeField = byCode.getByLabel(w.oneTimePassword, { exact: true });
      await codeField.waitFor();
      await waitForHeading(byCode, w.reset);
      await check(byCode, 'reset-by-code-code');
      await codeField.fill(/\b(\d{8})\b/.exec(await mailedText(mail, codeSince))?.[1] ?? '');
      await submitAndWait(byCode, w.submit);
      await byCode.getByLabel(w.confirm, { exact: true }).waitFor();
      await check(byCode, 'reset-by-code-new-password');
      await byCode.getByLabel(w.password, { exact: true }).fill(PASSWORD);
      await byCode.getByLabel(w.confirm, { exact: true }).fill(PASSWORD);
      await submitAndWait(byCode, w.submit);
      await waitForHeading(byCode, w.changed);
      await check(byCode, 'reset-by-code-done');

      // Login's inner ProgressiveProfile: on the third sign-in, the preferences not yet chosen.
      const profileUser = `profile${language}`;
      await real.createUser({ userName: profileUser, mail: `${profileUser}@example.com`, password: PASSWORD });
      for (let n = 1; n <= 2; n++) {
        const once = (await open('/login/')).page;
        await signIn(once, profileUser, PASSWORD);
        await waitForHeading(once, `${w.welcome}, Barbara Jensen`);
      }
      const profile = (await open('/login/')).page;
      await signIn(profile, profileUser, PASSWORD);
      await waitForHeading(profile, w.preferences);
      await check(profile, 'progressive-profile');
      await profile.getByLabel(w.updates, { exact: true }).check();
      await submitAndWait(profile, w.submit);
      await waitForHeading(profile, `${w.welcome}, Barbara Jensen`);

      // UpdatePassword, from the signed-in page: the current password, then a new one.
      await profile.getByRole('link', { name: w.changePassword }).click();
      await waitForHeading(profile, w.currentPassword);
      await check(profile, 'update-password-current');
      await profile.getByLabel(w.password, { exact: true }).fill(PASSWORD);
      await submitAndWait(profile, w.submit);
      await waitForHeading(profile, w.changePassword);
      await check(profile, 'update-password-new');
      await profile.getByLabel(w.password, { exact: true }).fill(NEW_PASSWORD);
      await profile.getByLabel(w.confirm, { exact: true }).fill(NEW_PASSWORD);
      await submitAndWait(profile, w.submit);
      await waitForHeading(profile, w.changed);
      await check(profile, 'update-password-done');

      // HelpdeskReset, by an operator signed in on the administrators' page: the user, the delivery, the password shown once.
      const operator = (await open('/login/?authIndexType=service&authIndexValue=AdminLogin')).page;
      await waitForHeading(operator, w.adminSignIn);
      await check(operator, 'admin-sign-in');
      await operator.getByLabel(w.username, { exact: true }).fill(OPERATOR.user);
      await operator.getByLabel(w.password, { exact: true }).fill(OPERATOR.password);
      await submitAndWait(operator, w.submit);
      await waitForHeading(operator, w.allDone);
      await operator.goto(`${real.url}/login/?authIndexType=service&authIndexValue=HelpdeskReset&ForceAuth=true`);
      await waitForHeading(operator, w.helpdesk);
      await check(operator, 'helpdesk-user');
      await operator.getByLabel(w.username, { exact: true }).fill(user);
      await submitAndWait(operator, w.submit);
      await operator.getByLabel(w.onScreen, { exact: true }).check();
      await check(operator, 'helpdesk-delivery');
      await submitAndWait(operator, w.submit);
      await operator.getByRole('button', { name: w.doneButton, exact: true }).waitFor();
      await check(operator, 'helpdesk-shown');
      await submitAndWait(operator, w.doneButton);
      await waitForHeading(operator, w.allDone);
      await check(operator, 'helpdesk-done');

      expect(visited).toHaveLength(42);
      for (const tp of opened) expect(tp.problems, tp.page.url()).toEqual([]);
    });
  }
});
