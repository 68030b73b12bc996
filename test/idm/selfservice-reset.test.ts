/**
 * PingIDM's self-service password reset (`/openidm/selfservice/reset`) against the real server (shipped
 * self-service configuration, lmdb in a temp dir) and a real SMTP peer on loopback: the PingIDM 7.5 REST
 * conversation replayed with IDM's shapes asserted at each step, then the new password signs in through
 * AM's Login journey (one identity store for both protocols). Then what must not work: an unknown account
 * is told nothing and gets no mail; a weak password comes back with every failed policy; a used code, a
 * replayed final token and a tampered token change nothing; fifty concurrent posts of one code make one
 * reset; malformed input is a 400 naming the problem, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../support/eml.js';
import { asStep, asSuccess } from '../support/forgerock-sdk.js';
import {
  amLogin,
  ANONYMOUS,
  createUser,
  linkIn,
  mailTo,
  readUser,
  SHIPPED_JOURNEYS,
  selfServiceClient,
  type MailedLink,
  type Reply,
  type SelfServiceClient,
} from '../support/selfservice.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';

const PUBLIC_URL = 'https://id.example.test';
const ADMIN_TOKEN = 'selfservice-admin-token-0123456789abcdefghij';
const OLD_PASSWORD = 'an old but decent passphrase';
const NEW_PASSWORD = 'a brand new memorable passphrase';
const DRAFT_04 = 'http://json-schema.org/draft-04/schema#';

let smtp: SmtpPeer;
let server: TestServer;
let reset: SelfServiceClient;
let audit: string[];

/** The reset flow up to the e-mailed link: returns the token answering the queryFilter and the mail count seen. */
async function requestReset(queryFilter: string): Promise<Reply> {
  const first = await reset.post({ input: {} });
  expect(first.status).toBe(200);
  return reset.post({ token: first.body.token, input: { queryFilter } });
}

/** E-mails accepted by the queue since start (`cairn_emails{state="queued"}` of /metrics). */
async function mailsQueued(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/cairn_emails\{state="queued"\} (\d+)/.exec(text)?.[1] ?? NaN);
}

async function linkFor(mail: string, count: number) {
  return linkIn(await mailTo(smtp, mail, count));
}

/** A user `name` (name@example.com) created, a reset requested, its e-mailed link followed: the password step. */
async function toPasswordStep(name: string): Promise<{ id: string; link: MailedLink; choose: Reply }> {
  const id = await createUser(server.url, ADMIN_TOKEN, {
    userName: name,
    mail: `${name}@example.com`,
    givenName: 'Given',
    sn: 'Family',
    password: OLD_PASSWORD,
  });
  const count = smtp.received.length;
  await requestReset(`userName eq "${name}"`);
  const link = await linkFor(`${name}@example.com`, count + 1);
  const choose = await reset.post({ token: link.token, input: { code: link.code } });
  expect(choose.body.type).toBe('resetStage');
  return { id, link, choose };
}

beforeAll(async () => {
  smtp = await startSmtpPeer();
  audit = [];
  server = await startTestServer(
    { CAIRN_JOURNEYS_DIR: SHIPPED_JOURNEYS, CAIRN_SMTP_URL: smtp.url, CAIRN_PUBLIC_URL: PUBLIC_URL, CAIRN_ADMIN_TOKEN: ADMIN_TOKEN },
    { audit: (line) => void audit.push(line) },
  );
  reset = selfServiceClient(server.url, 'reset');
});
afterAll(async () => {
  await server?.stop();
  await smtp?.close();
});

describe('the PingIDM 7.5 REST conversation', () => {
  it('GET, {"input":{}}, queryFilter, the e-mailed token and code, a password: IDM shapes at each step; then AM Login', async () => {
    const userId = await createUser(server.url, ADMIN_TOKEN, {
      userName: 'bjensen',
      mail: 'bjensen@example.com',
      givenName: 'Barbara',
      sn: 'Jensen',
      password: OLD_PASSWORD,
    });

    // 1. GET, as the seed sends it: no headers at all. The first stage's requirements, no token.
    const get = await reset.get();
    expect(get.status).toBe(200);
    expect(get.body).toEqual({
      _id: '1',
      _rev: expect.stringMatching(/^-?\d+$/),
      type: 'parameters',
      tag: 'initial',
      requirements: {
        $schema: DRAFT_04,
        description: 'Parameters',
        type: 'object',
        properties: { returnParams: { description: "Parameter named 'returnParams'", type: 'string' } },
      },
    });

    // 2. {"input":{}} without a token passes `parameters` and answers userQuery with a token.
    const query = await reset.post({ input: {} }, { headers: { 'X-OpenIDM-NoSession': '' } });
    expect(query.status).toBe(200);
    expect(query.body).toEqual({
      type: 'userQuery',
      tag: 'initial',
      requirements: {
        $schema: DRAFT_04,
        description: 'Find your account',
        type: 'object',
        required: ['queryFilter'],
        properties: { queryFilter: { description: 'filter string to find account', type: 'string' } },
      },
      token: expect.stringMatching(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/),
    });

    // 3. The query filter: the mail goes out, the answer is emailValidation / validateCode.
    const sent = await reset.post({ token: query.body.token, input: { queryFilter: 'userName eq "bjensen"' } });
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({
      type: 'emailValidation',
      tag: 'validateCode',
      requirements: {
        $schema: DRAFT_04,
        description: 'Verify emailed code',
        type: 'object',
        required: ['code'],
        properties: { code: { description: 'Enter code emailed', type: 'string' } },
      },
      token: expect.any(String),
    });

    // The e-mail: the stage's own subject and message, %link% replaced by verificationLink&token=…&code=….
    const raw = await mailTo(smtp, 'bjensen@example.com', 1);
    const mail = parseMail(raw);
    expect(mail.subject).toBe('Reset your password');
    const link = linkIn(raw);
    expect(link.url.startsWith(`${PUBLIC_URL}/#/passwordreset/&token=`)).toBe(true); // CAIRN_PUBLIC_URL, never the Host header
    expect(link.token).toBe(sent.body.token);
    expect(link.code).toMatch(/^[A-Za-z0-9_-]{22}$/); // 128 random bits, URL-safe
    // In the HTML part the link is an attribute value, escaped as HTML (the browser reads it back unchanged).
    expect(mail.html).toContain('href="https://id.example.test/#/passwordreset/&amp;token&#x3D;');

    // 4. The link's token and code (the Vue UI repeats the token inside input: extra keys are ignored).
    const choose = await reset.post({ token: link.token, input: { token: link.token, code: link.code } });
    expect(choose.status).toBe(200);
    expect(choose.body).toEqual({
      type: 'resetStage',
      tag: 'initial',
      requirements: {
        $schema: DRAFT_04,
        description: 'Reset password',
        type: 'object',
        required: ['password'],
        properties: { password: { description: 'Password', type: 'string' } },
      },
      token: expect.any(String),
    });

    // 5. The new password: the end, as IDM answers it.
    const done = await reset.post({ token: choose.body.token, input: { password: NEW_PASSWORD } });
    expect(done).toEqual({ status: 200, body: { type: 'resetStage', tag: 'end', status: { success: true }, additions: {} } });

    // One identity store for both protocols: AM's Login takes the new password, not the old one.
    expect(asSuccess(await amLogin(server.amUrl, 'bjensen', NEW_PASSWORD)).getSessionToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(asStep(await amLogin(server.amUrl, 'bjensen', OLD_PASSWORD)).getHeader()).toBe('Sign in');

    // The save went through the identity service's one path: audited, "password changed" mailed.
    expect(audit.some((l) => l.includes('"password.changed"') && l.includes(userId))).toBe(true);
    const notice = (await smtp.waitFor(2, 10_000)).map((m) => parseMail(m.raw)).find((m) => m.subject !== 'Reset your password');
    expect(notice?.subject).toMatch(/password/i);
    // Audit lines carry neither the code nor a token.
    expect(audit.join('\n')).not.toContain(link.code);
    expect(audit.join('\n')).not.toContain(link.token.slice(0, 40));
  });
});

describe('what must not work', () => {
  it('an unknown, ambiguous or inactive account: the same answers, the same token length, and no e-mail', async () => {
    await createUser(server.url, ADMIN_TOKEN, {
      userName: 'known',
      mail: 'known@example.com',
      givenName: 'Kim',
      sn: 'Known',
      password: OLD_PASSWORD,
    });
    const before = smtp.received.length;
    const queuedBefore = await mailsQueued();
    const known = await requestReset('mail eq "known@example.com"');
    const unknown = await requestReset('mail eq "nobody@example.com"');
    const ambiguous = await requestReset('mail eq "known@example.com" or mail eq "bjensen@example.com"');
    // An account an administrator made inactive (identityAccountStatusField) gets no mail either.
    await createUser(server.url, ADMIN_TOKEN, {
      userName: 'off',
      mail: 'off@example.com',
      givenName: 'Of',
      sn: 'F',
      password: OLD_PASSWORD,
      accountStatus: 'inactive',
    });
    const inactive = await requestReset('userName eq "off"');
    for (const r of [unknown, ambiguous, inactive]) {
      expect(r.status).toBe(known.status);
      expect({ ...r.body, token: 'T' }).toEqual({ ...known.body, token: 'T' });
      expect(String(r.body.token).length).toBe(String(known.body.token).length);
    }
    // Only the real account's message was queued (the queue counts it before the answer is written); the
    // others are audited as skipped.
    expect(await mailsQueued()).toBe(queuedBefore + 1);
    await mailTo(smtp, 'known@example.com', before + 1);
    expect(audit.filter((l) => l.includes('"selfservice.email.skipped"') && l.includes('"no-account"')).length).toBeGreaterThanOrEqual(2);
    expect(audit.some((l) => l.includes('"selfservice.email.skipped"') && l.includes('"inactive"'))).toBe(true);
    // A code guessed for the unknown flow opens nothing.
    const guess = await reset.post({ token: unknown.body.token, input: { code: 'AAAAAAAAAAAAAAAAAAAAAA' } });
    expect(guess).toEqual({ status: 400, body: { code: 400, reason: 'Bad Request', message: 'Invalid code' } });
  });

  it('a weak password comes back as a 200 with every failed policy, and changes nothing', async () => {
    const { id, choose } = await toPasswordStep('weak');
    const rev = (await readUser(server.url, ADMIN_TOKEN, id))._rev;

    const refused = await reset.post({ token: choose.body.token, input: { password: 'abc' } });
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ type: 'resetStage', tag: 'initial', token: expect.any(String) });
    expect((refused.body.requirements as Record<string, unknown>).error).toEqual({
      code: 403,
      reason: 'Forbidden',
      message: 'Failed policy validation',
      detail: {
        result: false,
        failedPolicyRequirements: [
          {
            property: 'password',
            policyRequirements: expect.arrayContaining([
              { policyRequirement: 'MIN_LENGTH', params: { minLength: 8 } },
              { policyRequirement: 'CANNOT_BE_REPETITIVE_OR_SEQUENTIAL' },
            ]),
          },
        ],
      },
    });
    expect((await readUser(server.url, ADMIN_TOKEN, id))._rev).toBe(rev);
    // The refused step's own token is spent; the new one goes on.
    expect((await reset.post({ token: choose.body.token, input: { password: NEW_PASSWORD } })).body.message).toBe('Invalid token');
    const done = await reset.post({ token: refused.body.token, input: { password: NEW_PASSWORD } });
    expect(done.body).toMatchObject({ tag: 'end', status: { success: true } });
  });

  it('a used code, a replayed final token and a tampered token are refused and change nothing', async () => {
    const { id, link, choose } = await toPasswordStep('replay');

    // The link again: its step is spent (and so is the code).
    expect(await reset.post({ token: link.token, input: { code: link.code } })).toEqual({
      status: 400,
      body: { code: 400, reason: 'Bad Request', message: 'Invalid token' },
    });

    // A tampered token: one character of its signature changed, then of its payload.
    const t = String(choose.body.token);
    const flip = (s: string, i: number): string => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const badSignature = await reset.post({ token: flip(t, t.length - 3), input: { password: 'another passphrase entirely' } });
    expect(badSignature).toEqual({ status: 400, body: { code: 400, reason: 'Bad Request', message: 'Invalid snapshot token' } });
    const badPayload = await reset.post({ token: flip(t, t.indexOf('.') + 10), input: { password: 'another passphrase entirely' } });
    expect(badPayload.status).toBe(400);
    const garbage = await reset.post({ token: 'not-a-token', input: { password: 'another passphrase entirely' } });
    expect(garbage).toEqual({ status: 400, body: { code: 400, reason: 'Bad Request', message: 'Error deconstructing snapshot token' } });
    // An AM authId is not a self-service token, though the same key signs both.
    const am = (await (
      await fetch(`${server.amUrl}/json/realms/root/authenticate?authIndexType=service&authIndexValue=Login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
      })
    ).json()) as { authId: string };
    expect((await reset.post({ token: am.authId, input: { password: 'another passphrase entirely' } })).status).toBe(400);

    const done = await reset.post({ token: t, input: { password: NEW_PASSWORD } });
    expect(done.body).toMatchObject({ tag: 'end' });
    const rev = (await readUser(server.url, ADMIN_TOKEN, id))._rev;
    // The final token again: refused, no second save.
    const replayed = await reset.post({ token: t, input: { password: 'yet another passphrase here' } });
    expect(replayed).toEqual({ status: 400, body: { code: 400, reason: 'Bad Request', message: 'Invalid token' } });
    expect((await readUser(server.url, ADMIN_TOKEN, id))._rev).toBe(rev);
    expect(asSuccess(await amLogin(server.amUrl, 'replay', NEW_PASSWORD)).getSessionToken()).toBeDefined();
  });

  it('the password step re-reads the account; a reset ends its sessions', async () => {
    const admin = (method: string, id: string, body?: unknown) =>
      fetch(`${server.url}/openidm/managed/user/${id}`, {
        method,
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });

    // The address changed after the mailbox was proven: refused, nothing saved.
    const moved = await toPasswordStep('moved');
    const patched = await admin('PATCH', moved.id, [{ operation: 'replace', field: '/mail', value: 'elsewhere@example.com' }]);
    expect(patched.status).toBe(200);
    const rev = (await readUser(server.url, ADMIN_TOKEN, moved.id))._rev;
    expect(await reset.post({ token: moved.choose.body.token, input: { password: NEW_PASSWORD } })).toEqual({
      status: 400,
      body: { code: 400, reason: 'Bad Request', message: 'The account changed since this request began; start again.' },
    });
    expect((await readUser(server.url, ADMIN_TOKEN, moved.id))._rev).toBe(rev);

    // The account deleted meanwhile: refused.
    const gone = await toPasswordStep('gone');
    expect((await admin('DELETE', gone.id)).status).toBe(200);
    expect((await reset.post({ token: gone.choose.body.token, input: { password: NEW_PASSWORD } })).body).toMatchObject({
      code: 400,
      message: 'The account no longer exists.',
    });

    // A session from before: the reset (the identity service's one save path) ends it.
    const spent = await toPasswordStep('spent');
    const session = asSuccess(await amLogin(server.amUrl, 'spent', OLD_PASSWORD)).getSessionToken() as string;

    const done = await reset.post({ token: spent.choose.body.token, input: { password: NEW_PASSWORD } });
    expect(done.body).toMatchObject({ type: 'resetStage', tag: 'end', status: { success: true } });
    const validate = await fetch(`${server.amUrl}/json/realms/root/sessions?_action=validate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', iPlanetDirectoryPro: session },
    });
    expect(await validate.json()).toEqual({ valid: false });
    expect(asSuccess(await amLogin(server.amUrl, 'spent', NEW_PASSWORD)).getSessionToken()).toBeDefined();
  });

  it('fifty concurrent posts of one code make exactly one reset; fifty of the final token, one save', async () => {
    const id = await createUser(server.url, ADMIN_TOKEN, {
      userName: 'race',
      mail: 'race@example.com',
      givenName: 'Ray',
      sn: 'Race',
      password: OLD_PASSWORD,
    });
    const count = smtp.received.length;
    await requestReset('userName eq "race"');
    const link = await linkFor('race@example.com', count + 1);
    const codePosts = await Promise.all(Array.from({ length: 50 }, () => reset.post({ token: link.token, input: { code: link.code } })));
    const opened = codePosts.filter((r) => r.status === 200);
    expect(opened).toHaveLength(1);
    expect(codePosts.filter((r) => r.status === 400)).toHaveLength(49);

    const token = (opened[0] as Reply).body.token;
    const passwordPosts = await Promise.all(Array.from({ length: 50 }, (_, i) => reset.post({ token, input: { password: `${NEW_PASSWORD} ${i}` } })));
    const ended = passwordPosts.filter((r) => r.status === 200);
    expect(ended).toHaveLength(1);
    const winner = passwordPosts.indexOf(ended[0] as Reply);
    const changes = audit.filter((l) => l.includes('"password.changed"') && l.includes(id));
    expect(changes).toHaveLength(1);
    expect(asSuccess(await amLogin(server.amUrl, 'race', `${NEW_PASSWORD} ${winner}`)).getSessionToken()).toBeDefined();
  });

  it("answers malformed input with a 400 naming the problem, other actions with IDM's 501", async () => {
    const cases: [unknown, number, string | RegExp][] = [
      [{}, 400, 'No input provided'],
      [{ input: null }, 400, 'No input provided'],
      [{ input: 'x' }, 400, 'input must be a JSON object'],
      [[1, 2], 400, 'The request body must be a JSON object.'],
      [{ token: 42, input: {} }, 400, 'Invalid snapshot token'],
      // IDM's order (reference §2.3): the token is restored before the input is required.
      [{ token: 'not.a.token' }, 400, 'Invalid snapshot token'],
    ];
    for (const [body, status, message] of cases) {
      const r = await reset.post(body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.body.message).toEqual(message);
    }
    expect((await reset.post('{"input": {', { raw: true })).body).toMatchObject({ code: 400, message: expect.stringMatching(/not valid JSON/) });

    // A good token without input: "No input provided", and the token is not spent (nothing ran).
    const query = await reset.post({ input: {} });
    expect((await reset.post({ token: query.body.token })).body.message).toBe('No input provided');
    expect((await reset.post({ token: query.body.token, input: { queryFilter: 'userName eq "nobody-here"' } })).body).toMatchObject({
      type: 'emailValidation',
      tag: 'validateCode',
    });
    const bad = async (queryFilter: unknown): Promise<Reply> => {
      const fresh = await reset.post({ input: {} });
      return reset.post({ token: fresh.body.token, input: { queryFilter } });
    };
    expect((await bad('userName co "b"')).body.message).toBe('Invalid query filter'); // only eq
    expect((await bad('password eq "x"')).body.message).toBe('Invalid query filter'); // not a valid field
    expect((await bad('true')).body.message).toBe('Invalid query filter');
    expect((await bad('userName eq "unclosed')).body).toMatchObject({
      code: 400,
      message: expect.stringMatching(/^Invalid query filter: .* at position \d+$/),
    });
    expect((await bad(7)).body.message).toBe('Invalid query filter: queryFilter must be a string');
    expect((await bad(undefined)).body.message).toBe('Invalid query filter: queryFilter is missing from input');

    const other = await reset.post({ input: {} }, { action: 'create' });
    expect(other).toEqual({ status: 501, body: { code: 501, reason: 'Not Implemented', message: 'Unknown action create' } });
    const put = await fetch(`${server.url}/openidm/selfservice/reset`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(put.status).toBe(501);
    // A cross-site form cannot post: the body must be JSON.
    const form = await fetch(`${server.url}/openidm/selfservice/reset?_action=submitRequirements`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: '{"input":{}}',
    });
    expect(form.status).toBe(403);
    expect(((await reset.get()).body as { type: string }).type).toBe('parameters');
    expect((await selfServiceClient(server.url, 'nope').get()).status).toBe(404);
  });

  it("answers without the anonymous headers too, while the rest of /openidm stays the administrator's", async () => {
    const bare = await fetch(`${server.url}/openidm/selfservice/reset?_action=submitRequirements`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"input":{}}',
    });
    expect(bare.status).toBe(200);
    const users = await fetch(`${server.url}/openidm/managed/user?_queryFilter=true`, { headers: ANONYMOUS });
    expect(users.status).toBe(401);
    const config = await fetch(`${server.url}/openidm/config/selfservice/reset`, { headers: ANONYMOUS });
    expect(config.status).toBe(401);
  });
});

describe("the End User UI's helper endpoints", () => {
  it('uiconfig, features, the reset policy and validateObject, open to the anonymous headers', async () => {
    const ui = await fetch(`${server.url}/openidm/info/uiconfig`, { headers: ANONYMOUS });
    expect(ui.status).toBe(200);
    expect(((await ui.json()) as { configuration: Record<string, unknown> }).configuration).toMatchObject({
      passwordReset: true,
      forgotUsername: true,
      lang: 'en',
    });

    const features = (await (await fetch(`${server.url}/openidm/info/features?_queryFilter=true`, { headers: ANONYMOUS })).json()) as {
      result: unknown[];
    };
    expect(features.result).toEqual(
      expect.arrayContaining([
        { name: 'passwordReset', enabled: true, endpoints: ['selfservice/reset'] },
        { name: 'forgotUsername', enabled: true, endpoints: ['selfservice/username'] },
        { name: 'retrieveUsername', enabled: true, endpoints: ['selfservice/username'] },
        { name: 'selfRegistration', enabled: false, endpoints: ['selfservice/registration'] },
      ]),
    );
    const filtered = (await (
      await fetch(`${server.url}/openidm/info/features?_queryFilter=${encodeURIComponent('name eq "passwordReset"')}`)
    ).json()) as { result: unknown[] };
    expect(filtered.result).toHaveLength(1);

    const policy = (await (await fetch(`${server.url}/openidm/policy/selfservice/reset`, { headers: ANONYMOUS })).json()) as {
      properties: { name: string; policies: { policyRequirements: string[]; params?: unknown }[] }[];
    };
    const password = policy.properties.find((p) => p.name === 'password');
    expect(password?.policies).toEqual(
      expect.arrayContaining([expect.objectContaining({ policyRequirements: ['MIN_LENGTH'], params: { minLength: 8 } })]),
    );

    const validate = async (body: unknown) =>
      (await (
        await fetch(`${server.url}/openidm/policy/selfservice/reset/?_action=validateObject`, {
          method: 'POST',
          headers: { ...ANONYMOUS, 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json()) as { result: boolean; failedPolicyRequirements: { property: string; policyRequirements: { policyRequirement: string }[] }[] };
    const empty = await validate({ password: '' });
    expect(empty.result).toBe(false);
    expect(empty.failedPolicyRequirements.map((f) => f.policyRequirements[0]?.policyRequirement)).toEqual(
      expect.arrayContaining(['REQUIRED', 'MIN_LENGTH']),
    );
    const short = await validate({ password: 'abc' });
    expect(short.failedPolicyRequirements).toEqual(
      expect.arrayContaining([{ property: 'password', policyRequirements: [{ policyRequirement: 'MIN_LENGTH', params: { minLength: 8 } }] }]),
    );
    expect(await validate({ password: NEW_PASSWORD })).toEqual({ result: true, failedPolicyRequirements: [] });
    // A disabled process's policies are not served either.
    expect((await fetch(`${server.url}/openidm/policy/selfservice/registration`)).status).toBe(403);
  });
});
