/**
 * midPoint's credential-reset interface in Cairn's admin API, over real HTTP on loopback with a real
 * SMTP peer:
 * - requestCredentialReset (resetByCode, resetByQuestions) opens the `credentialReset` record on the
 *   user (the id only as a hash), answers the reset context with the method journey's first step;
 *   the authentication steps are ordinary AM steps; the journey's new password completes the reset
 *   (record removed, audit names requester and target); the context id is single-use; a second
 *   request while one is in progress is a CREST 409.
 * - executeCredentialReset alone, for a privileged caller: userEntry (good, policy-violating), a bad
 *   method, and a generated one-time password e-mailed to the user, who must change it at sign-in.
 * - the shipped self-service ResetPasswordByQuestions without a context.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { legacySaltedHash } from '../../src/identity/kba.js';
import { admin, authUrl, createUser as createUserIn, eventsOf, fill, post, signIn, type Answer } from '../support/journey-http.js';
import { SHIPPED_JOURNEYS, startTestServer, type TestServer } from '../support/server.js';
import { mailText, startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';

const TOKEN = 'credential-reset-admin-token-0123456789abcdef';
const OLD = 'an old but decent passphrase';
const NEW = 'a fresh passphrase of my own';

let smtp: SmtpPeer;
let server: TestServer;
const audit: string[] = [];

const createUser = (userName: string, extra: Record<string, unknown> = {}): Promise<string> => createUserIn(server, TOKEN, userName, OLD, extra);

const action = (id: string, name: string, body: unknown): Promise<Answer> =>
  admin(server, TOKEN, `/managed/user/${id}?_action=${name}`, { method: 'POST', body });

const readUser = async (id: string): Promise<Record<string, unknown>> => (await admin(server, TOKEN, `/managed/user/${id}`)).json;

const mailTo = (address: string, pattern: RegExp): Promise<string> => mailText(smtp, address, pattern);

beforeAll(async () => {
  smtp = await startSmtpPeer();
  const dir = await mkdtemp(join(tmpdir(), 'cairn-reset-policy-'));
  const policyFile = join(dir, 'credential-reset.json');
  await writeFile(
    policyFile,
    JSON.stringify({
      methods: [
        { identifier: 'passwordReset', newCredentialSource: 'userEntry', forceChange: true },
        { identifier: 'resetByCode', journey: 'ResetPasswordByCode', newCredentialSource: 'userEntry', forceChange: false },
        { identifier: 'resetByQuestions', journey: 'ResetPasswordByQuestions', newCredentialSource: 'userEntry', forceChange: false },
        { identifier: 'oneTimePassword', newCredentialSource: 'generated', delivery: 'email', forceChange: true },
        { identifier: 'nothing', newCredentialSource: 'none' },
      ],
    }),
  );
  server = await startTestServer(
    { CAIRN_JOURNEYS_DIR: SHIPPED_JOURNEYS, CAIRN_SMTP_URL: smtp.url, CAIRN_ADMIN_TOKEN: TOKEN, CAIRN_CREDENTIAL_RESET_POLICY: policyFile },
    { audit: (line) => void audit.push(line) },
  );
});

afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

describe('requestCredentialReset', () => {
  it('resetByCode: the context and the first step, a record on the user, the code by e-mail, the new password completes it', async () => {
    const id = await createUser('rita');
    const r = await action(id, 'requestCredentialReset', { credentialId: 'password', resetMethodId: 'resetByCode' });
    expect(r.status).toBe(200);
    const context = r.json;
    expect(context).toMatchObject({ method: 'resetByCode', credentialId: 'password', userId: id, journey: 'ResetPasswordByCode' });
    expect(Date.parse(context.expiresAt) - Date.now()).toBeGreaterThan(14 * 60_000);
    const step = context.step;
    expect(step.callbacks.map((cb: { type: string }) => cb.type)).toEqual(['PasswordCallback']);

    // Progress on the user, visible to administrators; the id itself only as a hash.
    const record = (await readUser(id))['credentialReset'] as Record<string, unknown>;
    expect(record).toMatchObject({
      method: 'resetByCode',
      credentialId: 'password',
      requestedBy: 'token:admin',
      attempts: 1,
      maxAttempts: 3,
      state: 'in-progress',
    });
    expect(typeof record['nonceHash']).toBe('string');
    expect(JSON.stringify(record)).not.toContain(context._id);

    const code = /\b(\d{8})\b/.exec(await mailTo('rita@example.com', /\b\d{8}\b/))?.[1] as string;
    const choose = await post(authUrl(server, 'ResetPasswordByCode'), fill(step, code));
    expect(choose.json.callbacks.map((cb: { type: string }) => cb.type)).toEqual(['ValidatedCreatePasswordCallback']);
    const done = await post(authUrl(server, 'ResetPasswordByCode'), fill(choose.json, NEW));
    expect(done.status).toBe(200);
    expect(done.json.tokenId).toBeUndefined();

    expect((await readUser(id))['credentialReset']).toBeUndefined();
    expect(eventsOf(audit, 'credential.reset.requested').filter((e) => e.userId === id)).toEqual([
      expect.objectContaining({ requester: 'token:admin', method: 'resetByCode' }),
    ]);
    expect(eventsOf(audit, 'credential.reset.completed').filter((e) => e.userId === id)).toEqual([
      expect.objectContaining({ requester: 'token:admin', method: 'resetByCode' }),
    ]);
    expect((await signIn(server, 'rita', NEW)).json.tokenId).toBeTruthy();
    expect((await signIn(server, 'rita', OLD)).json.tokenId).toBeUndefined();
  });

  it('the context id is single-use; a second request while one is in progress is a CREST 409', async () => {
    const id = await createUser('sam');
    const first = await action(id, 'requestCredentialReset', { resetMethodId: 'resetByCode' });
    expect(first.status).toBe(200);
    const again = await post(authUrl(server, 'ResetPasswordByCode', `&resetId=${encodeURIComponent(first.json._id as string)}`));
    expect(again.status).toBe(401);
    expect(((await readUser(id))['credentialReset'] as Record<string, unknown>)['attempts']).toBe(2);
    const busy = await action(id, 'requestCredentialReset', { resetMethodId: 'resetByCode' });
    expect(busy.status).toBe(409);
    expect(busy.json).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(JSON.stringify(busy.json)).not.toContain('nonceHash');
  });

  it('resetByQuestions: the user is asked their own question; a wrong answer asks again, the right one lets a new password in', async () => {
    const id = await createUser('quinn', { kbaInfo: [{ questionId: '1', answer: legacySaltedHash('teal', randomBytes(16)) }] });
    const r = await action(id, 'requestCredentialReset', { resetMethodId: 'resetByQuestions' });
    expect(r.status).toBe(200);
    const step = r.json.step;
    expect(step.callbacks[0].output[0].value).toBe("What's your favorite color?");
    const retry = await post(authUrl(server, 'ResetPasswordByQuestions'), fill(step, 'red'));
    expect(retry.json.callbacks.map((cb: { type: string }) => cb.type)).toEqual(['PasswordCallback']);
    const choose = await post(authUrl(server, 'ResetPasswordByQuestions'), fill(retry.json, 'Teal'));
    expect(choose.json.callbacks.map((cb: { type: string }) => cb.type)).toEqual(['ValidatedCreatePasswordCallback']);
    expect((await post(authUrl(server, 'ResetPasswordByQuestions'), fill(choose.json, NEW))).status).toBe(200);
    expect((await readUser(id))['credentialReset']).toBeUndefined();
    expect((await signIn(server, 'quinn', NEW)).json.tokenId).toBeTruthy();
  });

  it('refuses an unknown method, an execute-only method and another credential in CREST shape', async () => {
    const id = await createUser('una');
    for (const [body, status] of [
      [{ resetMethodId: 'nope' }, 400],
      [{ resetMethodId: 'passwordReset' }, 400],
      [{ resetMethodId: 'resetByCode', credentialId: 'nonce' }, 400],
      [{}, 400],
    ] as const) {
      const r = await action(id, 'requestCredentialReset', body);
      expect(r.status).toBe(status);
      expect(r.json).toMatchObject({ code: status, reason: 'Bad Request' });
    }
    expect((await action('no-such-user', 'requestCredentialReset', { resetMethodId: 'resetByCode' })).status).toBe(404);
    expect((await readUser(id))['credentialReset']).toBeUndefined();
  });
});

describe('executeCredentialReset alone (privileged caller)', () => {
  it('userEntry: a good value is set and must change at next sign-in; a policy-violating one changes nothing', async () => {
    const id = await createUser('vera');
    const bad = await action(id, 'executeCredentialReset', { resetMethodId: 'passwordReset', newCredentialValue: 'short' });
    expect(bad.status).toBe(409);
    expect(bad.json).toMatchObject({ code: 409, detail: { key: 'execute.reset.credential.validation.failed' } });
    const good = await action(id, 'executeCredentialReset', { resetMethodId: 'passwordReset', newCredentialValue: 'operator chosen passphrase 7' });
    expect(good.status).toBe(200);
    expect(good.json).toEqual({
      status: 'SUCCESS',
      message: { key: 'execute.reset.credential.successful', fallbackMessage: 'Reset password was successful' },
    });
    expect((await readUser(id))['passwordMustChange']).toBe(true);
    expect((await action(id, 'executeCredentialReset', { resetMethodId: 'bogus' })).json.detail).toEqual({
      key: 'execute.reset.credential.bad.method',
    });
    const none = await action(id, 'executeCredentialReset', { resetMethodId: 'nothing' });
    expect([none.status, none.json.message.key]).toEqual([200, 'execute.reset.credential.no.credential.source']);
  });

  it('generated, by e-mail: the user signs in with the one-time password, must choose a new one, then the one-time password stops working', async () => {
    const id = await createUser('olga');
    const r = await action(id, 'executeCredentialReset', { resetMethodId: 'oneTimePassword' });
    expect(r.status).toBe(200);
    expect(r.json.generatedValue).toBeUndefined();
    const text = await mailTo('olga@example.com', /one-time password: /);
    const otp = /one-time password: (\S+)/.exec(text)?.[1] as string;
    expect(otp.length).toBeGreaterThanOrEqual(20);
    expect(JSON.stringify(audit)).not.toContain(otp);

    const first = await signIn(server, 'olga', otp);
    expect(first.json.header).toBe('Choose a new password');
    // The same one-time password as the "new" one is refused: the page comes back.
    const same = await post(authUrl(server, 'Login'), fill(first.json, otp));
    expect(same.json.header).toBe('Choose a new password');
    const done = await post(authUrl(server, 'Login'), fill(same.json, NEW));
    expect(done.json.tokenId).toBeTruthy();
    expect((await signIn(server, 'olga', otp)).json.tokenId).toBeUndefined();
    expect((await signIn(server, 'olga', OLD)).json.tokenId).toBeUndefined();
    expect((await signIn(server, 'olga', NEW)).json.tokenId).toBeTruthy();
    expect(eventsOf(audit, 'credential.reset').filter((e) => e.userId === id)).toEqual([
      expect.objectContaining({ requester: 'token:admin', method: 'oneTimePassword', forceChange: true }),
    ]);
  });
});

describe('self-service ResetPasswordByQuestions', () => {
  it('asks the username, then the question; an unknown username gets a question too and never succeeds', async () => {
    await createUser('kim', { kbaInfo: [{ questionId: '2', answer: legacySaltedHash('acme', randomBytes(16)) }] });
    const start = await post(authUrl(server, 'ResetPasswordByQuestions'));
    const asked = await post(authUrl(server, 'ResetPasswordByQuestions'), fill(start.json, 'kim'));
    expect(asked.json.callbacks[0].output[0].value).toBe('Who was your first employer?');
    const choose = await post(authUrl(server, 'ResetPasswordByQuestions'), fill(asked.json, 'acme'));
    expect((await post(authUrl(server, 'ResetPasswordByQuestions'), fill(choose.json, NEW))).status).toBe(200);
    expect((await signIn(server, 'kim', NEW)).json.tokenId).toBeTruthy();

    const nobody = await post(
      authUrl(server, 'ResetPasswordByQuestions'),
      fill((await post(authUrl(server, 'ResetPasswordByQuestions'))).json, 'nobody'),
    );
    expect(nobody.json.callbacks.map((cb: { type: string }) => cb.type)).toEqual(['PasswordCallback']);
  });
});
