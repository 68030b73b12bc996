/**
 * ID-token signing keys rotate with the keystore: after the rotation period a new key signs, the JWKS
 * publishes it first and keeps the previous one (so ID tokens signed before still verify) until the
 * retention period has passed.
 */
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RETAIN_FOR_MS, DEFAULT_ROTATE_AFTER_MS } from '../../src/keys/keystore.js';
import { codeFor, postForm, startOAuthServer, type OAuthTestServer } from '../support/oauth.js';

const REDIRECT = 'https://app.example.test/cb';
let server: OAuthTestServer;
let offset = 0;

beforeAll(async () => {
  server = await startOAuthServer(
    [{ client_id: 'app', token_endpoint_auth_method: 'none', redirect_uris: [REDIRECT] }],
    {},
    { now: () => Date.now() + offset },
  );
  await server.createUser('bjensen', 'correct horse battery staple');
});
afterAll(async () => {
  await server?.stop();
});

async function idToken(): Promise<string> {
  const tokenId = await server.login('bjensen', 'correct horse battery staple');
  const { code, verifier } = await codeFor(server, { clientId: 'app', redirectUri: REDIRECT, tokenId });
  const res = await postForm(server, 'access_token', {
    grant_type: 'authorization_code',
    client_id: 'app',
    code,
    code_verifier: verifier,
    redirect_uri: REDIRECT,
  });
  return res.body.id_token as string;
}
const jwks = async (): Promise<{ keys: { kid: string }[] }> =>
  (await fetch(`${server.issuer}/connect/jwk_uri`)).json() as Promise<{ keys: { kid: string }[] }>;
const kidOf = (jwt: string): string => (JSON.parse(Buffer.from(jwt.split('.')[0] ?? '', 'base64url').toString()) as { kid: string }).kid;

describe('ID-token signing keys', () => {
  it('rotate: the new key signs, the old one stays published until it is retired', async () => {
    const before = await idToken();
    const first = await jwks();
    expect(first.keys.map((k) => k.kid)).toEqual([kidOf(before)]);

    offset = DEFAULT_ROTATE_AFTER_MS + 60_000;
    const after = await idToken();
    const second = await jwks();
    expect(kidOf(after)).not.toBe(kidOf(before));
    expect(second.keys.map((k) => k.kid)).toEqual([kidOf(after), kidOf(before)]);
    const set = createLocalJWKSet(second);
    for (const token of [before, after])
      await expect(jwtVerify(token, set, { issuer: server.issuer, audience: 'app', currentDate: new Date() })).resolves.toBeDefined();

    offset = DEFAULT_ROTATE_AFTER_MS + DEFAULT_RETAIN_FOR_MS + 120_000;
    const retired = await jwks();
    expect(retired.keys.map((k) => k.kid)).not.toContain(kidOf(before));
  });
});
