// The real Cairn server for browser tests of the hosted pages: the shipped journeys, a real SMTP peer
// on loopback, lmdb in a temp dir, an admin token to create users; plus the steps those tests share
// (a user created through the admin API, the link of the newest e-mail, the same page on this server,
// a click that waits for the authenticate answer it causes) and a check that ui/dist is fresh.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { parseMail } from '../support/eml.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const PUBLIC_URL = 'https://id.example.test';
const ADMIN_TOKEN = 'ui-e2e-admin-token-0123456789abcdefghijklmn';

/** The served pages are ui/dist, built by `node ui/build.mjs` (npm test builds first); refuse stale ones. */
export async function assertUiBuilt(): Promise<void> {
  const built = await stat(join(ROOT, 'ui', 'dist', 'app.js')).catch(() => undefined);
  if (!built) throw new Error('ui/dist/app.js is missing: run `node ui/build.mjs`');
  const sources = [
    ...(await readdir(join(ROOT, 'ui', 'src'), { recursive: true })).map((f) => join(ROOT, 'ui', 'src', f)),
    ...(await readdir(join(ROOT, 'src', 'i18n'))).map((f) => join(ROOT, 'src', 'i18n', f)),
    join(ROOT, 'ui', 'styles.css'),
  ];
  for (const file of sources) {
    if ((await stat(file)).mtimeMs > built.mtimeMs) throw new Error(`ui/dist is older than ${file}: run \`node ui/build.mjs\``);
  }
}

export interface RealServer {
  server: TestServer;
  smtp: SmtpPeer;
  url: string;
  /** Creates a user through the admin API (givenName Barbara, sn Jensen unless given). */
  createUser(user: {
    userName: string;
    mail: string;
    password: string;
    givenName?: string;
    sn?: string;
    accountStatus?: string;
    preferences?: Record<string, boolean>;
  }): Promise<void>;
  /**
   * The link of the first message to `to` with a link among those received after the first `since`
   * (take `smtp.received.length` before the step that sends it), checked to be built from the public URL.
   */
  mailedLink(to: string, since: number): Promise<string>;
  stop(): Promise<void>;
}

export async function startRealServer(env: Record<string, string> = {}): Promise<RealServer> {
  await assertUiBuilt();
  const smtp = await startSmtpPeer();
  const server = await startTestServer({
    CAIRN_JOURNEYS_DIR: join(ROOT, 'journeys'),
    CAIRN_SMTP_URL: smtp.url,
    CAIRN_PUBLIC_URL: PUBLIC_URL,
    CAIRN_ADMIN_TOKEN: ADMIN_TOKEN,
    CAIRN_AUDIT_LOG: 'off',
    ...env,
  });
  return {
    server,
    smtp,
    url: server.url,
    async createUser(user) {
      const res = await fetch(`${server.url}/openidm/managed/user?_action=create`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ givenName: 'Barbara', sn: 'Jensen', ...user }),
      });
      expect(res.status, await res.clone().text()).toBe(201);
    },
    async mailedLink(to, since) {
      const linkIn = (raw: string): string | undefined => /https?:\/\/\S+suspendedId=\S+/.exec(parseMail(raw).text ?? '')?.[0];
      for (let count = since + 1; ; count++) {
        const mails = await smtp.waitFor(count, 10_000);
        const found = mails.slice(since).find((m) => m.to.includes(to) && linkIn(m.raw) !== undefined);
        if (found) {
          const link = linkIn(found.raw) as string;
          expect(link.startsWith(`${PUBLIC_URL}/login/?`), `the link in the e-mail to ${to}: ${link}`).toBe(true);
          return link;
        }
      }
    },
    async stop() {
      await server.stop();
      await smtp.close();
    },
  };
}

/** The same page on this server: the public URL is not reachable from the test. */
export function localPath(link: string): string {
  const url = new URL(link);
  return `${url.pathname}${url.search}${url.hash}`;
}

/** Clicks `button` and waits for the authenticate answer it causes; returns its status. */
export async function submitAndWait(page: Page, button: string): Promise<number> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/json/realms/root/authenticate') && r.request().method() === 'POST'),
    page.getByRole('button', { name: button, exact: true }).click(),
  ]);
  return response.status();
}
