/**
 * Issue 11, items 5–8, against the real server over HTTP:
 * 5. deactivating, deleting or changing the password of a user — through the admin API, the command
 *    line or a journey's Account Lockout — ends every session of that user;
 * 6. failed admin API authentications are limited per client address and per administrator name:
 *    429 with Retry-After, unevaluated, audited; correct credentials are never held back;
 * 7. the password hash (and any field of scope "private") cannot be filtered, sorted or selected on;
 * 8. the session cookie is `__Host-` prefixed under https (AM's name selectable), every query page is
 *    capped, the goto allow-list respects path segments, and the per-account e-mail limit counts
 *    across templates.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
import { admin, authUrl, createUser, eventsOf, fill, post, signIn, validSession, type Answer } from '../support/journey-http.js';
import { shippedAndAmJourneys, SHIPPED_JOURNEYS, startTestServer, type TestServer } from '../support/server.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';

const TOKEN = 'admin-attack-token-0123456789abcdefghijklmn';
const ADMIN_PASSWORD = 'the administrator passphrase';
const PASSWORD = 'the correct horse battery staple';
const run = promisify(execFile);

const servers: TestServer[] = [];
const smtps: SmtpPeer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
  for (const p of smtps) await p.close();
});
async function start(env: Record<string, string>, audit?: string[]): Promise<TestServer> {
  const s = await startTestServer(
    { CAIRN_ADMIN_TOKEN: TOKEN, CAIRN_TRUSTED_PROXIES: '127.0.0.1,::1', ...env },
    audit ? { audit: (l) => audit.push(l) } : {},
  );
  servers.push(s);
  return s;
}

describe('5. ending a user ends their sessions', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await start({ CAIRN_JOURNEYS_DIR: await shippedAndAmJourneys() });
  });
  const session = async (user: string): Promise<string> => (await signIn(server, user, PASSWORD)).json.tokenId as string;

  it('when an administrator deactivates, deletes or re-passwords the user', async () => {
    const id = await createUser(server, TOKEN, 'deactivated', PASSWORD);
    const token = await session('deactivated');
    expect(await validSession(server, token)).toBe(true);
    const patched = await admin(server, TOKEN, `/managed/user/${id}`, {
      method: 'PATCH',
      body: [{ operation: 'replace', field: '/accountStatus', value: 'inactive' }],
    });
    expect(patched.status).toBe(200);
    expect(await validSession(server, token)).toBe(false);

    const gone = await createUser(server, TOKEN, 'deleted', PASSWORD);
    const t2 = await session('deleted');
    expect((await admin(server, TOKEN, `/managed/user/${gone}`, { method: 'DELETE' })).status).toBe(200);
    expect(await validSession(server, t2)).toBe(false);

    const replaced = await createUser(server, TOKEN, 'replaced', PASSWORD);
    const t3 = await session('replaced');
    const current = (await admin(server, TOKEN, `/managed/user/${replaced}`)).json;
    const put = await admin(server, TOKEN, `/managed/user/${replaced}`, {
      method: 'PUT',
      body: { ...current, password: 'an administrator chose this one' },
    });
    expect(put.status).toBe(200);
    expect(await validSession(server, t3)).toBe(false);
  });

  it('when the command line sets a new password', async () => {
    await createUser(server, TOKEN, 'viacli', PASSWORD);
    const token = await session('viacli');
    const child = run('node', [join(ROOT, 'bin', 'cairn.js'), 'users', 'set-password', 'viacli', '--password-stdin'], {
      cwd: ROOT,
      env: { ...process.env, CAIRN_DATA_DIR: server.dataDir, CAIRN_AUDIT_LOG: 'off' },
    });
    child.child.stdin?.end('a command line passphrase\n');
    expect((await child).stdout).toMatch(/sessions were ended/);
    expect(await validSession(server, token)).toBe(false);
  });

  it("when an AM journey's Account Lockout locks the account", async () => {
    await createUser(server, TOKEN, 'lockedout', PASSWORD);
    const token = await session('lockedout');
    let step = (await post(authUrl(server, 'LoginWithLockout'))).json;
    for (let i = 0; i < 6; i++) step = (await post(authUrl(server, 'LoginWithLockout'), fill(step, 'lockedout', `wrong ${i}`))).json;
    expect(await validSession(server, token)).toBe(false);
  });
});

describe('6. the admin API limits guessing', () => {
  let server: TestServer;
  const audit: string[] = [];
  beforeAll(async () => {
    server = await start({ CAIRN_JOURNEYS_DIR: SHIPPED_JOURNEYS, CAIRN_ADMIN_PASSWORD: ADMIN_PASSWORD, CAIRN_ADMIN_AUTH_ATTEMPTS: '10' }, audit);
  });
  const withPassword = (password: string, ip: string, user = 'openidm-admin') =>
    admin(server, TOKEN, '/managed/user?_queryFilter=true&_pageSize=1', {
      headers: { Authorization: '', 'X-OpenIDM-Username': user, 'X-OpenIDM-Password': password, 'X-Forwarded-For': ip },
    });

  it('never holds back correct credentials, however many arrive at once (before any guessing)', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, () => withPassword(ADMIN_PASSWORD, '203.0.113.50')));
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(200));
  });
  it('answers 300 wrong passwords from one address with at most 10 evaluated, then 429 with Retry-After, audited', async () => {
    const answers: Answer[] = [];
    for (let batch = 0; batch < 10; batch++) {
      answers.push(...(await Promise.all(Array.from({ length: 30 }, (_, i) => withPassword(`guess ${batch}-${i}`, '198.51.100.66')))));
    }
    expect(answers.filter((a) => a.status === 401).length).toBeLessThanOrEqual(10);
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(290);
    expect(limited[0]?.json).toEqual({ code: 429, reason: 'Too Many Requests', message: 'Too many failed authentications; try again later.' });
    for (const a of limited) expect(Number(a.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited[0]?.headers.get('retry-after'))).toBeLessThanOrEqual(300);
    expect(eventsOf(audit, 'admin.auth.failed').length).toBeLessThanOrEqual(10);
    expect(eventsOf(audit, 'admin.auth.throttled').length).toBe(limited.length);
    // The right password from that address is not even checked now; the bearer token elsewhere works.
    expect((await withPassword(ADMIN_PASSWORD, '198.51.100.66')).status).toBe(429);
    expect(
      (await admin(server, TOKEN, '/managed/user?_queryFilter=true&_pageSize=1', { headers: { 'X-Forwarded-For': '203.0.113.1' } })).status,
    ).toBe(200);
  });

  it('limits guesses at one administrator name from many addresses, not the bearer token', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 15; i++) answers.push(await withPassword(`spray ${i}`, `192.0.2.${i + 1}`, 'spray-admin'));
    expect(answers.map((a) => a.status)).toEqual([...Array(10).fill(401), ...Array(5).fill(429)]);
    expect((await withPassword('anything', '192.0.2.200', 'spray-admin')).status).toBe(429);
    expect(
      (await admin(server, TOKEN, '/managed/user?_queryFilter=true&_pageSize=1', { headers: { 'X-Forwarded-For': '192.0.2.201' } })).status,
    ).toBe(200);
  });
});

describe('7. never-readable fields are never filterable, sortable or selectable', () => {
  let server: TestServer;
  let dataDir: string;
  let id: string;
  beforeAll(async () => {
    // The shipped schema, plus a field of scope "private" (IDM: stored, never returned).
    dataDir = await mkdtemp(join(tmpdir(), 'cairn-private-'));
    const schema = JSON.parse(await readFile(join(ROOT, 'config', 'managed.json'), 'utf8'));
    schema.objects[0].schema.properties.pin = { type: 'string', scope: 'private', viewable: false };
    await writeFile(join(dataDir, 'managed.json'), JSON.stringify(schema));
    server = await startTestServer({
      CAIRN_ADMIN_TOKEN: TOKEN,
      CAIRN_JOURNEYS_DIR: SHIPPED_JOURNEYS,
      CAIRN_MANAGED_SCHEMA: join(dataDir, 'managed.json'),
      CAIRN_DATA_DIR: join(dataDir, 'data'),
    });
    id = await createUser(server, TOKEN, 'hashed', PASSWORD);
    await admin(server, TOKEN, `/managed/user/${id}`, { method: 'PATCH', body: [{ operation: 'add', field: '/pin', value: '1234' }] });
  });
  afterAll(async () => {
    await server?.stop().catch(() => undefined);
  });
  const query = (q: string) => admin(server, TOKEN, `/managed/user?${q}`);

  it('refuses the hash in _queryFilter (any form), _sortKeys and _fields with a 400 naming the field', async () => {
    for (const filter of ['password sw "$argon2id$"', '/password pr', 'userName pr and !(password co "a")', '"password" gt ""', 'pin eq "1234"']) {
      const r = await query(`_queryFilter=${encodeURIComponent(filter)}`);
      expect(r.status, filter).toBe(400);
      expect(r.json.message).toMatch(/"(password|pin)": it is never readable/);
    }
    for (const q of ['_queryFilter=true&_sortKeys=-password', '_queryFilter=true&_sortKeys=%2Fpin', '_queryFilter=true&_fields=userName,password']) {
      expect((await query(q)).status, q).toBe(400);
    }
    expect((await admin(server, TOKEN, `/managed/user/${id}?_fields=pin`)).status).toBe(400);
  });

  it('never returns them, and keeps a private field through writes that do not name it', async () => {
    const read = (await admin(server, TOKEN, `/managed/user/${id}`)).json;
    expect(read).not.toHaveProperty('password');
    expect(read).not.toHaveProperty('pin');
    expect(JSON.stringify((await query('_queryFilter=true')).json)).not.toMatch(/argon2|1234/);
    await admin(server, TOKEN, `/managed/user/${id}`, { method: 'PATCH', body: [{ operation: 'replace', field: '/sn', value: 'Renamed' }] });
    const current = (await admin(server, TOKEN, `/managed/user/${id}`)).json;
    await admin(server, TOKEN, `/managed/user/${id}`, { method: 'PUT', body: { ...current, givenName: 'Put' } });
    // Stopped, the store shows what the API never does: the private field (and the hash) kept.
    await server.stop();
    const { openStore } = await import('../../src/stores/index.js');
    const store = await openStore({ dataDir: join(dataDir, 'data'), sweepIntervalMs: 0 });
    const stored = await store.objects.read('managed/user', id);
    await store.close();
    expect(stored).toMatchObject({ sn: 'Renamed', givenName: 'Put', pin: '1234', password: expect.stringMatching(/^\$argon2id\$/) });
  });
});

describe('8. cookies, paging, redirects and the e-mail limit', () => {
  it('names the session cookie __Host-iPlanetDirectoryPro under https; AM’s name stays selectable', async () => {
    const https = await start({ CAIRN_JOURNEYS_DIR: SHIPPED_JOURNEYS, CAIRN_PUBLIC_URL: 'https://login.example.test' });
    await createUser(https, TOKEN, 'hosted', PASSWORD);
    const done = await signIn(https, 'hosted', PASSWORD);
    const cookies = done.headers.getSetCookie();
    expect(cookies[0]).toBe(`__Host-iPlanetDirectoryPro=${done.json.tokenId}; Path=/; HttpOnly; SameSite=Lax; Secure`);
    expect(cookies[1]).toMatch(/^__Host-cairn-device=[A-Za-z0-9_-]{22}; Path=\/; HttpOnly; SameSite=Lax; Secure; Max-Age=\d+$/);
    for (const c of cookies) expect(c).not.toMatch(/Domain=/i);
    // The SDK learns the name from serverinfo.
    const info = (await (await fetch(`${https.amUrl}/json/serverinfo/*`)).json()) as Record<string, unknown>;
    expect(info).toMatchObject({ cookieName: '__Host-iPlanetDirectoryPro', secureCookie: true });
    const validate = (headers: Record<string, string>) => post(`${https.amUrl}/json/realms/root/sessions?_action=validate`, undefined, { headers });
    expect((await validate({ Cookie: `__Host-iPlanetDirectoryPro=${done.json.tokenId}` })).json.valid).toBe(true);
    // A cookie without the prefix (one a sibling subdomain could plant) is not read; AM clients' header is.
    expect((await validate({ Cookie: `iPlanetDirectoryPro=${done.json.tokenId}` })).json.valid).toBe(false);
    expect((await validate({ iPlanetDirectoryPro: done.json.tokenId })).json.valid).toBe(true);

    const am = await start({
      CAIRN_JOURNEYS_DIR: SHIPPED_JOURNEYS,
      CAIRN_PUBLIC_URL: 'https://login.example.test',
      CAIRN_COOKIE_NAME: 'iPlanetDirectoryPro',
    });
    await createUser(am, TOKEN, 'classic', PASSWORD);
    const classic = await signIn(am, 'classic', PASSWORD);
    expect(classic.headers.getSetCookie()[0]).toBe(`iPlanetDirectoryPro=${classic.json.tokenId}; Path=/; HttpOnly; SameSite=Lax; Secure`);
    expect(await (await fetch(`${am.amUrl}/json/serverinfo/*`)).json()).toMatchObject({ cookieName: 'iPlanetDirectoryPro' });
    await expect(startTestServer({ CAIRN_PUBLIC_URL: 'http://login.example.test', CAIRN_COOKIE_NAME: '__Host-session' })).rejects.toThrow(
      /may be a __Host- or __Secure- name only with an https CAIRN_PUBLIC_URL/,
    );

    // A session shared with sibling subdomains (CAIRN_COOKIE_DOMAIN) cannot be __Host-: it is __Secure-,
    // while the device cookie, which only Cairn reads, stays host-only.
    const shared = await start({
      CAIRN_JOURNEYS_DIR: SHIPPED_JOURNEYS,
      CAIRN_PUBLIC_URL: 'https://login.example.test',
      CAIRN_COOKIE_DOMAIN: 'example.test',
    });
    await createUser(shared, TOKEN, 'sibling', PASSWORD);
    const sibling = await signIn(shared, 'sibling', PASSWORD);
    const [session, device] = sibling.headers.getSetCookie();
    expect(session).toBe(`__Secure-iPlanetDirectoryPro=${sibling.json.tokenId}; Path=/; HttpOnly; SameSite=Lax; Domain=example.test; Secure`);
    expect(device).toMatch(/^__Host-cairn-device=[A-Za-z0-9_-]{22}; Path=\/; HttpOnly; SameSite=Lax; Secure; Max-Age=\d+$/);
    await expect(
      startTestServer({ CAIRN_PUBLIC_URL: 'https://login.example.test', CAIRN_COOKIE_DOMAIN: 'example.test', CAIRN_COOKIE_NAME: '__Host-session' }),
    ).rejects.toThrow(/a __Host- cookie has no Domain/);
  }, 180_000); // several servers (or 1,012 users) on a machine that may be busy: no duration asserted

  it('caps every query page at 1000, with or without _pageSize=0, and pages on with the cookie', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cairn-paging-'));
    const file = join(dataDir, 'users.ndjson');
    const lines = Array.from({ length: 1012 }, (_, i) =>
      JSON.stringify({ userName: `u${i}`, mail: `u${i}@example.com`, givenName: 'P', sn: `${i}` }),
    );
    await writeFile(file, lines.join('\n') + '\n');
    await run('node', [join(ROOT, 'bin', 'cairn.js'), 'users', 'import', file], {
      cwd: ROOT,
      env: { ...process.env, CAIRN_DATA_DIR: dataDir, CAIRN_AUDIT_LOG: 'off' },
    });
    const s = await start({ CAIRN_JOURNEYS_DIR: SHIPPED_JOURNEYS, CAIRN_DATA_DIR: dataDir });
    for (const q of ['_queryFilter=true', '_queryFilter=true&_pageSize=0']) {
      const page = await admin(s, TOKEN, `/managed/user?${q}`);
      expect(page.json.resultCount, q).toBe(1000);
      const rest = await admin(s, TOKEN, `/managed/user?${q}&_pagedResultsCookie=${encodeURIComponent(page.json.pagedResultsCookie)}`);
      expect(rest.json.resultCount).toBe(12);
      expect(rest.json.pagedResultsCookie).toBeNull();
    }
    expect((await admin(s, TOKEN, '/managed/user?_queryFilter=true&_pageSize=1001')).status).toBe(400);
  }, 180_000); // several servers (or 1,012 users) on a machine that may be busy: no duration asserted

  it('admits goto URLs under an allow-listed path only at a segment boundary', async () => {
    const s = await start({ CAIRN_JOURNEYS_DIR: SHIPPED_JOURNEYS, CAIRN_REDIRECT_ALLOWLIST: 'https://app.example/cb' });
    await createUser(s, TOKEN, 'redirected', PASSWORD);
    const successUrl = async (goto: string) => {
      const page = await post(authUrl(s, 'Login', `&ForceAuth=true&goto=${encodeURIComponent(goto)}`));
      return (await post(authUrl(s, 'Login'), fill(page.json, 'redirected', PASSWORD))).json.successUrl as string;
    };
    expect(await successUrl('https://app.example/cb')).toBe('https://app.example/cb');
    expect(await successUrl('https://app.example/cb/done?x=1')).toBe('https://app.example/cb/done?x=1');
    expect(await successUrl('https://app.example/cb?state=2')).toBe('https://app.example/cb?state=2');
    expect(await successUrl('https://app.example/cbevil')).toBe('/login/#/success');
    expect(await successUrl('https://app.example/cb/../admin')).toBe('/login/#/success');
    await expect(startTestServer({ CAIRN_REDIRECT_ALLOWLIST: 'https://app.example/cb?x=1' })).rejects.toThrow(
      /without query, fragment or credentials/,
    );
  });

  it('counts the per-account e-mail limit per account, whatever the template', async () => {
    const smtp = await startSmtpPeer();
    smtps.push(smtp);
    const events: string[] = [];
    const s = await start({ CAIRN_JOURNEYS_DIR: SHIPPED_JOURNEYS, CAIRN_SMTP_URL: smtp.url, CAIRN_MAIL_PER_ACCOUNT: '3' }, events);
    const id = await createUser(s, TOKEN, 'mailed');
    const ask = async (journey: string) => {
      const page = await post(authUrl(s, journey), undefined, { headers: { 'X-Forwarded-For': `198.51.100.${smtp.connections + 100}` } });
      await post(authUrl(s, journey), fill(page.json, 'mailed@example.com'));
    };
    for (const journey of ['ResetPassword', 'ForgottenUsername', 'ResetPassword', 'ForgottenUsername', 'ResetPassword']) await ask(journey);
    // Decided before each answer left: three messages queued, across both templates, then two skipped.
    const ofAccount = (event: string) => eventsOf(events, event).filter((e) => e.userId === id);
    expect([...ofAccount('reset.email.queued'), ...ofAccount('email.queued')].map((e) => e.template).sort()).toEqual([
      'forgottenUsername',
      'resetPassword',
      'resetPassword',
    ]);
    expect([...ofAccount('reset.email.skipped'), ...ofAccount('email.skipped')].map((e) => e.reason)).toEqual([
      'rate-limited-account',
      'rate-limited-account',
    ]);
    await smtp.waitFor(3, 10_000);
    expect(smtp.received.filter((m) => m.to.includes('mailed@example.com'))).toHaveLength(3);
  });
});
