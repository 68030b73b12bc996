/**
 * A realm's own limits (CAIRN_REALM_LIMITS), counted apart from root's, on the embedded store and on
 * PostgreSQL (managed/alpha_user as objects there; skipped, saying so, without CAIRN_POSTGRES_URI): the
 * same user name in root and alpha, alpha allowed 2 wrong passwords, root 10. alpha's alice spends her
 * budget and is then refused her right password (answered as a wrong one); root's alice, typing the same
 * name from the same address, is not, and signs in after wrong passwords of her own.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
import { asStep, asSuccess, createSdkClient, sdk, type AuthResult, type Sdk } from '../support/forgerock-sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { createTestSchema, postgresUri, type TestSchema } from '../stores/postgres-support.js';

const { CallbackType } = sdk;
const ADMIN_TOKEN = 'realms-limits-admin-token-0123456789abcdefghij';
const PASSWORD = 'the right alpha passphrase';

const stores = [
  { name: 'the embedded store', postgres: false },
  { name: postgresUri ? 'PostgreSQL' : 'PostgreSQL (skipped: set CAIRN_POSTGRES_URI)', postgres: true },
];

describe.each(stores)('realm limits on $name', ({ postgres }) => {
  let dataDir: string;
  let schema: TestSchema | undefined;
  let server: TestServer;
  const skip = postgres && !postgresUri;

  beforeAll(async () => {
    if (skip) return;
    dataDir = await mkdtemp(join(tmpdir(), 'cairn-realm-limits-'));
    schema = postgres ? await createTestSchema() : undefined;
    server = await startTestServer({
      CAIRN_REALMS: 'alpha',
      CAIRN_REALM_LIMITS: 'alpha.loginAttempts=2',
      CAIRN_LOGIN_ATTEMPTS: '10',
      CAIRN_DATA_DIR: dataDir,
      CAIRN_JOURNEYS_DIR: join(ROOT, 'journeys'),
      CAIRN_ADMIN_TOKEN: ADMIN_TOKEN,
      ...(schema ? { CAIRN_POSTGRES_URI: schema.uri } : {}),
    });
    for (const resource of ['alpha_user', 'user']) {
      const res = await fetch(`${server.url}/openidm/managed/${resource}?_action=create`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          userName: 'alice',
          mail: 'alice@example.com',
          givenName: 'Alice',
          sn: resource === 'user' ? 'Rootson' : 'Alphason',
          password: PASSWORD,
          preferences: { updates: false, marketing: false },
        }),
      });
      expect(res.status, await res.clone().text()).toBe(201);
    }
  }, 60_000);

  afterAll(async () => {
    if (skip) return;
    await server?.stop();
    await schema?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function login(realmPath: string, password: string): Promise<AuthResult> {
    const c = createSdkClient({ baseUrl: server.amUrl, realmPath, tree: 'Login' });
    const page = asStep(await c.start());
    page.getCallbackOfType<Sdk.NameCallback>(CallbackType.NameCallback).setName('alice');
    page.getCallbackOfType<Sdk.PasswordCallback>(CallbackType.PasswordCallback).setPassword(password);
    return c.next(page);
  }

  it.skipIf(skip)('keeps alpha people in managed/alpha_user, apart from root people of the same name', async () => {
    const res = await fetch(`${server.url}/openidm/managed/alpha_user?_queryFilter=${encodeURIComponent('userName eq "alice"')}&_fields=sn`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(((await res.json()) as { result: { sn: string }[] }).result.map((u) => u.sn)).toEqual(['Alphason']);
    expect(asSuccess(await login('alpha', PASSWORD)).getRealm()).toBe('/alpha');
  });

  it.skipIf(skip)("spends alpha's own budget of 2 wrong passwords, and never root's", { timeout: 60_000 }, async () => {
    for (let i = 0; i < 2; i++) expect(asStep(await login('alpha', `wrong ${i}`)).getHeader()).toBe('Sign in');
    // The budget is spent: the right password is refused unevaluated, answered as a wrong one.
    expect(asStep(await login('alpha', PASSWORD)).getHeader()).toBe('Sign in');
    // root's alice, same name, same address: her budget is root's (10), untouched by alpha's.
    for (let i = 0; i < 2; i++) expect(asStep(await login('root', `wrong ${i}`)).getHeader()).toBe('Sign in');
    expect(asSuccess(await login('root', PASSWORD)).getRealm()).toBe('/');
    // and alpha's stays spent.
    expect(asStep(await login('alpha', PASSWORD)).getHeader()).toBe('Sign in');
  });
});
