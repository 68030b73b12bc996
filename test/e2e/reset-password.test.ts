/**
 * Self-service password reset end to end, as issue 5 asks: the official SDK requests a reset, a real
 * SMTP server on loopback receives the e-mail, the link is resumed with FRAuth.resume in a fresh
 * cookie jar, a password refused by policy comes back with failedPolicies, a good one is saved, and
 * the person signs in through Login with it. Then: the old password fails, the link's second use
 * fails, the "password changed" e-mail arrives and earlier sessions are revoked.
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
const OLD_PASSWORD = 'an old but decent passphrase';
const NEW_PASSWORD = 'a brand new memorable passphrase';

let smtp: SmtpPeer;
let server: TestServer;

async function admin(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.url}/openidm${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
  });
}

async function createUser(userName: string, mail: string, password = OLD_PASSWORD): Promise<string> {
  const res = await admin('/managed/user?_action=create', {
    method: 'POST',
    body: JSON.stringify({ userName, mail, givenName: 'Barbara', sn: 'Jensen', password }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { _id: string })._id;
}

const client = (tree: string): SdkClient => createSdkClient({ baseUrl: server.amUrl, tree });

/** Asks for a reset through the SDK; returns the "check your e-mail" step. */
async function requestReset(mail: string): Promise<Sdk.FRStep> {
  const c = client('ResetPassword');
  const page = asStep(await c.start());
  expect(page.getHeader()).toBe('Reset your password');
  page.getCallbackOfType<Sdk.AttributeInputCallback<string>>(CallbackType.StringAttributeInputCallback).setValue(mail);
  return asStep(await c.next(page));
}

/** The resume link of the newest e-mail to `to`. */
async function linkFor(to: string, count: number): Promise<string> {
  const mails = await smtp.waitFor(count, 10_000);
  const mine = mails.filter((m) => m.to.includes(to));
  const text = parseMail((mine[mine.length - 1] as { raw: string }).raw).text ?? '';
  const link = /https?:\/\/\S+suspendedId=\S+/.exec(text)?.[0];
  expect(link, `a link in the e-mail to ${to}`).toBeDefined();
  return link as string;
}

async function login(userName: string, password: string): Promise<Sdk.FRStep | Sdk.FRLoginSuccess | Sdk.FRLoginFailure> {
  const c = client('Login');
  const page = asStep(await c.start({ query: { ForceAuth: 'true' } }));
  page.getCallbackOfType<Sdk.NameCallback>(CallbackType.NameCallback).setName(userName);
  page.getCallbackOfType<Sdk.PasswordCallback>(CallbackType.PasswordCallback).setPassword(password);
  return c.next(page);
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

describe('password reset, end to end', () => {
  it('resets through the SDK and a real SMTP server, then signs in with the new password', async () => {
    await createUser('bjensen', 'bjensen@example.com');
    // A session from before the reset, which the reset must end.
    const before = asSuccess(await login('bjensen', OLD_PASSWORD));
    const oldToken = before.getSessionToken() as string;

    const sent = await requestReset('BJensen@Example.com');
    const suspended = sent.getCallbackOfType<Sdk.TextOutputCallback>(CallbackType.SuspendedTextOutputCallback);
    expect(suspended.getMessage()).toBe('An email has been sent to the address you entered. Click the link in that email to proceed.');

    const link = await linkFor('bjensen@example.com', 1);
    expect(link.startsWith(`${PUBLIC_URL}/login/?suspendedId=`)).toBe(true); // built from CAIRN_PUBLIC_URL, not the Host header
    expect(link).toContain('authIndexValue=ResetPassword');

    // Another browser: a fresh cookie jar resumes the journey from the link alone.
    const other = client('ResetPassword');
    const choose = asStep(await other.resume(link));
    expect(choose.getHeader()).toBe('Reset your password');
    const pw = choose.getCallbackOfType<Sdk.ValidatedCreatePasswordCallback>(CallbackType.ValidatedCreatePasswordCallback);
    pw.setPassword('password1');
    const refused = asStep(await other.next(choose));
    const failed = refused.getCallbackOfType<Sdk.ValidatedCreatePasswordCallback>(CallbackType.ValidatedCreatePasswordCallback).getFailedPolicies();
    expect(failed.map((f) => f.policyRequirement)).toEqual(expect.arrayContaining(['CANNOT_BE_COMMON']));

    refused.getCallbackOfType<Sdk.ValidatedCreatePasswordCallback>(CallbackType.ValidatedCreatePasswordCallback).setPassword(NEW_PASSWORD);
    const done = asSuccess(await other.next(refused));
    expect(done.getSessionToken()).toBeUndefined(); // no auto-login after a reset (OWASP)
    expect(other.jar.get('iPlanetDirectoryPro', server.url)).toBeUndefined();

    // The new password signs in; the old one does not (Login answers the sign-in page again).
    expect(asSuccess(await login('bjensen', NEW_PASSWORD)).getSessionToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const withOld = asStep(await login('bjensen', OLD_PASSWORD));
    expect(withOld.getHeader()).toBe('Sign in');

    // The link works once.
    const again = asFailure(await client('ResetPassword').resume(link));
    expect(again.getCode()).toBe(401);

    // The earlier session was revoked.
    const validate = await fetch(`${server.amUrl}/json/realms/root/sessions?_action=validate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', iPlanetDirectoryPro: oldToken },
    });
    expect(await validate.json()).toEqual({ valid: false });

    // "Your password was changed" arrives, without the password or any link.
    const mails = await smtp.waitFor(2, 10_000);
    const notice = mails
      .map((m) => parseMail(m.raw))
      .find((m) => m.subject !== undefined && /password/i.test(m.subject) && !/reset/i.test(m.subject));
    expect(notice, 'a password-changed e-mail').toBeDefined();
    const body = `${notice?.text ?? ''}${notice?.html ?? ''}`;
    expect(body).not.toContain(NEW_PASSWORD);
    expect(body).not.toContain('suspendedId');
  });

  it('continues exactly one of 50 concurrent resumes of one link', async () => {
    await createUser('race', 'race@example.com');
    const count = smtp.received.length;
    await requestReset('race@example.com');
    const link = await linkFor('race@example.com', count + 1);
    const query = new URL(link).search;
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        fetch(`${server.amUrl}/json/realms/root/authenticate${query}`, { method: 'POST', headers: { 'Content-Type': 'application/json' } }).then(
          async (r) => ({
            status: r.status,
            body: (await r.json()) as { authId?: string; message?: string },
          }),
        ),
      ),
    );
    const continued = answers.filter((a) => a.status === 200 && a.body.authId);
    expect(continued).toHaveLength(1);
    const refused = answers.filter((a) => a.status === 401);
    expect(refused).toHaveLength(49);
    expect(new Set(refused.map((a) => a.body.message)).size).toBe(1);
  });

  it('answers unknown, existing and locked accounts identically, and mails only the real one', async () => {
    await createUser('locked', 'locked@example.com');
    const lockedId = ((await (await admin('/managed/user?_queryFilter=userName%20eq%20%22locked%22')).json()) as { result: { _id: string }[] })
      .result[0]?._id;
    const patch = await admin(`/managed/user/${lockedId}`, {
      method: 'PATCH',
      body: JSON.stringify([{ operation: 'replace', field: '/accountStatus', value: 'inactive' }]),
    });
    expect(patch.status).toBe(200);
    await createUser('exists', 'exists@example.com');

    const ask = async (mail: string) => {
      const start = await fetch(`${server.amUrl}/json/realms/root/authenticate?authIndexType=service&authIndexValue=ResetPassword`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
      });
      const step = (await start.json()) as { authId: string; callbacks: { input: { value: unknown }[] }[] };
      (step.callbacks[0]?.input[0] as { value: unknown }).value = mail;
      const res = await fetch(`${server.amUrl}/json/realms/root/authenticate?authIndexType=service&authIndexValue=ResetPassword`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(step),
      });
      const body = (await res.json()) as { authId: string };
      // Date and the per-request id differ between any two answers, whoever asks.
      const headers = [...res.headers].filter(([k]) => k !== 'date' && k !== 'content-length' && k !== 'x-request-id').sort();
      return {
        status: res.status,
        authIdLength: body.authId.length,
        rest: { ...body, authId: undefined },
        headers,
        length: Number(res.headers.get('content-length')),
      };
    };
    const before = smtp.received.length;
    const [unknown, existing, locked] = [await ask('nobody@example.com'), await ask('exists@example.com'), await ask('locked@example.com')];
    expect(existing).toEqual(unknown);
    expect(locked).toEqual(unknown);
    await smtp.waitFor(before + 1, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    const newMail = smtp.received.slice(before);
    expect(newMail.map((m) => m.to)).toEqual([['exists@example.com']]);
  });
});

describe('re-posting the "check your e-mail" step', () => {
  it('answers the same step and neither stores another suspension nor sends mail', async () => {
    await createUser('repost', 'repost@example.com');
    const before = smtp.received.length;
    const url = `${server.amUrl}/json/realms/root/authenticate?authIndexType=service&authIndexValue=ResetPassword`;
    const first = (await (await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' } })).json()) as {
      callbacks: { input: { value: unknown }[] }[];
    };
    (first.callbacks[0]?.input[0] as { value: unknown }).value = 'repost@example.com';
    const suspended = (await (
      await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(first) })
    ).json()) as { authId: string; callbacks: unknown[] };
    const link = await linkFor('repost@example.com', before + 1);
    for (let i = 0; i < 3; i++) {
      const again = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(suspended) });
      expect(again.status).toBe(200);
      expect(((await again.json()) as { callbacks: unknown[] }).callbacks).toEqual(suspended.callbacks);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.received.length).toBe(before + 1);
    // The one link still works: re-posting did not supersede it.
    const resumed = await fetch(`${server.amUrl}/json/realms/root/authenticate${new URL(link).search}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(resumed.status).toBe(200);
  });
});
