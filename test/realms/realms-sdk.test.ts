/**
 * Realms end to end (issue 17): with CAIRN_REALMS=alpha, a person created by `cairn users create
 * --realm alpha` (the real command line) signs in through the official SDK configured with
 * `realmPath: 'alpha'` and not through the root realm; a password reset in alpha mails (through a
 * real SMTP server, with alpha's own template) a link that names the realm and resumes in alpha, and
 * not in root; a root session is no session in alpha, and an authId of one realm does not continue
 * in the other. The shipped journeys run in alpha on managed/alpha_user.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
import { parseMail } from '../support/eml.js';
import { asFailure, asStep, asSuccess, createSdkClient, sdk, type AuthResult, type Sdk, type SdkClient } from '../support/forgerock-sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';

const { CallbackType } = sdk;
const run = promisify(execFile);
const PUBLIC_URL = 'https://id.example.test';
const ADMIN_TOKEN = 'realms-admin-token-0123456789abcdefghijklmnop';
const PASSWORD = 'a decent alpha passphrase';
const NEW_PASSWORD = 'a brand new alpha passphrase';

let dataDir: string;
let templatesDir: string;
let env: Record<string, string>;
let smtp: SmtpPeer;
let server: TestServer;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [join(ROOT, 'bin', 'cairn.js'), ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const client = (realmPath: string, tree: string): SdkClient => createSdkClient({ baseUrl: server.amUrl, realmPath, tree });

async function login(realmPath: string, userName: string, password: string, c = client(realmPath, 'Login')): Promise<AuthResult> {
  const page = asStep(await c.start({ query: { ForceAuth: 'true' } }));
  page.getCallbackOfType<Sdk.NameCallback>(CallbackType.NameCallback).setName(userName);
  page.getCallbackOfType<Sdk.PasswordCallback>(CallbackType.PasswordCallback).setPassword(password);
  return c.next(page);
}

async function validate(path: string, tokenId: string): Promise<unknown> {
  const res = await fetch(`${server.amUrl}/json/${path}/sessions?_action=validate`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Accept-API-Version': 'resource=2.1' },
    body: JSON.stringify({ tokenId }),
  });
  return res.json();
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cairn-realms-'));
  templatesDir = join(dataDir, 'templates');
  // alpha's own reset e-mail: the shipped template with another subject.
  const shipped = JSON.parse(await readFile(join(ROOT, 'config', 'email-templates', 'resetPassword.json'), 'utf8')) as Record<string, unknown>;
  await mkdir(join(templatesDir, 'realms', 'alpha'), { recursive: true });
  await writeFile(
    join(templatesDir, 'realms', 'alpha', 'resetPassword.json'),
    JSON.stringify({ ...shipped, subject: { en: 'Alpha: reset your password' } }),
  );
  smtp = await startSmtpPeer();
  env = {
    CAIRN_REALMS: 'alpha',
    CAIRN_DATA_DIR: dataDir,
    CAIRN_JOURNEYS_DIR: join(ROOT, 'journeys'),
    CAIRN_EMAIL_TEMPLATES_DIR: templatesDir,
    CAIRN_SMTP_URL: smtp.url,
    CAIRN_PUBLIC_URL: PUBLIC_URL,
    CAIRN_ADMIN_TOKEN: ADMIN_TOKEN,
    CAIRN_AUDIT_LOG: 'off',
    CAIRN_LOG_LEVEL: 'silent',
  };
  const alpha = await cli(
    'users',
    'create',
    '--realm',
    'alpha',
    '--userName',
    'alice',
    '--mail',
    'alice@example.com',
    '--givenName',
    'Alice',
    '--password',
    PASSWORD,
  );
  expect(alpha, alpha.stderr).toMatchObject({ code: 0 });
  const root = await cli('users', 'create', '--userName', 'rooty', '--mail', 'rooty@example.com', '--password', PASSWORD);
  expect(root, root.stderr).toMatchObject({ code: 0 });
  server = await startTestServer(env);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await smtp?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('realms', () => {
  it('creates users in a declared realm only, in managed/alpha_user', async () => {
    const bravo = await cli('users', 'create', '--realm', 'bravo', '--userName', 'bob', '--mail', 'bob@example.com', '--password', PASSWORD);
    expect(bravo.code).toBe(2);
    expect(bravo.stderr).toContain('the realm "bravo" is not declared (CAIRN_REALMS: alpha)');
    const res = await fetch(`${server.url}/openidm/managed/alpha_user?_queryFilter=true&_fields=userName`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { result: { userName: string }[] }).result.map((u) => u.userName)).toEqual(['alice']);
  });

  it("validates and exports a realm's journeys (--realm), for a declared realm only", async () => {
    const checked = await cli('journeys', 'validate', '--realm', 'alpha');
    expect(checked, checked.stderr).toMatchObject({ code: 0 });
    expect(checked.stdout).toMatch(/\d+ files checked: \d+ valid, 0 errors/);
    const exported = await cli('journeys', 'export', '--realm', 'alpha');
    expect(exported.code).toBe(0);
    expect(Object.keys((JSON.parse(exported.stdout) as { trees: Record<string, unknown> }).trees)).toContain('Login');
    const bravo = await cli('journeys', 'validate', '--realm', 'bravo');
    expect(bravo).toMatchObject({ code: 2, stderr: expect.stringContaining('the realm "bravo" is not declared (CAIRN_REALMS: alpha)') as unknown });
  });

  it("signs in through the SDK with realmPath 'alpha', and not through the root realm", async () => {
    const c = client('alpha', 'Login');
    const done = asSuccess(await login('alpha', 'alice', PASSWORD, c));
    expect(done.getRealm()).toBe('/alpha');
    const token = done.getSessionToken() as string;
    // The realm's own cookie: a browser keeps its root and alpha sessions apart.
    expect(c.jar.get('__Host-iPlanetDirectoryPro-alpha', server.url)).toBe(token);
    expect(c.jar.get('__Host-iPlanetDirectoryPro', server.url)).toBeUndefined();
    expect(await validate('realms/root/realms/alpha', token)).toMatchObject({ valid: true, uid: 'alice', realm: '/alpha' });

    // alice is nobody in root: Login answers its sign-in page again.
    expect(asStep(await login('root', 'alice', PASSWORD)).getHeader()).toBe('Sign in');
    // and root's people are nobody in alpha.
    expect(asStep(await login('alpha', 'rooty', PASSWORD)).getHeader()).toBe('Sign in');
  });

  it('does not validate a root session in alpha (nor an alpha session in root)', async () => {
    const rootToken = asSuccess(await login('root', 'rooty', PASSWORD)).getSessionToken() as string;
    expect(await validate('realms/root', rootToken)).toMatchObject({ valid: true, realm: '/' });
    expect(await validate('realms/root/realms/alpha', rootToken)).toEqual({ valid: false });
    const alphaToken = asSuccess(await login('alpha', 'alice', PASSWORD)).getSessionToken() as string;
    expect(await validate('realms/root', alphaToken)).toEqual({ valid: false });
    // The root session, sent as alpha's cookie, does not start an alpha journey as signed in either.
    const asCookie = await fetch(`${server.amUrl}/json/realms/root/realms/alpha/authenticate?authIndexType=service&authIndexValue=Login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Accept-API-Version': 'resource=2.1', Cookie: `iPlanetDirectoryPro-alpha=${rootToken}` },
    });
    expect(((await asCookie.json()) as { authId?: string }).authId).toBeDefined();
    // Logging out in alpha does not end a root session.
    const logout = await fetch(`${server.amUrl}/json/realms/root/realms/alpha/sessions?_action=logout`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Accept-API-Version': 'resource=2.1', 'iPlanetDirectoryPro-alpha': rootToken },
    });
    expect(logout.status).toBe(401);
    expect(await validate('realms/root', rootToken)).toMatchObject({ valid: true });
  });

  it("answers AM's realm query form, and refuses realms it does not serve and steps of another realm", async () => {
    const viaQuery = await fetch(`${server.amUrl}/json/authenticate?realm=/alpha&authIndexType=service&authIndexValue=Login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Accept-API-Version': 'resource=2.1' },
    });
    const step = (await viaQuery.json()) as { authId: string };
    const claims = JSON.parse(Buffer.from(step.authId.split('.')[1] as string, 'base64url').toString()) as { realm: string };
    expect(claims.realm).toBe('/alpha');
    // That alpha step posted to root: refused, in AM's shape.
    const crossed = await fetch(`${server.amUrl}/json/realms/root/authenticate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Accept-API-Version': 'resource=2.1' },
      body: JSON.stringify(step),
    });
    expect(crossed.status).toBe(400);
    expect(await crossed.json()).toEqual({ code: 400, reason: 'Bad Request', message: 'This authId belongs to the realm /alpha, not /.' });
    const bravo = asFailure(await client('bravo', 'Login').start());
    expect([bravo.getCode(), bravo.getMessage()]).toEqual([400, 'Invalid realm, /bravo']);
  });

  it('mails a reset link in alpha (with its own template) that resumes in alpha, and not in root', async () => {
    const c = client('alpha', 'ResetPassword');
    const page = asStep(await c.start());
    page.getCallbackOfType<Sdk.AttributeInputCallback<string>>(CallbackType.StringAttributeInputCallback).setValue('alice@example.com');
    asStep(await c.next(page));
    const [mail] = await smtp.waitFor(1, 10_000);
    const parsed = parseMail((mail as { raw: string }).raw);
    expect(parsed.subject).toBe('Alpha: reset your password');
    const link = /https?:\/\/\S+suspendedId=\S+/.exec(parsed.text ?? '')?.[0] as string;
    expect(link.startsWith(`${PUBLIC_URL}/login/?realm=%2Falpha&suspendedId=`)).toBe(true);

    // Without its realm, the link is nobody's in root (and is not used up there).
    const withoutRealm = link.replace('realm=%2Falpha&', '');
    expect(asFailure(await client('root', 'ResetPassword').resume(withoutRealm)).getCode()).toBe(401);

    // The link as mailed resumes in alpha, in a fresh cookie jar.
    const other = client('alpha', 'ResetPassword');
    const choose = asStep(await other.resume(link));
    const claims = JSON.parse(Buffer.from((choose.payload.authId as string).split('.')[1] as string, 'base64url').toString()) as { realm: string };
    expect(claims.realm).toBe('/alpha');
    choose.getCallbackOfType<Sdk.ValidatedCreatePasswordCallback>(CallbackType.ValidatedCreatePasswordCallback).setPassword(NEW_PASSWORD);
    expect(asSuccess(await other.next(choose)).getRealm()).toBe('/alpha');
    // alice's third sign-in in alpha: the shipped Login's ProgressiveProfile asks her preferences, as in root.
    const third = client('alpha', 'Login');
    const ask = asStep(await login('alpha', 'alice', NEW_PASSWORD, third));
    const boxes = ask.getCallbacksOfType<Sdk.AttributeInputCallback<boolean>>(CallbackType.BooleanAttributeInputCallback);
    expect(boxes).toHaveLength(2);
    for (const box of boxes) box.setValue(false);
    expect(asSuccess(await third.next(ask)).getRealm()).toBe('/alpha');
  });
});
