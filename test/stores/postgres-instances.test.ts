/**
 * Scale-out on PostgreSQL with real processes: two Cairn instances (`cairn serve --workers 2` each, own
 * port, own data directory — they share nothing but the database and the key-encryption key) behind a
 * round-robin proxy on loopback, mail to a real SMTP server. A reset requested through A is resumed
 * through B; 50 concurrent resumes of one link over both continue once; the per-account mail limit and
 * the login attempt budget hold across both; a session made on A validates on B and a logout on B ends
 * it on A; users created on A (and by the `cairn users` command) are seen by B; an OAuth sign-in
 * crosses both (authorize on A, journey and resume on B, one redemption of ten concurrent ones, an ID
 * token A signed verified with B's JWKS, refresh rotation and revocation seen by both); a journey an
 * administrator PUTs over AM's config REST on A is what B serves; and when A is killed
 * with SIGKILL under load, B keeps answering and every write that was acknowledged is there.
 * Runs only when CAIRN_POSTGRES_URI is set (.ci/run starts a throwaway server).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cairnEnv, startCairn, type CairnProcess } from '../../bench/lib/cairn-process.js';
import { parseMail } from '../support/eml.js';
import { loginOver, pkce } from '../support/oauth.js';
import { createTestSchema, postgresUri, type TestSchema } from './postgres-support.js';
import { startRoundRobinProxy, type RoundRobinProxy, type Upstream } from '../support/round-robin-proxy.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ADMIN_TOKEN = 'scale-out-admin-token-0123456789abcdefghijk';
/** The first administrator, which both instances (and their workers) race to create at start. */
const AMADMIN = { user: 'amadmin', password: 'Granite-Willow-Beacon-57' };
const TREES = '/json/realms/root/realm-config/authentication/authenticationtrees/trees';
const KEK = 'scale-out key-encryption key of 32+ characters';
const PASSWORD = 'the correct horse battery staple';
const NEW_PASSWORD = 'a brand new memorable passphrase';
const RP = { client_id: 'scale-rp', client_secret: 'scale-out-client-secret-0123456789', redirect_uris: ['https://rp.example.test/cb'] };
const exec = promisify(execFile);

interface Instance extends Upstream {
  amUrl: string;
  auditFile: string;
  process: CairnProcess;
}

interface Answer {
  status: number;
  /** AM and CREST bodies, inspected field by field. */
  json: any;
}

async function call(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const res = await fetch(url, {
    method: init.method ?? 'POST',
    headers: { 'Content-Type': 'application/json', ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

const authUrl = (origin: string, journey: string, extra = ''): string =>
  `${origin}/am/json/realms/root/authenticate?authIndexType=service&authIndexValue=${journey}${extra}`;
const admin = (origin: string, path: string, method = 'GET', body?: unknown): Promise<Answer> =>
  call(`${origin}/openidm${path}`, { method, body, headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });

/** Polls `check` until it is true (every 50 ms, for at most `ms`). */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let work: string;
let schema: TestSchema;
let smtp: SmtpPeer;
let proxy: RoundRobinProxy;
let upstreams: Instance[] = [];
let a: Instance;
let b: Instance;

/** The benchmark's environment with the shipped limits (5 e-mails per account, 5 password attempts) and the shared store. */
function instanceEnv(dataDir: string): Record<string, string | undefined> {
  return {
    ...cairnEnv({ dataDir, journeysDir: join(ROOT, 'journeys'), smtpUrl: smtp.url }),
    CAIRN_MAIL_PER_ACCOUNT: '5',
    CAIRN_LOGIN_ATTEMPTS: '5',
    CAIRN_POSTGRES_URI: schema.uri,
    CAIRN_KEY_ENCRYPTION_KEY: KEK,
    CAIRN_PUBLIC_URL: proxy.url,
    CAIRN_OAUTH_CLIENTS_FILE: join(work, 'clients.json'),
    CAIRN_ADMIN_TOKEN: ADMIN_TOKEN,
    CAIRN_ADMIN_USERNAME: AMADMIN.user,
    CAIRN_ADMIN_PASSWORD: AMADMIN.password,
    CAIRN_AUDIT_LOG: join(dataDir, 'audit.log'),
    CAIRN_LOG_LEVEL: 'warn',
    // The guessing test comes from an address of its own (X-Forwarded-For), so its spent per-address
    // budget does not refuse the other tests' first sign-ins from loopback.
    CAIRN_TRUSTED_PROXIES: '127.0.0.1, ::1',
  };
}

async function startInstance(name: string): Promise<Instance> {
  const dataDir = join(work, name);
  await mkdir(dataDir, { recursive: true });
  const p = await startCairn(ROOT, instanceEnv(dataDir), { logDir: dataDir, workers: 2, detached: true });
  return { name, origin: p.origin, amUrl: `${p.origin}/am`, auditFile: join(dataDir, 'audit.log'), process: p };
}

/** Audit events of `event` written by the instances so far. */
async function audited(event: string, instances: Instance[] = [a, b]): Promise<Record<string, unknown>[]> {
  const lines = await Promise.all(instances.map((i) => readFile(i.auditFile, 'utf8').catch(() => '')));
  return lines
    .flatMap((text) => text.split('\n'))
    .filter((l) => l.includes(`"event":"${event}"`))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function createUser(origin: string, userName: string, password?: string): Promise<string> {
  const r = await admin(origin, '/managed/user?_action=create', 'POST', {
    userName,
    mail: `${userName}@example.com`,
    givenName: 'Scale',
    sn: 'Out',
    // Preferences chosen, so Login's ProgressiveProfile does not stop the third sign-in to ask for them.
    preferences: { marketing: true, updates: true },
    ...(password ? { password } : {}),
  });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  return r.json._id as string;
}

/** Asks for a reset of `mail` on `origin`: start ResetPassword, then submit the address. */
async function requestReset(origin: string, mail: string): Promise<Answer> {
  const step = (await call(authUrl(origin, 'ResetPassword'))).json;
  step.callbacks[0].input[0].value = mail;
  return call(authUrl(origin, 'ResetPassword'), { body: step });
}

/** The query of the resume link in the first e-mail to `to` (waiting for it). */
async function linkQuery(to: string): Promise<string> {
  const mine = () => smtp.received.filter((m) => m.to.includes(to));
  await until(`an e-mail to ${to}`, () => mine().length > 0);
  const text = parseMail((mine()[0] as { raw: string }).raw).text ?? '';
  const link = /https?:\/\/\S+suspendedId=\S+/.exec(text)?.[0];
  expect(link, `a link in the e-mail to ${to}`).toBeDefined();
  expect(link?.startsWith(`${proxy.url}/login/?`)).toBe(true);
  return new URL(link as string).search;
}

async function login(origin: string, userName: string, password: string): Promise<Answer> {
  const page = (await call(authUrl(origin, 'Login', '&ForceAuth=true'))).json;
  page.callbacks[0].input[0].value = userName;
  page.callbacks[1].input[0].value = password;
  return call(authUrl(origin, 'Login'), { body: page });
}

const sessions = (origin: string, action: string, token: string): Promise<Answer> =>
  call(`${origin}/am/json/realms/root/sessions?_action=${action}`, { headers: { iPlanetDirectoryPro: token } });

const run = postgresUri ? describe : describe.skip;

// Real processes on a shared machine: each test may wait for several of them (its own waits are conditions, not times).
run(
  postgresUri ? 'two instances on one PostgreSQL database' : 'two instances on one PostgreSQL database (skipped: set CAIRN_POSTGRES_URI)',
  { timeout: 90_000 },
  () => {
    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'cairn-scale-'));
      schema = await createTestSchema();
      smtp = await startSmtpPeer();
      proxy = await startRoundRobinProxy(() => upstreams);
      await writeFile(join(work, 'clients.json'), JSON.stringify([{ ...RP, scope: 'openid profile email' }]));
      // The command line works on the same database before any server runs.
      const cliDir = join(work, 'cli');
      await mkdir(cliDir);
      await writeFile(
        join(cliDir, 'users.ndjson'),
        `${JSON.stringify({ userName: 'imported', mail: 'imported@example.com', password: PASSWORD, preferences: { marketing: true, updates: true } })}\n`,
      );
      await exec(process.execPath, [join(ROOT, 'bin', 'cairn.js'), 'users', 'import', join(cliDir, 'users.ndjson')], {
        env: instanceEnv(cliDir),
      });
      // Both start at once: they migrate the new schema once between them and agree on one keyring.
      [a, b] = await Promise.all([startInstance('A'), startInstance('B')]);
      upstreams = [a, b];
    }, 120_000);

    afterAll(async () => {
      for (const i of [a, b]) i?.process.kill('SIGKILL');
      await Promise.all([a, b].map((i) => i?.process.exited));
      await proxy?.close();
      await smtp?.close();
      await schema?.drop();
      await rm(work, { recursive: true, force: true });
    });

    it('lists the users the command line imported, on the same database', async () => {
      const { stdout } = await exec(process.execPath, [join(ROOT, 'bin', 'cairn.js'), 'users', 'list', '--json'], {
        env: instanceEnv(join(work, 'cli')),
      });
      expect((JSON.parse(stdout) as { userName: string }[]).map((u) => u.userName)).toEqual(['imported']);
      expect((await login(b.origin, 'imported', PASSWORD)).json.tokenId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });

    it('resumes on B a reset requested on A, and the new password signs in on both', async () => {
      await createUser(a.origin, 'resetter', PASSWORD);
      expect((await requestReset(a.origin, 'resetter@example.com')).json.callbacks[0].type).toBe('SuspendedTextOutputCallback');
      const query = await linkQuery('resetter@example.com');
      const page = await call(`${b.amUrl}/json/realms/root/authenticate${query}`);
      expect(page.status).toBe(200);
      const pw = page.json.callbacks.find((c: { type: string }) => c.type === 'ValidatedCreatePasswordCallback');
      pw.input[0].value = NEW_PASSWORD;
      const done = await call(authUrl(b.origin, 'ResetPassword'), { body: page.json });
      expect(done.status, JSON.stringify(done.json)).toBe(200);
      expect(done.json.successUrl).toBeDefined();
      expect((await login(a.origin, 'resetter', NEW_PASSWORD)).json.tokenId).toBeDefined();
      expect((await login(b.origin, 'resetter', NEW_PASSWORD)).json.tokenId).toBeDefined();
    });

    it('lets exactly one of 50 concurrent resumes of one link continue, spread over A and B', async () => {
      await createUser(a.origin, 'racer');
      await requestReset(proxy.url, 'racer@example.com');
      const query = await linkQuery('racer@example.com');
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => call(`${(i % 2 === 0 ? a : b).amUrl}/json/realms/root/authenticate${query}`)),
      );
      const continued = answers.filter((r) => r.status === 200 && Array.isArray(r.json.callbacks));
      expect(continued).toHaveLength(1);
      expect(answers.filter((r) => r.status >= 500)).toEqual([]);
      expect(answers.filter((r) => r.status === 401)).toHaveLength(49);
    });

    it('holds the per-account mail limit across both: 14 parallel requests, 5 e-mails', async () => {
      const id = await createUser(b.origin, 'flooded');
      const answers = await Promise.all(Array.from({ length: 14 }, (_, i) => requestReset((i % 2 === 0 ? a : b).origin, 'flooded@example.com')));
      expect(new Set(answers.map((r) => JSON.stringify(r.json.callbacks))).size).toBe(1);
      const ofUser = (e: Record<string, unknown>): boolean => e.userId === id;
      const queued = async () => (await audited('reset.email.queued')).filter(ofUser);
      const skipped = async () => (await audited('reset.email.skipped')).filter(ofUser);
      await until('14 decisions in the audit logs', async () => (await queued()).length + (await skipped()).length >= 14);
      expect((await queued()).length).toBe(5);
      expect((await skipped()).map((e) => e.reason)).toEqual(Array(9).fill('rate-limited-account'));
      await until('5 e-mails to flooded@example.com', () => smtp.received.filter((m) => m.to.includes('flooded@example.com')).length === 5);
    });

    it('holds the login attempt budget across both: 50 parallel wrong passwords, at most 5 evaluated', async () => {
      const id = await createUser(a.origin, 'guessed', PASSWORD);
      const pages = await Promise.all(Array.from({ length: 50 }, () => call(authUrl(proxy.url, 'Login')).then((r) => r.json)));
      const answers = await Promise.all(
        pages.map((page, i) => {
          page.callbacks[0].input[0].value = 'guessed';
          page.callbacks[1].input[0].value = `wrong guess number ${i}`;
          return call(authUrl((i % 2 === 0 ? a : b).origin, 'Login'), { body: page, headers: { 'X-Forwarded-For': '192.0.2.66' } });
        }),
      );
      expect(answers.filter((r) => r.status >= 500)).toEqual([]);
      const ofUser = (e: Record<string, unknown>): boolean => e.userId === id;
      await until('50 password decisions in the audit logs', async () => {
        const n = (await audited('login.failed')).filter(ofUser).length + (await audited('login.throttled')).filter(ofUser).length;
        return n >= 50;
      });
      const evaluated = (await audited('login.failed')).filter(ofUser);
      expect(evaluated.length).toBeGreaterThan(0);
      expect(evaluated.length).toBeLessThanOrEqual(5);
      expect(new Set(evaluated.map((e) => e.attempt))).toEqual(new Set(evaluated.map((_, i) => i + 1)));
    });

    it('validates on B a session made on A, and a logout on B ends it on A', async () => {
      await createUser(b.origin, 'roamer', PASSWORD);
      const token = (await login(a.origin, 'roamer', PASSWORD)).json.tokenId as string;
      expect((await sessions(b.origin, 'validate', token)).json).toMatchObject({ valid: true, uid: 'roamer' });
      expect((await sessions(b.origin, 'logout', token)).json).toEqual({ result: 'Successfully logged out' });
      expect((await sessions(a.origin, 'validate', token)).json).toEqual({ valid: false });
    });

    it('shows on B a user created on A, at once', async () => {
      const id = await createUser(a.origin, 'newcomer', PASSWORD);
      const found = await admin(b.origin, `/managed/user?_queryFilter=${encodeURIComponent('userName eq "NEWCOMER"')}`);
      expect(found.json.result.map((u: { _id: string }) => u._id)).toEqual([id]);
      expect((await admin(b.origin, `/managed/user/${id}`)).status).toBe(200);
      expect((await login(b.origin, 'newcomer', PASSWORD)).json.tokenId).toBeDefined();
      // Both instances answered through the proxy along the way.
      expect(Object.keys(proxy.served).sort()).toEqual(['A', 'B']);
    });

    it('runs OAuth over both: authorize on A, sign in and resume on B, one code redemption of ten, tokens and keys agreed', async () => {
      const userId = await createUser(a.origin, 'relying', PASSWORD);
      const cookies = new Map<string, string>();
      /** GET `location` (absolute, relative, or on the public URL) on `origin`, keeping the cookies it sets; answers the redirect. */
      const visit = async (origin: string, location: string): Promise<string> => {
        const u = new URL(location, origin);
        const res = await fetch(`${origin}${u.pathname}${u.search}`, {
          redirect: 'manual',
          headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
        });
        for (const c of res.headers.getSetCookie()) {
          const [pair = ''] = c.split(';');
          const at = pair.indexOf('=');
          cookies.set(pair.slice(0, at), pair.slice(at + 1));
        }
        expect(res.status, await res.text()).toBe(303);
        return res.headers.get('location') ?? '';
      };
      const redirectUri = RP.redirect_uris[0] as string;
      const authorizePath = (challenge: string, extra: Record<string, string> = {}): string =>
        `/am/oauth2/authorize?${new URLSearchParams({
          client_id: RP.client_id,
          redirect_uri: redirectUri,
          response_type: 'code',
          scope: 'openid profile',
          state: 'scale-state',
          nonce: 'scale-nonce',
          code_challenge: challenge,
          code_challenge_method: 'S256',
          ...extra,
        }).toString()}`;
      const codeOf = (location: string): string => {
        const callback = new URL(location);
        expect(`${callback.origin}${callback.pathname}`).toBe(redirectUri);
        expect(callback.searchParams.get('state')).toBe('scale-state');
        return callback.searchParams.get('code') ?? '';
      };
      const clientAuth = { Authorization: `Basic ${Buffer.from(`${RP.client_id}:${RP.client_secret}`).toString('base64')}` };
      const form = async (origin: string, path: string, fields: Record<string, string>): Promise<Answer> => {
        const res = await fetch(`${origin}/am/oauth2/${path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...clientAuth },
          body: new URLSearchParams(fields).toString(),
        });
        return { status: res.status, json: await res.json() };
      };
      const active = async (origin: string, token: string): Promise<boolean> => (await form(origin, 'introspect', { token })).json.active as boolean;

      // A stores the authorize request and sends the browser to the sign-in page; the journey runs on B,
      // B takes the stored request back and sends the browser to authorize again, which A answers with a code.
      const first = pkce();
      const page = new URL(await visit(a.origin, authorizePath(first.challenge)), proxy.url);
      expect(page.pathname).toBe('/login/');
      cookies.set('iPlanetDirectoryPro', await loginOver(b.origin, 'relying', PASSWORD));
      const code = codeOf(await visit(a.origin, await visit(b.origin, page.searchParams.get('goto') ?? '')));

      // Ten concurrent redemptions of the code over both: one gets tokens, nine get invalid_grant, and the
      // replays revoke what was issued (RFC 6749 §4.1.2), whichever instance issued it.
      const redeem = { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: first.verifier };
      const redemptions = await Promise.all(Array.from({ length: 10 }, (_, i) => form((i % 2 === 0 ? a : b).origin, 'access_token', redeem)));
      const won = redemptions.filter((r) => r.status === 200);
      expect(won).toHaveLength(1);
      expect(redemptions.filter((r) => r.status !== 200).map((r) => r.json.error)).toEqual(Array(9).fill('invalid_grant'));
      expect(await active(a.origin, won[0]?.json.access_token as string)).toBe(false);
      expect(await active(b.origin, won[0]?.json.access_token as string)).toBe(false);

      // The session made on B satisfies an authorize on B at once; the code is redeemed on A.
      const second = pkce();
      const code2 = codeOf(await visit(b.origin, authorizePath(second.challenge, { prompt: 'none' })));
      const issued = await form(a.origin, 'access_token', { ...redeem, code: code2, code_verifier: second.verifier });
      expect(issued.status, JSON.stringify(issued.json)).toBe(200);
      const tokens = issued.json as { id_token: string; access_token: string; refresh_token: string };

      // Both publish the same keys (from the store), and the ID token A signed verifies against B's.
      const jwks = await Promise.all(
        [a, b].map(async (i) => (await fetch(`${i.origin}/am/oauth2/connect/jwk_uri`)).json() as Promise<JSONWebKeySet>),
      );
      expect(jwks[0]?.keys.length).toBeGreaterThan(0);
      expect(jwks[1]).toEqual(jwks[0]);
      const { payload } = await jwtVerify(tokens.id_token, createLocalJWKSet(jwks[1] as JSONWebKeySet), {
        issuer: `${proxy.url}/am/oauth2`,
        audience: RP.client_id,
      });
      expect(payload).toMatchObject({ sub: userId, nonce: 'scale-nonce' });

      // The refresh token rotates on B and A knows the new access token; the replaced refresh token, sent
      // to A, is refused and ends the grant on both.
      const refreshed = await form(b.origin, 'access_token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
      expect(refreshed.status, JSON.stringify(refreshed.json)).toBe(200);
      expect(await active(a.origin, refreshed.json.access_token as string)).toBe(true);
      expect((await form(a.origin, 'access_token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).json.error).toBe(
        'invalid_grant',
      );
      expect(await active(b.origin, refreshed.json.access_token as string)).toBe(false);
    });

    it('serves on B a journey an administrator PUT over AM’s config REST on A, without a restart', async () => {
      // The administrator signs in on A as frodo does (headers, AM's authenticate), then PUTs the Login tree there.
      const signIn = await call(`${a.amUrl}/json/realms/root/authenticate`, {
        body: {},
        headers: { 'X-OpenAM-Username': AMADMIN.user, 'X-OpenAM-Password': AMADMIN.password, 'Accept-API-Version': 'resource=2.1, protocol=1.0' },
      });
      expect(signIn.json.tokenId, JSON.stringify(signIn.json)).toEqual(expect.any(String));
      const headers = { iPlanetDirectoryPro: signIn.json.tokenId as string, 'Accept-API-Version': 'protocol=2.1,resource=1.0' };
      const tree = (await call(`${a.amUrl}${TREES}/Login`, { method: 'GET', headers })).json;
      const served = async (origin: string): Promise<boolean> => (await call(authUrl(origin, 'Login'))).json.header === 'Sign in';
      expect(await served(b.origin)).toBe(true);
      const put = async (enabled: boolean): Promise<number> => {
        const r = await call(`${a.amUrl}${TREES}/Login`, { method: 'PUT', headers, body: { ...tree, enabled } });
        expect(r.status, JSON.stringify(r.json)).toBe(200);
        return Date.now();
      };
      // Switched off on A: B stops serving it (its poll reads the new head), and B's admin REST shows it.
      let at = await put(false);
      await until('B to stop serving Login', async () => !(await served(b.origin)), 10_000);
      const off = Date.now() - at;
      const bToken = (
        await call(`${b.amUrl}/json/realms/root/authenticate`, {
          body: {},
          headers: { 'X-OpenAM-Username': AMADMIN.user, 'X-OpenAM-Password': AMADMIN.password },
        })
      ).json.tokenId as string;
      const onB = await call(`${b.amUrl}${TREES}/Login`, { method: 'GET', headers: { ...headers, iPlanetDirectoryPro: bToken } });
      expect(onB.json).toMatchObject({ _id: 'Login', enabled: false });
      // And back on: B serves it again, and users sign in through it on B.
      at = await put(true);
      await until('B to serve Login again', () => served(b.origin), 10_000);
      const on = Date.now() - at;
      console.log(`journey PUT on A seen by B after ${off} ms (off) and ${on} ms (on); poll interval 500 ms`);
      await createUser(a.origin, 'after-put', PASSWORD);
      expect((await login(b.origin, 'after-put', PASSWORD)).json.tokenId).toBeDefined();
      const changed = await audited('config.changed', [a]);
      expect(changed.filter((e) => e.id === 'Login' && e.by === `admin:${AMADMIN.user}`)).toHaveLength(2);
    });

    it("refuses to start an instance whose key-encryption key is not the others'", async () => {
      const dataDir = join(work, 'C');
      await mkdir(dataDir);
      const env = { ...instanceEnv(dataDir), CAIRN_KEY_ENCRYPTION_KEY: 'not the key the other instances use, 32+ chars' };
      const failure = await startCairn(ROOT, env, { logDir: dataDir, workers: 1 }).then(
        (p) => {
          p.kill('SIGKILL');
          return undefined;
        },
        (e: unknown) => e as Error,
      );
      expect(failure?.message).toMatch(/The keys in the store cannot be opened: .*another key-encryption key/);
      expect(failure?.message).not.toMatch(/\bat .*\.js:\d+/);
    });

    it('keeps answering on B when A is killed under load, and loses no acknowledged write', async () => {
      const acked: string[] = [];
      const failedThroughProxy: number[] = [];
      const fromB: number[] = [];
      let stop = false;
      let n = 0;
      const writers = Array.from({ length: 6 }, async () => {
        while (!stop) {
          const r = await admin(proxy.url, '/managed/user?_action=create', 'POST', { userName: `load-${n++}`, mail: `load-${n}@example.com` }).catch(
            () => ({ status: 0, json: undefined }),
          );
          if (r.status === 201) acked.push(r.json._id as string);
          else failedThroughProxy.push(r.status);
        }
      });
      const reader = (async () => {
        while (!stop) fromB.push((await admin(b.origin, '/managed/user?_queryFilter=true&_pageSize=1')).status);
      })();
      await until('30 acknowledged writes', () => acked.length >= 30);
      a.process.kill('SIGKILL');
      expect((await a.process.exited).signal).toBe('SIGKILL');
      upstreams = [b, a]; // the proxy keeps both: A refuses connections now, so it fails over to B
      const atKill = acked.length;
      await until('30 more acknowledged writes after the kill', () => acked.length >= atKill + 30);
      stop = true;
      await Promise.all([...writers, reader]);

      expect(fromB.every((s) => s === 200)).toBe(true);
      // Only requests in flight on A when it died may have failed, and none of them was acknowledged.
      expect(failedThroughProxy.every((s) => s === 502)).toBe(true);
      expect(failedThroughProxy.length).toBeLessThanOrEqual(6);
      const missing = [];
      for (const id of acked) if ((await admin(b.origin, `/managed/user/${id}`)).status !== 200) missing.push(id);
      expect(missing).toEqual([]);
    });
  },
);
