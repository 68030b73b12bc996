/**
 * PingIDM's `registration` and `username` processes end to end against the real server and a real SMTP
 * peer: a person registers (e-mail code, details with policy checks, two security answers, terms), signs
 * in through AM's Login, then resets the password through a reset process with KBA verification switched
 * on — answers compared after Unicode normalisation, wrong answers counted per account until a lockout.
 * The forgotten-username process mails the username and shows nothing on screen by default; IDM's legacy
 * switch restores its 400 for unknown accounts and the on-screen username. A changed process file ends
 * the tokens in flight; a process switched off in ui-configuration.json answers 403.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../support/eml.js';
import { asSuccess } from '../support/forgerock-sdk.js';
import {
  amLogin,
  ANONYMOUS,
  createUser,
  linkIn,
  mailTo,
  SHIPPED_JOURNEYS,
  SHIPPED_SELFSERVICE,
  selfServiceClient,
  selfServiceDir,
  type Reply,
} from '../support/selfservice.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';

const PUBLIC_URL = 'https://id.example.test';
const ADMIN_TOKEN = 'selfservice-admin-token-0123456789abcdefghij';
const PASSWORD = 'a long registration passphrase';
const NEW_PASSWORD = 'a brand new memorable passphrase';

const shipped = async (name: string): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(join(SHIPPED_SELFSERVICE, name), 'utf8')) as Record<string, unknown>;

/** The shipped reset process with KBA verification after the e-mail code, as an operator switches it on. */
async function resetWithKba(): Promise<Record<string, unknown>> {
  const reset = await shipped('selfservice-reset.json');
  const stages = reset.stageConfigs as Record<string, unknown>[];
  stages.splice(3, 0, {
    name: 'kbaSecurityAnswerVerificationStage',
    kbaPropertyName: 'kbaInfo',
    identityServiceUrl: 'managed/user',
    kbaConfig: null,
  });
  return reset;
}

let smtp: SmtpPeer;
let server: TestServer;
let dir: string;
let audit: string[];

beforeAll(async () => {
  smtp = await startSmtpPeer();
  const ui = await shipped('ui-configuration.json');
  (ui.configuration as Record<string, unknown>).selfRegistration = true;
  dir = await selfServiceDir({
    'ui-configuration.json': ui,
    'selfservice-reset.json': await resetWithKba(),
    'selfservice.kba.json': {
      ...(await shipped('selfservice.kba.json')),
      minimumAnswersToDefine: 2,
      minimumAnswersToVerify: 2,
      numberOfAttemptsAllowed: 3,
    },
  });
  audit = [];
  server = await startTestServer(
    {
      CAIRN_JOURNEYS_DIR: SHIPPED_JOURNEYS,
      CAIRN_SELFSERVICE_DIR: dir,
      CAIRN_SMTP_URL: smtp.url,
      CAIRN_PUBLIC_URL: PUBLIC_URL,
      CAIRN_ADMIN_TOKEN: ADMIN_TOKEN,
      CAIRN_MAIL_PER_ACCOUNT: '50',
      CAIRN_MAIL_PER_CLIENT: '500',
    },
    { audit: (line) => void audit.push(line) },
  );
});
afterAll(async () => {
  await server?.stop();
  await smtp?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('registration with security answers, then a reset that asks them', () => {
  const registration = () => selfServiceClient(server.url, 'registration');
  const reset = () => selfServiceClient(server.url, 'reset');

  it('asks for the address first; a different address later is IDM\'s "Email address mismatch"', async () => {
    // Switched on in ui-configuration.json, registration is announced to the End User UI.
    const features = (await (await fetch(`${server.url}/openidm/info/features?_queryFilter=true`, { headers: ANONYMOUS })).json()) as {
      result: unknown[];
    };
    expect(features.result).toEqual(
      expect.arrayContaining([
        { name: 'passwordReset', enabled: true, endpoints: ['selfservice/reset'] },
        { name: 'forgotUsername', enabled: true, endpoints: ['selfservice/username'] },
        { name: 'selfRegistration', enabled: true, endpoints: ['selfservice/registration'] },
      ]),
    );
    const start = await registration().get();
    expect(start.body).toMatchObject({
      type: 'emailValidation',
      tag: 'initial',
      requirements: {
        description: 'Verify your email address',
        required: ['mail'],
        properties: { mail: { description: 'Email address', type: 'string' } },
      },
    });
    expect((await registration().post({ input: { mail: '' } })).body).toMatchObject({ code: 400, message: 'mail should not be empty' });

    const count = smtp.received.length;
    const sent = await registration().post({ input: { mail: 'newcomer@example.com' } });
    expect(sent.body).toMatchObject({ type: 'emailValidation', tag: 'validateCode' });
    const raw = await mailTo(smtp, 'newcomer@example.com', count + 1);
    expect(parseMail(raw).subject).toBe('Create a new account');
    const link = linkIn(raw);
    expect(link.url.startsWith(`${PUBLIC_URL}/#/registration/&token=`)).toBe(true);

    const details = await registration().post({ token: link.token, input: { code: link.code } });
    expect(details.body).toMatchObject({
      type: 'userDetails',
      tag: 'initial',
      requirements: { description: 'New user details', required: ['user'], properties: { user: { description: 'User details', type: 'object' } } },
    });
    // Another address than the verified one: IDM's 400 (the flow ends, as in IDM).
    const mismatch = await registration().post({
      token: details.body.token,
      input: { user: { userName: 'newcomer', mail: 'other@example.com', givenName: 'N', sn: 'C', password: PASSWORD } },
    });
    expect(mismatch.body).toMatchObject({ code: 400, message: 'Email address mismatch' });
  });

  it('a full registration: details refused by policy then accepted, two answers, terms, an account with hashed answers', async () => {
    const count = smtp.received.length;
    await registration().post({ input: { mail: 'newcomer@example.com' } });
    const link = linkIn(await mailTo(smtp, 'newcomer@example.com', count + 1));
    const details = await registration().post({ token: link.token, input: { code: link.code } });

    const weak = await registration().post({
      token: details.body.token,
      input: { user: { userName: 'newcomer', givenName: 'Nia', sn: 'Comer', password: 'short' } },
    });
    expect(weak.status).toBe(200);
    expect(weak.body).toMatchObject({
      type: 'userDetails',
      requirements: {
        error: {
          code: 403,
          message: 'Policy validation failed',
          detail: {
            result: false,
            failedPolicyRequirements: [
              { property: 'password', policyRequirements: expect.arrayContaining([{ policyRequirement: 'MIN_LENGTH', params: { minLength: 8 } }]) },
            ],
          },
        },
      },
    });

    const kba = await registration().post({
      token: weak.body.token,
      input: { user: { userName: 'newcomer', givenName: 'Nia', sn: 'Comer', password: PASSWORD, accountStatus: 'active', roles: ['admin'] } },
    });
    expect(kba.body).toMatchObject({
      type: 'kbaSecurityAnswerDefinitionStage',
      tag: 'initial',
      requirements: {
        description: 'Knowledge based questions',
        required: ['kba'],
        properties: {
          kba: {
            type: 'array',
            minItems: 2,
            items: { type: 'object', oneOf: [{ $ref: '#/definitions/systemQuestion' }, { $ref: '#/definitions/userQuestion' }] },
            questions: [
              {
                id: '1',
                question: { en: "What's your favorite color?", en_GB: "What's your favourite colour?", fr: 'Quelle est votre couleur préférée ?' },
              },
              { id: '2', question: { en: 'Who was your first employer?', fr: 'Qui a été votre premier employeur ?' } },
            ],
          },
        },
        definitions: { systemQuestion: { required: ['questionId', 'answer'] }, userQuestion: { required: ['customQuestion', 'answer'] } },
      },
    });

    const terms = await registration().post({
      token: kba.body.token,
      input: {
        kba: [
          { questionId: '1', answer: 'Élan Vert' },
          { customQuestion: 'The name of my first cat?', answer: 'Tom' },
        ],
      },
    });
    expect(terms.body).toMatchObject({
      type: 'termsAndConditions',
      tag: 'initial',
      requirements: {
        required: ['accept'],
        properties: { accept: { description: 'Accept', type: 'string' } },
        terms: expect.stringContaining('terms of use'),
      },
    });
    const done = await registration().post({ token: terms.body.token, input: { accept: 'true' } });
    expect(done.body).toEqual({ type: 'selfRegistration', tag: 'end', status: { success: true }, additions: {} });

    const query = (await (
      await fetch(`${server.url}/openidm/managed/user?_queryFilter=${encodeURIComponent('userName eq "newcomer"')}`, {
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
      })
    ).json()) as {
      result: Record<string, unknown>[];
    };
    const user = query.result[0] as Record<string, unknown>;
    expect(user).toMatchObject({ userName: 'newcomer', mail: 'newcomer@example.com', givenName: 'Nia', sn: 'Comer', accountStatus: 'active' });
    expect(user.roles).toBeUndefined(); // only the configured attributes are taken from a registrant
    const kbaInfo = JSON.stringify(user.kbaInfo);
    expect(kbaInfo).toContain('"algorithm":"ARGON2ID"');
    for (const plaintext of ['"Tom"', '"tom"', 'Élan', 'élan']) expect(kbaInfo).not.toContain(plaintext);
    expect(user.kbaInfo).toEqual([
      { questionId: '1', answer: { type: 'salted-hash', value: { algorithm: 'ARGON2ID', data: expect.stringMatching(/^\$argon2id\$/) } } },
      { customQuestion: 'The name of my first cat?', answer: { type: 'salted-hash', value: expect.any(Object) } },
    ]);
    expect(asSuccess(await amLogin(server.amUrl, 'newcomer', PASSWORD)).getSessionToken()).toBeDefined();
  });

  /** A reset up to the KBA questions. */
  async function toQuestions(): Promise<Reply> {
    const count = smtp.received.length;
    const first = await reset().post({ input: {} });
    await reset().post({ token: first.body.token, input: { queryFilter: 'userName eq "newcomer"' } });
    const link = linkIn(await mailTo(smtp, 'newcomer@example.com', count + 1));
    return reset().post({ token: link.token, input: { code: link.code } });
  }
  const answersFor = (questions: Reply, color: string, cat: string): Record<string, string> => {
    const props = (questions.body.requirements as { properties: Record<string, { systemQuestion?: unknown; userQuestion?: string }> }).properties;
    return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, v.userQuestion ? cat : color]));
  };

  it("asks the stored questions in IDM's shape; a wrong answer is refused, a normalised right one passes", async () => {
    const questions = await toQuestions();
    expect(questions.body).toMatchObject({ type: 'kbaSecurityAnswerVerificationStage', tag: 'initial' });
    const requirements = questions.body.requirements as Record<string, unknown>;
    expect(requirements).toMatchObject({ description: 'Answer security questions', required: ['answer1', 'answer2'] });
    expect(Object.values(requirements.properties as object)).toEqual(
      expect.arrayContaining([
        {
          systemQuestion: { en: "What's your favorite color?", en_GB: "What's your favourite colour?", fr: 'Quelle est votre couleur préférée ?' },
          type: 'string',
        },
        { userQuestion: 'The name of my first cat?', type: 'string' },
      ]),
    );
    const wrong = await reset().post({ token: questions.body.token, input: answersFor(questions, 'élan vert', 'Garfield') });
    expect(wrong).toEqual({ status: 400, body: { code: 400, reason: 'Bad Request', message: 'Answers are not matched' } });

    // Another case, decomposed accents and extra spaces: the same answer.
    const again = await toQuestions();
    const right = await reset().post({ token: again.body.token, input: answersFor(again, '  E\u0301LAN   vert ', 'tom') });
    expect(right.body).toMatchObject({ type: 'resetStage', tag: 'initial' });
    const done = await reset().post({ token: right.body.token, input: { password: NEW_PASSWORD } });
    expect(done.body).toMatchObject({ type: 'resetStage', tag: 'end', status: { success: true } });
    expect(asSuccess(await amLogin(server.amUrl, 'newcomer', NEW_PASSWORD)).getSessionToken()).toBeDefined();
  });

  it('counts wrong answers per account in the store: after three, even right answers are refused', async () => {
    for (let i = 0; i < 3; i++) {
      const q = await toQuestions();
      const wrong = await reset().post({ token: q.body.token, input: answersFor(q, 'red', 'Felix') });
      expect(wrong.body.message).toBe('Answers are not matched');
    }
    const q = await toQuestions();
    const locked = await reset().post({ token: q.body.token, input: answersFor(q, 'élan vert', 'tom') });
    expect(locked.body).toMatchObject({ code: 400, message: 'Too many wrong answers to the security questions; try again later.' });
    // Replaying the questions' token (to try again on the same step) is refused: the count stays.
    expect((await reset().post({ token: q.body.token, input: answersFor(q, 'élan vert', 'tom') })).body.message).toBe('Invalid token');
  });

  it('an address that already has an account gets the same answer and no code', async () => {
    const before = audit.length;
    const sent = await registration().post({ input: { mail: 'Newcomer@Example.com' } });
    expect(sent.body).toMatchObject({ type: 'emailValidation', tag: 'validateCode', token: expect.any(String) });
    expect(audit.slice(before).some((l) => l.includes('"selfservice.email.skipped"') && l.includes('"account-exists"'))).toBe(true);
  });

  it('refuses a question answered twice, and terms that were not accepted', async () => {
    const toKba = async (mail: string, userName: string): Promise<Reply> => {
      const count = smtp.received.length;
      await registration().post({ input: { mail } });
      const link = linkIn(await mailTo(smtp, mail, count + 1));
      const details = await registration().post({ token: link.token, input: { code: link.code } });
      return registration().post({ token: details.body.token, input: { user: { userName, givenName: 'Sec', sn: 'Ond', password: PASSWORD } } });
    };
    const kba = await toKba('second@example.com', 'second');
    const same = await registration().post({
      token: kba.body.token,
      input: {
        kba: [
          { questionId: '1', answer: 'a' },
          { questionId: '1', answer: 'b' },
        ],
      },
    });
    expect(same.body).toMatchObject({ code: 400, message: 'Each security question can be answered only once.' });

    const again = await toKba('third@example.com', 'third');
    const terms = await registration().post({
      token: again.body.token,
      input: {
        kba: [
          { questionId: '1', answer: 'a' },
          { questionId: '2', answer: 'b' },
        ],
      },
    });
    const refused = await registration().post({ token: terms.body.token, input: { accept: 'false' } });
    expect(refused.body).toEqual({ code: 400, reason: 'Bad Request', message: 'Must accept terms and conditions' });
  });
});

describe('forgotten username', () => {
  const username = () => selfServiceClient(server.url, 'username');

  it('mails the username and shows it to nobody; an unknown address gets the same answer', async () => {
    await createUser(server.url, ADMIN_TOKEN, {
      userName: 'forgetful',
      mail: 'forgetful@example.com',
      givenName: 'For',
      sn: 'Getful',
      password: PASSWORD,
    });
    const count = smtp.received.length;
    const known = await username().post({ input: { queryFilter: 'mail eq "forgetful@example.com"' } });
    expect(known).toEqual({ status: 200, body: { type: 'retrieveUsername', tag: 'end', status: { success: true }, additions: {} } });
    const mail = parseMail(await mailTo(smtp, 'forgetful@example.com', count + 1));
    expect(mail.subject).toBe('Account Information - username');
    expect(mail.text).toContain('forgetful');
    const unknown = await username().post({ input: { queryFilter: 'mail eq "nobody@example.com"' } });
    expect(unknown).toEqual(known);
  });
});

describe('process files: the legacy switch, a changed file, a process switched off', () => {
  it("restores IDM's 400 and on-screen username; ends tokens when the file changes; 403 when off", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cairn-ss-data-'));
    const legacyUsername = { ...(await shipped('selfservice-username.json')), legacyEnumerationErrors: true };
    const ui = await shipped('ui-configuration.json');
    (ui.configuration as Record<string, unknown>).forgotUsername = true;
    const folder = await selfServiceDir({ 'selfservice-username.json': legacyUsername, 'ui-configuration.json': ui });
    const env = {
      CAIRN_JOURNEYS_DIR: SHIPPED_JOURNEYS,
      CAIRN_SELFSERVICE_DIR: folder,
      CAIRN_DATA_DIR: dataDir,
      CAIRN_ADMIN_TOKEN: ADMIN_TOKEN,
      CAIRN_SMTP_URL: smtp.url,
    };
    let s = await startTestServer(env);
    try {
      await createUser(s.url, ADMIN_TOKEN, { userName: 'legacy', mail: 'legacy@example.com', givenName: 'Leg', sn: 'Acy', password: PASSWORD });
      const u = selfServiceClient(s.url, 'username');
      expect((await u.post({ input: { queryFilter: 'mail eq "nobody@example.com"' } })).body).toEqual({
        code: 400,
        reason: 'Bad Request',
        message: 'Unable to find account',
      });
      expect((await u.post({ input: { queryFilter: 'mail eq "legacy@example.com"' } })).body).toMatchObject({
        tag: 'end',
        additions: { userName: 'legacy' },
      });

      const r = selfServiceClient(s.url, 'reset');
      const token = (await r.post({ input: {} })).body.token;
      await s.close();
      // The same data directory (same keys), the reset process changed: its tokens in flight are refused.
      const changed = await shipped('selfservice-reset.json');
      (changed.snapshotToken as Record<string, unknown>).tokenExpiry = '600';
      await writeFile(join(folder, 'selfservice-reset.json'), JSON.stringify(changed));
      (ui.configuration as Record<string, unknown>).forgotUsername = false;
      await writeFile(join(folder, 'ui-configuration.json'), JSON.stringify(ui));
      s = await startTestServer(env);
      expect((await selfServiceClient(s.url, 'reset').post({ token, input: { queryFilter: 'userName eq "legacy"' } })).body).toEqual({
        code: 400,
        reason: 'Bad Request',
        message: 'Invalid token',
      });
      const off = await selfServiceClient(s.url, 'username').get();
      expect(off).toEqual({ status: 403, body: { code: 403, reason: 'Forbidden', message: 'Access denied' } });
      expect((await selfServiceClient(s.url, 'username').post({ input: {} })).status).toBe(403);
    } finally {
      await s.stop();
      await rm(folder, { recursive: true, force: true });
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
