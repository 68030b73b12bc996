/**
 * The per-client e-mail limit counts the real client: X-Forwarded-For is believed only when the
 * request comes from a configured trusted proxy, so a client cannot dodge the limit by sending the
 * header itself, and clients behind a proxy do not share one limit.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';

const JOURNEYS = join(import.meta.dirname, '..', '..', 'journeys');
const ADMIN_TOKEN = 'proxy-admin-token-0123456789abcdefghijklmnopq';
const started: { server: TestServer; smtp: SmtpPeer }[] = [];

afterAll(async () => {
  for (const s of started) {
    await s.server.stop();
    await s.smtp.close();
  }
});

async function setUp(env: Record<string, string>) {
  const smtp = await startSmtpPeer();
  const server = await startTestServer({
    CAIRN_JOURNEYS_DIR: JOURNEYS,
    CAIRN_SMTP_URL: smtp.url,
    CAIRN_ADMIN_TOKEN: ADMIN_TOKEN,
    CAIRN_MAIL_PER_CLIENT: '2',
    ...env,
  });
  started.push({ server, smtp });
  for (const n of [1, 2, 3]) {
    const r = await fetch(`${server.url}/openidm/managed/user?_action=create`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ userName: `client${n}`, mail: `client${n}@example.com`, givenName: 'C', sn: 'N' }),
    });
    expect(r.status).toBe(201);
  }
  const reset = async (mail: string, forwardedFor: string) => {
    const url = `${server.amUrl}/json/realms/root/authenticate?authIndexType=service&authIndexValue=ResetPassword`;
    const headers = { 'Content-Type': 'application/json', 'X-Forwarded-For': forwardedFor };
    const step = (await (await fetch(url, { method: 'POST', headers })).json()) as { callbacks: { input: { value: unknown }[] }[] };
    (step.callbacks[0]?.input[0] as { value: unknown }).value = mail;
    expect((await fetch(url, { method: 'POST', headers, body: JSON.stringify(step) })).status).toBe(200);
  };
  return { smtp, reset };
}

const settle = () => new Promise((r) => setTimeout(r, 400));

describe('the client address behind proxies', () => {
  it('believes X-Forwarded-For from a trusted proxy: two clients, two limits', async () => {
    const { smtp, reset } = await setUp({ CAIRN_TRUSTED_PROXIES: '127.0.0.1,::1' });
    await reset('client1@example.com', '203.0.113.1');
    await reset('client2@example.com', '203.0.113.1');
    await reset('client3@example.com', '203.0.113.2'); // another client: its own limit
    await smtp.waitFor(3, 10_000);
    await settle();
    expect(smtp.received).toHaveLength(3);
  });

  it('ignores X-Forwarded-For from anyone else: forging it does not escape the limit', async () => {
    const { smtp, reset } = await setUp({});
    await reset('client1@example.com', '203.0.113.1');
    await reset('client2@example.com', '203.0.113.2');
    await reset('client3@example.com', '203.0.113.3'); // same socket address: over the limit of 2
    await smtp.waitFor(2, 10_000);
    await settle();
    expect(smtp.received).toHaveLength(2);
  });

  it('refuses a setting that is not an address or range', async () => {
    await expect(startTestServer({ CAIRN_TRUSTED_PROXIES: 'proxy.example.com' })).rejects.toThrow(
      /CAIRN_TRUSTED_PROXIES entries must be IP addresses or CIDR ranges/,
    );
  });
});
