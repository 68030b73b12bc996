/**
 * Helpdesk reset end to end (issue 19), over real HTTP on loopback with a real SMTP peer: an operator
 * created with `cairn admins create --roles helpdesk` signs in (AdminLogin), runs the shipped
 * HelpdeskReset journey with their session (ForceAuth) for a user named by e-mail address; the user
 * gets a generated one-time password by e-mail, signs in with it through the shipped Login journey,
 * must choose a new one, and then the old password and the one-time password both fail; the audit
 * names operator and user, and never the value. Then the refusals: no session and an end user's
 * session never get past Requester Is Helpdesk; a helpdesk operator cannot reset an administrator
 * (the person behind an administrator identity) nor a user the policy's filter protects, in the
 * journey or at the midPoint façade, while the admin role can (here with the on-screen variant);
 * the helpdesk role opens no admin endpoint; an unknown user is told as such.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authUrl, createUser as createUserIn, eventsOf, fill, post, signIn, type Answer } from '../support/journey-http.js';
import { SHIPPED_JOURNEYS, startTestServer, type TestServer } from '../support/server.js';
import { mailText, startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';

const REPO = join(import.meta.dirname, '..', '..');
const TOKEN = 'helpdesk-e2e-admin-token-0123456789abcdef';
const ADMIN = { user: 'amadmin', password: 'Quartz-Harbor-Lantern-31' };
const HELPDESK = { user: 'helen', password: 'Copper-Meadow-Falcon-88' };
const OLD = 'an old but decent passphrase';
const NEW = 'a fresh passphrase of my own';

let smtp: SmtpPeer;
let server: TestServer;
const audit: string[] = [];

type Callback = { type: string; output: { name: string; value: unknown }[]; input?: { name: string; value: unknown }[] };

const cli = (...args: string[]) =>
  promisify(execFile)('node', [join(REPO, 'bin', 'cairn.js'), 'admins', ...args], {
    cwd: REPO,
    env: { ...process.env, CAIRN_DATA_DIR: server.dataDir, CAIRN_JOURNEYS_DIR: SHIPPED_JOURNEYS, CAIRN_LOG_LEVEL: 'silent', CAIRN_AUDIT_LOG: 'off' },
  });

const createUser = (userName: string, extra: Record<string, unknown> = {}): Promise<string> => createUserIn(server, TOKEN, userName, OLD, extra);

/** An administrator's session token, signed in by AdminLogin with AM's headers, as frodo does. */
async function adminSession(user: string, password: string): Promise<string> {
  const r = await post(
    `${server.amUrl}/json/realms/root/authenticate`,
    {},
    { headers: { 'X-OpenAM-Username': user, 'X-OpenAM-Password': password } },
  );
  expect(r.status, `${user} signs in`).toBe(200);
  return r.json.tokenId as string;
}

const HELPDESK_URL = (): string => authUrl(server, 'HelpdeskReset', '&ForceAuth=true');
/** The session cookie of a browser holding `token`. */
const withSession = (token: string | undefined) => ({ headers: token ? { Cookie: `${server.settings.cookieName}=${token}` } : {} });

/** Answers a step: the value of the first input of each callback that has one, in order. */
function answer(step: { callbacks: Callback[] }, ...values: unknown[]): { callbacks: Callback[] } {
  let i = 0;
  for (const cb of step.callbacks) {
    const input = cb.input?.[0];
    if (input && i < values.length) input.value = values[i++];
  }
  return step;
}

/**
 * Runs HelpdeskReset as the holder of `token`: the user's name or address, then the delivery (0: by
 * e-mail, 1: on screen); the last answer and, for the screen, the value shown.
 */
async function helpdeskReset(token: string | undefined, target: string, delivery: 0 | 1): Promise<{ end: Answer; shown?: string }> {
  const via = withSession(token);
  const first = await post(HELPDESK_URL(), undefined, via);
  if (first.status !== 200 || !first.json.authId) return { end: first };
  expect(first.json.header).toBe('Reset a user’s password');
  const choice = await post(HELPDESK_URL(), answer(first.json, target), via);
  if (choice.status !== 200 || !choice.json.authId) return { end: choice };
  expect(choice.json.callbacks.map((cb: Callback) => cb.type)).toEqual(['ChoiceCallback']);
  const next = await post(HELPDESK_URL(), answer(choice.json, delivery), via);
  if (delivery === 0 || next.status !== 200 || !next.json.authId) return { end: next };
  expect(next.json.callbacks.map((cb: Callback) => cb.type)).toEqual(['TextOutputCallback', 'ConfirmationCallback']);
  const text = String(next.json.callbacks[0].output[0].value);
  const shown = /: (\S+)$/.exec(text)?.[1];
  return { end: await post(HELPDESK_URL(), answer(next.json, 0), via), ...(shown ? { shown } : {}) };
}

const mailTo = (address: string, pattern: RegExp): Promise<string> => mailText(smtp, address, pattern);

const mailsTo = (address: string): number => smtp.received.filter((m) => m.to.includes(address)).length;

let helpdeskToken: string;

beforeAll(async () => {
  smtp = await startSmtpPeer();
  const dir = await mkdtemp(join(tmpdir(), 'cairn-helpdesk-'));
  const policyFile = join(dir, 'credential-reset.json');
  await writeFile(
    policyFile,
    JSON.stringify({
      methods: [{ identifier: 'passwordReset', newCredentialSource: 'userEntry', forceChange: true, allowedRoles: ['helpdesk'] }],
      generate: { allowedRoles: ['helpdesk'] },
      protectedTargets: { queryFilter: 'sn eq "Protected"' },
    }),
  );
  server = await startTestServer(
    {
      CAIRN_JOURNEYS_DIR: SHIPPED_JOURNEYS,
      CAIRN_SMTP_URL: smtp.url,
      CAIRN_ADMIN_TOKEN: TOKEN,
      CAIRN_ADMIN_USERNAME: ADMIN.user,
      CAIRN_ADMIN_PASSWORD: ADMIN.password,
      CAIRN_CREDENTIAL_RESET_POLICY: policyFile,
      CAIRN_AUDIT_LOG: 'stdout',
    },
    { audit: (line) => void audit.push(line) },
  );
  expect((await cli('create', HELPDESK.user, '--roles', 'helpdesk', '--password', HELPDESK.password)).stdout).toMatch(
    /Created administrator helen \(helpdesk\)/,
  );
  helpdeskToken = await adminSession(HELPDESK.user, HELPDESK.password);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await smtp?.close();
});

describe('a helpdesk operator resets a user’s password', () => {
  it('the user gets a one-time password by e-mail, must choose a new one at sign-in; the old and the one-time passwords stop working', async () => {
    const id = await createUser('ursula');
    const { end } = await helpdeskReset(helpdeskToken, 'ursula@example.com', 0);
    // Nobody is signed in: no token, no session cookie (the operator's own session is left as it was).
    expect(end.status).toBe(200);
    expect(end.json).toEqual({ successUrl: expect.any(String), realm: '/' });
    expect(end.headers.get('set-cookie') ?? '').not.toContain(`${server.settings.cookieName}=`);

    const text = await mailTo('ursula@example.com', /one-time password: /);
    const otp = /one-time password: (\S+)/.exec(text)?.[1] as string;
    expect(otp.length).toBeGreaterThanOrEqual(20);
    await mailTo('ursula@example.com', /password/i);
    for (const line of audit) expect(line).not.toContain(otp);

    const first = await signIn(server, 'ursula', otp);
    expect(first.json.header).toBe('Choose a new password');
    const done = await post(authUrl(server, 'Login'), fill(first.json, NEW));
    expect(done.json.tokenId).toBeTruthy();
    expect((await signIn(server, 'ursula', OLD)).json.tokenId).toBeUndefined();
    expect((await signIn(server, 'ursula', otp)).json.tokenId).toBeUndefined();
    expect((await signIn(server, 'ursula', NEW)).json.tokenId).toBeTruthy();

    expect(eventsOf(audit, 'helpdesk.requester')).toContainEqual(expect.objectContaining({ journey: 'HelpdeskReset', requester: 'admin:helen' }));
    expect(eventsOf(audit, 'credential.reset').filter((e) => e.userId === id)).toEqual([
      expect.objectContaining({ requester: 'admin:helen', method: 'HelpdeskReset', forceChange: true }),
    ]);
    expect(eventsOf(audit, 'credential.delivered').filter((e) => e.userId === id)).toEqual([
      expect.objectContaining({ journey: 'HelpdeskReset', method: 'email' }),
    ]);
    expect(eventsOf(audit, 'sessions.revoked').filter((e) => e.userId === id && e.reason === 'password-changed').length).toBeGreaterThan(0);
    // The operator's session is still theirs.
    expect((await post(`${server.amUrl}/json/realms/root/sessions?_action=validate`, { tokenId: helpdeskToken })).json.valid).toBe(true);
  }, 60_000);
});

describe('who may run HelpdeskReset', () => {
  it('nobody without a session, and no end user with theirs: the journey fails at once, asking nothing', async () => {
    await createUser('eve');
    const eve = (await signIn(server, 'eve', OLD)).json.tokenId as string;
    expect(eve).toBeTruthy();
    for (const token of [undefined, eve]) {
      const r = await post(HELPDESK_URL(), undefined, withSession(token));
      expect(r.status).toBe(401);
      expect(r.json).toMatchObject({ code: 401, reason: 'Unauthorized' });
      expect(r.json.authId).toBeUndefined();
    }
    // The header form of the session token (frodo's) is no different.
    expect((await post(HELPDESK_URL(), undefined, { headers: { [server.settings.cookieName]: eve } })).status).toBe(401);
    expect(eventsOf(audit, 'helpdesk.refused').map((e) => e.reason)).toEqual(expect.arrayContaining(['no-session', 'not-an-operator']));
  });

  it('a helpdesk operator cannot reset an administrator nor a user the policy protects; the admin role can', async () => {
    // carol is an administrator and has an end-user account of the same name.
    expect((await cli('create', 'carol', '--roles', 'admin', '--password', 'Lantern-Orchard-Quartz-17')).stdout).toMatch(/\(admin\)/);
    const carol = await createUser('carol');
    const vip = await createUser('victor', { sn: 'Protected' });
    for (const target of ['carol', 'victor@example.com']) {
      const before = mailsTo(target.includes('@') ? target : `${target}@example.com`);
      const { end } = await helpdeskReset(helpdeskToken, target, 0);
      expect(end.status, target).toBe(401);
      expect(end.json.message).toBe('This account is protected: only an administrator can reset its password.');
      expect(mailsTo(target.includes('@') ? target : `${target}@example.com`)).toBe(before);
    }
    expect((await signIn(server, 'carol', OLD)).json.tokenId).toBeTruthy();
    expect((await signIn(server, 'victor', OLD)).json.tokenId).toBeTruthy();
    expect(eventsOf(audit, 'credential.reset.refused').filter((e) => e.reason === 'protected')).toEqual([
      expect.objectContaining({ userId: carol, requester: 'admin:helen' }),
      expect.objectContaining({ userId: vip, requester: 'admin:helen' }),
    ]);

    // An administrator resets carol, reading the one-time password on screen.
    const adminToken = await adminSession(ADMIN.user, ADMIN.password);
    const { end, shown } = await helpdeskReset(adminToken, 'carol', 1);
    expect(end.status).toBe(200);
    expect(shown?.length).toBeGreaterThanOrEqual(20);
    for (const line of audit) expect(line).not.toContain(shown);
    const first = await signIn(server, 'carol', shown as string);
    expect(first.json.header).toBe('Choose a new password');
    expect((await signIn(server, 'carol', OLD)).json.tokenId).toBeUndefined();
    expect(eventsOf(audit, 'credential.reset').filter((e) => e.userId === carol)).toEqual([
      expect.objectContaining({ requester: 'admin:amadmin', method: 'HelpdeskReset' }),
    ]);
  }, 60_000);

  it('at the midPoint façade too: helpdesk credentials reset an ordinary user, never a protected one', async () => {
    const plain = await createUser('pia');
    const vip = await createUser('vince', { sn: 'Protected' });
    const rest = async (path: string, body: unknown, who = HELPDESK): Promise<{ status: number; json: any }> => {
      const res = await fetch(`${server.url}/ws/rest${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Basic ${Buffer.from(`${who.user}:${who.password}`).toString('base64')}` },
        body: JSON.stringify(body),
      });
      return { status: res.status, json: await res.json() };
    };
    const entry = { executeCredentialResetRequest: { resetMethod: 'passwordReset', userEntry: 'helpdesk typed passphrase 9' } };
    expect((await rest(`/users/${plain}/credential`, entry)).status).toBe(200);
    const refused = await rest(`/users/${vip}/credential`, entry);
    expect(refused.status).toBe(403);
    expect(refused.json.object).toMatchObject({
      '@type': 'c:OperationResultType',
      status: 'fatal_error',
      userFriendlyMessage: { key: 'execute.reset.credential.not.allowed' },
    });
    const generate = { policyItemsDefinition: { policyItemDefinition: { target: { path: 'credentials/password/value' }, execute: true } } };
    expect((await rest(`/users/${vip}/generate`, generate)).status).toBe(403);
    expect((await signIn(server, 'vince', OLD)).json.tokenId).toBeTruthy();
    // The administrator may.
    expect((await rest(`/users/${vip}/credential`, entry, ADMIN)).status).toBe(200);
  });

  it('the helpdesk role opens no admin endpoint', async () => {
    const trees = await fetch(`${server.amUrl}/json/realms/root/realm-config/authentication/authenticationtrees/trees?_queryFilter=true`, {
      headers: { [server.settings.cookieName]: helpdeskToken, 'Accept-API-Version': 'protocol=2.1,resource=1.0' },
    });
    expect(trees.status).toBe(403);
    const bySession = await fetch(`${server.url}/openidm/managed/user?_queryFilter=true`, {
      headers: { [server.settings.cookieName]: helpdeskToken },
    });
    expect(bySession.status).toBe(403);
    const byHeaders = await fetch(`${server.url}/openidm/managed/user?_queryFilter=true`, {
      headers: { 'X-OpenIDM-Username': HELPDESK.user, 'X-OpenIDM-Password': HELPDESK.password },
    });
    expect(byHeaders.status).toBe(401);
  });

  it('an unknown user is said to be unknown, and the operator may look for another', async () => {
    const first = await post(HELPDESK_URL(), undefined, withSession(helpdeskToken));
    const unknown = await post(HELPDESK_URL(), answer(first.json, 'nobody@example.com'), withSession(helpdeskToken));
    expect(unknown.json.callbacks.map((cb: Callback) => cb.type)).toEqual(['TextOutputCallback', 'ConfirmationCallback']);
    expect(unknown.json.callbacks[0].output[0].value).toBe('No account has this username or e-mail address. Look for another one?');
    const again = await post(HELPDESK_URL(), answer(unknown.json, 0), withSession(helpdeskToken));
    expect(again.json.header).toBe('Reset a user’s password');
  });

  it('`cairn admins create` names the known roles when given an unknown one', async () => {
    await expect(cli('create', 'nobody', '--roles', 'support', '--password', 'Meadow-Copper-Falcon-88')).rejects.toMatchObject({
      stderr: expect.stringMatching(/Unknown role "support" \(known: admin, helpdesk\)/),
    });
  });
});
