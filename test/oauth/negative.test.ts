/**
 * What the OAuth endpoints refuse, each in OAuth's error shape: a redirect URI that is not
 * registered, a replayed (or concurrently double-spent) code, a wrong PKCE verifier or none, an
 * expired code, another client's code, refresh token or access token, a reused refresh token, an
 * unregistered post-logout redirect, a forged id_token_hint, CORS from an origin that is not listed;
 * and the session's end (logout, password reset) revoking what was issued in it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADMIN_TOKEN, authorize, basic, codeFor, pkce, postForm, startOAuthServer, userinfo, type OAuthTestServer } from '../support/oauth.js';

const SPA = 'https://spa.example.test/cb';
const OTHER = 'https://other.example.test/cb';
const RS_SECRET = 'resource-server-secret-0123456789abcdef';
const APP_ORIGIN = 'https://spa.example.test';
const PASSWORD = 'correct horse battery staple';

let server: OAuthTestServer;
let userId: string;

beforeAll(async () => {
  server = await startOAuthServer(
    [
      { client_id: 'spa', token_endpoint_auth_method: 'none', redirect_uris: [SPA], post_logout_redirect_uris: [`${APP_ORIGIN}/bye`] },
      { client_id: 'other', token_endpoint_auth_method: 'none', redirect_uris: [OTHER] },
      { client_id: 'rs', client_secret: RS_SECRET, redirect_uris: ['https://rs.example.test/cb'] },
    ],
    { CAIRN_CORS_ORIGINS: APP_ORIGIN },
  );
  userId = await server.createUser('bjensen', PASSWORD);
});
afterAll(async () => {
  await server?.stop();
});
afterEach(() => {
  vi.useRealTimers();
});

const login = () => server.login('bjensen', PASSWORD);
const redeem = (code: string, verifier: string, clientId = 'spa', redirectUri = SPA) =>
  postForm(server, 'access_token', {
    grant_type: 'authorization_code',
    client_id: clientId,
    code,
    code_verifier: verifier,
    redirect_uri: redirectUri,
  });
async function tokensFor(tokenId: string): Promise<{ access_token: string; refresh_token: string; id_token: string }> {
  const { code, verifier } = await codeFor(server, { clientId: 'spa', redirectUri: SPA, tokenId });
  const res = await redeem(code, verifier);
  expect(res.status).toBe(200);
  return res.body as { access_token: string; refresh_token: string; id_token: string };
}

describe('authorize', () => {
  it('refuses a redirect URI that is not registered, without redirecting anywhere', async () => {
    const tokenId = await login();
    for (const uri of [`${SPA}/evil`, 'https://evil.example.test/cb', `${SPA}?x=1`]) {
      const res = await authorize(server, { clientId: 'spa', redirectUri: uri, tokenId, challenge: pkce().challenge });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.json()).toMatchObject({ error: 'invalid_redirect_uri' });
    }
  });

  it('refuses an unknown client without redirecting', async () => {
    const res = await authorize(server, { clientId: 'nobody', redirectUri: SPA, challenge: pkce().challenge });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('requires PKCE of every client', async () => {
    const res = await authorize(server, { clientId: 'spa', redirectUri: SPA, tokenId: await login() });
    const back = new URL(res.headers.get('location') ?? '');
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('answers prompt=none without a session with the description the SDK falls back on', async () => {
    const res = await authorize(server, { clientId: 'spa', redirectUri: SPA, challenge: pkce().challenge });
    const back = new URL(res.headers.get('location') ?? '');
    expect(`${back.origin}${back.pathname}`).toBe(SPA);
    expect(back.searchParams.get('error')).toBe('login_required');
    expect(back.searchParams.get('error_description')).toContain('User authentication is required');
    expect(back.searchParams.get('state')).toBe('st4te');
  });

  it('sends an interactive request to the hosted page of the journey named by service or acr_values', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ service: 'ForgottenUsername' }, 'ForgottenUsername'],
      [{ acr_values: 'nope ResetPassword' }, 'ResetPassword'],
      [{ acr_values: 'unknown' }, 'Login'],
    ];
    for (const [extra, journey] of cases) {
      const res = await authorize(server, { clientId: 'spa', redirectUri: SPA, challenge: pkce().challenge, extra: { ...extra, prompt: 'login' } });
      expect(res.status).toBe(303);
      const page = new URL(res.headers.get('location') ?? '', server.url);
      expect(page.pathname).toBe('/login/');
      expect(page.searchParams.get('authIndexValue')).toBe(journey);
    }
  });

  it('answers a sub-realm that does not exist in OAuth’s shape', async () => {
    const res = await fetch(`${server.url}/am/oauth2/realms/root/realms/alpha/.well-known/openid-configuration`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
  });
});

describe('the token endpoint', () => {
  it('spends a code once: a replay fails and revokes what the first exchange issued', async () => {
    const { code, verifier } = await codeFor(server, { clientId: 'spa', redirectUri: SPA, tokenId: await login() });
    const first = await redeem(code, verifier);
    expect(first.status).toBe(200);
    expect(await userinfo(server, first.body.access_token as string)).toBe(200);
    const replay = await redeem(code, verifier);
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({ error: 'invalid_grant' });
    expect(await userinfo(server, first.body.access_token as string)).toBe(401);
    const refresh = await postForm(server, 'access_token', {
      grant_type: 'refresh_token',
      client_id: 'spa',
      refresh_token: first.body.refresh_token as string,
    });
    expect(refresh.body).toMatchObject({ error: 'invalid_grant' });
  });

  it('lets exactly one of two concurrent exchanges of a code succeed', async () => {
    const { code, verifier } = await codeFor(server, { clientId: 'spa', redirectUri: SPA, tokenId: await login() });
    const results = await Promise.all([redeem(code, verifier), redeem(code, verifier), redeem(code, verifier)]);
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.body.error === 'invalid_grant')).toHaveLength(2);
  });

  it('refuses a wrong or missing PKCE verifier; the right one still redeems the code', async () => {
    const { code, verifier } = await codeFor(server, { clientId: 'spa', redirectUri: SPA, tokenId: await login() });
    const wrong = await redeem(code, pkce().verifier);
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ error: 'invalid_grant' });
    const missing = await postForm(server, 'access_token', { grant_type: 'authorization_code', client_id: 'spa', code, redirect_uri: SPA });
    expect(missing.body).toMatchObject({ error: 'invalid_grant' });
    expect((await redeem(code, verifier)).status).toBe(200);
  });

  it('refuses a code redeemed with another redirect_uri', async () => {
    const { code, verifier } = await codeFor(server, { clientId: 'spa', redirectUri: SPA, tokenId: await login() });
    const res = await redeem(code, verifier, 'spa', `${SPA}/other`);
    expect(res.body).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses an expired code', async () => {
    const { code, verifier } = await codeFor(server, { clientId: 'spa', redirectUri: SPA, tokenId: await login() });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + (server.settings.oauthCodeSeconds + 30) * 1000);
    const res = await redeem(code, verifier);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_grant' });
  });

  it("refuses another client's code and refresh token", async () => {
    const { code, verifier } = await codeFor(server, { clientId: 'spa', redirectUri: SPA, tokenId: await login() });
    const stolen = await redeem(code, verifier, 'other', OTHER);
    expect(stolen.status).toBe(400);
    expect(stolen.body).toMatchObject({ error: 'invalid_grant' });
    const tokens = await tokensFor(await login());
    const refresh = await postForm(server, 'access_token', { grant_type: 'refresh_token', client_id: 'other', refresh_token: tokens.refresh_token });
    expect(refresh.body).toMatchObject({ error: 'invalid_grant' });
  });

  it('rotates refresh tokens; reusing a spent one revokes the whole family', async () => {
    const tokens = await tokensFor(await login());
    const next = await postForm(server, 'access_token', { grant_type: 'refresh_token', client_id: 'spa', refresh_token: tokens.refresh_token });
    expect(next.status).toBe(200);
    expect(next.body.refresh_token).not.toBe(tokens.refresh_token);
    const reuse = await postForm(server, 'access_token', { grant_type: 'refresh_token', client_id: 'spa', refresh_token: tokens.refresh_token });
    expect(reuse.body).toMatchObject({ error: 'invalid_grant' });
    expect(await userinfo(server, next.body.access_token as string)).toBe(401);
    const after = await postForm(server, 'access_token', {
      grant_type: 'refresh_token',
      client_id: 'spa',
      refresh_token: next.body.refresh_token as string,
    });
    expect(after.body).toMatchObject({ error: 'invalid_grant' });
  });
});

describe("another client's access token", () => {
  it('cannot be revoked by another client, and only a resource server may introspect it', async () => {
    const tokens = await tokensFor(await login());
    const revoked = await postForm(server, 'token/revoke', { client_id: 'other', token: tokens.access_token });
    expect(revoked.status).toBe(200);
    expect(await userinfo(server, tokens.access_token)).toBe(200);
    const byOther = await postForm(server, 'introspect', { client_id: 'other', token: tokens.access_token });
    expect(byOther.body).toEqual({ active: false });
    const byRs = await postForm(server, 'introspect', { token: tokens.access_token }, basic('rs', RS_SECRET));
    expect(byRs.body).toMatchObject({ active: true, client_id: 'spa', sub: userId });
    // Its own client revokes it (the SDK's FRUser.logout does this, without client authentication).
    expect((await postForm(server, 'token/revoke', { client_id: 'spa', token: tokens.access_token })).status).toBe(200);
    expect(await userinfo(server, tokens.access_token)).toBe(401);
  });
});

describe('the end of a session', () => {
  it('sessions?_action=logout revokes the tokens issued in the session', async () => {
    const tokenId = await login();
    const tokens = await tokensFor(tokenId);
    const out = await fetch(`${server.amUrl}/json/realms/root/sessions?_action=logout`, {
      method: 'POST',
      headers: { 'Accept-API-Version': 'resource=3.1, protocol=1.0', cookie: `iPlanetDirectoryPro=${tokenId}`, 'Content-Type': 'application/json' },
    });
    expect(out.status).toBe(200);
    expect(await userinfo(server, tokens.access_token)).toBe(401);
    const refresh = await postForm(server, 'access_token', { grant_type: 'refresh_token', client_id: 'spa', refresh_token: tokens.refresh_token });
    expect(refresh.body).toMatchObject({ error: 'invalid_grant' });
  });

  it('a password reset revokes every token of the account, offline ones included', async () => {
    const id = await server.createUser('resetme', PASSWORD);
    const tokenId = await server.login('resetme', PASSWORD);
    const { code, verifier } = await codeFor(server, { clientId: 'spa', redirectUri: SPA, tokenId, scope: 'openid offline_access' });
    const tokens = (await redeem(code, verifier)).body as { access_token: string; refresh_token: string };
    const changed = await fetch(`${server.url}/openidm/managed/user/${id}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify([{ operation: 'replace', field: '/password', value: 'a completely new passphrase' }]),
    });
    expect(changed.status).toBe(200);
    expect(await userinfo(server, tokens.access_token)).toBe(401);
    const refresh = await postForm(server, 'access_token', { grant_type: 'refresh_token', client_id: 'spa', refresh_token: tokens.refresh_token });
    expect(refresh.body).toMatchObject({ error: 'invalid_grant' });
  });

  it('endSession by fetch ends the session (204); a bad hint or redirect is refused', async () => {
    const tokenId = await login();
    const tokens = await tokensFor(tokenId);
    const bad = await fetch(
      `${server.issuer}/connect/endSession?id_token_hint=${tokens.id_token}&post_logout_redirect_uri=${encodeURIComponent('https://evil.example.test/')}`,
      {
        redirect: 'manual',
        headers: { cookie: `iPlanetDirectoryPro=${tokenId}` },
      },
    );
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_request' });
    const [h, p] = tokens.id_token.split('.');
    const forged = await fetch(`${server.issuer}/connect/endSession?id_token_hint=${h}.${p}.AAAA`, {
      headers: { cookie: `iPlanetDirectoryPro=${tokenId}` },
    });
    expect(forged.status).toBe(400);
    expect(await userinfo(server, tokens.access_token)).toBe(200);

    const ok = await fetch(`${server.issuer}/connect/endSession?id_token_hint=${tokens.id_token}`, {
      headers: { cookie: `iPlanetDirectoryPro=${tokenId}`, Accept: 'application/json', Authorization: `Bearer ${tokens.access_token}` },
    });
    expect(ok.status).toBe(204);
    expect(await userinfo(server, tokens.access_token)).toBe(401);
    const res = await authorize(server, { clientId: 'spa', redirectUri: SPA, tokenId, challenge: pkce().challenge });
    expect(new URL(res.headers.get('location') ?? '').searchParams.get('error')).toBe('login_required');
  });
});

describe('CORS', () => {
  it('answers the listed origin with credentials and Authorization allowed', async () => {
    const pre = await fetch(`${server.issuer}/userinfo`, {
      method: 'OPTIONS',
      headers: { Origin: APP_ORIGIN, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(pre.headers.get('access-control-allow-credentials')).toBe('true');
    expect(pre.headers.get('access-control-allow-headers')).toContain('authorization');
    const tokens = await tokensFor(await login());
    const get = await fetch(`${server.issuer}/userinfo`, { headers: { Origin: APP_ORIGIN, Authorization: `Bearer ${tokens.access_token}` } });
    expect(get.status).toBe(200);
    expect(get.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(get.headers.get('access-control-allow-credentials')).toBe('true');
  });

  it('refuses an origin that is not listed', async () => {
    const evil = 'https://evil.example.test';
    for (const path of ['userinfo', 'token/revoke', 'connect/endSession', 'access_token']) {
      const pre = await fetch(`${server.issuer}/${path}`, {
        method: 'OPTIONS',
        headers: { Origin: evil, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' },
      });
      expect(pre.status, path).toBe(403);
      expect(pre.headers.get('access-control-allow-origin'), path).toBeNull();
    }
    const tokens = await tokensFor(await login());
    const get = await fetch(`${server.issuer}/userinfo`, { headers: { Origin: evil, Authorization: `Bearer ${tokens.access_token}` } });
    expect(get.headers.get('access-control-allow-credentials')).toBeNull();
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
    // A form POST needs no preflight: the token endpoint refuses the origin itself.
    const { code, verifier } = await codeFor(server, { clientId: 'spa', redirectUri: SPA, tokenId: await login() });
    const token = await postForm(
      server,
      'access_token',
      { grant_type: 'authorization_code', client_id: 'spa', code, code_verifier: verifier, redirect_uri: SPA },
      { Origin: evil },
    );
    expect(token.status).toBe(400);
    expect(token.body).toMatchObject({ error: 'invalid_request' });
    expect(token.headers.get('access-control-allow-origin')).toBeNull();
    const authn = await fetch(`${server.amUrl}/json/realms/root/authenticate`, {
      method: 'OPTIONS',
      headers: { Origin: evil, 'Access-Control-Request-Method': 'POST' },
    });
    expect(authn.status).toBe(403);
  });
});
