/**
 * AM's `users?_action=idFromSession` and `serverinfo/*` answers, as the SDKs and admin tools read them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOAuthServer, type OAuthTestServer } from '../support/oauth.js';

let server: OAuthTestServer;
let userId: string;
const headers = { 'Content-Type': 'application/json', 'Accept-API-Version': 'resource=3.0, protocol=1.0' };

beforeAll(async () => {
  server = await startOAuthServer([], { CAIRN_COOKIE_DOMAIN: '127.0.0.1' });
  userId = await server.createUser('bjensen', 'correct horse battery staple');
});
afterAll(async () => {
  await server?.stop();
});

describe('users?_action=idFromSession', () => {
  it("names the session's user, from the cookie or the header", async () => {
    const tokenId = await server.login('bjensen', 'correct horse battery staple');
    const ways: Record<string, string>[] = [{ cookie: `iPlanetDirectoryPro=${tokenId}` }, { iPlanetDirectoryPro: tokenId }];
    for (const auth of ways) {
      const res = await fetch(`${server.amUrl}/json/realms/root/users?_action=idFromSession`, { method: 'POST', headers: { ...headers, ...auth } });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        id: userId,
        realm: '/',
        dn: 'id=bjensen,ou=user,o=root,ou=services,dc=cairn',
        successURL: '/login/#/success',
        fullLoginURL: '/am/UI/Login?realm=%2F',
      });
    }
  });

  it('answers 401 without a session and 400 for another action, in CREST shape', async () => {
    const none = await fetch(`${server.amUrl}/json/users?_action=idFromSession`, { method: 'POST', headers });
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ code: 401, reason: 'Unauthorized', message: 'Access Denied' });
    const other = await fetch(`${server.amUrl}/json/users?_action=delete`, { method: 'POST', headers });
    expect(other.status).toBe(400);
    expect(await other.json()).toMatchObject({ code: 400, reason: 'Bad Request' });
  });
});

describe('serverinfo', () => {
  it('answers *, version and cookieDomains in AM’s shape, realm-less and under the root realm', async () => {
    for (const base of [`${server.amUrl}/json/serverinfo`, `${server.amUrl}/json/realms/root/serverinfo`]) {
      const all = (await (await fetch(`${base}/*`)).json()) as Record<string, unknown>;
      expect(all).toMatchObject({
        _id: '*',
        cookieName: 'iPlanetDirectoryPro',
        domains: ['127.0.0.1'],
        secureCookie: false,
        forgotPassword: 'true',
        forgotUsername: 'true',
        selfRegistration: 'true', // the shipped journeys include Registration
        realm: '/',
        zeroPageLogin: { enabled: false, refererWhitelist: [], allowedWithoutReferer: true },
      });
      const version = (await (await fetch(`${base}/version`)).json()) as Record<string, unknown>;
      expect(version).toMatchObject({ _id: 'version', version: '7.5.0' });
      expect(await (await fetch(`${base}/cookieDomains`)).json()).toMatchObject({ _id: 'cookieDomains', domains: ['127.0.0.1'] });
    }
    const unknown = await fetch(`${server.amUrl}/json/serverinfo/nope`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 404, reason: 'Not Found' });
  });
});
