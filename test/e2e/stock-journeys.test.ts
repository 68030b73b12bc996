/**
 * The stock AIC journeys issue 15 ships (journeys/Registration.json, UpdatePassword.json,
 * ProgressiveProfile.json run by Login, ResetPasswordByCode.json), driven end to end by the official
 * ForgeRock JavaScript SDK over real HTTP on loopback, with a real SMTP server receiving the e-mails:
 * - Registration with a security question and the terms: the account exists only once the e-mailed link
 *   is followed (in another cookie jar), with its answer hashed as IDM stores it and the terms recorded;
 * - UpdatePassword for the signed-in user: the current password first, then a new one checked by policy;
 * - ProgressiveProfile: on the third sign-in Login asks once for the e-mail preferences, saves them, and
 *   writing back the password just typed changes nothing (no "password changed" e-mail, sessions kept);
 * - ResetPasswordByCode: a one-time code by e-mail, a wrong code retried, the right one lets a new
 *   password be chosen; an unknown address gets the same pages and no e-mail.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../support/eml.js';
import { asFailure, asStep, asSuccess, createSdkClient, sdk, type Sdk, type SdkClient } from '../support/forgerock-sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';

const { CallbackType } = sdk;
const JOURNEYS = join(import.meta.dirname, '..', '..', 'journeys');
const PUBLIC_URL = 'https://id.example.test';
const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdefghijklmnop';

let smtp: SmtpPeer;
let server: TestServer;

async function admin(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.url}/openidm${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
  });
}

async function createUser(userName: string, mail: string, password: string): Promise<string> {
  const res = await admin('/managed/user?_action=create', {
    method: 'POST',
    body: JSON.stringify({ userName, mail, givenName: 'Barbara', sn: 'Jensen', password }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { _id: string })._id;
}

async function userNamed(userName: string): Promise<Record<string, any> | undefined> {
  const res = await admin(`/managed/user?_queryFilter=${encodeURIComponent(`userName eq "${userName}"`)}&_fields=*,kbaInfo,termsAccepted`);
  return ((await res.json()) as { result: Record<string, any>[] }).result[0];
}

const client = (tree: string): SdkClient => createSdkClient({ baseUrl: server.amUrl, tree });

/** The mails to `to` received so far. */
const mailsTo = (to: string) => smtp.received.filter((m) => m.to.includes(to)).map((m) => parseMail(m.raw));

async function newestMailTo(to: string, count: number) {
  while (mailsTo(to).length < count) await smtp.waitFor(smtp.received.length + 1, 10_000);
  const mine = mailsTo(to);
  expect(mine.length, `${count} e-mail(s) to ${to}`).toBeGreaterThanOrEqual(count);
  return mine[mine.length - 1] as ReturnType<typeof parseMail>;
}

async function signIn(c: SdkClient, userName: string, password: string): Promise<Sdk.FRStep | Sdk.FRLoginSuccess | Sdk.FRLoginFailure> {
  const page = asStep(await c.start({ query: { ForceAuth: 'true' } }));
  page.getCallbackOfType<Sdk.NameCallback>(CallbackType.NameCallback).setName(userName);
  page.getCallbackOfType<Sdk.PasswordCallback>(CallbackType.PasswordCallback).setPassword(password);
  return c.next(page);
}

async function sessionValid(token: string): Promise<boolean> {
  const res = await fetch(`${server.amUrl}/json/realms/root/sessions?_action=validate`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', iPlanetDirectoryPro: token },
  });
  return ((await res.json()) as { valid: boolean }).valid;
}

beforeAll(async () => {
  smtp = await startSmtpPeer();
  server = await startTestServer({
    CAIRN_JOURNEYS_DIR: JOURNEYS,
    CAIRN_SMTP_URL: smtp.url,
    CAIRN_PUBLIC_URL: PUBLIC_URL,
    CAIRN_ADMIN_TOKEN: ADMIN_TOKEN,
    CAIRN_AUDIT_LOG: 'off',
  });
});
afterAll(async () => {
  await server?.stop();
  await smtp?.close();
});

describe('Registration (with a security question and the terms)', () => {
  it('creates the account once the e-mailed link is followed, with the answer hashed and the terms recorded, and signs in', async () => {
    const c = client('Registration');
    const page = asStep(await c.start());
    expect(page.getHeader()).toBe('Sign Up');
    expect(page.callbacks.map((cb) => cb.getType())).toEqual([
      'ValidatedCreateUsernameCallback',
      'StringAttributeInputCallback',
      'StringAttributeInputCallback',
      'StringAttributeInputCallback',
      'BooleanAttributeInputCallback',
      'BooleanAttributeInputCallback',
      'ValidatedCreatePasswordCallback',
      'KbaCreateCallback',
      'TermsAndConditionsCallback',
    ]);
    page.getCallbackOfType<Sdk.ValidatedCreateUsernameCallback>(CallbackType.ValidatedCreateUsernameCallback).setName('newcomer');
    const values: Record<string, string | boolean> = {
      givenName: 'Nina',
      sn: 'Newcomer',
      mail: 'nina@example.com',
      'preferences/marketing': false,
      'preferences/updates': true,
    };
    for (const type of [CallbackType.StringAttributeInputCallback, CallbackType.BooleanAttributeInputCallback]) {
      for (const cb of page.getCallbacksOfType<Sdk.AttributeInputCallback<string | boolean>>(type))
        cb.setValue(values[cb.getName()] as string | boolean);
    }
    page
      .getCallbackOfType<Sdk.ValidatedCreatePasswordCallback>(CallbackType.ValidatedCreatePasswordCallback)
      .setPassword('a brand new registration passphrase');
    const kba = page.getCallbackOfType<Sdk.KbaCreateCallback>(CallbackType.KbaCreateCallback);
    expect(kba.getPredefinedQuestions()).toEqual(["What's your favorite color?", 'Who was your first employer?']);
    kba.setQuestion('Who was your first employer?');
    kba.setAnswer('Acme Widgets');
    const terms = page.getCallbackOfType<Sdk.TermsAndConditionsCallback>(CallbackType.TermsAndConditionsCallback);
    expect(terms.getVersion()).toBe('1.0');
    terms.setAccepted(true);

    const sent = asStep(await c.next(page));
    expect(sent.getCallbackOfType<Sdk.TextOutputCallback>(CallbackType.SuspendedTextOutputCallback).getMessage()).toContain('An email has been sent');
    expect(await userNamed('newcomer')).toBeUndefined(); // nothing exists before the address is confirmed

    const mail = await newestMailTo('nina@example.com', 1);
    const link = /https?:\/\/\S+suspendedId=[^\s"<]+/.exec(mail.text ?? '')?.[0] as string;
    expect(link.startsWith(`${PUBLIC_URL}/login/?suspendedId=`)).toBe(true);
    const done = asSuccess(await client('Registration').resume(link));
    expect(done.getSessionToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const user = await userNamed('newcomer');
    expect(user).toMatchObject({ givenName: 'Nina', sn: 'Newcomer', mail: 'nina@example.com', preferences: { marketing: false, updates: true } });
    expect(user?.termsAccepted).toEqual({ termsVersion: '1.0', acceptDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(user?.kbaInfo).toEqual([
      { questionId: '2', answer: { type: 'salted-hash', value: { algorithm: 'ARGON2ID', data: expect.stringMatching(/^\$argon2id\$/) } } },
    ]);
    expect(JSON.stringify(user)).not.toMatch(/acme/i);
    expect(asSuccess(await signIn(client('Login'), 'newcomer', 'a brand new registration passphrase')).getSessionToken()).toBeDefined();
  });

  it('asks again for a taken username and a password the policy refuses, without creating anything', async () => {
    await createUser('taken', 'taken@example.com', 'purple elephant dancing slowly');
    const c = client('Registration');
    const page = asStep(await c.start());
    page.getCallbackOfType<Sdk.ValidatedCreateUsernameCallback>(CallbackType.ValidatedCreateUsernameCallback).setName('taken');
    page.getCallbackOfType<Sdk.ValidatedCreatePasswordCallback>(CallbackType.ValidatedCreatePasswordCallback).setPassword('password1');
    const again = asStep(await c.next(page));
    expect(again.getHeader()).toBe('Sign Up');
    const failed = (type: Sdk.CallbackType) =>
      again
        .getCallbackOfType<Sdk.ValidatedCreatePasswordCallback>(type)
        .getFailedPolicies()
        .map((f) => f.policyRequirement);
    expect(failed(CallbackType.ValidatedCreateUsernameCallback)).toContain('VALID_USERNAME');
    expect(failed(CallbackType.ValidatedCreatePasswordCallback)).toContain('CANNOT_BE_COMMON');
  });
});

describe('UpdatePassword', () => {
  it('changes the signed-in user’s password after the current one, checked by the password policy', async () => {
    await createUser('updater', 'updater@example.com', 'quiet harbour morning tide');
    const browser = client('Login');
    asSuccess(await signIn(browser, 'updater', 'quiet harbour morning tide'));
    const c = createSdkClient({ baseUrl: server.amUrl, tree: 'UpdatePassword', jar: browser.jar });
    const current = asStep(await c.start({ query: { ForceAuth: 'true' } }));
    expect(current.getHeader()).toBe('Verify Existing Password');
    current.getCallbackOfType<Sdk.PasswordCallback>(CallbackType.PasswordCallback).setPassword('quiet harbour morning tide');
    const choose = asStep(await c.next(current));
    expect(choose.getHeader()).toBe('Update Password');
    choose.getCallbackOfType<Sdk.ValidatedCreatePasswordCallback>(CallbackType.ValidatedCreatePasswordCallback).setPassword('updater');
    const refused = asStep(await c.next(choose));
    expect(
      refused
        .getCallbackOfType<Sdk.ValidatedCreatePasswordCallback>(CallbackType.ValidatedCreatePasswordCallback)
        .getFailedPolicies()
        .map((f) => f.policyRequirement),
    ).toEqual(expect.arrayContaining(['MIN_LENGTH']));
    refused
      .getCallbackOfType<Sdk.ValidatedCreatePasswordCallback>(CallbackType.ValidatedCreatePasswordCallback)
      .setPassword('bright lantern over hills');
    asSuccess(await c.next(refused));
    expect(asSuccess(await signIn(client('Login'), 'updater', 'bright lantern over hills')).getSessionToken()).toBeDefined();
    expect(asStep(await signIn(client('Login'), 'updater', 'quiet harbour morning tide')).getHeader()).toBe('Sign in');
  });

  it('fails for a wrong current password; without a session it has nobody to e-mail', async () => {
    await createUser('updater2', 'updater2@example.com', 'silver kettle singing loud');
    const browser = client('Login');
    asSuccess(await signIn(browser, 'updater2', 'silver kettle singing loud'));
    const c = createSdkClient({ baseUrl: server.amUrl, tree: 'UpdatePassword', jar: browser.jar });
    const current = asStep(await c.start({ query: { ForceAuth: 'true' } }));
    current.getCallbackOfType<Sdk.PasswordCallback>(CallbackType.PasswordCallback).setPassword('not the password at all');
    expect(asFailure(await c.next(current)).getCode()).toBe(401);
    // Without a session nobody is identified: AM's Attribute Present Decision would throw; Cairn's answers
    // false, so the journey reaches its e-mail step, which has nobody to write to: a dead end.
    const anonymous = asStep(await client('UpdatePassword').start({ query: { ForceAuth: 'true' } }));
    expect(anonymous.callbacks.map((cb) => cb.getType())).toEqual(['SuspendedTextOutputCallback']);
  });
});

describe('ProgressiveProfile (run by Login)', () => {
  it('asks for the e-mail preferences on the third sign-in only, saves them, and leaves the password and sessions alone', async () => {
    await createUser('profiled', 'profiled@example.com', 'green meadow after rain');
    const first = asSuccess(await signIn(client('Login'), 'profiled', 'green meadow after rain')).getSessionToken() as string;
    asSuccess(await signIn(client('Login'), 'profiled', 'green meadow after rain'));
    const c = client('Login');
    const ask = asStep(await signIn(c, 'profiled', 'green meadow after rain'));
    expect(ask.getHeader()).toBe('Please select your preferences');
    const boxes = ask.getCallbacksOfType<Sdk.AttributeInputCallback<boolean>>(CallbackType.BooleanAttributeInputCallback);
    expect(boxes.map((b) => b.getName())).toEqual(['preferences/updates', 'preferences/marketing']);
    for (const b of boxes) b.setValue(true);
    expect(asSuccess(await c.next(ask)).getSessionToken()).toBeDefined();
    expect((await userNamed('profiled'))?.preferences).toEqual({ updates: true, marketing: true });
    // The fourth sign-in goes straight through.
    expect(asSuccess(await signIn(client('Login'), 'profiled', 'green meadow after rain')).getSessionToken()).toBeDefined();
    // Patching back the password just typed changed nothing: the first session lives, no notice was sent.
    expect(await sessionValid(first)).toBe(true);
    expect(mailsTo('profiled@example.com')).toEqual([]);
  });
});

describe('ResetPasswordByCode', () => {
  const ask = async (c: SdkClient, mail: string): Promise<Sdk.FRStep> => {
    const page = asStep(await c.start());
    expect(page.getHeader()).toBe('Reset Password');
    page.getCallbackOfType<Sdk.AttributeInputCallback<string>>(CallbackType.StringAttributeInputCallback).setValue(mail);
    return asStep(await c.next(page));
  };

  it('resets with the e-mailed code after a wrong one, then signs in with the new password', async () => {
    await createUser('coded', 'coded@example.com', 'orange sunset on water');
    const c = client('ResetPasswordByCode');
    const enter = await ask(c, 'coded@example.com');
    const prompt = enter.getCallbackOfType<Sdk.PasswordCallback>(CallbackType.PasswordCallback);
    expect(prompt.getPrompt()).toBe('One Time Password');
    const mail = await newestMailTo('coded@example.com', 1);
    const code = /\b(\d{8})\b/.exec(mail.text ?? '')?.[1] as string;
    expect(code).toMatch(/^\d{8}$/);

    prompt.setPassword(code === '00000000' ? '11111111' : '00000000');
    const retry = asStep(await c.next(enter));
    retry.getCallbackOfType<Sdk.PasswordCallback>(CallbackType.PasswordCallback).setPassword(code);
    const choose = asStep(await c.next(retry));
    expect(choose.getHeader()).toBe('Reset Password');
    choose
      .getCallbackOfType<Sdk.ValidatedCreatePasswordCallback>(CallbackType.ValidatedCreatePasswordCallback)
      .setPassword('winter forest under snow');
    const done = asSuccess(await c.next(choose));
    expect(done.getSessionToken()).toBeUndefined(); // no sign-in after a reset
    expect(asSuccess(await signIn(client('Login'), 'coded', 'winter forest under snow')).getSessionToken()).toBeDefined();
  });

  it('gives an unknown address the same page and no e-mail; three wrong codes end the journey', async () => {
    const before = smtp.received.length;
    const c = client('ResetPasswordByCode');
    let step = await ask(c, 'nobody-here@example.com');
    expect(step.callbacks.map((cb) => [cb.getType(), cb.getOutputByName('prompt', '')])).toEqual([['PasswordCallback', 'One Time Password']]);
    for (let i = 0; i < 3; i++) {
      step.getCallbackOfType<Sdk.PasswordCallback>(CallbackType.PasswordCallback).setPassword('12345678');
      step = asStep(await c.next(step));
    }
    step.getCallbackOfType<Sdk.PasswordCallback>(CallbackType.PasswordCallback).setPassword('12345678');
    expect(asFailure(await c.next(step)).getCode()).toBe(401);
    // A barrier: a code for a real account, queued after anything the unknown address could have caused.
    await createUser('barrier', 'barrier@example.com', 'tall ladder against wall');
    await ask(client('ResetPasswordByCode'), 'barrier@example.com');
    await newestMailTo('barrier@example.com', 1);
    expect(smtp.received.slice(before).flatMap((m) => m.to)).toEqual(['barrier@example.com']);
  });
});
