/**
 * emailValidation's e-mails are counted by the journeys' own limits (CAIRN_MAIL_PER_ACCOUNT,
 * CAIRN_MAIL_PER_CLIENT, in the store), against the real server and a real SMTP peer: an account over its
 * budget, and a client address over its budget, get the same answer and no e-mail; the per-client count is
 * one for both protocols (AM's ResetPassword journey and IDM's reset spend and see the same budget).
 * Whether a message was queued is read from the mail queue's own counter, never from a pause.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, SHIPPED_JOURNEYS, selfServiceClient, type Reply, type SelfServiceClient } from '../support/selfservice.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';

const ADMIN_TOKEN = 'selfservice-limits-admin-token-0123456789ab';

let smtp: SmtpPeer;
let server: TestServer;
let reset: SelfServiceClient;
let audit: string[];

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const escaped = name.replace(/[{}"]/g, (c) => `\\${c}`);
  return Number(new RegExp(`^${escaped} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
}
const queued = () => metric('cairn_emails{state="queued"}');

/** IDM's reset up to the e-mail: `{"input":{}}`, then the query filter. */
async function idmReset(userName: string): Promise<Reply> {
  const first = await reset.post({ input: {} });
  return reset.post({ token: first.body.token, input: { queryFilter: `userName eq "${userName}"` } });
}

/** AM's shipped ResetPassword journey up to its e-mail, over AM's authenticate endpoint. */
async function amReset(mail: string): Promise<void> {
  const url = `${server.amUrl}/json/realms/root/authenticate?authIndexType=service&authIndexValue=ResetPassword`;
  const headers = { 'Content-Type': 'application/json' };
  const step = (await (await fetch(url, { method: 'POST', headers })).json()) as { callbacks: { input: { value: unknown }[] }[] };
  (step.callbacks[0]?.input[0] as { value: unknown }).value = mail;
  const sent = await fetch(url, { method: 'POST', headers, body: JSON.stringify(step) });
  expect(sent.status).toBe(200);
}

const skipped = (reason: string): number => audit.filter((l) => l.includes('"selfservice.email.skipped"') && l.includes(`"${reason}"`)).length;

beforeAll(async () => {
  smtp = await startSmtpPeer();
  audit = [];
  server = await startTestServer(
    {
      CAIRN_JOURNEYS_DIR: SHIPPED_JOURNEYS,
      CAIRN_SMTP_URL: smtp.url,
      CAIRN_ADMIN_TOKEN: ADMIN_TOKEN,
      CAIRN_MAIL_PER_ACCOUNT: '2',
      CAIRN_MAIL_PER_CLIENT: '5',
    },
    { audit: (line) => void audit.push(line) },
  );
  reset = selfServiceClient(server.url, 'reset');
  for (const name of ['lim1', 'lim2', 'lim3'])
    await createUser(server.url, ADMIN_TOKEN, {
      userName: name,
      mail: `${name}@example.com`,
      givenName: 'L',
      sn: 'M',
      password: 'a decent old passphrase',
    });
});
afterAll(async () => {
  await server?.stop();
  await smtp?.close();
});

describe("emailValidation on the journeys' e-mail limits", () => {
  it('an account over its budget: the same answer, no e-mail; then a client over its budget, across both protocols', async () => {
    const start = await queued();
    const first = await idmReset('lim1');
    const second = await idmReset('lim1');
    expect(await queued()).toBe(start + 2);
    // The third for the same account (client count 3 of 5): IDM's answer unchanged, nothing queued.
    const third = await idmReset('lim1');
    for (const r of [second, third]) {
      expect(r.status).toBe(200);
      expect({ ...r.body, token: 'T' }).toEqual({ ...first.body, token: 'T' });
      expect(String(r.body.token).length).toBe(String(first.body.token).length);
    }
    expect(await queued()).toBe(start + 2);
    expect(skipped('rate-limited-account')).toBe(1);
    expect(await metric('cairn_rate_limit_hits_total{limit="mail-per-account"}')).toBe(1);

    // AM's journey spends the same client budget (4 of 5), and so does IDM's reset for another account (5 of 5).
    await amReset('lim2@example.com');
    expect(await queued()).toBe(start + 3);
    const fifth = await idmReset('lim3');
    expect(fifth.body).toMatchObject({ type: 'emailValidation', tag: 'validateCode' });
    expect(await queued()).toBe(start + 4);

    // Over the client's budget: IDM's reset gets its usual answer and no e-mail …
    const sixth = await idmReset('lim3');
    expect({ ...sixth.body, token: 'T' }).toEqual({ ...first.body, token: 'T' });
    expect(skipped('rate-limited-client')).toBe(1);
    // … and AM's journey, from the same client, is refused its e-mail by the count IDM's requests made.
    await amReset('lim2@example.com');
    expect(await queued()).toBe(start + 4);
    expect(await metric('cairn_rate_limit_hits_total{limit="mail-per-client"}')).toBe(2);
    await smtp.waitFor(4, 10_000);
  });
});
