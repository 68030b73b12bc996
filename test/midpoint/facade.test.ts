/**
 * The midPoint-compatible façade over real HTTP on loopback, with a real SMTP peer: midPoint's
 * executeCredentialResetRequest with a good and a policy-violating userEntry, bad and blank methods,
 * generate with execute:true at /midpoint/ws/rest, /rpc/validate; refused for an end user's
 * credentials, for no credentials and for a form post. A reset goes through the one save path:
 * the "password changed" mail arrives, earlier sessions end, the audit names requester and target,
 * and the next Login asks for a new password before it succeeds; the old value stops working.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../support/eml.js';
import { asStep, asSuccess, createSdkClient, sdk, type Sdk } from '../support/forgerock-sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';

const { CallbackType } = sdk;
const JOURNEYS = join(import.meta.dirname, '..', '..', 'journeys');
const ADMIN_TOKEN = 'midpoint-admin-token-0123456789abcdefghij';
const ADMIN_PASSWORD = 'operator configured admin passphrase';
const OLD_PASSWORD = 'an old but decent passphrase';
const RESET_PASSWORD = 'helpdesk chosen passphrase 42';
const FINAL_PASSWORD = 'my very own new passphrase';

let smtp: SmtpPeer;
let server: TestServer;
const auditLines: Record<string, unknown>[] = [];

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const ADMIN = basic('openidm-admin', ADMIN_PASSWORD);

async function rest(
  path: string,
  body: unknown,
  authorization = ADMIN,
  prefix = '/ws/rest',
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${prefix}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(authorization !== '' ? { Authorization: authorization } : {}) },
    body: JSON.stringify(body),
  });
  expect(res.headers.get('cache-control')).toBe('no-store');
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function createUser(userName: string, mail: string): Promise<string> {
  const res = await fetch(`${server.url}/openidm/managed/user?_action=create`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      userName,
      mail,
      givenName: 'Ursula',
      sn: 'User',
      password: OLD_PASSWORD,
      preferences: { marketing: true, updates: true },
    }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { _id: string })._id;
}

async function readUser(id: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${server.url}/openidm/managed/user/${id}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  return (await res.json()) as Record<string, unknown>;
}

const client = () => createSdkClient({ baseUrl: server.amUrl, tree: 'Login' });

async function login(
  userName: string,
  password: string,
): Promise<{ c: ReturnType<typeof client>; result: Sdk.FRStep | Sdk.FRLoginSuccess | Sdk.FRLoginFailure }> {
  const c = client();
  const page = asStep(await c.start({ query: { ForceAuth: 'true' } }));
  page.getCallbackOfType<Sdk.NameCallback>(CallbackType.NameCallback).setName(userName);
  page.getCallbackOfType<Sdk.PasswordCallback>(CallbackType.PasswordCallback).setPassword(password);
  return { c, result: await c.next(page) };
}

/** A refused password: Login shows its sign-in page again (Retry Limit Decision), no session. */
function refused(result: Sdk.FRStep | Sdk.FRLoginSuccess | Sdk.FRLoginFailure): void {
  expect(asStep(result).getCallbacksOfType(CallbackType.NameCallback)).toHaveLength(1);
}

/** Signs in with a must-change password: the Login journey asks for a new one, then succeeds. */
async function loginAndChange(userName: string, password: string, next: string): Promise<void> {
  const { c, result } = await login(userName, password);
  const step = asStep(result);
  expect(step.getHeader()).toBe('Choose a new password');
  step.getCallbackOfType<Sdk.ValidatedCreatePasswordCallback>(CallbackType.ValidatedCreatePasswordCallback).setPassword(next);
  expect(asSuccess(await c.next(step)).getSessionToken()).toBeTruthy();
}

beforeAll(async () => {
  smtp = await startSmtpPeer();
  server = await startTestServer(
    {
      CAIRN_JOURNEYS_DIR: JOURNEYS,
      CAIRN_SMTP_URL: smtp.url,
      CAIRN_ADMIN_TOKEN: ADMIN_TOKEN,
      CAIRN_ADMIN_USERNAME: 'openidm-admin',
      CAIRN_ADMIN_PASSWORD: ADMIN_PASSWORD,
    },
    { audit: (line) => void auditLines.push(JSON.parse(line) as Record<string, unknown>) },
  );
});
afterAll(async () => {
  await server?.stop();
  await smtp?.close();
});

describe('midPoint façade: POST /ws/rest/users/{oid}/credential', () => {
  it('a good userEntry: 200 execute.reset.credential.successful, through the one save path, then forced change at next Login', async () => {
    const id = await createUser('ursula', 'ursula@example.com');
    const before = asSuccess((await login('ursula', OLD_PASSWORD)).result).getSessionToken() as string;
    const { status, json } = await rest(`/users/${id}/credential`, {
      executeCredentialResetRequest: {
        '@ns': 'http://midpoint.evolveum.com/xml/ns/public/common/api-types-3',
        resetMethod: 'passwordReset',
        userEntry: RESET_PASSWORD,
      },
    });
    expect(status).toBe(200);
    expect(json).toEqual({
      '@ns': 'http://prism.evolveum.com/xml/ns/public/types-3',
      object: {
        '@type': 'http://midpoint.evolveum.com/xml/ns/public/common/api-types-3#ExecuteCredentialResetResponseType',
        message: {
          '@type': 'c:SingleLocalizableMessageType',
          key: 'execute.reset.credential.successful',
          fallbackMessage: 'Reset password was successful',
        },
      },
    });
    expect((await readUser(id))['passwordMustChange']).toBe(true);
    // The "password changed" mail, from the identity service's save path, over real SMTP.
    const mails = await smtp.waitFor(1, 10_000);
    expect(parseMail(mails.find((m) => m.to.includes('ursula@example.com'))?.raw ?? '').subject).toBe('Your password was changed');
    // Earlier sessions ended.
    const validate = await fetch(`${server.amUrl}/json/sessions?_action=validate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Accept-API-Version': 'resource=2.1, protocol=1.0', iPlanetDirectoryPro: before },
      body: '{}',
    });
    expect(((await validate.json()) as { valid: boolean }).valid).toBe(false);
    // The audit names the requester and the target, and holds no password.
    const event = auditLines.find((l) => l['event'] === 'credential.reset');
    expect(event).toMatchObject({ userId: id, requester: 'admin:openidm-admin', method: 'passwordReset', forceChange: true });
    expect(JSON.stringify(auditLines)).not.toContain(RESET_PASSWORD);
    // Old password refused; the reset value forces a change; afterwards only the new one works.
    refused((await login('ursula', OLD_PASSWORD)).result);
    await loginAndChange('ursula', RESET_PASSWORD, FINAL_PASSWORD);
    expect((await readUser(id))['passwordMustChange']).toBeUndefined();
    refused((await login('ursula', RESET_PASSWORD)).result);
    expect(asSuccess((await login('ursula', FINAL_PASSWORD)).result).getSessionToken()).toBeTruthy();
  });

  it('a policy-violating userEntry: 409 execute.reset.credential.validation.failed, nothing written', async () => {
    const id = await createUser('victor', 'victor@example.com');
    const { status, json } = await rest(`/users/${id}/credential`, {
      executeCredentialResetRequest: { resetMethod: 'passwordReset', userEntry: 'password' },
    });
    expect(status).toBe(409);
    expect(json['object']).toMatchObject({ status: 'fatal_error', userFriendlyMessage: { key: 'execute.reset.credential.validation.failed' } });
    expect((await readUser(id))['passwordMustChange']).toBeUndefined();
    expect(asSuccess((await login('victor', OLD_PASSWORD)).result).getSessionToken()).toBeTruthy();
  });

  it('bad and blank methods, an unknown oid, malformed JSON: midPoint keys, never a 500', async () => {
    const id = await createUser('wanda', 'wanda@example.com');
    const bad = await rest(`/users/${id}/credential`, { executeCredentialResetRequest: { resetMethod: 'nope', userEntry: RESET_PASSWORD } });
    expect([bad.status, (bad.json['object'] as { userFriendlyMessage: { key: string } }).userFriendlyMessage.key]).toEqual([
      400,
      'execute.reset.credential.bad.method',
    ]);
    const blank = await rest(`/users/${id}/credential`, { executeCredentialResetRequest: { resetMethod: ' ' } });
    expect([blank.status, (blank.json['object'] as { userFriendlyMessage: { key: string } }).userFriendlyMessage.key]).toEqual([
      400,
      'execute.reset.credential.bad.request',
    ]);
    expect(
      (await rest('/users/no-such-user/credential', { executeCredentialResetRequest: { resetMethod: 'passwordReset', userEntry: RESET_PASSWORD } }))
        .status,
    ).toBe(404);
    const broken = await fetch(`${server.url}/ws/rest/users/${id}/credential`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: ADMIN },
      body: '{"x":',
    });
    expect(broken.status).toBe(400);
  });

  it('refused for an end user’s credentials, without credentials, for a wrong token and for a form post', async () => {
    const id = await createUser('eve', 'eve@example.com');
    const body = { executeCredentialResetRequest: { resetMethod: 'passwordReset', userEntry: RESET_PASSWORD } };
    for (const auth of [basic('eve', OLD_PASSWORD), '', 'Bearer not-the-admin-token-0123456789abcdef', basic('openidm-admin', 'wrong')]) {
      const { status, json } = await rest(`/users/${id}/credential`, body, auth);
      expect(status).toBe(401);
      expect(JSON.stringify(json)).not.toContain('eve');
    }
    const form = await fetch(`${server.url}/ws/rest/users/${id}/credential`, {
      method: 'POST',
      headers: { Authorization: ADMIN, 'Content-Type': 'text/plain' },
      body: JSON.stringify(body),
    });
    expect(form.status).toBe(415);
    expect(asSuccess((await login('eve', OLD_PASSWORD)).result).getSessionToken()).toBeTruthy();
  });
});

describe('midPoint façade: generate and validate', () => {
  it('generate with execute:true at /midpoint/ws/rest: the value is returned once, applied, and must be changed at next sign-in', async () => {
    const id = await createUser('gina', 'gina@example.com');
    const { status, json } = await rest(
      `/users/${id}/generate`,
      { policyItemsDefinition: { policyItemDefinition: { target: { path: 'credentials/password/value' }, execute: 'true' } } },
      `Bearer ${ADMIN_TOKEN}`,
      '/midpoint/ws/rest',
    );
    expect(status).toBe(200);
    const item = (json['object'] as { policyItemDefinition: Record<string, unknown>[] }).policyItemDefinition[0] as {
      value: { '@value': string };
      execute: boolean;
    };
    expect(item.execute).toBe(true);
    const generated = item.value['@value'];
    expect(generated.length).toBeGreaterThanOrEqual(20);
    expect(auditLines.find((l) => l['event'] === 'credential.reset' && l['userId'] === id)).toMatchObject({
      requester: 'token:admin',
      method: 'generate',
    });
    expect(JSON.stringify(auditLines)).not.toContain(generated);
    refused((await login('gina', OLD_PASSWORD)).result);
    await loginAndChange('gina', generated, FINAL_PASSWORD);
    refused((await login('gina', generated)).result);
  });

  it('/rpc/validate: a good value succeeds, a bad one fails with its policies; nothing is stored or echoed', async () => {
    const good = await rest('/rpc/validate', { policyItemsDefinition: { policyItemDefinition: [{ value: 'a perfectly fine passphrase' }] } });
    expect(good.status).toBe(200);
    expect(good.json['object']).toMatchObject({ policyItemDefinition: [{ result: { status: 'success' } }] });
    const bad = await rest('/rpc/validate', {
      policyItemsDefinition: { policyItemDefinition: [{ value: { '@type': 'xsd:string', '@value': '12345678' } }] },
    });
    expect(bad.status).toBe(409);
    expect(bad.json['object']).toMatchObject({ policyItemDefinition: [{ result: { status: 'fatal_error' } }] });
    expect(JSON.stringify(bad.json)).not.toContain('12345678');
    expect((await rest('/rpc/validate', {})).status).toBe(400);
    expect(
      (await rest('/rpc/validate', { policyItemsDefinition: { policyItemDefinition: [{ value: 'x y z w v u t' }] } }, basic('eve', OLD_PASSWORD)))
        .status,
    ).toBe(401);
  });
});

// Last in this file: it spends the loopback address's budget.
describe('midPoint façade: Basic-auth attempt limits', () => {
  it('wrong Basic passwords spend the name and address budgets: 401s, then 429 with Retry-After, unevaluated even for the right password; audited', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`${server.url}/ws/rest/rpc/validate`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: basic('openidm-admin', `wrong guess ${i}`) },
        body: JSON.stringify({ policyItemsDefinition: { policyItemDefinition: [{ value: 'x' }] } }),
      });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
      expect(((await res.json()) as { object: { status: string } }).object.status).toBe('fatal_error');
    }
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(10);
    expect(statuses.at(-1)).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // Nothing is checked while a budget is spent: the right password gets the same 429.
    expect((await rest('/rpc/validate', { policyItemsDefinition: { policyItemDefinition: [{ value: 'x' }] } })).status).toBe(429);
    const throttled = auditLines.filter((l) => l['event'] === 'admin.auth.throttled' && l['api'] === 'midpoint');
    expect(throttled.length).toBeGreaterThan(0);
    expect(JSON.stringify(throttled)).not.toContain('openidm-admin');
    expect(JSON.stringify(auditLines)).not.toContain('wrong guess');
  });
});
