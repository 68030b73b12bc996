/**
 * OAuth 2.0 / OIDC in a realm (issue 17): `{base}/oauth2/realms/root/realms/alpha/…` is alpha's own
 * provider — its issuer in discovery and ID tokens, its people (managed/alpha_user), its sessions
 * (alpha's cookie; a root session there is no session) and its hosted sign-in page (`?realm=/alpha`).
 */
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, pkce, startOAuthServer, type OAuthTestServer } from '../support/oauth.js';

const PASSWORD = 'a decent alpha passphrase';
const REDIRECT = 'http://app.example.test/callback';
let server: OAuthTestServer;
let alphaIssuer: string;
let aliceId: string;

async function createUser(resource: string, userName: string): Promise<string> {
  const res = await fetch(`${server.url}/openidm/managed/${resource}?_action=create`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ userName, password: PASSWORD, mail: `${userName}@example.com`, givenName: 'Alice', sn: 'Liddell' }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { _id: string })._id;
}

async function login(realmPath: string, userName: string): Promise<string> {
  const endpoint = `${server.amUrl}/json/${realmPath}/authenticate?authIndexType=service&authIndexValue=Login`;
  const headers = { 'Content-Type': 'application/json', 'Accept-API-Version': 'resource=2.1, protocol=1.0' };
  const first = (await (await fetch(endpoint, { method: 'POST', headers })).json()) as { callbacks: { type: string; input: { value: unknown }[] }[] };
  for (const cb of first.callbacks) (cb.input[0] as { value: unknown }).value = /Password/.test(cb.type) ? PASSWORD : userName;
  const body = (await (await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify(first) })).json()) as { tokenId: string };
  return body.tokenId;
}

function authorize(cookie: string, challenge: string, prompt?: string): Promise<Response> {
  const q = new URLSearchParams({
    client_id: 'alpha-app',
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid profile email',
    state: 'st4te',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...(prompt ? { prompt } : {}),
  });
  return fetch(`${alphaIssuer}/authorize?${q.toString()}`, { redirect: 'manual', headers: { cookie } });
}

beforeAll(async () => {
  server = await startOAuthServer([{ client_id: 'alpha-app', token_endpoint_auth_method: 'none', redirect_uris: [REDIRECT] }], {
    CAIRN_REALMS: 'alpha',
  });
  alphaIssuer = `${server.amUrl}/oauth2/realms/root/realms/alpha`;
  aliceId = await createUser('alpha_user', 'alice');
  await createUser('user', 'rooty');
}, 60_000);
afterAll(async () => server?.stop());

describe('OAuth in realm alpha', () => {
  it("publishes alpha's own issuer", async () => {
    const doc = (await (await fetch(`${alphaIssuer}/.well-known/openid-configuration`)).json()) as Record<string, string>;
    expect(doc.issuer).toBe(alphaIssuer);
    expect(doc.authorization_endpoint).toBe(`${alphaIssuer}/authorize`);
    const root = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as Record<string, string>;
    expect(root.issuer).toBe(server.issuer);
    const beta = await fetch(`${server.amUrl}/oauth2/realms/root/realms/beta/.well-known/openid-configuration`);
    expect([beta.status, ((await beta.json()) as { error_description: string }).error_description]).toEqual([404, 'Invalid realm, /beta']);
  });

  it("issues a code for an alpha session, and tokens naming alpha's issuer and alice (openid-client)", async () => {
    const token = await login('realms/root/realms/alpha', 'alice');
    const { verifier, challenge } = pkce();
    const res = await authorize(`iPlanetDirectoryPro-alpha=${token}`, challenge);
    const location = new URL(res.headers.get('location') ?? 'x:/');
    expect(location.searchParams.get('code')).toBeTruthy();
    const config = await oidc.discovery(new URL(alphaIssuer), 'alpha-app', undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    const tokens = await oidc.authorizationCodeGrant(config, location, { pkceCodeVerifier: verifier, expectedState: 'st4te' });
    expect(tokens.claims()).toMatchObject({ iss: alphaIssuer, sub: aliceId, aud: 'alpha-app' });
    const info = await oidc.fetchUserInfo(config, tokens.access_token, aliceId);
    expect(info).toMatchObject({ sub: aliceId, preferred_username: 'alice', email: 'alice@example.com' });
  });

  it("sends a person without an alpha session to alpha's hosted sign-in page; a root session is none there", async () => {
    const rootToken = await login('realms/root', 'rooty');
    const { challenge } = pkce();
    for (const cookie of [`iPlanetDirectoryPro-alpha=${rootToken}`, `iPlanetDirectoryPro=${rootToken}`]) {
      const none = await authorize(cookie, challenge, 'none');
      expect(new URL(none.headers.get('location') ?? 'x:/').searchParams.get('error')).toBe('login_required');
    }
    const res = await authorize('', challenge);
    const next = new URL(res.headers.get('location') ?? '', alphaIssuer);
    expect(next.pathname).toBe('/login/');
    expect(next.searchParams.get('realm')).toBe('/alpha');
    expect(next.searchParams.get('goto')).toMatch(/^\/am\/oauth2\/realms\/root\/realms\/alpha\/authorize\//);
  });
});
