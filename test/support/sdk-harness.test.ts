// Proves the ForgeRock SDK harness (forgerock-sdk.ts + cookie-jar.ts) against fake-am.ts on
// 127.0.0.1: classification of steps/success/failure, per-client cookie jars, the exact requests
// the SDK sends (path, query, headers, body) and FRAuth.resume with a suspendedId link.
//
// SDK 4.9.1 quirks observed here (relevant when driving the real Cairn server):
// - start/resume POST with NO body at all (not `{}`); the server must treat an empty body as initiate.
// - The SDK adds `status` and `ok` to every parsed payload and re-posts them: the continuation
//   body is `{authId, callbacks, status: 200, ok: true, ...header/description/stage}`.
// - `authIndexType=service&authIndexValue=<tree>` is sent on EVERY request (continuations too),
//   whenever a tree is configured. Query order is `...options.query, authIndexType, authIndexValue`.
// - resume(link) takes `tree` from the link's authIndexValue; if the link has none, the client's
//   configured tree is sent instead (so a bare `?suspendedId=` link gets `authIndexValue=<tree>`).
// - Classification: a body with `authId` is a step whatever the HTTP status; any 2xx without
//   authId is FRLoginSuccess (even without tokenId); everything else FRLoginFailure with
//   getCode() = Number(body.code) — a non-JSON error body therefore gives getCode() NaN (read from
//   dist/auth/index.js: non-JSON bodies become `{}`; not exercised here).
// - Timeout: fetch is raced against setTimeout (default 5000 ms); the call rejects with
//   Error('Timeout') but the request is NOT aborted and the timer is never cleared (a pending
//   timer per call). Late responses still land in the jar, as in a browser.
// - Network errors are not wrapped: the call rejects with fetch's TypeError('fetch failed').
// - `credentials: 'include'` is set; Node's fetch ignores it (hence the harness's cookie jar).

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { createCookieJar, createJarFetch, parseSetCookie } from './cookie-jar.js';
import { asFailure, asStep, asSuccess, createSdkClient, sdk, type AuthResult, type Sdk, type SdkClient } from './forgerock-sdk.js';
import { startFakeAm, type FakeAm, type RecordedRequest } from './fake-am.js';

const PASSWORD = 'Ch4ng3it!';
const { CallbackType, FRLoginFailure, FRLoginSuccess, FRStep } = sdk;

let am: FakeAm;
beforeAll(async () => {
  am = await startFakeAm({ users: { demo: PASSWORD }, trees: ['Login', 'PasswordGrant'], suspendedIds: ['abc', 'def'] });
});
afterAll(async () => {
  await am.close();
});
afterEach(() => {
  am.delayMs = 0;
});

/** Requests the fake received during `fn`. */
async function captured(fn: () => Promise<unknown>): Promise<RecordedRequest[]> {
  const before = am.requests.length;
  await fn();
  return am.requests.slice(before);
}

function fillLogin(step: Sdk.FRStep, username: string, password: string): void {
  step.getCallbackOfType<Sdk.NameCallback>(CallbackType.NameCallback).setName(username);
  step.getCallbackOfType<Sdk.PasswordCallback>(CallbackType.PasswordCallback).setPassword(password);
}

async function login(client: SdkClient, password = PASSWORD): Promise<AuthResult> {
  const step = asStep(await client.start());
  fillLogin(step, 'demo', password);
  return client.next(step);
}

describe('SDK harness against the fake AM', () => {
  it('start yields an FRStep with the recorded Name/Password callbacks, via the SDK’s exact request', async () => {
    const client = createSdkClient({ baseUrl: am.baseUrl, tree: 'Login' });
    let result: AuthResult | undefined;
    const [request, ...rest] = await captured(async () => {
      result = await client.start();
    });
    expect(rest).toHaveLength(0);
    const step = asStep(result!);
    expect(step).toBeInstanceOf(FRStep);
    expect(step.callbacks.map((cb) => cb.getType())).toEqual(['NameCallback', 'PasswordCallback']);
    expect(step.getCallbackOfType<Sdk.NameCallback>(CallbackType.NameCallback).getPrompt()).toBe('User Name');
    expect(step.getCallbackOfType<Sdk.PasswordCallback>(CallbackType.PasswordCallback).getPrompt()).toBe('Password');

    expect(request).toMatchObject({
      method: 'POST',
      path: '/am/json/realms/root/authenticate',
      rawQuery: 'authIndexType=service&authIndexValue=Login',
      body: '',
      cookies: {},
    });
    expect(request!.headers).toMatchObject({
      accept: 'application/json',
      'accept-api-version': 'protocol=1.0,resource=2.1',
      'content-type': 'application/json',
      'x-requested-with': 'forgerock-sdk',
    });
    expect(request!.headers['x-requested-platform']).toBeUndefined();
  });

  it('next with the right password is an FRLoginSuccess; the jar sends the first response’s cookie', async () => {
    const client = createSdkClient({ baseUrl: am.baseUrl, tree: 'Login' });
    let result: AuthResult | undefined;
    const [first, second] = await captured(async () => {
      result = await login(client);
    });
    const success = asSuccess(result!);
    expect(success).toBeInstanceOf(FRLoginSuccess);
    expect(success.getRealm()).toBe('/');
    expect(success.getSuccessUrl()).toBe('/am/console');
    const token = success.getSessionToken();
    expect(token).toMatch(/\.\*AAJTSQ/);
    expect(client.jar.get('iPlanetDirectoryPro', am.baseUrl)).toBe(token);

    expect(first!.cookies).toEqual({});
    expect(second!.cookies).toEqual({ amlbcookie: '01' });
    expect(second!.rawQuery).toBe('authIndexType=service&authIndexValue=Login');
    expect(second!.headers['content-type']).toBe('application/json');
    const body = JSON.parse(second!.body) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 200, ok: true }); // SDK quirk: re-posts its own fields
    expect(typeof body.authId).toBe('string');
    expect(body.callbacks).toEqual([
      { type: 'NameCallback', output: [{ name: 'prompt', value: 'User Name' }], input: [{ name: 'IDToken1', value: 'demo' }], _id: 0 },
      { type: 'PasswordCallback', output: [{ name: 'prompt', value: 'Password' }], input: [{ name: 'IDToken2', value: PASSWORD }], _id: 1 },
    ]);

    // The session cookie now goes with this client's later requests (e.g. outside the SDK).
    const [page] = await captured(() => client.fetch(`${am.origin}/am/some/page`));
    expect(page!.cookies).toEqual({ iPlanetDirectoryPro: token, amlbcookie: '01' });
  });

  it('a wrong password is an FRLoginFailure with code 401', async () => {
    const client = createSdkClient({ baseUrl: am.baseUrl, tree: 'Login' });
    const failure = asFailure(await login(client, 'wrong-password'));
    expect(failure).toBeInstanceOf(FRLoginFailure);
    expect(failure.getCode()).toBe(401);
    expect(failure.getReason()).toBe('Unauthorized');
    expect(failure.getMessage()).toBe('Login failure');
    expect(failure.getDetail()).toEqual({ failureUrl: '' });
    expect(client.jar.get('iPlanetDirectoryPro')).toBeUndefined();
  });

  it('an unknown tree is an FRLoginFailure with code 400 "No Configuration found"', async () => {
    const client = createSdkClient({ baseUrl: am.baseUrl, tree: 'NoSuchTree' });
    const failure = asFailure(await client.start());
    expect(failure.getCode()).toBe(400);
    expect(failure.getMessage()).toBe('No Configuration found');
    expect(() => asStep(failure)).toThrow('expected a step, got a login failure 400 "No Configuration found"');
  });

  it('a wrong baseUrl is an FRLoginFailure with the server’s status, not an exception', async () => {
    const client = createSdkClient({ baseUrl: `${am.origin}/openam`, tree: 'Login' });
    const [request] = await captured(async () => {
      const failure = asFailure(await client.start());
      expect(failure.getCode()).toBe(404);
    });
    expect(request!.path).toBe('/openam/json/realms/root/authenticate');
  });

  it('two clients are two browsers: separate jars, separate config, even when called concurrently', async () => {
    const alice = createSdkClient({ baseUrl: am.baseUrl, tree: 'Login' });
    const bob = createSdkClient({ baseUrl: am.baseUrl, tree: 'PasswordGrant', realmPath: 'alpha' });
    asSuccess(await login(alice));

    const requests = await captured(async () => {
      const [a, b] = await Promise.all([alice.start(), bob.start()]);
      asStep(a);
      asStep(b);
    });
    const aliceStart = requests.find((r) => r.query.authIndexValue === 'Login');
    const bobStart = requests.find((r) => r.query.authIndexValue === 'PasswordGrant');
    expect(aliceStart).toMatchObject({ path: '/am/json/realms/root/authenticate' });
    expect(aliceStart!.cookies.iPlanetDirectoryPro).toBe(alice.jar.get('iPlanetDirectoryPro'));
    expect(bobStart).toMatchObject({ path: '/am/json/realms/root/realms/alpha/authenticate', cookies: {} });
    expect(bob.jar.list().map((c) => c.name)).toEqual(['amlbcookie']); // from its own start response
    expect(bob.jar.get('iPlanetDirectoryPro')).toBeUndefined();
  });

  it('resume(link) posts suspendedId with no body, in a fresh jar, and continues to success', async () => {
    const loggedIn = createSdkClient({ baseUrl: am.baseUrl, tree: 'Login' });
    asSuccess(await login(loggedIn));
    const fresh = createSdkClient({ baseUrl: am.baseUrl });
    const link = `${am.origin}/login/?suspendedId=abc&authIndexType=service&authIndexValue=ResetPassword`;

    let resumed: AuthResult | undefined;
    const [request] = await captured(async () => {
      resumed = await fresh.resume(link);
    });
    expect(request).toMatchObject({
      method: 'POST',
      path: '/am/json/realms/root/authenticate',
      rawQuery: 'suspendedId=abc&authIndexType=service&authIndexValue=ResetPassword',
      body: '',
      cookies: {},
    });
    expect(request!.headers['accept-api-version']).toBe('protocol=1.0,resource=2.1');

    const step = asStep(resumed!);
    expect(step.getHeader()).toBe('Change password');
    step.getCallbackOfType<Sdk.ValidatedCreatePasswordCallback>(CallbackType.ValidatedCreatePasswordCallback).setPassword('N3w-passw0rd');
    const [continuation] = await captured(async () => {
      asSuccess(await fresh.next(step));
    });
    expect(continuation!.query.suspendedId).toBeUndefined(); // not repeated on continuation
    expect(fresh.jar.get('iPlanetDirectoryPro')).toBeDefined();

    const reused = asFailure(await fresh.resume(link)); // suspendedIds are single-use
    expect(reused.getCode()).toBe(401);
  });

  it('resume(link without authIndexValue) falls back to the client’s configured tree', async () => {
    const client = createSdkClient({ baseUrl: am.baseUrl, tree: 'Login' });
    const [request] = await captured(async () => {
      asStep(await client.resume(`${am.origin}/am/XUI/?realm=/&suspendedId=def`));
    });
    expect(request!.rawQuery).toBe('suspendedId=def&authIndexType=service&authIndexValue=Login');
  });

  it('passes SDK options through (query, platformHeader)', async () => {
    const client = createSdkClient({ baseUrl: `${am.baseUrl}/`, tree: 'Login', platformHeader: true });
    const [request] = await captured(() => client.start({ query: { locale: 'fr', goto: 'https://x.example/a b' } }));
    expect(request!.rawQuery).toBe('locale=fr&goto=https%3A%2F%2Fx.example%2Fa%20b&authIndexType=service&authIndexValue=Login');
    expect(request!.headers['x-requested-platform']).toBe('javascript');
  });

  it('reports a slow server as Error("Timeout") and an unreachable one as TypeError("fetch failed")', async () => {
    am.delayMs = 1500;
    const slow = createSdkClient({ baseUrl: am.baseUrl, tree: 'Login', timeout: 200 });
    await expect(slow.start()).rejects.toThrow(/^Timeout$/);

    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const down = createSdkClient({ baseUrl: `http://127.0.0.1:${port}/am`, tree: 'Login' });
    await expect(down.start()).rejects.toThrow(TypeError);
    // the mutex is released after failures: other clients still work
    am.delayMs = 0;
    asStep(await createSdkClient({ baseUrl: am.baseUrl, tree: 'Login' }).start());
  });

  it('run() installs this client for any SDK code; nesting another client is refused', async () => {
    const a = createSdkClient({ baseUrl: am.baseUrl, tree: 'Login' });
    const b = createSdkClient({ baseUrl: am.baseUrl, tree: 'Login' });
    const step = await a.run(async () => {
      expect(a.Config.get().tree).toBe('Login');
      return a.start(); // re-entrant on the same client is fine
    });
    asStep(step);
    await expect(a.run(() => b.start())).rejects.toThrow(/inside another client/);
    // outside any client the global fetch is a plain pass-through (no jar cookies)
    asSuccess(await login(a));
    const [plain] = await captured(() => fetch(`${am.origin}/am/plain`));
    expect(plain!.cookies).toEqual({});
  });

  it('rejects bad options with a clear error', () => {
    expect(() => createSdkClient({ baseUrl: 'not a url' })).toThrow(/baseUrl must be an absolute URL/);
    expect(() => createSdkClient({ baseUrl: 'ftp://127.0.0.1/am' })).toThrow(/http\(s\)/);
    expect(() => createSdkClient({ baseUrl: am.baseUrl, timeout: 0 })).toThrow(/timeout must be a positive integer/);
    expect(() => createSdkClient({ baseUrl: am.baseUrl, tree: '' })).toThrow(/tree must be a non-empty string/);
  });
});

describe('cookie jar', () => {
  const origin = 'http://127.0.0.1:8080';

  it('parses attributes and ignores malformed headers', () => {
    expect(parseSetCookie('a=1; Path=/x; Max-Age=60; Secure; HttpOnly; SameSite=None; Domain=.Example.COM')).toEqual({
      name: 'a',
      value: '1',
      path: '/x',
      maxAgeSeconds: 60,
      expires: undefined,
      domain: 'example.com',
      secure: true,
      httpOnly: true,
      sameSite: 'None',
    });
    expect(parseSetCookie('novalue')).toBeUndefined();
    expect(parseSetCookie('=x')).toBeUndefined();
    expect(parseSetCookie('a=1; Max-Age=soon; Expires=garbage; Path=relative')).toMatchObject({
      maxAgeSeconds: undefined,
      expires: undefined,
      path: undefined,
    });
  });

  it('matches paths per RFC 6265 and defaults the path to the request directory', () => {
    const jar = createCookieJar();
    jar.setCookie('root=1; Path=/', `${origin}/`);
    jar.setCookie('am=2; Path=/am', `${origin}/`);
    jar.setCookie('dir=3', `${origin}/am/json/authenticate`); // default path /am/json
    expect(jar.cookieHeader(`${origin}/am/json/realms`)).toBe('dir=3; am=2; root=1');
    expect(jar.cookieHeader(`${origin}/amx`)).toBe('root=1');
    expect(jar.cookieHeader(`${origin}/am`)).toBe('am=2; root=1');
  });

  it('expires cookies by Max-Age (which beats Expires) and Expires, on an injected clock', () => {
    let now = Date.parse('2025-01-01T00:00:00Z');
    const jar = createCookieJar({ now: () => now });
    jar.setCookie('short=1; Max-Age=10; Expires=Wed, 01 Jan 2030 00:00:00 GMT', origin);
    jar.setCookie('dated=2; Expires=Wed, 01 Jan 2025 00:01:00 GMT', origin);
    jar.setCookie('session=3', origin);
    expect(jar.cookieHeader(origin)).toBe('short=1; dated=2; session=3');
    now += 11_000;
    expect(jar.cookieHeader(origin)).toBe('dated=2; session=3');
    now += 60_000;
    expect(jar.cookieHeader(origin)).toBe('session=3');
    jar.setCookie('session=gone; Max-Age=0', origin);
    expect(jar.list()).toEqual([]);
  });

  it('replaces a cookie with the same name/domain/path and keeps its position', () => {
    const jar = createCookieJar();
    jar.setCookie('a=1; Path=/', origin);
    jar.setCookie('b=2; Path=/', origin);
    jar.setCookie('a=3; Path=/', origin);
    expect(jar.cookieHeader(origin)).toBe('a=3; b=2');
  });

  it('enforces Domain and host-only rules; Secure is honoured on https and ignored on loopback http', () => {
    const jar = createCookieJar();
    expect(jar.setCookie('x=1; Domain=evil.example', 'http://am.example.com/')).toBeUndefined();
    expect(jar.setCookie('d=1; Domain=.example.com', 'https://am.example.com/')).toMatchObject({ hostOnly: false });
    jar.setCookie('h=1', 'https://am.example.com/');
    expect(jar.cookieHeader('https://login.example.com/')).toBe('d=1');
    expect(jar.cookieHeader('https://am.example.com/')).toBe('d=1; h=1');
    expect(jar.cookieHeader('https://example.org/')).toBe('');

    expect(jar.setCookie('s=1; Secure', 'http://am.example.com/')).toBeUndefined();
    jar.setCookie('s=2; Secure', 'https://am.example.com/');
    expect(jar.cookieHeader('http://am.example.com/')).toBe('d=1; h=1');
    expect(jar.setCookie('loop=1; Secure', 'http://127.0.0.1:1/')).toBeDefined();
    expect(jar.cookieHeader('http://127.0.0.1:2/')).toBe('loop=1'); // cookies ignore ports
    expect(jar.cookieHeader('http://localhost/')).toBe('');
  });

  it('stores every Set-Cookie of a response (getSetCookie) and follows redirects keeping cookies', async () => {
    const jar = createCookieJar();
    const seen: { url: string; method: string; cookie: string | null }[] = [];
    const fakeFetch: typeof fetch = async (input, init) => {
      const url = String(input);
      const headers = new Headers(init?.headers);
      seen.push({ url, method: init?.method ?? 'GET', cookie: headers.get('cookie') });
      if (url.endsWith('/start')) {
        const response = new Response(null, { status: 302, headers: { location: '/am/next' } });
        response.headers.append('set-cookie', 'one=1; Path=/');
        response.headers.append('set-cookie', 'two=2; Path=/am');
        return response;
      }
      return new Response('ok', { status: 200 });
    };
    const jarFetch = createJarFetch(jar, fakeFetch);
    const response = await jarFetch(`${origin}/start`, { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } });
    expect(await response.text()).toBe('ok');
    expect(seen).toEqual([
      { url: `${origin}/start`, method: 'POST', cookie: null },
      { url: `${origin}/am/next`, method: 'GET', cookie: 'two=2; one=1' },
    ]);
    await jarFetch(`${origin}/x`, { credentials: 'omit' });
    expect(seen.at(-1)?.cookie).toBeNull();
  });
});
