/**
 * Issue 11, item 4: a step that succeeded once cannot be sent again. Over real HTTP with a real SMTP
 * server: the new-password step a reset link opens changes the password once (re-sent, or sent 20
 * times at once: one success, one "password changed" e-mail); a Login credential step re-sent yields
 * no second session; the authId of a step the journey moved on from is refused, whatever it carries;
 * and a step that did not move the journey (a validateOnly check) stays usable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../support/eml.js';
import { authUrl, createUser, eventsOf, fill, post, signIn, type Answer, type Via } from '../support/journey-http.js';
import { SHIPPED_JOURNEYS, startTestServer, type TestServer } from '../support/server.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';

const TOKEN = 'replay-admin-token-0123456789abcdefghijklmn';
const OLD = 'an old but decent passphrase';
const NEW = 'a brand new memorable passphrase';
const OTHER = 'yet another memorable passphrase';

let smtp: SmtpPeer;
let server: TestServer;
const audit: string[] = [];
let address = 0;
const from = (): Via => ({ headers: { 'X-Forwarded-For': `198.51.100.${++address}` } });

beforeAll(async () => {
  smtp = await startSmtpPeer();
  server = await startTestServer(
    { CAIRN_JOURNEYS_DIR: SHIPPED_JOURNEYS, CAIRN_SMTP_URL: smtp.url, CAIRN_ADMIN_TOKEN: TOKEN, CAIRN_TRUSTED_PROXIES: '127.0.0.1,::1' },
    { audit: (line) => audit.push(line) },
  );
});
afterAll(async () => {
  await server?.stop();
  await smtp?.close();
});

const timedOut = (a: Answer) => a.status === 401 && a.json.detail?.errorCode === '110';
const mailsTo = (to: string) => smtp.received.filter((m) => m.to.includes(to));

/** Asks for a reset of `user`'s address, follows the e-mailed link: the "choose a new password" step. */
async function newPasswordStep(user: string): Promise<Answer> {
  const mail = `${user}@example.com`;
  const before = mailsTo(mail).length;
  const page = await post(authUrl(server, 'ResetPassword'));
  await post(authUrl(server, 'ResetPassword'), fill(page.json, mail));
  for (let i = 0; i < 200 && mailsTo(mail).length === before; i++) await new Promise((r) => setTimeout(r, 25));
  const text = parseMail((mailsTo(mail)[before] as { raw: string }).raw).text ?? '';
  const link = /https?:\/\/\S+suspendedId=\S+/.exec(text)?.[0] as string;
  const choose = await post(`${server.amUrl}/json/realms/root/authenticate${new URL(link).search}`);
  expect(choose.status).toBe(200);
  return choose;
}

/** The step with its password set (and validateOnly as given). */
function withPassword(step: Answer, password: string, validateOnly = false): unknown {
  const body = structuredClone(step.json);
  for (const input of body.callbacks[0].input) input.value = input.name.endsWith('validateOnly') ? validateOnly : password;
  return body;
}

/**
 * How often the password of user `id` changed: the audit events of the identity service's one save
 * path (recorded before any answer leaves), checked against the "password changed" e-mails, which
 * leave after the answer (waited for, not timed).
 */
const passwordChanges = async (id: string, user: string): Promise<number> => {
  const changes = eventsOf(audit, 'password.changed').filter((e) => e.userId === id).length;
  const changedMails = () =>
    mailsTo(`${user}@example.com`).filter((m) => /password/i.test(parseMail(m.raw).subject ?? '') && !/reset/i.test(parseMail(m.raw).subject ?? ''));
  for (let i = 0; i < 400 && changedMails().length < changes; i++) await new Promise((r) => setTimeout(r, 25));
  expect(changedMails()).toHaveLength(changes);
  return changes;
};

describe('4. a step that succeeded once cannot be sent again', () => {
  it('changes the password once when the new-password step of a reset link is re-sent', async () => {
    const id = await createUser(server, TOKEN, 'once', OLD);
    const step = await newPasswordStep('once');
    const done = await post(authUrl(server, 'ResetPassword'), withPassword(step, NEW));
    expect(done.status).toBe(200);
    expect(done.json.successUrl).toBeDefined();
    const replay = await post(authUrl(server, 'ResetPassword'), withPassword(step, OTHER));
    expect(timedOut(replay)).toBe(true);
    expect(eventsOf(audit, 'step.replayed').length).toBeGreaterThan(0);
    // The password is the first new one; one "password changed" e-mail.
    expect((await signIn(server, 'once', NEW, from())).json.tokenId).toBeDefined();
    expect((await signIn(server, 'once', OTHER, from())).json.tokenId).toBeUndefined();
    expect(await passwordChanges(id, 'once')).toBe(1);
  });

  it('lets exactly one of 20 parallel posts of that step through', async () => {
    const id = await createUser(server, TOKEN, 'racer', OLD);
    const step = await newPasswordStep('racer');
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post(authUrl(server, 'ResetPassword'), withPassword(step, `${NEW} ${i}`))),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter(timedOut)).toHaveLength(19);
    expect(await passwordChanges(id, 'racer')).toBe(1);
  });

  it('yields one session from a Login credential step, however often and however fast it is sent', async () => {
    await createUser(server, TOKEN, 'twice', OLD);
    const via = from();
    const page = await post(authUrl(server, 'Login'), undefined, via);
    const body = fill(page.json, 'twice', OLD);
    const first = await post(authUrl(server, 'Login'), body, via);
    expect(first.json.tokenId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(timedOut(await post(authUrl(server, 'Login'), body, via))).toBe(true);

    const next = fill((await post(authUrl(server, 'Login'), undefined, via)).json, 'twice', OLD);
    const burst = await Promise.all(Array.from({ length: 20 }, () => post(authUrl(server, 'Login'), next, via)));
    expect(burst.filter((a) => a.json.tokenId)).toHaveLength(1);
    expect(burst.filter(timedOut)).toHaveLength(19);
  });

  it('refuses the authId of a step the journey moved on from, even with the right password', async () => {
    await createUser(server, TOKEN, 'mover', OLD);
    const via = from();
    const page = await post(authUrl(server, 'Login'), undefined, via);
    const wrong = await post(authUrl(server, 'Login'), fill(structuredClone(page.json), 'mover', 'not it'), via);
    expect(wrong.json.callbacks).toBeDefined(); // the page again, with a new authId
    expect(timedOut(await post(authUrl(server, 'Login'), fill(structuredClone(page.json), 'mover', OLD), via))).toBe(true);
    expect((await post(authUrl(server, 'Login'), fill(wrong.json, 'mover', OLD), via)).json.tokenId).toBeDefined();
  });

  it('keeps a step usable after a validateOnly check or a refused password, which move nothing', async () => {
    await createUser(server, TOKEN, 'checker', OLD);
    const step = await newPasswordStep('checker');
    const check = await post(authUrl(server, 'ResetPassword'), withPassword(step, 'password1', true));
    expect(check.status).toBe(200);
    expect(check.json.callbacks[0].output.find((o: { name: string }) => o.name === 'failedPolicies').value.length).toBeGreaterThan(0);
    const refused = await post(authUrl(server, 'ResetPassword'), withPassword(step, 'password1'));
    expect(refused.status).toBe(200); // shown again with the policy failures
    // The same authId still works, once.
    expect((await post(authUrl(server, 'ResetPassword'), withPassword(step, NEW))).status).toBe(200);
    expect(timedOut(await post(authUrl(server, 'ResetPassword'), withPassword(step, OTHER)))).toBe(true);
  });
});
