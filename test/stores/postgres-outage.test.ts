/**
 * The database restarting under load: two Cairn instances on a private PostgreSQL cluster (this file
 * stops and starts it, so it cannot be the shared test server) keep answering while it is down — 503
 * Service Unavailable in the protocol's own shape, never a 500, readiness down — and answer normally
 * again once it is back, without a restart of their own. A sign-in step refused with 503 did not
 * advance: the same step sent again after the outage signs in. OAuth's own endpoints (userinfo,
 * introspection) answer 503 `temporarily_unavailable` meanwhile, and the token is still good after. Skipped when PostgreSQL is not installed.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCairn, type CairnProcess } from '../../bench/lib/cairn-process.js';
import { clusterUnavailable, startPgCluster, type PgCluster } from '../../bench/lib/pg-cluster.js';
import { pkce } from '../support/oauth.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ADMIN_TOKEN = 'outage-admin-token-0123456789abcdefghijklmn';
const PASSWORD = 'the correct horse battery staple';
const RP = { client_id: 'outage-rp', client_secret: 'outage-client-secret-0123456789abcdef', redirect_uris: ['https://rp.example.test/cb'] };
const CLIENT_AUTH = `Basic ${Buffer.from(`${RP.client_id}:${RP.client_secret}`).toString('base64')}`;
const unavailable = clusterUnavailable();

interface Answer {
  status: number;
  /** AM and CREST bodies, inspected field by field. */
  json: any;
}

async function call(url: string, body?: unknown, headers: Record<string, string> = {}, method = 'POST'): Promise<Answer> {
  const res = await fetch(url, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

(unavailable ? describe.skip : describe)(
  unavailable ? `PostgreSQL restarting under load (skipped: ${unavailable})` : 'PostgreSQL restarting under load',
  { timeout: 120_000 },
  () => {
    let work: string;
    let cluster: PgCluster;
    const instances: CairnProcess[] = [];

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'cairn-outage-'));
      cluster = await startPgCluster();
      await writeFile(join(work, 'clients.json'), JSON.stringify([RP]));
      const start = async (name: string): Promise<CairnProcess> => {
        const dataDir = join(work, name);
        await mkdir(dataDir);
        return startCairn(
          ROOT,
          {
            PATH: process.env.PATH,
            NODE_ENV: 'production',
            PORT: '0',
            CAIRN_HOST: '127.0.0.1',
            CAIRN_DATA_DIR: dataDir,
            CAIRN_JOURNEYS_DIR: join(ROOT, 'journeys'),
            CAIRN_POSTGRES_URI: cluster.uri,
            CAIRN_KEY_ENCRYPTION_KEY: 'outage key-encryption key, 32+ characters',
            CAIRN_ADMIN_TOKEN: ADMIN_TOKEN,
            CAIRN_AUDIT_LOG: 'off',
            CAIRN_LOG_LEVEL: 'fatal',
            CAIRN_LOGIN_ATTEMPTS: '100',
            CAIRN_OAUTH_CLIENTS_FILE: join(work, 'clients.json'),
          },
          { logDir: dataDir, workers: 1 },
        );
      };
      instances.push(...(await Promise.all([start('A'), start('B')])));
    }, 120_000);

    afterAll(async () => {
      await Promise.all(instances.map((i) => i.stop(5_000)));
      await cluster?.destroy();
      if (work) await rm(work, { recursive: true, force: true });
    });

    it('answers 503 (not 500) while the database is down, and normally once it is back', async () => {
      const [a, b] = instances as [CairnProcess, CairnProcess];
      const created = await call(
        `${a.origin}/openidm/managed/user?_action=create`,
        { userName: 'steady', mail: 's@example.com', password: PASSWORD, preferences: { marketing: true, updates: true } },
        {
          Authorization: `Bearer ${ADMIN_TOKEN}`,
        },
      );
      expect(created.status).toBe(201);
      const signIn = async (origin: string): Promise<{ page: unknown; answer: Answer }> => {
        const page = (await call(`${origin}/am/json/realms/root/authenticate?authIndexType=service&authIndexValue=Login`)).json;
        page.callbacks[0].input[0].value = 'steady';
        page.callbacks[1].input[0].value = PASSWORD;
        return { page, answer: await call(`${origin}/am/json/realms/root/authenticate?authIndexType=service&authIndexValue=Login`, page) };
      };
      const token = (await signIn(a.origin)).answer.json.tokenId as string;
      expect(token).toBeDefined();
      // An OAuth access token, for the provider's own endpoints (userinfo, introspection) during the outage.
      const { verifier, challenge } = pkce();
      const authorize = await fetch(
        `${a.origin}/am/oauth2/authorize?${new URLSearchParams({
          client_id: RP.client_id,
          redirect_uri: RP.redirect_uris[0] as string,
          response_type: 'code',
          scope: 'openid',
          prompt: 'none',
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }).toString()}`,
        { redirect: 'manual', headers: { cookie: `iPlanetDirectoryPro=${token}` } },
      );
      const code = new URL(authorize.headers.get('location') ?? 'x:/').searchParams.get('code');
      expect(code, authorize.headers.get('location') ?? String(authorize.status)).toBeTruthy();
      const form = async (origin: string, path: string, fields: Record<string, string>): Promise<Answer> => {
        const res = await fetch(`${origin}/am/oauth2/${path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: CLIENT_AUTH },
          body: new URLSearchParams(fields).toString(),
        });
        return { status: res.status, json: await res.json() };
      };
      const issued = await form(b.origin, 'access_token', {
        grant_type: 'authorization_code',
        code: code as string,
        redirect_uri: RP.redirect_uris[0] as string,
        code_verifier: verifier,
      });
      expect(issued.status, JSON.stringify(issued.json)).toBe(200);
      const accessToken = issued.json.access_token as string;

      type Phase = 'before' | 'down' | 'after';
      let phase = 'before' as Phase;
      const seen: { phase: Phase; kind: string; status: number; body: unknown; origin: string }[] = [];
      let refusedStep: { origin: string; page: unknown } | undefined;
      const requests: Record<string, (origin: string) => Promise<Answer>> = {
        validate: (origin) => call(`${origin}/am/json/realms/root/sessions?_action=validate`, undefined, { iPlanetDirectoryPro: token }),
        query: (origin) =>
          call(
            `${origin}/openidm/managed/user?_queryFilter=${encodeURIComponent('userName eq "steady"')}`,
            undefined,
            { Authorization: `Bearer ${ADMIN_TOKEN}` },
            'GET',
          ),
        userinfo: async (origin) => {
          const res = await fetch(`${origin}/am/oauth2/userinfo`, { headers: { Authorization: `Bearer ${accessToken}` } });
          return { status: res.status, json: await res.json() };
        },
        introspect: async (origin) => {
          const r = await form(origin, 'introspect', { token: accessToken });
          // Inactive would mean the token was lost: only an active answer counts as normal.
          return r.status === 200 && r.json.active !== true ? { status: 299, json: r.json } : r;
        },
        signIn: async (origin) => {
          const { page, answer } = await signIn(origin);
          if (answer.status === 503) refusedStep ??= { origin, page };
          return answer;
        },
      };
      let stop = false;
      const loops = instances.flatMap((i) =>
        Object.entries(requests).map(async ([kind, send]) => {
          while (!stop) {
            const at = phase;
            const r = await send(i.origin);
            seen.push({ phase: at, kind, status: r.status, body: r.json, origin: i.origin });
          }
        }),
      );
      const count = (f: (x: (typeof seen)[number]) => boolean): number => seen.filter(f).length;

      await until('answers before the outage', () => count((x) => x.status === 200) >= 12);
      const refusedBefore = count((x) => x.status === 503);
      phase = 'down';
      await cluster.stop();
      await until('503s from both instances for every kind of request', () =>
        [a, b].every((i) =>
          Object.keys(requests).every((kind) => count((x) => x.phase === 'down' && x.origin === i.origin && x.kind === kind && x.status === 503) > 0),
        ),
      );
      const ready = await fetch(`${b.origin}/health/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: 'DOWN', checks: { store: false } });

      await cluster.start();
      phase = 'after'; // sent once the database is back
      await until('normal answers from both instances again', () =>
        [a, b].every((i) =>
          Object.keys(requests).every(
            (kind) => count((x) => x.phase === 'after' && x.origin === i.origin && x.kind === kind && x.status === 200) > 0,
          ),
        ),
      );
      stop = true;
      await Promise.all(loops);

      expect(seen.filter((x) => x.status !== 200 && x.status !== 503)).toEqual([]);
      // Each protocol's own shape: CREST/AM's, and OAuth's temporarily_unavailable (RFC 6749 §4.1.2.1).
      const oauthKinds = new Set(['userinfo', 'introspect']);
      for (const x of seen.filter((y) => y.status === 503))
        expect(x.body).toEqual(
          oauthKinds.has(x.kind)
            ? { error: 'temporarily_unavailable', error_description: 'The server cannot answer this request now; try again.' }
            : { code: 503, reason: 'Service Unavailable', message: 'Service Unavailable' },
        );
      expect(refusedBefore).toBe(0);
      expect((await fetch(`${a.origin}/health/ready`)).status).toBe(200);
      // The sign-in step the outage refused did not advance: sent again, it signs in.
      expect(refusedStep).toBeDefined();
      const again = await call(
        `${refusedStep?.origin}/am/json/realms/root/authenticate?authIndexType=service&authIndexValue=Login`,
        refusedStep?.page,
      );
      expect(again.json.tokenId, JSON.stringify(again).slice(0, 300)).toBeDefined();
    });
  },
);
