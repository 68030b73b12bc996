/**
 * Cairn as the OpenID provider of a plain relying party, driven by openid-client (panva's certified
 * RP library): discovery at AM's location, an interactive authorization code + PKCE login through
 * the hosted journey page's API and back (resume), the token exchange with ID-token validation,
 * userinfo, refresh-token rotation, introspection and RP-initiated logout with a registered
 * post_logout_redirect_uri — after which neither the access token nor the refresh token works.
 */
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOAuthServer, type OAuthTestServer } from '../support/oauth.js';

const SECRET = 'a-confidential-client-secret-0123456789';
const REDIRECT = 'https://rp.example.test/callback';
const AFTER_LOGOUT = 'https://rp.example.test/bye';
const PASSWORD = 'correct horse battery staple';

let server: OAuthTestServer;
let userId: string;

beforeAll(async () => {
  server = await startOAuthServer([
    {
      client_id: 'grafana',
      client_secret: SECRET,
      redirect_uris: [REDIRECT],
      post_logout_redirect_uris: [AFTER_LOGOUT],
      scope: 'openid profile email offline_access',
    },
  ]);
  userId = await server.createUser('bjensen', PASSWORD);
});
afterAll(async () => {
  await server?.stop();
});

const cookieOf = (res: Response, name: string): string | undefined =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0] ?? '')
    .find((c) => c.startsWith(`${name}=`));

describe('openid-client against Cairn', () => {
  it('discovers, logs in with code + PKCE through the hosted page, reads userinfo, refreshes and logs out', async () => {
    const config = await oidc.discovery(new URL(server.issuer), 'grafana', SECRET, undefined, { execute: [oidc.allowInsecureRequests] });
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(server.issuer);
    expect(meta.authorization_endpoint).toBe(`${server.issuer}/authorize`);
    expect(meta.token_endpoint).toBe(`${server.issuer}/access_token`);
    expect(meta.userinfo_endpoint).toBe(`${server.issuer}/userinfo`);
    expect(meta.end_session_endpoint).toBe(`${server.issuer}/connect/endSession`);
    expect(meta.jwks_uri).toBe(`${server.issuer}/connect/jwk_uri`);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);

    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const authorize = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid profile email offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });

    // No session: the browser is sent to the hosted journey page, which will come back to `goto`.
    const first = await fetch(authorize, { redirect: 'manual' });
    expect(first.status).toBe(303);
    const page = new URL(first.headers.get('location') ?? '', server.url);
    expect(page.pathname).toBe('/login/');
    expect(page.searchParams.get('authIndexValue')).toBe('Login');
    const goto = page.searchParams.get('goto') ?? '';
    const resumeCookie = cookieOf(first, 'cairn_oauth_resume');
    expect(resumeCookie).toBeDefined();

    // The journey (what the page drives), then the page follows goto with the new session cookie.
    const tokenId = await server.login('bjensen', PASSWORD);
    const back = await fetch(new URL(goto, server.url), {
      redirect: 'manual',
      headers: { cookie: `${resumeCookie}; iPlanetDirectoryPro=${tokenId}` },
    });
    expect(back.status).toBe(303);
    const again = await fetch(new URL(back.headers.get('location') ?? '', server.url), {
      redirect: 'manual',
      headers: { cookie: `iPlanetDirectoryPro=${tokenId}` },
    });
    expect(again.status).toBe(303);
    const callback = new URL(again.headers.get('location') ?? '');
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT);

    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    const claims = tokens.claims();
    expect(claims?.sub).toBe(userId);
    expect(claims?.iss).toBe(server.issuer);
    expect(claims?.aud).toBe('grafana');
    expect(claims?.acr).toBe('Login');
    expect(claims?.auth_time).toEqual(expect.any(Number));
    expect(tokens.refresh_token).toBeTruthy();

    const info = await oidc.fetchUserInfo(config, tokens.access_token, userId);
    expect(info).toMatchObject({
      sub: userId,
      preferred_username: 'bjensen',
      given_name: 'Barbara',
      family_name: 'Jensen',
      name: 'Barbara Jensen',
      email: 'bjensen@example.com',
    });

    // Refresh: a new pair (rotation; reusing the old refresh token is tested in negative.test.ts).
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(await oidc.fetchUserInfo(config, refreshed.access_token, userId)).toMatchObject({ sub: userId });
    expect(await oidc.tokenIntrospection(config, refreshed.access_token)).toMatchObject({ active: true, sub: userId, client_id: 'grafana' });

    // RP-initiated logout by redirect, with a registered post_logout_redirect_uri and state.
    const logout = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: AFTER_LOGOUT, state: 'bye-state' });
    const out = await fetch(logout, { redirect: 'manual', headers: { cookie: `iPlanetDirectoryPro=${tokenId}` } });
    expect(out.status).toBe(302);
    expect(out.headers.get('location')).toBe(`${AFTER_LOGOUT}?state=bye-state`);
    expect(out.headers.get('set-cookie')).toContain('iPlanetDirectoryPro=;');

    const validate = await fetch(`${server.amUrl}/json/realms/root/sessions?_action=validate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ tokenId }),
    });
    expect(await validate.json()).toEqual({ valid: false });
    await expect(oidc.fetchUserInfo(config, refreshed.access_token, userId)).rejects.toBeDefined();
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await oidc.tokenIntrospection(config, refreshed.access_token)).active).toBe(false);
  });

  it('prompt=login asks the hosted page for a fresh journey and is not satisfied by the old session', async () => {
    const config = await oidc.discovery(new URL(server.issuer), 'grafana', SECRET, undefined, { execute: [oidc.allowInsecureRequests] });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const authorize = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      prompt: 'login',
    });
    const old = await server.login('bjensen', PASSWORD);
    const toPage = async (url: URL | string, session: string): Promise<{ goto: string; resume: string; page: URL }> => {
      const res = await fetch(url, { redirect: 'manual', headers: { cookie: `iPlanetDirectoryPro=${session}` } });
      expect(res.status).toBe(303);
      const page = new URL(res.headers.get('location') ?? '', server.url);
      expect(page.pathname).toBe('/login/');
      return { goto: page.searchParams.get('goto') ?? '', resume: cookieOf(res, 'cairn_oauth_resume') ?? '', page };
    };
    const first = await toPage(authorize, old);
    expect(first.page.searchParams.get('ForceAuth')).toBe('true');
    // Coming back with the session that existed before the request: asked to sign in again.
    const back = await fetch(new URL(first.goto, server.url), {
      redirect: 'manual',
      headers: { cookie: `${first.resume}; iPlanetDirectoryPro=${old}` },
    });
    const second = await toPage(new URL(back.headers.get('location') ?? '', server.url), old);
    // A fresh journey (ForceAuth) makes a new session, which satisfies the request.
    const fresh = await server.login('bjensen', PASSWORD);
    const done = await fetch(new URL(second.goto, server.url), {
      redirect: 'manual',
      headers: { cookie: `${second.resume}; iPlanetDirectoryPro=${fresh}` },
    });
    const code = await fetch(new URL(done.headers.get('location') ?? '', server.url), {
      redirect: 'manual',
      headers: { cookie: `iPlanetDirectoryPro=${fresh}` },
    });
    const callback = new URL(code.headers.get('location') ?? '');
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.claims()?.sub).toBe(userId);
  });

  it('publishes the signing key in the JWKS under the kid the ID token names', async () => {
    const jwks = (await (await fetch(`${server.issuer}/connect/jwk_uri`)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const k of jwks.keys) {
      expect(k).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
      expect(k).not.toHaveProperty('d');
      expect(k).not.toHaveProperty('p');
    }
  });
});
