/**
 * Social sign-in end to end (issue 17), against a real OpenID provider on loopback (a second
 * oidc-provider): an AIC-style frodo export of a SocialLogin journey — Select Identity Provider in a
 * Page Node, Social Provider Handler, Create Object for a first visit — with its two Groovy profile
 * scripts and its `socialIdentityProviders` record (client secret included) is imported into realm
 * alpha by the real command line, which writes the provider without its secret. Then the official
 * SDK in Chromium, on another site, signs in: SelectIdPCallback → RedirectCallback → FRAuth.redirect
 * → the provider → FRAuth.resume(location.href) with code and state. The first visit creates the
 * account and links it (`aliasList`), the second signs into the same account; the hosted pages do
 * the same. Over plain HTTP: a wrong state, a replayed code, an ID token the provider signed for
 * another client, and linking by e-mail only when the provider says it is verified.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppOrigin, type AppOrigin } from '../support/app-origin.js';
import { ROOT } from '../support/cli.js';
import { freePort } from '../support/oauth.js';
import { startTestIdp, type TestIdp } from '../support/oidc-idp.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { hasChromium, launchBrowser, waitForHeading } from '../ui/browser-helpers.js';

const run = promisify(execFile);
const ADMIN_TOKEN = 'social-admin-token-0123456789abcdefghijklmnop';
const CLIENT_SECRET = 'acme-client-secret-not-in-any-file';
const NORMALIZE_ID = '0c9a4f2e-7a0b-4d0e-9d6f-0a1b2c3d4e01';
const TO_USER_ID = '0c9a4f2e-7a0b-4d0e-9d6f-0a1b2c3d4e02';
const IDS = {
  page: '6a1f6a0e-0000-4000-8000-000000000001',
  select: '6a1f6a0e-0000-4000-8000-000000000002',
  social: '6a1f6a0e-0000-4000-8000-000000000003',
  create: '6a1f6a0e-0000-4000-8000-000000000004',
  count: '6a1f6a0e-0000-4000-8000-000000000005',
};
const SUCCESS = '70e691a5-1e33-4ac3-a356-e7b6d60d92e0';
const FAILURE = 'e301438c-0bd0-429c-ab0c-66126501069a';

// AIC's stock normalisation for OpenID Connect providers, and "Normalized Profile to Managed User", in Groovy.
const NORMALIZE = `import static org.forgerock.json.JsonValue.field
import static org.forgerock.json.JsonValue.json
import static org.forgerock.json.JsonValue.object

return json(object(
        field("id", rawProfile.sub),
        field("displayName", rawProfile.name),
        field("givenName", rawProfile.given_name),
        field("familyName", rawProfile.family_name),
        field("email", rawProfile.email),
        field("username", rawProfile.email)))`;
const TO_USER = `import static org.forgerock.json.JsonValue.field
import static org.forgerock.json.JsonValue.json
import static org.forgerock.json.JsonValue.object
import org.forgerock.json.JsonValue

JsonValue managedUser = json(object(
        field("givenName", normalizedProfile.givenName),
        field("sn", normalizedProfile.familyName),
        field("mail", normalizedProfile.email),
        field("userName", normalizedProfile.username)))

return managedUser`;

const script = (id: string, name: string, body: string) => ({
  _id: id,
  name,
  description: name,
  language: 'GROOVY',
  context: 'SOCIAL_IDP_PROFILE_TRANSFORMATION',
  evaluatorVersion: '1.0',
  default: false,
  createdBy: 'null',
  creationDate: 0,
  lastModifiedBy: 'null',
  lastModifiedDate: 0,
  script: body.split('\n'),
});

/** The journey as frodo exports it from an AIC tenant's alpha realm (one `*.journey.json`). */
function aicExport(idp: TestIdp, redirectURI: string, linkByVerifiedEmail: boolean): unknown {
  const type = (id: string, name: string) => ({ _id: id, name, collection: true });
  return {
    meta: { exportTool: 'frodo', exportToolVersion: 'v2.1.2', origin: 'https://openam-example.forgeblocks.com/am', originAmVersion: '7.6.0' },
    trees: {
      SocialLogin: {
        tree: {
          _id: 'SocialLogin',
          _rev: '-1',
          identityResource: 'managed/alpha_user',
          uiConfig: { categories: '["Social"]' },
          entryNodeId: IDS.page,
          innerTreeOnly: false,
          enabled: true,
          nodes: {
            [IDS.page]: {
              connections: { socialAuthentication: IDS.social, localAuthentication: FAILURE },
              displayName: 'Page Node',
              nodeType: 'PageNode',
              x: 100,
              y: 50,
            },
            [IDS.social]: {
              connections: { ACCOUNT_EXISTS: IDS.count, NO_ACCOUNT: IDS.create },
              displayName: 'Social Provider Handler Node',
              nodeType: 'SocialProviderHandlerNode',
              x: 300,
              y: 50,
            },
            [IDS.create]: { connections: { CREATED: SUCCESS, FAILURE }, displayName: 'Create Object', nodeType: 'CreateObjectNode', x: 500, y: 150 },
            [IDS.count]: {
              connections: { outcome: SUCCESS },
              displayName: 'Increment Login Count',
              nodeType: 'IncrementLoginCountNode',
              x: 500,
              y: 20,
            },
          },
          staticNodes: { startNode: { x: 20, y: 20 }, [SUCCESS]: { x: 700, y: 20 }, [FAILURE]: { x: 700, y: 200 } },
        },
        nodes: {
          [IDS.page]: {
            _id: IDS.page,
            _type: type('PageNode', 'Page Node'),
            nodes: [{ _id: IDS.select, nodeType: 'SelectIdPNode', displayName: 'Select Identity Provider' }],
            pageDescription: {},
            pageHeader: { en: 'Sign in' },
          },
          [IDS.social]: {
            _id: IDS.social,
            _type: type('SocialProviderHandlerNode', 'Social Provider Handler Node'),
            script: TO_USER_ID,
            usernameAttribute: 'userName',
            clientType: 'BROWSER',
            ...(linkByVerifiedEmail ? { linkByVerifiedEmail: true } : {}),
          },
          [IDS.create]: { _id: IDS.create, _type: type('CreateObjectNode', 'Create Object'), identityResource: 'managed/alpha_user' },
          [IDS.count]: { _id: IDS.count, _type: type('IncrementLoginCountNode', 'Increment Login Count'), identityAttribute: 'userName' },
        },
        innerNodes: {
          [IDS.select]: {
            _id: IDS.select,
            _type: type('SelectIdPNode', 'Select Identity Provider'),
            includeLocalAuthentication: true,
            offerOnlyExisting: false,
            passwordAttribute: 'password',
            identityAttribute: 'mail',
            filteredProviders: [],
          },
        },
        scripts: {
          [NORMALIZE_ID]: script(NORMALIZE_ID, 'Acme Profile Normalization', NORMALIZE),
          [TO_USER_ID]: script(TO_USER_ID, 'Normalized Profile to Managed User', TO_USER),
        },
        emailTemplates: {},
        socialIdentityProviders: {
          acme: {
            _id: 'acme',
            _type: type('oidcConfig', 'Client configuration for providers that implement the OpenID Connect specification.'),
            enabled: true,
            clientId: 'cairn-app',
            clientSecret: CLIENT_SECRET,
            wellKnownEndpoint: idp.wellKnown,
            redirectURI,
            scopeDelimiter: ' ',
            scopes: ['openid', 'profile', 'email'],
            transform: NORMALIZE_ID,
            uiConfig: { buttonDisplayName: 'Acme', buttonImage: '', iconBackground: '#4184f3' },
            authenticationIdKey: 'sub',
            clientAuthenticationMethod: 'CLIENT_SECRET_POST',
            pkceMethod: 'S256',
            jwtEncryptionAlgorithm: 'NONE',
            userInfoResponseType: 'JSON',
            issuerComparisonCheckType: 'EXACT',
            acrValues: [],
          },
        },
        themes: [],
        saml2Entities: {},
        circlesOfTrust: {},
      },
    },
  };
}

let idp: TestIdp;
let swapper: Swapper;

interface Swapper {
  wellKnown: string;
  /** The ID token the next token response carries instead of its own. */
  idToken?: string;
  close(): Promise<void>;
}

/** A front for the provider whose token endpoint hands back another ID token (a token for another client). */
async function startTokenSwapper(target: TestIdp): Promise<Swapper> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const swapper: Swapper = { wellKnown: `${base}/.well-known/openid-configuration`, close: () => new Promise((r) => server.close(() => r())) };
  server.on('request', (req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length'].includes(k))) as Record<
        string,
        string
      >;
      const upstream = await fetch(`${target.issuer}${req.url ?? '/'}`, {
        method: req.method ?? 'GET',
        headers,
        ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
      });
      let body = await upstream.text();
      if (req.url?.startsWith('/.well-known/')) body = JSON.stringify({ ...JSON.parse(body), token_endpoint: `${base}/token` });
      if (req.url === '/token' && swapper.idToken) body = JSON.stringify({ ...JSON.parse(body), id_token: swapper.idToken });
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      res.end(body);
    })().catch(() => {
      res.statusCode = 502;
      res.end();
    });
  });
  return swapper;
}
let app: AppOrigin;
let server: TestServer;
let journeysDir: string;
let exportDir: string;
let browser: Browser | undefined;
const CALLBACK = '/social.html';
/** The server's log lines (a node's failure is logged with its reason, never sent to the client). */
const logs: string[] = [];

async function admin(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.url}/openidm${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
  });
}

async function alphaUsers(): Promise<{ _id: string; userName: string; mail: string; aliasList?: string[] }[]> {
  const res = await admin('/managed/alpha_user?_queryFilter=true&_fields=userName,mail,aliasList');
  return ((await res.json()) as { result: { _id: string; userName: string; mail: string; aliasList?: string[] }[] }).result;
}

const AUTH = () => `${server.amUrl}/json/realms/root/realms/alpha/authenticate?authIndexType=service&authIndexValue=SocialLogin`;
type Step = { authId: string; callbacks: { type: string; output: { name: string; value: unknown }[]; input?: { name: string; value: unknown }[] }[] };

async function post(url: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Accept-API-Version': 'resource=2.1, protocol=1.0' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** To the provider and back, as a browser would (cookies kept, redirects followed) until the redirect URI. */
async function throughProvider(url: string): Promise<URL> {
  const cookies = new Map<string, string>();
  let next = url;
  for (let i = 0; i < 10; i++) {
    const res = await fetch(next, { redirect: 'manual', headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const c of res.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const location = res.headers.get('location');
    if (!location) throw new Error(`the provider answered ${res.status} without a redirect`);
    const target = new URL(location, next);
    if (target.href.startsWith(`${app.origin}${CALLBACK}`)) return target;
    next = target.href;
  }
  throw new Error('too many redirects');
}

/** The journey over HTTP up to the RedirectCallback: its step and the provider URL. */
async function toProvider(provider = 'acme'): Promise<{ step: Step; redirectUrl: string }> {
  const first = (await post(AUTH())).json as unknown as Step;
  expect(first.callbacks.map((c) => c.type)).toEqual(['SelectIdPCallback']);
  (first.callbacks[0]?.input?.[0] as { value: unknown }).value = provider;
  const second = (await post(AUTH(), first)).json as unknown as Step;
  expect(second.callbacks.map((c) => c.type)).toEqual(['RedirectCallback']);
  const redirectUrl = String(second.callbacks[0]?.output.find((o) => o.name === 'redirectUrl')?.value);
  return { step: second, redirectUrl };
}

const back = (step: Step, params: URLSearchParams) =>
  post(`${AUTH()}&code=${encodeURIComponent(params.get('code') ?? '')}&state=${encodeURIComponent(params.get('state') ?? '')}`, step);

beforeAll(async () => {
  app = await startAppOrigin('localhost');
  const port = await freePort();
  const hostedPage = `http://127.0.0.1:${port}/login/`;
  idp = await startTestIdp({ clientId: 'cairn-app', clientSecret: CLIENT_SECRET, redirectUris: [`${app.origin}${CALLBACK}`, hostedPage] }, [
    { clientId: 'other-app', clientSecret: 'other-app-secret', redirectUris: [`${app.origin}${CALLBACK}`] },
  ]);
  swapper = await startTokenSwapper(idp);
  idp.accounts.set('jane', {
    sub: 'jane-0001',
    email: 'jane@example.com',
    email_verified: true,
    given_name: 'Jane',
    family_name: 'Doe',
    name: 'Jane Doe',
  });
  idp.accounts.set('bob', { sub: 'bob-0002', email: 'bob@example.com', email_verified: false, given_name: 'Bob', family_name: 'Smith' });
  idp.accounts.set('carol', { sub: 'carol-0003', email: 'carol@example.com', email_verified: true, given_name: 'Carol', family_name: 'King' });

  // Root keeps the shipped journeys; the export is imported into realm alpha by the real command line.
  journeysDir = await mkdtemp(join(tmpdir(), 'cairn-social-'));
  for (const f of (await readdir(join(ROOT, 'journeys'))).filter((n) => n.endsWith('.json')))
    await cp(join(ROOT, 'journeys', f), join(journeysDir, f));
  exportDir = await mkdtemp(join(tmpdir(), 'cairn-social-export-'));
  const exportFile = join(exportDir, 'SocialLogin.journey.json');
  await writeFile(exportFile, JSON.stringify(aicExport(idp, `${app.origin}${CALLBACK}`, true)));
  const env = { ...process.env, CAIRN_REALMS: 'alpha', CAIRN_JOURNEYS_DIR: journeysDir, CAIRN_LOG_LEVEL: 'silent' };
  const imported = await run('node', [join(ROOT, 'bin', 'cairn.js'), 'journeys', 'import', '--realm', 'alpha', exportFile], { cwd: ROOT, env });
  expect(imported.stdout).toContain('SocialLogin');
  expect(imported.stdout).toMatch(/SocialLogin\s+imported, runs/);
  expect(imported.stdout).toContain('its client secret was left out: set CAIRN_SOCIAL_CLIENT_SECRETS=acme=<secret>');

  // A second provider record for the same provider, coming back to Cairn's hosted page.
  const providers = join(journeysDir, 'realms', 'alpha', 'social-providers');
  const acme = JSON.parse(await readFile(join(providers, 'acme.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(
    join(providers, 'acmepage.json'),
    JSON.stringify({ ...acme, _id: 'acmepage', redirectURI: hostedPage, uiConfig: { buttonDisplayName: 'Acme (hosted page)' } }),
  );
  // The same provider seen through a token endpoint that answers with another client's ID token.
  await writeFile(join(providers, 'mixup.json'), JSON.stringify({ ...acme, _id: 'mixup', wellKnownEndpoint: swapper.wellKnown }));
  server = await startTestServer(
    {
      PORT: String(port),
      CAIRN_PUBLIC_URL: `http://127.0.0.1:${port}`,
      CAIRN_REALMS: 'alpha',
      CAIRN_JOURNEYS_DIR: journeysDir,
      CAIRN_SOCIAL_CLIENT_SECRETS: `acme=${CLIENT_SECRET},acmepage=${CLIENT_SECRET},mixup=${CLIENT_SECRET}`,
      CAIRN_CORS_ORIGINS: app.origin,
      CAIRN_ADMIN_TOKEN: ADMIN_TOKEN,
    },
    { log: (line) => logs.push(line) },
  );
  app.page(
    CALLBACK,
    `<!doctype html><title>social app</title><script src="/sdk.js"></script><script>
    forgerock.Config.set({ serverConfig: { baseUrl: '${server.amUrl}/', timeout: 5000 }, realmPath: 'alpha', tree: 'SocialLogin' });
    const q = new URLSearchParams(location.search);
    window.done = (async () => {
      if (q.get('code')) {
        const r = await forgerock.FRAuth.resume(location.href);
        return { type: r.type, token: r.getSessionToken ? r.getSessionToken() : undefined, realm: r.getRealm ? r.getRealm() : undefined };
      }
      let step = await forgerock.FRAuth.next();
      const select = step.getCallbackOfType('SelectIdPCallback');
      localStorage.setItem('offered', JSON.stringify(select.getProviders().map((p) => p.provider)));
      select.setProvider('acme');
      step = await forgerock.FRAuth.next(step);
      forgerock.FRAuth.redirect(step);
      return new Promise(() => {});
    })().catch((e) => ({ error: String(e) }));
    </script>`,
  );
  if (hasChromium()) browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await swapper?.close();
  await idp?.close();
  await app?.close();
  if (journeysDir) await rm(journeysDir, { recursive: true, force: true });
  if (exportDir) await rm(exportDir, { recursive: true, force: true });
});

describe('social sign-in', () => {
  it('imports the provider without its secret, beside the journey of realm alpha', async () => {
    const dir = join(journeysDir, 'realms', 'alpha');
    const provider = JSON.parse(await readFile(join(dir, 'social-providers', 'acme.json'), 'utf8')) as Record<string, unknown>;
    expect(provider).toMatchObject({ _id: 'acme', clientId: 'cairn-app', wellKnownEndpoint: idp.wellKnown, transform: NORMALIZE_ID });
    expect(provider).not.toHaveProperty('clientSecret');
    const journey = JSON.parse(await readFile(join(dir, 'SocialLogin.json'), 'utf8')) as { identityResource: string };
    expect(journey.identityResource).toBe('managed/alpha_user'); // kept as exported
    expect(JSON.stringify(await readdir(dir, { recursive: true }))).not.toContain(CLIENT_SECRET);
    for (const f of await readdir(dir, { recursive: true })) {
      if (f.endsWith('.json') || f.endsWith('.groovy')) expect(await readFile(join(dir, f), 'utf8')).not.toContain(CLIENT_SECRET);
    }
  });

  it.runIf(hasChromium())(
    'first visit creates and links the account; the second signs into the same one (SDK in Chromium)',
    { timeout: 60_000 },
    async () => {
      idp.signInAs = 'jane';
      const visit = async () => {
        const context = await (browser as Browser).newContext();
        context.setDefaultTimeout(20_000);
        const page = await context.newPage();
        await page.goto(`${app.origin}${CALLBACK}`);
        await page.waitForURL(/social\.html\?code=/);
        await page.waitForFunction(() => (globalThis as unknown as { done?: unknown }).done !== undefined);
        const result = (await page.evaluate(() => (globalThis as unknown as { done: Promise<unknown> }).done)) as {
          type: string;
          token?: string;
          realm?: string;
          error?: string;
        };
        const offered = await page.evaluate(() =>
          (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem('offered'),
        );
        await context.close();
        return { ...result, offered };
      };
      const first = await visit();
      expect(first).toMatchObject({ type: 'LoginSuccess', realm: '/alpha' });
      expect(JSON.parse(String(first.offered))).toEqual(['acme', 'acmepage', 'mixup', 'localAuthentication']);
      const created = (await alphaUsers()).filter((u) => u.mail === 'jane@example.com');
      expect(created).toHaveLength(1);
      expect(created[0]).toMatchObject({ userName: 'jane@example.com', aliasList: ['acme-jane-0001'] });

      const second = await visit();
      expect(second).toMatchObject({ type: 'LoginSuccess', realm: '/alpha' });
      const who = await fetch(`${server.amUrl}/json/realms/root/realms/alpha/users?_action=idFromSession`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Accept-API-Version': 'resource=2.1', 'iPlanetDirectoryPro-alpha': String(second.token) },
      });
      expect(((await who.json()) as { id: string }).id).toBe(created[0]?._id);
      expect((await alphaUsers()).filter((u) => u.mail === 'jane@example.com')).toHaveLength(1);
    },
  );

  it.runIf(hasChromium())('signs in through the hosted pages too: choose the provider, go there, come back', { timeout: 60_000 }, async () => {
    idp.accounts.set('dave', { sub: 'dave-0005', email: 'dave@example.com', email_verified: true, given_name: 'Dave', family_name: 'Jones' });
    idp.signInAs = 'dave';
    const context = await (browser as Browser).newContext();
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    await page.goto(`${server.url}/login/?realm=/alpha&authIndexType=service&authIndexValue=SocialLogin`);
    await page.getByLabel('Acme (hosted page)').check();
    expect(await page.getByLabel('My account here (user name and password)').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await waitForHeading(page, 'All done');
    expect(new URL(page.url()).hash).toBe('#/success');
    expect(new URL(page.url()).searchParams.get('realm')).toBe('/alpha');
    expect(new URL(page.url()).searchParams.has('code')).toBe(false); // the code leaves the address bar
    await context.close();
    expect((await alphaUsers()).find((u) => u.mail === 'dave@example.com')).toMatchObject({ aliasList: ['acmepage-dave-0005'] });
  });

  it('refuses a wrong state, and a code used twice', async () => {
    idp.signInAs = 'carol';
    const a = await toProvider();
    const params = (await throughProvider(a.redirectUrl)).searchParams;
    const wrong = new URLSearchParams(params);
    wrong.set('state', 'not-the-state-this-journey-sent');
    const refused = await back(a.step, wrong);
    expect(refused.status).toBe(401);
    expect(refused.json).toMatchObject({ code: 401, reason: 'Unauthorized' });
    expect(logs.join('\n')).toMatch(/Signing in with acme failed: .*state/);
    expect((await alphaUsers()).some((u) => u.mail === 'carol@example.com')).toBe(false);

    // The same step again, with its own state: it signs in once; the code posted again is refused.
    const b = await toProvider();
    const good = (await throughProvider(b.redirectUrl)).searchParams;
    expect((await back(b.step, good)).json).toMatchObject({ realm: '/alpha' });
    // The same step posted again is refused before the node runs (the step is single-use).
    const before = logs.length;
    const replay = await back(b.step, good);
    expect(replay.status).toBe(401);
    expect(logs.slice(before).join('\n')).not.toMatch(/Signing in with acme/);
    expect(logs.join('\n')).not.toContain(CLIENT_SECRET);
    expect((await alphaUsers()).filter((u) => u.mail === 'carol@example.com')).toHaveLength(1);
  });

  it('refuses an ID token issued to another client, though signed by the provider', async () => {
    idp.signInAs = 'carol';
    const a = await toProvider('mixup');
    const nonce = new URL(a.redirectUrl).searchParams.get('nonce') as string;
    // The same person signs in to another client of the provider, with the same nonce.
    const verifier = randomBytes(32).toString('base64url');
    const other = new URL(`${idp.issuer}/auth`);
    for (const [k, v] of Object.entries({
      client_id: 'other-app',
      redirect_uri: `${app.origin}${CALLBACK}`,
      response_type: 'code',
      scope: 'openid email',
      state: 'other-state',
      nonce,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }))
      other.searchParams.set(k, v);
    const code = (await throughProvider(other.href)).searchParams.get('code') as string;
    const token = (await (
      await fetch(`${idp.issuer}/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: `${app.origin}${CALLBACK}`,
          code_verifier: verifier,
          client_id: 'other-app',
          client_secret: 'other-app-secret',
        }).toString(),
      })
    ).json()) as { id_token: string };
    expect(JSON.parse(Buffer.from(token.id_token.split('.')[1] as string, 'base64url').toString())).toMatchObject({ aud: 'other-app', nonce });
    swapper.idToken = token.id_token;
    const refused = await back(a.step, (await throughProvider(a.redirectUrl)).searchParams);
    delete swapper.idToken;
    expect(refused.status).toBe(401);
    expect(logs.at(-1)).toMatch(/Signing in with mixup failed: .*aud/);
  });

  it('links an existing account by e-mail only when the provider says it is verified', async () => {
    for (const [userName, mail] of [
      ['bob', 'bob@example.com'],
      ['carla', 'carla@example.com'],
    ]) {
      const res = await admin('/managed/alpha_user?_action=create', {
        method: 'POST',
        body: JSON.stringify({ userName, mail, givenName: 'X', sn: 'Y', password: 'a long enough passphrase' }),
      });
      expect(res.status).toBe(201);
    }
    // bob's provider account has an unverified e-mail: not linked to the bob@example.com account.
    idp.signInAs = 'bob';
    const b = await toProvider();
    const unverified = await back(b.step, (await throughProvider(b.redirectUrl)).searchParams);
    expect(unverified.status).toBe(401); // a new account cannot take bob@example.com either
    expect((await alphaUsers()).find((u) => u.userName === 'bob')?.aliasList ?? []).toEqual([]);

    // A verified one is linked to the account with that mail, and signs into it.
    idp.accounts.set('carla', { sub: 'carla-0004', email: 'carla@example.com', email_verified: true, given_name: 'Carla' });
    idp.signInAs = 'carla';
    const c = await toProvider();
    const linked = await back(c.step, (await throughProvider(c.redirectUrl)).searchParams);
    expect(linked.json).toMatchObject({ realm: '/alpha' });
    expect((await alphaUsers()).find((u) => u.userName === 'carla')?.aliasList).toEqual(['acme-carla-0004']);
  });
});
