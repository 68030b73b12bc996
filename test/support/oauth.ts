/**
 * A real Cairn server for OAuth tests: the shipped journeys, a clients file, a fixed port so the
 * public URL (and so the issuer) is the address the test reaches, an admin token to create users,
 * and a journey login over plain HTTP (the shipped Login: username + password page).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from './server.js';

export const ADMIN_TOKEN = 'oauth-tests-admin-token-0123456789abcdefghij';
export const SHIPPED_JOURNEYS = join(import.meta.dirname, '..', '..', 'journeys');

/** A port free right now on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface OAuthTestServer extends TestServer {
  issuer: string;
  createUser(userName: string, password: string, extra?: Record<string, unknown>): Promise<string>;
  /** Runs the Login journey over HTTP; returns the session token (also the cookie value). */
  login(userName: string, password: string): Promise<string>;
}

export async function startOAuthServer(clients: unknown[], env: Record<string, string> = {}, host = '127.0.0.1'): Promise<OAuthTestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-oauth-'));
  const clientsFile = join(dir, 'clients.json');
  await writeFile(clientsFile, JSON.stringify(clients));
  const port = await freePort();
  const server = await startTestServer({
    PORT: String(port),
    CAIRN_PUBLIC_URL: `http://${host}:${port}`,
    CAIRN_JOURNEYS_DIR: SHIPPED_JOURNEYS,
    CAIRN_OAUTH_CLIENTS_FILE: clientsFile,
    CAIRN_ADMIN_TOKEN: ADMIN_TOKEN,
    ...env,
  });
  const url = `http://${host}:${port}`;
  return {
    ...server,
    url,
    amUrl: `${url}/am`,
    issuer: `${url}/am/oauth2`,
    async createUser(userName, password, extra = {}) {
      const res = await fetch(`${url}/openidm/managed/user?_action=create`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ userName, password, mail: `${userName}@example.com`, givenName: 'Barbara', sn: 'Jensen', ...extra }),
      });
      if (res.status !== 201) throw new Error(`creating ${userName}: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { _id: string })._id;
    },
    async login(userName, password) {
      const endpoint = `${url}/am/json/realms/root/authenticate?authIndexType=service&authIndexValue=Login`;
      const headers = { 'Content-Type': 'application/json', 'Accept-API-Version': 'resource=2.1, protocol=1.0' };
      const first = (await (await fetch(endpoint, { method: 'POST', headers })).json()) as {
        authId: string;
        callbacks: { type: string; input: { name: string; value: unknown }[] }[];
      };
      for (const cb of first.callbacks) {
        const input = cb.input[0];
        if (input) input.value = /Password/.test(cb.type) ? password : userName;
      }
      const done = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify(first) });
      const body = (await done.json()) as { tokenId?: string };
      if (!body.tokenId) throw new Error(`login of ${userName} failed: ${done.status} ${JSON.stringify(body)}`);
      return body.tokenId;
    },
  };
}
