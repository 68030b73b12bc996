/**
 * AM's configuration REST API on a running server (real HTTP on loopback): only an administrator's
 * session gets in (no session: 401, an end user's: 403, on every endpoint); end users' credentials
 * never sign an administrator in (headers or page); a refused write answers each problem with its
 * pointer and changes nothing; a journey in flight finishes on the version it started on; the
 * /openidm admin API takes the same administrator identities. Every change is audited.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

const REPO = join(import.meta.dirname, '..', '..');
const ADMIN = { user: 'amadmin', password: 'Quartz-Harbor-Lantern-31' };
const ALICE = { user: 'alice', password: 'Tumbleweed-Orchard-42' };
const TREES = '/json/realms/root/realm-config/authentication/authenticationtrees/trees';
const NODES = '/json/realms/root/realm-config/authentication/authenticationtrees/nodes';
/** A callback as the tests fill it in (every callback these journeys send has an input). */
type Callback = { type: string; input: { name: string; value: unknown }[] };

let server: TestServer;
const audit: string[] = [];

interface Answer {
  status: number;
  json: any;
}

async function call(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { 'Accept-API-Version': 'protocol=2.1,resource=1.0', ...options.headers };
  if (options.token) headers[server.settings.cookieName] = options.token;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${server.amUrl}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** Starts `journey` and answers its name and password callbacks; the last answer. */
async function signIn(journey: string | undefined, user: string, password: string, headers: Record<string, string> = {}): Promise<Answer> {
  const path = `/json/realms/root/authenticate${journey ? `?authIndexType=service&authIndexValue=${journey}` : ''}`;
  let step = await call('POST', path, { body: {}, headers });
  for (let i = 0; i < 3 && step.status === 200 && step.json.authId; i++) {
    for (const cb of step.json.callbacks as Callback[]) {
      if (cb.type === 'NameCallback' || cb.type === 'ValidatedCreateUsernameCallback') cb.input[0]!.value = user;
      if (cb.type === 'PasswordCallback' || cb.type === 'ValidatedCreatePasswordCallback') cb.input[0]!.value = password;
    }
    step = await call('POST', path, { body: step.json });
  }
  return step;
}

const zpl = (user: string, password: string): Record<string, string> => ({ 'X-OpenAM-Username': user, 'X-OpenAM-Password': password });

let adminToken: string;
let aliceToken: string;

beforeAll(async () => {
  server = await startTestServer(
    {
      CAIRN_JOURNEYS_DIR: join(REPO, 'journeys'),
      CAIRN_ADMIN_USERNAME: ADMIN.user,
      CAIRN_ADMIN_PASSWORD: ADMIN.password,
      CAIRN_AUDIT_LOG: 'stdout',
    },
    { audit: (line) => audit.push(line) },
  );
  await fetch(`${server.url}/openidm/managed/user?_action=create`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-OpenIDM-Username': ADMIN.user, 'X-OpenIDM-Password': ADMIN.password },
    body: JSON.stringify({ userName: ALICE.user, mail: 'alice@example.com', givenName: 'Alice', sn: 'Liddell', password: ALICE.password }),
  }).then((r) => expect(r.status).toBe(201));
  const admin = await call('POST', '/json/realms/root/authenticate', { body: {}, headers: zpl(ADMIN.user, ADMIN.password) });
  expect(admin.status).toBe(200);
  adminToken = admin.json.tokenId;
  const alice = await signIn('Login', ALICE.user, ALICE.password);
  expect(alice.status).toBe(200);
  aliceToken = alice.json.tokenId;
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

const ENDPOINTS: [string, string, unknown?][] = [
  ['GET', `${TREES}?_queryFilter=true`],
  ['GET', `${TREES}/Login`],
  ['PUT', `${TREES}/Evil`, { entryNodeId: 'x', nodes: {} }],
  ['DELETE', `${TREES}/Login`],
  ['POST', `${NODES}?_action=getAllTypes`, {}],
  ['GET', `${NODES}/PageNode/00541b4d-0e93-59ef-8746-dbee0a441e45`],
  ['PUT', `${NODES}/MessageNode/6c8f8e2e-0000-4000-8000-000000000001`, {}],
  ['DELETE', `${NODES}/PageNode/00541b4d-0e93-59ef-8746-dbee0a441e45`],
  ['GET', '/json/realms/root/scripts?_queryFilter=true'],
  [
    'POST',
    '/json/realms/root/scripts?_action=create',
    { name: 'x', language: 'JAVASCRIPT', context: 'AUTHENTICATION_TREE_DECISION_NODE', script: '' },
  ],
  ['GET', '/json/global-config/realms?_queryFilter=true'],
];

describe('who may call the configuration API', () => {
  it('refuses a request without a session (401) and an end user’s session (403), in CREST’s shape, on every endpoint', async () => {
    for (const [method, path, body] of ENDPOINTS) {
      const none = await call(method, path, { body });
      expect(none, `${method} ${path}`).toMatchObject({ status: 401, json: { code: 401, reason: 'Unauthorized' } });
      const user = await call(method, path, { body, token: aliceToken });
      expect(user, `${method} ${path}`).toMatchObject({ status: 403, json: { code: 403, reason: 'Forbidden' } });
    }
    // Nothing was changed by them.
    expect((await call('GET', `${TREES}/Login`, { token: adminToken })).status).toBe(200);
    expect(audit.filter((l) => l.includes('"config.changed"') && l.includes('"by":"admin:'))).toEqual([]);
  });

  it('never signs an end user in as an administrator, by headers or by the administrators’ page', async () => {
    const byHeaders = await call('POST', '/json/realms/root/authenticate', { body: {}, headers: zpl(ALICE.user, ALICE.password) });
    expect(byHeaders.status).toBe(401);
    expect(byHeaders.json).toMatchObject({ code: 401, reason: 'Unauthorized' });
    const byPage = await signIn('AdminLogin', ALICE.user, ALICE.password);
    expect(byPage.status).toBe(401);
    // The administrator signs in by the page too, and its session has the role.
    const admin = await signIn('AdminLogin', ADMIN.user, ADMIN.password);
    expect(admin.status).toBe(200);
    expect((await call('GET', `${TREES}?_queryFilter=true`, { token: admin.json.tokenId })).status).toBe(200);
  });

  it('the administrators’ journey cannot be replaced or deleted, and a stored journey cannot take its name', async () => {
    expect((await call('GET', `${TREES}/AdminLogin`, { token: adminToken })).status).toBe(404);
    const put = await call('PUT', `${TREES}/AdminLogin`, {
      token: adminToken,
      body: { entryNodeId: 'e301438c-0bd0-429c-ab0c-66126501069a', nodes: {} },
    });
    expect(put.status).toBe(400);
    expect(put.json.detail.problems[0]).toMatchObject({ pointer: '/_id' });
  });

  it('`cairn admins` creates and lists administrators; failed sign-ins spend the same attempt budget as end users’', async () => {
    const env = {
      ...process.env,
      CAIRN_DATA_DIR: server.dataDir,
      CAIRN_JOURNEYS_DIR: join(REPO, 'journeys'),
      CAIRN_LOG_LEVEL: 'silent',
      CAIRN_AUDIT_LOG: 'off',
    };
    const cli = (...args: string[]) => promisify(execFile)('node', [join(REPO, 'bin', 'cairn.js'), 'admins', ...args], { cwd: REPO, env });
    expect((await cli('create', 'ops', '--password', 'Meadow-Copper-Falcon-88')).stdout).toMatch(/Created administrator ops \(admin\)/);
    expect((await cli('list')).stdout.split('\n')).toEqual(expect.arrayContaining(['amadmin\tadmin', 'ops\tadmin']));
    await expect(cli('create', 'ops2', '--roles', 'root', '--password', 'Meadow-Copper-Falcon-88')).rejects.toMatchObject({
      stderr: expect.stringMatching(/Unknown role "root"/),
    });
    const attempt = (password: string) => call('POST', '/json/realms/root/authenticate', { body: {}, headers: zpl('ops', password) });
    expect((await attempt('Meadow-Copper-Falcon-88')).status).toBe(200);
    for (let i = 0; i < server.settings.loginAttempts; i++) expect((await attempt(`wrong-${i}`)).status).toBe(401);
    // The budget is spent: even the right password is not evaluated now.
    expect((await attempt('Meadow-Copper-Falcon-88')).status).toBe(401);
    expect(audit.some((l) => l.includes('"login.throttled"') && l.includes('"resource":"internal/admin"'))).toBe(true);
  }, 120_000);

  it('the /openidm admin API takes administrator identities, not end users', async () => {
    const as = (user: string, password: string) =>
      fetch(`${server.url}/openidm/managed/user?_queryFilter=true`, { headers: { 'X-OpenIDM-Username': user, 'X-OpenIDM-Password': password } });
    expect((await as(ADMIN.user, ADMIN.password)).status).toBe(200);
    expect((await as(ALICE.user, ALICE.password)).status).toBe(401);
    const bySession = await fetch(`${server.url}/openidm/managed/user?_queryFilter=true`, { headers: { [server.settings.cookieName]: adminToken } });
    expect(bySession.status).toBe(200);
    const byUserSession = await fetch(`${server.url}/openidm/managed/user?_queryFilter=true`, {
      headers: { [server.settings.cookieName]: aliceToken },
    });
    expect(byUserSession.status).toBe(403);
  });
});

describe('writes', () => {
  it('refuses an invalid tree with located errors and changes nothing', async () => {
    const before = await call('GET', `${TREES}/Login`, { token: adminToken });
    const broken = structuredClone(before.json);
    broken.entryNodeId = '11111111-2222-4333-8444-555555555555';
    const put = await call('PUT', `${TREES}/Login`, { token: adminToken, body: broken });
    expect(put.status).toBe(400);
    expect(put.json).toMatchObject({ code: 400, reason: 'Bad Request' });
    expect(put.json.detail.problems.length).toBeGreaterThan(0);
    for (const p of put.json.detail.problems)
      expect(p).toEqual({ file: expect.any(String), pointer: expect.any(String), message: expect.any(String) });
    expect(put.json.detail.problems.map((p: { pointer: string }) => p.pointer)).toContain('/entryNodeId');
    const after = await call('GET', `${TREES}/Login`, { token: adminToken });
    expect(after.json).toEqual(before.json);
  });

  it('refuses a node config that does not fit its type, naming the setting', async () => {
    const tree = (await call('GET', `${TREES}/Login`, { token: adminToken })).json;
    const retryId = Object.entries(tree.nodes as Record<string, { nodeType: string }>).find(([, n]) => n.nodeType === 'RetryLimitDecisionNode')![0];
    const node = (await call('GET', `${NODES}/RetryLimitDecisionNode/${retryId}`, { token: adminToken })).json;
    const put = await call('PUT', `${NODES}/RetryLimitDecisionNode/${retryId}`, { token: adminToken, body: { ...node, retryLimit: 'many' } });
    expect(put.status).toBe(400);
    expect(put.json.detail.problems.some((p: { pointer: string }) => p.pointer.endsWith('/retryLimit'))).toBe(true);
    expect((await call('GET', `${NODES}/RetryLimitDecisionNode/${retryId}`, { token: adminToken })).json).toEqual(node);
  });

  it('a journey in flight finishes on the version it started on; new ones run the new version; the change is audited', async () => {
    const path = '/json/realms/root/authenticate?authIndexType=service&authIndexValue=Login';
    const first = await call('POST', path, { body: {} });
    expect(first.json.header).toBe('Sign in');
    const tree = (await call('GET', `${TREES}/Login`, { token: adminToken })).json;
    const pageId = tree.entryNodeId as string;
    const page = (await call('GET', `${NODES}/PageNode/${pageId}`, { token: adminToken })).json;
    const put = await call('PUT', `${NODES}/PageNode/${pageId}`, { token: adminToken, body: { ...page, pageHeader: { en: 'Welcome back' } } });
    expect(put.status).toBe(200);
    expect(put.json.pageHeader).toEqual({ en: 'Welcome back' });
    expect((await call('POST', path, { body: {} })).json.header).toBe('Welcome back');
    // The step started before the change goes on, on the old version, to a session.
    for (const cb of first.json.callbacks as Callback[]) cb.input[0]!.value = cb.type === 'NameCallback' ? ALICE.user : ALICE.password;
    const done = await call('POST', path, { body: first.json });
    expect(done.status).toBe(200);
    expect(done.json.tokenId).toEqual(expect.any(String));
    const changed = audit.map((l) => JSON.parse(l)).filter((e) => e.event === 'config.changed' && e.by === `admin:${ADMIN.user}`);
    expect(changed).toEqual([expect.objectContaining({ kind: 'journey', id: 'Login', before: expect.any(String), after: expect.any(String) })]);
  });

  it('scripts: create with a base64 body, read it back, refuse one that does not compile, delete', async () => {
    const body = {
      name: 'Always True',
      language: 'JAVASCRIPT',
      context: 'AUTHENTICATION_TREE_DECISION_NODE',
      script: Buffer.from('outcome = "true";').toString('base64'),
    };
    const created = await call('PUT', '/json/realms/root/scripts/4a1e0c2b-8f3d-4e5a-9b6c-7d8e9f0a1b2c', { token: adminToken, body });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      _id: '4a1e0c2b-8f3d-4e5a-9b6c-7d8e9f0a1b2c',
      name: 'Always True',
      script: body.script,
      _rev: expect.any(String),
    });
    const list = await call('GET', `/json/realms/root/scripts?_queryFilter=${encodeURIComponent('name eq "Always True"')}`, { token: adminToken });
    expect(list.json.result.map((s: { _id: string }) => s._id)).toEqual(['4a1e0c2b-8f3d-4e5a-9b6c-7d8e9f0a1b2c']);
    const bad = await call('PUT', '/json/realms/root/scripts/4a1e0c2b-8f3d-4e5a-9b6c-7d8e9f0a1b2c', {
      token: adminToken,
      body: { ...body, script: Buffer.from('outcome = ;').toString('base64') },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.detail.problems[0].message).toMatch(/does not compile/);
    expect((await call('GET', '/json/realms/root/scripts/4a1e0c2b-8f3d-4e5a-9b6c-7d8e9f0a1b2c', { token: adminToken })).json.script).toBe(
      body.script,
    );
    expect((await call('DELETE', '/json/realms/root/scripts/4a1e0c2b-8f3d-4e5a-9b6c-7d8e9f0a1b2c', { token: adminToken })).status).toBe(200);
    expect((await call('GET', '/json/realms/root/scripts/4a1e0c2b-8f3d-4e5a-9b6c-7d8e9f0a1b2c', { token: adminToken })).status).toBe(404);
  });

  it('e-mail templates in IDM’s config shape: list, write, refuse a bad one naming the field, delete', async () => {
    const idm = (method: string, path: string, body?: unknown) =>
      fetch(`${server.url}/openidm${path}`, {
        method,
        headers: { 'Content-Type': 'application/json', [server.settings.cookieName]: adminToken },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }).then(async (r) => ({ status: r.status, json: (await r.json()) as any }));
    const list = await idm('GET', `/config?_queryFilter=${encodeURIComponent('_id sw "emailTemplate"')}`);
    expect(list.json.result.map((t: { _id: string }) => t._id)).toContain('emailTemplate/resetPassword');
    const template = {
      defaultLocale: 'en',
      enabled: true,
      from: '',
      mimeType: 'text/html',
      subject: { en: 'Hello' },
      message: { en: '<p>Hi {{object.givenName}}</p>' },
    };
    const put = await idm('PUT', '/config/emailTemplate/welcome', template);
    expect(put).toMatchObject({ status: 201, json: { _id: 'emailTemplate/welcome', subject: { en: 'Hello' } } });
    const bad = await idm('PUT', '/config/emailTemplate/welcome', { ...template, from: 'not an address' });
    expect(bad.status).toBe(400);
    expect(bad.json.detail.problems).toEqual([expect.objectContaining({ pointer: '/from' })]);
    expect((await idm('GET', '/config/emailTemplate/welcome')).json.subject).toEqual({ en: 'Hello' });
    expect((await idm('DELETE', '/config/emailTemplate/welcome')).status).toBe(200);
    expect((await idm('GET', '/config/emailTemplate/welcome')).status).toBe(404);
    // An end user's session gets nothing.
    const asAlice = await fetch(`${server.url}/openidm/config/emailTemplate/resetPassword`, {
      headers: { [server.settings.cookieName]: aliceToken },
    });
    expect(asAlice.status).toBe(403);
  });

  it('answers bad JSON and unknown actions in CREST’s shape, never a 500', async () => {
    const res = await fetch(`${server.amUrl}${TREES}/Login`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', [server.settings.cookieName]: adminToken },
      body: '{"nodes":',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      code: 400,
      message: 'The request could not be processed because the provided content is not valid JSON',
    });
    expect((await call('POST', `${NODES}?_action=explode`, { token: adminToken, body: {} })).json).toMatchObject({ code: 400 });
    expect((await call('GET', `${TREES}?_queryFilter=${encodeURIComponent('name eq')}`, { token: adminToken })).json).toMatchObject({ code: 400 });
    expect((await call('GET', `${NODES}/NoSuchNode/x`, { token: adminToken })).status).toBe(404);
  });
});
