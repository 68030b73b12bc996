/**
 * The authenticate API's refusals, over real HTTP: tampered, forged, expired and foreign-key
 * authIds (all the timeout answer, nothing advanced), unknown journeys, wrong callback shapes, bad
 * JSON, oversized bodies, other realms, CSRF-shaped requests and CORS preflights.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthIdCodec } from '../../src/am/authid.js';
import { openKeystore } from '../../src/keys/keystore.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
const ALLOWED = 'https://app.example.com';
const TIMEOUT = { code: 401, reason: 'Unauthorized', message: 'Session has timed out', detail: { errorCode: '110' } };

beforeAll(async () => {
  server = await startTestServer({ CAIRN_CORS_ORIGINS: ALLOWED });
});
afterAll(async () => {
  await server.stop();
});

const url = (journey = 'SdkDemo') => `${server.amUrl}/json/realms/root/authenticate?authIndexType=service&authIndexValue=${journey}`;

async function post(body: unknown, headers: Record<string, string> = {}, target = url()): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(target, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Accept-API-Version': 'resource=2.1, protocol=1.0', ...headers },
    body: typeof body === 'string' ? body : body === undefined ? null : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers };
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const parts = (jwt: string) => jwt.split('.') as [string, string, string];

async function firstStep() {
  const r = await post(undefined);
  expect(r.status).toBe(200);
  return r.json as { authId: string; callbacks: any[] };
}

describe('authId integrity', () => {
  it('is a JWT whose claims AM clients can decode', async () => {
    const step = await firstStep();
    const [h, p] = parts(step.authId);
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toMatchObject({ typ: 'JWT', alg: 'HS256' });
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    expect(claims).toMatchObject({ authIndexType: 'service', authIndexValue: 'SdkDemo', realm: '/' });
    expect(claims.exp - claims.iat).toBe(300);
    expect(JSON.stringify(claims)).not.toContain('signIn'); // the journey state is encrypted
  });

  it('answers a tampered authId with the timeout and advances nothing', async () => {
    const step = await firstStep();
    const [h, p, s] = parts(step.authId);
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const tampered = `${h}.${b64({ ...claims, authIndexValue: 'Other' })}.${s}`;
    expect(await post({ ...step, authId: tampered })).toMatchObject({ status: 401, json: TIMEOUT });
    const flipped = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('A') ? 'B' : 'A'}A`;
    expect(await post({ ...step, authId: flipped })).toMatchObject({ status: 401, json: TIMEOUT });
    // The genuine authId still works afterwards: nothing was consumed or advanced.
    const ok = await post(step);
    expect(ok.status).toBe(200);
  });

  it('refuses alg none and a wrong typ', async () => {
    const step = await firstStep();
    const [h, p] = parts(step.authId);
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    expect(await post({ ...step, authId: `${b64({ alg: 'none', typ: 'JWT' })}.${p}.` })).toMatchObject({ status: 401, json: TIMEOUT });
    expect(await post({ ...step, authId: `${b64({ ...header, typ: 'JOSE' })}.${p}.${parts(step.authId)[2]}` })).toMatchObject({
      status: 401,
      json: TIMEOUT,
    });
  });

  it('refuses an expired authId and one signed with a key the server does not hold', async () => {
    const step = await firstStep();
    // Re-issue the same journey state with the server's own keys, but as of ten minutes ago.
    const keystore = await openKeystore({ dir: join(server.dataDir, 'keys') });
    const past = createAuthIdCodec({ keystore, now: () => Date.now() - 10 * 60_000 });
    const { claims, snapshot } = await createAuthIdCodec({ keystore }).read(step.authId);
    const expired = await past.issue(claims, snapshot);
    expect(await post({ ...step, authId: expired })).toMatchObject({ status: 401, json: TIMEOUT });

    // The same state signed and encrypted under keys of another installation (a key rotated out of,
    // or never in, this server's key directory).
    const otherDir = await mkdtemp(join(tmpdir(), 'cairn-other-keys-'));
    try {
      const foreign = createAuthIdCodec({ keystore: await openKeystore({ dir: otherDir }) });
      expect(await post({ ...step, authId: await foreign.issue(claims, snapshot) })).toMatchObject({ status: 401, json: TIMEOUT });
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });
});

describe('bad requests', () => {
  it("answers an unknown journey with AM's 400", async () => {
    expect(await post(undefined, {}, url('Nope'))).toMatchObject({
      status: 400,
      json: { code: 400, reason: 'Bad Request', message: 'No Configuration found' },
    });
  });

  it('refuses a wrong callback count with a clear 400 and keeps the step usable', async () => {
    const step = await firstStep();
    const r = await post({ ...step, callbacks: step.callbacks.slice(0, 1) });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ code: 400, reason: 'Bad Request', message: 'Incorrect number of callbacks: expected 2, got 1' });
    const wrongType = await post({ ...step, callbacks: [{ ...step.callbacks[0], type: 'NameCallback' }, step.callbacks[1]] });
    expect(wrongType).toMatchObject({ status: 400, json: { message: expect.stringMatching(/^Callback 1 has type NameCallback/) } });
    expect((await post(step)).status).toBe(200);
  });

  it('answers malformed JSON, non-object bodies and oversized input with 400, never a trace', async () => {
    const bad = await post('{"authId": ');
    expect(bad).toMatchObject({
      status: 400,
      json: { code: 400, message: 'The request could not be processed because the provided content is not valid JSON' },
    });
    expect(await post('[1,2]')).toMatchObject({ status: 400, json: { message: 'The request body must be a JSON object.' } });
    const big = await post({
      authId: 'x',
      callbacks: [{ type: 'NameCallback', output: [], input: [{ name: 'IDToken1', value: 'a'.repeat(100_000) }] }],
    });
    expect(big.status).toBe(400);
    expect(JSON.stringify([bad.json, big.json])).not.toMatch(/at .*\.(js|ts):\d+|Error:/);
  });

  it("says a realm it does not serve is invalid, in AM's shape", async () => {
    const r = await post(undefined, {}, `${server.amUrl}/json/realms/root/realms/beta/authenticate?authIndexType=service&authIndexValue=SdkDemo`);
    expect(r).toMatchObject({
      status: 400,
      json: { code: 400, reason: 'Bad Request', message: 'Invalid realm, /beta' },
    });
  });

  it("puts AM's headers on every answer", async () => {
    for (const r of [await post(undefined), await post(undefined, {}, url('Nope')), await post('{')]) {
      expect(r.headers.get('content-api-version')).toBe('resource=2.1');
      expect(r.headers.get('cache-control')).toBe('no-store');
    }
  });
});

describe('browsers: CSRF and CORS', () => {
  it('refuses a POST a cross-site form could send', async () => {
    const res = await fetch(url(), { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 403, reason: 'Forbidden' });
    const form = await fetch(url(), { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'a=b' });
    expect(form.status).toBe(403);
  });

  it('answers a preflight from an allowed origin with credentials and the SDK headers', async () => {
    const res = await fetch(url(), {
      method: 'OPTIONS',
      headers: {
        Origin: ALLOWED,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'accept-api-version,content-type,x-requested-with',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    const allowed = res.headers.get('access-control-allow-headers') ?? '';
    for (const h of ['accept-api-version', 'content-type', 'x-requested-with', 'x-requested-platform']) expect(allowed).toContain(h);
    const actual = await post(undefined, { Origin: ALLOWED });
    expect(actual.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  });

  it('refuses a preflight from another origin and never answers *', async () => {
    const res = await fetch(url(), { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const actual = await post(undefined, { Origin: 'https://evil.example' });
    expect(actual.headers.get('access-control-allow-origin')).toBeNull();
  });
});
