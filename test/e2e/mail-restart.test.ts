/**
 * Graceful shutdown keeps unsent mail: a reset requested while the SMTP server is down is spooled
 * to the store when the server stops, and sent by the next server started on the same data, whose
 * link still works once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseMail } from '../support/eml.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { deadPort, startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';

const JOURNEYS = join(import.meta.dirname, '..', '..', 'journeys');
const ADMIN_TOKEN = 'restart-admin-token-0123456789abcdefghijklmn';
let smtp: SmtpPeer | undefined;
let second: TestServer | undefined;
let dataDir: string;

afterAll(async () => {
  await second?.stop();
  await smtp?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('unsent mail across a restart', () => {
  it('spools mail the SMTP server could not take and sends it after the restart', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cairn-restart-'));
    const env = { CAIRN_JOURNEYS_DIR: JOURNEYS, CAIRN_DATA_DIR: dataDir, CAIRN_ADMIN_TOKEN: ADMIN_TOKEN };
    const first = await startTestServer({ ...env, CAIRN_SMTP_URL: `smtp://127.0.0.1:${await deadPort()}` });
    const created = await fetch(`${first.url}/openidm/managed/user?_action=create`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ userName: 'later', mail: 'later@example.com', givenName: 'Lena', sn: 'Ater', password: 'a perfectly fine passphrase' }),
    });
    expect(created.status).toBe(201);
    const url = `${first.amUrl}/json/realms/root/authenticate?authIndexType=service&authIndexValue=ResetPassword`;
    const step = (await (await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' } })).json()) as {
      callbacks: { input: { value: unknown }[] }[];
    };
    (step.callbacks[0]?.input[0] as { value: unknown }).value = 'later@example.com';
    expect((await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(step) })).status).toBe(200);
    await first.close(); // graceful: the unsent message goes to the store

    smtp = await startSmtpPeer();
    second = await startTestServer({ ...env, CAIRN_SMTP_URL: smtp.url });
    const [mail] = await smtp.waitFor(1, 15_000);
    expect(mail?.to).toEqual(['later@example.com']);
    const link = /https?:\/\/\S+suspendedId=\S+/.exec(parseMail((mail as { raw: string }).raw).text ?? '')?.[0] as string;
    const resume = await fetch(`${second.amUrl}/json/realms/root/authenticate${new URL(link).search}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(resume.status).toBe(200);
    expect(((await resume.json()) as { callbacks: { type: string }[] }).callbacks[0]?.type).toBe('ValidatedCreatePasswordCallback');
  });
});
