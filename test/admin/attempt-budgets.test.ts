/**
 * Failed administrator sign-ins are limited like end users' (issue 18), over real HTTP: the
 * administrators' journey (X-OpenAM-Username / -Password, as frodo sends them) and the /openidm
 * admin API's X-OpenIDM headers spend the same per-account budget of the administrator, and the
 * same per-address budget as end users' sign-ins (src/identity/login-guard.ts), so a guesser cannot
 * get more tries by switching between the two APIs, between administrator names, or between
 * administrators and end users. The budgets are small here so that the figures are exact.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

const REPO = join(import.meta.dirname, '..', '..');
const ADMIN = { user: 'amadmin', password: 'Quartz-Harbor-Lantern-31' };
const ALICE = { user: 'alice', password: 'Tumbleweed-Orchard-42' };
const TOKEN = 'operator-token-0123456789abcdefghijklmnop';
const PER_ACCOUNT = 3;
const PER_ADDRESS = 6;
/** A callback as the test fills it in (every callback of these pages has an input). */
type Callback = { type: string; input: { name: string; value: unknown }[] };

let server: TestServer;
const audit: Record<string, unknown>[] = [];

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(`${server.amUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Accept-API-Version': 'protocol=1.0,resource=2.1', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/** An administrator's sign-in as frodo makes it: one POST with the credentials in headers. */
const adminSignIn = (user: string, password: string) =>
  post('/json/realms/root/authenticate', {}, { 'X-OpenAM-Username': user, 'X-OpenAM-Password': password });

/** The /openidm admin API with X-OpenIDM credentials. */
const idmAs = (user: string, password: string) =>
  fetch(`${server.url}/openidm/managed/user?_queryFilter=true`, { headers: { 'X-OpenIDM-Username': user, 'X-OpenIDM-Password': password } });

/** An end user's one try on the shipped Login journey: its name and password page, filled in and sent. */
async function userSignIn(user: string, password: string): Promise<{ status: number; json: any }> {
  const path = '/json/realms/root/authenticate?authIndexType=service&authIndexValue=Login';
  const page = await post(path, {});
  expect(page.status).toBe(200);
  for (const cb of page.json.callbacks as Callback[]) {
    if (cb.type === 'NameCallback') cb.input[0]!.value = user;
    if (cb.type === 'PasswordCallback') cb.input[0]!.value = password;
  }
  return post(path, page.json);
}

const events = (name: string, resource: string) => audit.filter((e) => e.event === name && e.resource === resource);

beforeAll(async () => {
  server = await startTestServer(
    {
      CAIRN_JOURNEYS_DIR: join(REPO, 'journeys'),
      CAIRN_ADMIN_USERNAME: ADMIN.user,
      CAIRN_ADMIN_PASSWORD: ADMIN.password,
      CAIRN_ADMIN_TOKEN: TOKEN,
      CAIRN_LOGIN_ATTEMPTS: String(PER_ACCOUNT),
      CAIRN_LOGIN_ATTEMPTS_PER_CLIENT: String(PER_ADDRESS),
      CAIRN_AUDIT_LOG: 'stdout',
    },
    { audit: (line) => audit.push(JSON.parse(line) as Record<string, unknown>) },
  );
  // Alice is created with the operator's token, so that no administrator password is checked (or remembered) first.
  const created = await fetch(`${server.url}/openidm/managed/user?_action=create`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ userName: ALICE.user, mail: 'alice@example.com', givenName: 'Alice', sn: 'Liddell', password: ALICE.password }),
  });
  expect(created.status).toBe(201);
}, 120_000);

afterAll(() => server?.stop());

describe('failed administrator sign-ins', () => {
  it('spend the administrator’s own budget, on the AM journey and the /openidm API alike, then the address’s shared with end users', async () => {
    // The administrator's budget for clients it never signed in from: PER_ACCOUNT wrong guesses.
    for (let i = 0; i < PER_ACCOUNT; i++) {
      const wrong = await adminSignIn(ADMIN.user, `wrong-${i}`);
      expect(wrong.status).toBe(401);
      expect(wrong.json).toMatchObject({ code: 401, reason: 'Unauthorized', message: 'Login failure' });
    }
    expect(events('login.failed', 'internal/admin')).toHaveLength(PER_ACCOUNT);
    // Spent: the right password is no longer evaluated, on either API, and the answer is the same as a wrong one's.
    const right = await adminSignIn(ADMIN.user, ADMIN.password);
    expect(right.status).toBe(401);
    expect(right.json).toMatchObject({ code: 401, message: 'Login failure' });
    expect((await idmAs(ADMIN.user, ADMIN.password)).status).toBe(401);
    expect(events('login.throttled', 'internal/admin')).toHaveLength(2);
    expect(events('login.throttled', 'internal/admin').every((e) => e.trust === 'none')).toBe(true);

    // Another administrator name from the same address: its own account budget, but the address's is
    // shared (PER_ACCOUNT failures and 2 refusals so far, this one makes PER_ADDRESS).
    expect((await adminSignIn('ghost', 'guess-1')).status).toBe(401);
    expect(events('login.failed', 'internal/admin').at(-1)).toMatchObject({ reason: 'no-account' });

    // The address's budget is the one end users' sign-ins spend too: Alice, who never signed in from
    // here, is refused with her right password, and the refusal is the same answer as a wrong password's.
    // (Login's Retry Limit asks again, as after a wrong password; no session is made.)
    const alice = await userSignIn(ALICE.user, ALICE.password);
    expect(alice.json.tokenId).toBeUndefined();
    expect(alice.json.callbacks?.map((c: Callback) => c.type)).toEqual(expect.arrayContaining(['NameCallback', 'PasswordCallback']));
    expect(events('login.throttled', 'managed/user')).toHaveLength(1);
    expect(events('login.failed', 'managed/user')).toHaveLength(0);

    // Nothing signed an administrator in: no session carries a role, no config endpoint answers.
    const trees = await fetch(`${server.amUrl}/json/realms/root/realm-config/authentication/authenticationtrees/trees?_queryFilter=true`, {
      headers: { 'Accept-API-Version': 'protocol=2.1,resource=1.0' },
    });
    expect(trees.status).toBe(401);
  }, 120_000);
});
