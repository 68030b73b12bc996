/**
 * A real Cairn server for OAuth tests: the shipped journeys, a clients file, a fixed port so the
 * public URL (and so the issuer) is the address the test reaches, an admin token to create users,
 * and a journey login over plain HTTP (the shipped Login: username + password page).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StartOptions } from '../../src/server/start.js';
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

export async function startOAuthServer(
  clients: unknown[],
  env: Record<string, string> = {},
  options: StartOptions = {},
  host = '127.0.0.1',
): Promise<OAuthTestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-oauth-'));
  const clientsFile = join(dir, 'clients.json');
  await writeFile(clientsFile, JSON.stringify(clients));
  const port = await freePort();
  const server = await startTestServer(
    {
      PORT: String(port),
      CAIRN_PUBLIC_URL: `http://${host}:${port}`,
      CAIRN_JOURNEYS_DIR: SHIPPED_JOURNEYS,
      CAIRN_OAUTH_CLIENTS_FILE: clientsFile,
      CAIRN_ADMIN_TOKEN: ADMIN_TOKEN,
      ...env,
    },
    options,
  );
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
        // Preferences chosen, so Login's ProgressiveProfile does not stop the third sign-in to ask for them.
        body: JSON.stringify({
          userName,
          password,
          mail: `${userName}@example.com`,
          givenName: 'Barbara',
          sn: 'Jensen',
          preferences: { marketing: true, updates: true },
          ...extra,
        }),
      });
      if (res.status !== 201) throw new Error(`creating ${userName}: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { _id: string })._id;
    },
    async login(userName, password) {
      return loginOver(url, userName, password);
    },
  };
}

/** Runs the shipped Login journey over HTTP against `url`; returns the session token. */
export async function loginOver(url: string, userName: string, password: string): Promise<string> {
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
}

/** A PKCE pair (RFC 7636 S256). */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface CodeRequest {
  clientId: string;
  redirectUri: string;
  tokenId?: string;
  scope?: string;
  challenge?: string;
  extra?: Record<string, string>;
}

/** An authorize request with the session cookie and prompt=none; the answer as the browser would get it. */
export async function authorize(server: OAuthTestServer, r: CodeRequest): Promise<Response> {
  const q = new URLSearchParams({
    client_id: r.clientId,
    redirect_uri: r.redirectUri,
    response_type: 'code',
    scope: r.scope ?? 'openid profile email',
    state: 'st4te',
    prompt: 'none',
    ...(r.challenge ? { code_challenge: r.challenge, code_challenge_method: 'S256' } : {}),
    ...r.extra,
  });
  return fetch(`${server.issuer}/authorize?${q.toString()}`, {
    redirect: 'manual',
    headers: r.tokenId ? { cookie: `iPlanetDirectoryPro=${r.tokenId}` } : {},
  });
}

/** A code for `r` (a session is required), with the verifier that redeems it. */
export async function codeFor(server: OAuthTestServer, r: Omit<CodeRequest, 'challenge'>): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkce();
  const res = await authorize(server, { ...r, challenge });
  const code = new URL(res.headers.get('location') ?? 'x:/').searchParams.get('code');
  if (!code) throw new Error(`no code: ${res.status} ${res.headers.get('location') ?? ''}`);
  return { code, verifier };
}

/** POSTs a form to a token-family endpoint (`access_token`, `token/revoke`, `introspect`). */
export async function postForm(
  server: OAuthTestServer,
  path: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${server.issuer}/${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
}

export const basic = (id: string, secret: string): Record<string, string> => ({
  Authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
});

export async function userinfo(server: OAuthTestServer, accessToken: string): Promise<number> {
  return (await fetch(`${server.issuer}/userinfo`, { headers: { Authorization: `Bearer ${accessToken}` } })).status;
}
