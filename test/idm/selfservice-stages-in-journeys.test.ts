/**
 * IDM's stage nodes are ordinary node types: a journey built from them (userQuery → emailValidation →
 * resetStage) runs through AM's authenticate API like any journey — a TextInputCallback for the query
 * filter, a suspension whose e-mail (the stage's own texts) carries AM's resume link, a
 * ValidatedCreatePasswordCallback with failed policies, then success — against the real server and a
 * real SMTP peer.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../support/eml.js';
import { asSuccess } from '../support/forgerock-sdk.js';
import { amLogin, createUser, mailTo, SHIPPED_JOURNEYS, SHIPPED_SELFSERVICE } from '../support/selfservice.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';

const PUBLIC_URL = 'https://id.example.test';
const ADMIN_TOKEN = 'stages-in-journeys-admin-token-0123456789ab';
const NEW_PASSWORD = 'a brand new memorable passphrase';

interface Step {
  authId?: string;
  callbacks?: { type: string; output: { name: string; value: unknown }[]; input?: { name: string; value: unknown }[] }[];
  successUrl?: string;
  code?: number;
  message?: string;
}

let smtp: SmtpPeer;
let server: TestServer;
let journeys: string;

beforeAll(async () => {
  smtp = await startSmtpPeer();
  journeys = await mkdtemp(join(tmpdir(), 'cairn-idm-journeys-'));
  await cp(join(SHIPPED_JOURNEYS, 'Login.json'), join(journeys, 'Login.json'));
  // Login runs ProgressiveProfile as its inner journey.
  await cp(join(SHIPPED_JOURNEYS, 'ProgressiveProfile.json'), join(journeys, 'ProgressiveProfile.json'));
  const reset = JSON.parse(await readFile(join(SHIPPED_SELFSERVICE, 'selfservice-reset.json'), 'utf8')) as {
    stageConfigs: Record<string, unknown>[];
  };
  const [, userQuery, emailValidation, resetStage] = reset.stageConfigs as [
    unknown,
    Record<string, unknown>,
    Record<string, unknown>,
    Record<string, unknown>,
  ];
  const config = (stage: Record<string, unknown>) => Object.fromEntries(Object.entries(stage).filter(([k]) => k !== 'name'));
  await writeFile(
    join(journeys, 'IdmStages.json'),
    JSON.stringify({
      _id: 'IdmStages',
      noSession: true,
      entryNodeId: 'Find',
      nodes: {
        Find: { nodeType: 'IdmUserQueryNode', config: config(userQuery), connections: { outcome: 'Mail' } },
        Mail: { nodeType: 'IdmEmailValidationNode', config: config(emailValidation), connections: { outcome: 'Reset' } },
        Reset: { nodeType: 'IdmResetNode', config: config(resetStage), connections: { outcome: 'Success' } },
      },
    }),
  );
  server = await startTestServer({
    CAIRN_JOURNEYS_DIR: journeys,
    CAIRN_SMTP_URL: smtp.url,
    CAIRN_PUBLIC_URL: PUBLIC_URL,
    CAIRN_ADMIN_TOKEN: ADMIN_TOKEN,
  });
});
afterAll(async () => {
  await server?.stop();
  await smtp?.close();
  await rm(journeys, { recursive: true, force: true });
});

async function authenticate(body: unknown, query = 'authIndexType=service&authIndexValue=IdmStages'): Promise<Step> {
  const res = await fetch(`${server.amUrl}/json/realms/root/authenticate?${query}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Accept-API-Version': 'resource=2.0, protocol=1.0' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as Step;
}

const withInput = (step: Step, value: unknown): Step => {
  const copy = structuredClone(step);
  const input = copy.callbacks?.[0]?.input?.[0];
  if (input) input.value = value;
  return copy;
};

describe('IDM stage nodes in an AM journey', () => {
  it('find the account, mail the AM resume link with the stage texts, refuse then set the password', async () => {
    await createUser(server.url, ADMIN_TOKEN, {
      userName: 'amstyle',
      mail: 'amstyle@example.com',
      givenName: 'Am',
      sn: 'Style',
      password: 'an old but decent passphrase',
    });
    const first = await authenticate({});
    expect(first.callbacks?.map((c) => c.type)).toEqual(['TextInputCallback']);
    expect(first.callbacks?.[0]?.output).toEqual([{ name: 'prompt', value: 'filter string to find account' }]);
    const count = smtp.received.length;
    const waiting = await authenticate(withInput(first, 'userName eq "amstyle"'));
    expect(waiting.callbacks?.map((c) => c.type)).toEqual(['SuspendedTextOutputCallback']);

    const mail = parseMail(await mailTo(smtp, 'amstyle@example.com', count + 1));
    expect(mail.subject).toBe('Reset your password');
    const link = /https:\/\/id\.example\.test\/login\/\?suspendedId=[^\s<>&]+[^\s<>]*/.exec(mail.text ?? '')?.[0];
    expect(link, mail.text).toBeDefined();
    const suspendedId = new URL(link as string).searchParams.get('suspendedId');
    const choose = await authenticate({}, `authIndexType=service&authIndexValue=IdmStages&suspendedId=${suspendedId}`);
    expect(choose.callbacks?.map((c) => c.type)).toEqual(['ValidatedCreatePasswordCallback']);

    const refused = await authenticate(withInput(choose, 'abc'));
    const failed = refused.callbacks?.[0]?.output.find((o) => o.name === 'failedPolicies')?.value as string[];
    expect(failed.map((f) => JSON.parse(f).policyRequirement)).toContain('MIN_LENGTH');
    const done = await authenticate(withInput(refused, NEW_PASSWORD));
    expect(done.successUrl).toBeDefined();
    expect(asSuccess(await amLogin(server.amUrl, 'amstyle', NEW_PASSWORD)).getSessionToken()).toBeDefined();
  });

  it("answers a bad query filter with a 400 in AM's shape", async () => {
    const first = await authenticate({});
    const bad = await authenticate(withInput(first, 'userName co "a"'));
    expect(bad).toMatchObject({ code: 400, message: 'Invalid query filter' });
  });
});
