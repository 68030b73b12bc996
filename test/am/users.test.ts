/**
 * AM's users endpoint as far as a signed-in person needs it (the hosted success page): the session's
 * own id and profile, in AM's shape, nobody else's; AM's answers without a session.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TOKEN = 'users-endpoint-admin-token-0123456789abcdef';
const HEADERS = { 'Content-Type': 'application/json', 'Accept-API-Version': 'resource=2.0, protocol=1.0' };
let server: TestServer;
let cookie: string;

const createUser = (user: Record<string, string>) =>
  fetch(`${server.url}/openidm/managed/user?_action=create`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(user),
  });

beforeAll(async () => {
  server = await startTestServer({ CAIRN_JOURNEYS_DIR: join(ROOT, 'journeys'), CAIRN_ADMIN_TOKEN: TOKEN });
  expect(
    (
      await createUser({
        userName: 'bjensen',
        mail: 'bjensen@example.com',
        givenName: 'Barbara',
        sn: 'Jensen',
        password: 'a long memorable passphrase',
      })
    ).status,
  ).toBe(201);
  expect((await createUser({ userName: 'other', mail: 'other@example.com', password: 'a second memorable passphrase' })).status).toBe(201);
  const url = `${server.amUrl}/json/realms/root/authenticate?authIndexType=service&authIndexValue=Login`;
  const step = (await (await fetch(url, { method: 'POST', headers: HEADERS, body: '{}' })).json()) as {
    callbacks: { input: { value: unknown }[] }[];
  };
  step.callbacks[0]!.input[0]!.value = 'bjensen';
  step.callbacks[1]!.input[0]!.value = 'a long memorable passphrase';
  const done = await fetch(url, { method: 'POST', headers: HEADERS, body: JSON.stringify(step) });
  expect(done.status).toBe(200);
  cookie = (done.headers.get('set-cookie') ?? '').split(';')[0] as string;
});
afterAll(async () => {
  await server?.stop();
});

describe('AM users endpoint', () => {
  it('names the session’s user (idFromSession) and reads their own profile in AM’s shape', async () => {
    const id = await fetch(`${server.amUrl}/json/realms/root/users?_action=idFromSession`, {
      method: 'POST',
      headers: { ...HEADERS, Cookie: cookie },
    });
    expect(id.status).toBe(200);
    const { id: userId, realm } = (await id.json()) as { id: string; realm: string };
    expect(realm).toBe('/');
    // By the id idFromSession gives (the managed object's _id, as AIC answers) or by the user name.
    const byId = await fetch(`${server.amUrl}/json/realms/root/users/${encodeURIComponent(userId)}`, { headers: { Cookie: cookie } });
    expect(byId.status).toBe(200);
    const profile = await fetch(`${server.amUrl}/json/users/bjensen`, { headers: { Cookie: cookie } });
    expect(profile.status).toBe(200);
    const body = (await profile.json()) as Record<string, unknown>;
    expect(body).toEqual({
      username: 'bjensen',
      realm: '/',
      uid: ['bjensen'],
      givenName: ['Barbara'],
      sn: ['Jensen'],
      mail: ['bjensen@example.com'],
      cn: ['Barbara Jensen'],
    });
    expect(JSON.stringify(body)).not.toMatch(/password|argon/);
  });

  it('reads nobody else’s profile, and nothing without a session', async () => {
    expect((await fetch(`${server.amUrl}/json/realms/root/users/other`, { headers: { Cookie: cookie } })).status).toBe(403);
    const none = await fetch(`${server.amUrl}/json/realms/root/users/bjensen`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ code: 401, reason: 'Unauthorized', message: 'Access Denied' });
    expect((await fetch(`${server.amUrl}/json/realms/root/users?_action=idFromSession`, { method: 'POST', headers: HEADERS })).status).toBe(401);
    const wrongAction = await fetch(`${server.amUrl}/json/realms/root/users?_action=create`, {
      method: 'POST',
      headers: { ...HEADERS, Cookie: cookie },
      body: '{}',
    });
    expect(wrongAction.status).toBe(400);
    expect((await fetch(`${server.amUrl}/json/realms/root/realms/alpha/users/bjensen`, { headers: { Cookie: cookie } })).status).toBe(400);
    expect(
      (await fetch(`${server.amUrl}/json/realms/root/users/bjensen`, { method: 'DELETE', headers: { ...HEADERS, Cookie: cookie } })).status,
    ).toBe(405);
  });
});
