/**
 * Safety of the shipped journeys under pressure, over real HTTP: uniform reset answers when the
 * SMTP server is dead or slow, the per-account e-mail limit, and an AM journey's Retry Limit +
 * Account Lockout under 50 parallel wrong passwords (no more passwords evaluated than the limit;
 * AM's node semantics: the account ends locked), and recovering from that lockout. Also: a user
 * created with the `cairn users` command, in another process while the server runs, signs in
 * through the SDK. (The shipped Login locks nobody out: test/e2e/attack-logins.test.ts.)
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asStep, asSuccess, createSdkClient, sdk, type Sdk } from '../support/forgerock-sdk.js';
import { shippedAndAmJourneys, startTestServer, type TestServer } from '../support/server.js';
import { deadPort, startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';

const { CallbackType } = sdk;
const ROOT = join(import.meta.dirname, '..', '..');
const JOURNEYS = join(ROOT, 'journeys');
const ADMIN_TOKEN = 'safety-admin-token-0123456789abcdefghijklmno';
const PASSWORD = 'the correct horse battery';
const run = promisify(execFile);

const authUrl = (s: TestServer, journey: string) => `${s.amUrl}/json/realms/root/authenticate?authIndexType=service&authIndexValue=${journey}`;

async function post(url: string, body?: unknown): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, json: await res.json(), headers: res.headers };
}

async function createUser(s: TestServer, userName: string, mail: string): Promise<string> {
  const res = await fetch(`${s.url}/openidm/managed/user?_action=create`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ userName, mail, givenName: 'Test', sn: 'User', password: PASSWORD }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { _id: string })._id;
}

/** Asks for a reset of `mail` with raw HTTP; the answer without its authId. */
async function askReset(s: TestServer, mail: string) {
  const step = (await post(authUrl(s, 'ResetPassword'))).json;
  step.callbacks[0].input[0].value = mail;
  const r = await post(authUrl(s, 'ResetPassword'), step);
  return { status: r.status, authIdLength: String(r.json.authId).length, rest: { ...r.json, authId: undefined } };
}

describe('reset answers do not depend on the mail server', () => {
  let dead: TestServer;
  let slowSmtp: SmtpPeer;
  let slow: TestServer;
  beforeAll(async () => {
    dead = await startTestServer({
      CAIRN_JOURNEYS_DIR: JOURNEYS,
      CAIRN_SMTP_URL: `smtp://127.0.0.1:${await deadPort()}`,
      CAIRN_ADMIN_TOKEN: ADMIN_TOKEN,
      CAIRN_AUDIT_LOG: 'off',
    });
    slowSmtp = await startSmtpPeer({ delayMs: 3_000 });
    slow = await startTestServer({
      CAIRN_JOURNEYS_DIR: JOURNEYS,
      CAIRN_SMTP_URL: slowSmtp.url,
      CAIRN_ADMIN_TOKEN: ADMIN_TOKEN,
      CAIRN_AUDIT_LOG: 'off',
    });
  });
  afterAll(async () => {
    await dead?.stop();
    await slow?.stop();
    await slowSmtp?.close();
  });

  for (const which of ['dead', 'slow'] as const) {
    it(`answers unknown, existing and locked accounts the same with a ${which} SMTP server`, async () => {
      const s = which === 'dead' ? dead : slow;
      await createUser(s, 'present', 'present@example.com');
      const lockedId = await createUser(s, 'shut', 'shut@example.com');
      await fetch(`${s.url}/openidm/managed/user/${lockedId}`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify([{ operation: 'replace', field: '/accountStatus', value: 'inactive' }]),
      });
      const started = Date.now();
      const existing = await askReset(s, 'present@example.com');
      // The answer never waits for the mail server (a slow one takes 3 s per message).
      expect(Date.now() - started).toBeLessThan(2_500);
      expect(await askReset(s, 'nobody@example.com')).toEqual(existing);
      expect(await askReset(s, 'shut@example.com')).toEqual(existing);
      expect(existing.status).toBe(200);
      expect(existing.rest.callbacks[0].type).toBe('SuspendedTextOutputCallback');
    });
  }
});

describe('limits that hold across requests', () => {
  let smtp: SmtpPeer;
  let server: TestServer;
  const audit: string[] = [];
  beforeAll(async () => {
    smtp = await startSmtpPeer();
    server = await startTestServer(
      { CAIRN_JOURNEYS_DIR: await shippedAndAmJourneys(), CAIRN_SMTP_URL: smtp.url, CAIRN_ADMIN_TOKEN: ADMIN_TOKEN },
      { audit: (line) => audit.push(line) },
    );
  });
  afterAll(async () => {
    await server?.stop();
    await smtp?.close();
  });

  it('sends at most 5 reset e-mails per account per window, with unchanged answers', async () => {
    await createUser(server, 'flood', 'flood@example.com');
    const answers = [];
    for (let i = 0; i < 7; i++) answers.push(await askReset(server, 'flood@example.com'));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    await smtp.waitFor(5, 10_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.received.filter((m) => m.to.includes('flood@example.com'))).toHaveLength(5);
    // Each delivery is audited, without the address.
    const sent = audit.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.event === 'email.sent' && e.template === 'resetPassword');
    expect(sent).toHaveLength(5);
    expect(sent[0]).toMatchObject({ to: expect.stringMatching(/^[0-9a-f]{16}$/), attempts: 1 });
    expect(audit.join('\n')).not.toContain('flood@example.com');
  });

  it("holds an AM journey's Retry Limit and Account Lockout under 50 parallel wrong passwords", async () => {
    const id = await createUser(server, 'target', 'target@example.com');
    // 50 journeys at the sign-in page, then 50 wrong passwords at once.
    const pages = await Promise.all(Array.from({ length: 50 }, () => post(authUrl(server, 'LoginWithLockout')).then((r) => r.json)));
    audit.length = 0;
    const answers = await Promise.all(
      pages.map((page, i) => {
        page.callbacks[0].input[0].value = 'target';
        page.callbacks[1].input[0].value = `wrong guess number ${i}`;
        return post(authUrl(server, 'LoginWithLockout'), page);
      }),
    );
    const evaluated = audit.filter((l) => JSON.parse(l).event === 'login.failed');
    expect(evaluated.length).toBeLessThanOrEqual(5);
    const retried = answers.filter((a) => a.status === 200 && a.json.authId);
    const rejected = answers.filter((a) => a.status === 401);
    expect(retried).toHaveLength(5); // Retry Limit 5: exactly five go back to the page
    expect(rejected).toHaveLength(45);
    expect(new Set(rejected.map((a) => a.json.message))).toEqual(new Set(['Login failure']));
    // Account Lockout made the account inactive (AM's semantics); the right password no longer signs in.
    const user = (await (
      await fetch(`${server.url}/openidm/managed/user/${id}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })
    ).json()) as { accountStatus?: string };
    expect(user.accountStatus).toBe('inactive');
    const page = (await post(authUrl(server, 'LoginWithLockout'))).json;
    page.callbacks[0].input[0].value = 'target';
    page.callbacks[1].input[0].value = PASSWORD;
    expect((await post(authUrl(server, 'LoginWithLockout'), page)).status).toBe(401);
  });
});

describe('recovering from a lockout', () => {
  let smtp: SmtpPeer;
  let server: TestServer;
  beforeAll(async () => {
    smtp = await startSmtpPeer();
    server = await startTestServer({ CAIRN_JOURNEYS_DIR: await shippedAndAmJourneys(), CAIRN_SMTP_URL: smtp.url, CAIRN_ADMIN_TOKEN: ADMIN_TOKEN });
  });
  afterAll(async () => {
    await server?.stop();
    await smtp?.close();
  });
  const read = async (id: string) =>
    (await (await fetch(`${server.url}/openidm/managed/user/${id}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as Record<
      string,
      unknown
    >;
  const signIn = async (userName: string, password: string) => {
    const page = (await post(authUrl(server, 'LoginWithLockout'))).json;
    page.callbacks[0].input[0].value = userName;
    page.callbacks[1].input[0].value = password;
    return post(authUrl(server, 'LoginWithLockout'), page);
  };

  it('lets a person locked out by wrong passwords reset by e-mail, which reactivates the account', async () => {
    const id = await createUser(server, 'lockme', 'lockme@example.com');
    // Six wrong passwords in one journey: five retries, then Account Lockout.
    let step = (await post(authUrl(server, 'LoginWithLockout'))).json;
    let last;
    for (let i = 0; i < 6; i++) {
      step.callbacks[0].input[0].value = 'lockme';
      step.callbacks[1].input[0].value = `not the password ${i}`;
      last = await post(authUrl(server, 'LoginWithLockout'), step);
      step = last.json;
    }
    expect(last?.status).toBe(401);
    expect(await read(id)).toMatchObject({ accountStatus: 'inactive', lockoutAt: expect.any(String) });
    expect((await signIn('lockme', PASSWORD)).status).toBe(401);

    // The reset link still comes, and using it reactivates the account.
    const before = smtp.received.length;
    await askReset(server, 'lockme@example.com');
    const [mail] = (await smtp.waitFor(before + 1, 10_000)).slice(before);
    const link = /https?:\/\/\S+suspendedId=\S+/.exec(
      (await import('../support/eml.js')).parseMail((mail as { raw: string }).raw).text ?? '',
    )?.[0] as string;
    const choose = await post(`${server.amUrl}/json/realms/root/authenticate${new URL(link).search}`);
    choose.json.callbacks[0].input[0].value = 'a fresh start passphrase';
    expect((await post(authUrl(server, 'ResetPassword'), choose.json)).status).toBe(200);
    expect(await read(id)).toMatchObject({ accountStatus: 'active', lockoutAt: null });
    expect((await signIn('lockme', 'a fresh start passphrase')).json.tokenId).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('ends a lockout when an administrator sets a new password, as a reset does', async () => {
    const id = await createUser(server, 'adminfix', 'adminfix@example.com');
    let step = (await post(authUrl(server, 'LoginWithLockout'))).json;
    for (let i = 0; i < 6; i++) {
      step.callbacks[0].input[0].value = 'adminfix';
      step.callbacks[1].input[0].value = `wrong ${i}`;
      step = (await post(authUrl(server, 'LoginWithLockout'), step)).json;
    }
    expect((await read(id)).accountStatus).toBe('inactive');
    const patched = await fetch(`${server.url}/openidm/managed/user/${id}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify([{ operation: 'replace', field: '/password', value: 'an administrator chose this' }]),
    });
    expect(patched.status).toBe(200);
    expect(await read(id)).toMatchObject({ accountStatus: 'active', lockoutAt: null });
    expect((await signIn('adminfix', 'an administrator chose this')).json.tokenId).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("does not lift an administrator's deactivation: no link is sent", async () => {
    const id = await createUser(server, 'disabled', 'disabled@example.com');
    await fetch(`${server.url}/openidm/managed/user/${id}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify([{ operation: 'replace', field: '/accountStatus', value: 'inactive' }]),
    });
    const before = smtp.received.length;
    await askReset(server, 'disabled@example.com');
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.received.length).toBe(before);
    expect((await read(id)).accountStatus).toBe('inactive');
  });
});

describe('a user created with the command line', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ CAIRN_JOURNEYS_DIR: JOURNEYS, CAIRN_AUDIT_LOG: 'off' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('signs in through the Login journey driven by the ForgeRock SDK', async () => {
    // Another process writes to the same embedded store while the server runs.
    const child = run(
      'node',
      [
        join(ROOT, 'bin', 'cairn.js'),
        'users',
        'create',
        '--userName',
        'cliuser',
        '--mail',
        'cli@example.com',
        '--givenName',
        'Cli',
        '--sn',
        'User',
        '--password-stdin',
      ],
      { cwd: ROOT, env: { ...process.env, CAIRN_DATA_DIR: server.dataDir, CAIRN_AUDIT_LOG: 'off' } },
    );
    child.child.stdin?.end(`${PASSWORD}\n`);
    const { stdout } = await child;
    expect(stdout).toMatch(/^Created cliuser \(/);

    const c = createSdkClient({ baseUrl: server.amUrl, tree: 'Login' });
    const page = asStep(await c.start());
    page.getCallbackOfType<Sdk.NameCallback>(CallbackType.NameCallback).setName('cliuser');
    page.getCallbackOfType<Sdk.PasswordCallback>(CallbackType.PasswordCallback).setPassword(PASSWORD);
    const success = asSuccess(await c.next(page));
    expect(success.getSessionToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const list = await run('node', [join(ROOT, 'bin', 'cairn.js'), 'users', 'list', '--filter', 'userName eq "cliuser"', '--json'], {
      cwd: ROOT,
      env: { ...process.env, CAIRN_DATA_DIR: server.dataDir, CAIRN_AUDIT_LOG: 'off' },
    });
    const users = JSON.parse(list.stdout) as Record<string, unknown>[];
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ userName: 'cliuser', mail: 'cli@example.com', loginCount: 1 });
    expect(JSON.stringify(users)).not.toMatch(/argon2|the correct horse/);
  });
});
