/**
 * Issue 11, items 1–3, as an attacker would try them against the real server over HTTP (the shipped
 * journeys, real parallel requests, client addresses through a trusted proxy's X-Forwarded-For):
 *
 * 1. concurrent correct sign-ins of one account all succeed and lock nothing, in the shipped Login
 *    and in an AM journey with Retry Limit + Account Lockout; 50 parallel wrong passwords evaluate
 *    at most the limit;
 * 2. someone who knows only a username cannot stop its owner signing in — neither with a few wrong
 *    passwords nor with a spray from many addresses — while the guesses stay bounded per account
 *    and per address, and a spent budget opens again when its window ends;
 * 3. a first wrong password, an unknown user and a spent budget give the same answer and make the
 *    same store operations (counted by the server's own /metrics), as do the reset e-mail step for
 *    an existing and an unknown address. (Their timing is measured by `npm run bench:reliability`;
 *    tests assert behaviour, never timings.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCookieJar, createJarFetch } from '../support/cookie-jar.js';
import { asStep, asSuccess, createSdkClient, sdk, type Sdk } from '../support/forgerock-sdk.js';
import { admin, authUrl, createUser, eventsOf, fill, post, signIn, type Answer, type Via } from '../support/journey-http.js';
import { shippedAndAmJourneys, startTestServer, type TestServer } from '../support/server.js';

const { CallbackType } = sdk;
const TOKEN = 'attack-admin-token-0123456789abcdefghijklmn';
const PASSWORD = 'the correct horse battery staple';
const WINDOW_MS = 15 * 60_000;

let server: TestServer;
const audit: string[] = [];
let offset = 0;
let address = 0;
/** A client address of its own for each attacker or person (through the trusted proxy). */
const from = (ip = `198.51.100.${++address}`): Via => ({ headers: { 'X-Forwarded-For': ip } });

beforeAll(async () => {
  server = await startTestServer(
    {
      CAIRN_JOURNEYS_DIR: await shippedAndAmJourneys(),
      CAIRN_ADMIN_TOKEN: TOKEN,
      CAIRN_TRUSTED_PROXIES: '127.0.0.1,::1',
      // One instance: no need to look for changes made elsewhere, whose reads would count as this step's store work.
      CAIRN_CONFIG_POLL_MS: '60000',
      CAIRN_LOGIN_ATTEMPTS: '5',
      CAIRN_LOGIN_ATTEMPTS_PER_CLIENT: '20',
      CAIRN_AUTHID_LIFETIME_SECONDS: '600',
    },
    { audit: (line) => audit.push(line), now: () => Date.now() + offset },
  );
});
afterAll(async () => {
  await server?.stop();
});

const accountStatus = async (id: string): Promise<unknown> => (await admin(server, TOKEN, `/managed/user/${id}`)).json.accountStatus;
const ofUser = (event: string, id: string) => eventsOf(audit, event).filter((e) => e.userId === id);

/** `n` sign-in pages of `journey`, then all `n` answered at once with `password(i)`. */
async function parallel(journey: string, n: number, userName: string, password: (i: number) => string, via: (i: number) => Via): Promise<Answer[]> {
  const pages = await Promise.all(Array.from({ length: n }, (_, i) => post(authUrl(server, journey), undefined, via(i))));
  return Promise.all(pages.map((p, i) => post(authUrl(server, journey), fill(p.json, userName, password(i)), via(i))));
}

describe('1. concurrent correct sign-ins', () => {
  for (const journey of ['Login', 'LoginWithLockout']) {
    it(`signs in all 20 of 20 parallel correct logins of one account, and locks nothing (${journey})`, async () => {
      const user = `busy-${journey}`;
      const id = await createUser(server, TOKEN, user, PASSWORD);
      // A phone, a laptop, a mail client and a load test: one address nobody signed in from before.
      const client = from();
      const answers = await parallel(
        journey,
        20,
        user,
        () => PASSWORD,
        () => client,
      );
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
      expect(answers.filter((a) => /^[A-Za-z0-9_-]{43}$/.test(a.json.tokenId))).toHaveLength(20);
      expect(await accountStatus(id)).toBe('active');
      expect([...ofUser('login.failed', id), ...ofUser('login.throttled', id), ...ofUser('account.locked', id)]).toEqual([]);
    });
  }

  it('evaluates at most 5 of 50 parallel wrong passwords, answering all 50 like a wrong password', async () => {
    const id = await createUser(server, TOKEN, 'guessed', PASSWORD);
    const client = from();
    const answers = await parallel(
      'Login',
      50,
      'guessed',
      (i) => `wrong guess ${i}`,
      () => client,
    );
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    const evaluated = ofUser('login.failed', id);
    expect(evaluated.length).toBeGreaterThan(0);
    expect(evaluated.length).toBeLessThanOrEqual(5);
    expect(evaluated.length + ofUser('login.throttled', id).length).toBe(50);
    // Retry Limit 5: five go back to the page, the rest end with AM's "Login failure".
    expect(answers.filter((a) => a.status === 200 && a.json.callbacks)).toHaveLength(5);
    expect(new Set(answers.filter((a) => a.status === 401).map((a) => a.json.message))).toEqual(new Set(['Login failure']));
    expect(await accountStatus(id)).toBe('active');
  });
});

describe('2. an attacker who knows only a username', () => {
  it('cannot stop the owner signing in on their device or from their address; guesses stay bounded', async () => {
    const id = await createUser(server, TOKEN, 'victim', PASSWORD);
    // The owner signed in before, with the official SDK in their browser, from home.
    const home = '203.0.113.10';
    const browser = createSdkClient({
      baseUrl: server.amUrl,
      tree: 'Login',
      middleware: [
        (req, _action, next) => {
          const headers = new Headers(req.init.headers);
          headers.set('X-Forwarded-For', browserAddress);
          req.init.headers = headers;
          next();
        },
      ],
    });
    let browserAddress = home;
    const sdkSignIn = async (): Promise<Sdk.FRLoginSuccess> => {
      const page = asStep(await browser.start({ query: { ForceAuth: 'true' } }));
      page.getCallbackOfType<Sdk.NameCallback>(CallbackType.NameCallback).setName('victim');
      page.getCallbackOfType<Sdk.PasswordCallback>(CallbackType.PasswordCallback).setPassword(PASSWORD);
      return asSuccess(await browser.next(page));
    };
    await sdkSignIn();
    expect(browser.jar.get('cairn-device', server.url)).toMatch(/^[A-Za-z0-9_-]{22}$/);

    // Ten requests from one address: five wrong passwords. Then a spray: 60 addresses, one guess each.
    const attacker = from();
    for (let i = 0; i < 5; i++) await signIn(server, 'victim', `guess ${i}`, attacker);
    const spray = await Promise.all(Array.from({ length: 60 }, (_, i) => signIn(server, 'victim', `spray ${i}`, from(`192.0.2.${i + 1}`))));
    expect(spray.filter((a) => a.status >= 500)).toEqual([]);

    // Guesses evaluated: at most 5 for the account (unknown clients share its budget), at most 1 per spraying address.
    const evaluated = ofUser('login.failed', id);
    expect(evaluated.length).toBeLessThanOrEqual(5);
    const perAddress = new Map<unknown, number>();
    for (const e of evaluated) perAddress.set(e.clientIp, (perAddress.get(e.clientIp) ?? 0) + 1);
    for (const [ip, count] of perAddress) if (ip !== attacker.headers?.['X-Forwarded-For']) expect(count).toBe(1);

    // The owner still gets in: from their browser (its device cookie) at a café, and from home without it.
    browserAddress = '192.0.2.200';
    expect((await sdkSignIn()).getSessionToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await signIn(server, 'victim', PASSWORD, from(home))).json.tokenId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await accountStatus(id)).toBe('active');
    expect(ofUser('account.locked', id)).toEqual([]);

    // A client that never signed in, with the right password, is answered like a wrong guess while the
    // budget is spent — no lock: once the window ends it gets in.
    const stranger = from('198.18.0.1');
    const refused = await signIn(server, 'victim', PASSWORD, stranger);
    expect(refused.json.tokenId).toBeUndefined();
    expect(ofUser('login.throttled', id).some((e) => e.clientIp === '198.18.0.1')).toBe(true);
    offset += WINDOW_MS;
    expect((await signIn(server, 'victim', PASSWORD, stranger)).json.tokenId).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('bounds one address spraying many accounts, existing or not, at 20 evaluated guesses', async () => {
    for (let i = 0; i < 15; i++) await createUser(server, TOKEN, `sprayed-${i}`, PASSWORD);
    const sprayer = from('198.51.100.250');
    for (let i = 0; i < 30; i++) await signIn(server, i < 15 ? `sprayed-${i}` : `no-such-user-${i}`, 'Summer2024!', sprayer);
    const evaluated = eventsOf(audit, 'login.failed').filter((e) => e.clientIp === '198.51.100.250');
    expect(evaluated.length).toBe(20);
    expect(eventsOf(audit, 'login.throttled').filter((e) => e.clientIp === '198.51.100.250')).toHaveLength(10);
    // The sprayer's spent budget holds back nobody else: an owner elsewhere signs in.
    expect((await signIn(server, 'sprayed-0', PASSWORD, from('198.51.100.251'))).json.tokenId).toBeDefined();
  });

  it('lets a browser remember several accounts, and its cookie helps no other account', async () => {
    const [a, b] = [await createUser(server, TOKEN, 'family-a', PASSWORD), await createUser(server, TOKEN, 'family-b', PASSWORD)];
    const jar = createCookieJar();
    const shared: Via = { fetch: createJarFetch(jar, fetch), ...from() };
    await signIn(server, 'family-a', PASSWORD, shared);
    await signIn(server, 'family-b', PASSWORD, shared);
    expect(jar.get('cairn-device', server.url)?.split('.')).toHaveLength(2);
    // Both accounts' budgets for unknown clients are spent by an attacker...
    for (const user of ['family-a', 'family-b', 'family-c']) for (let i = 0; i < 6; i++) await signIn(server, user, `x${i}`, from());
    // ...yet both people still get in on the shared browser, from yet another address.
    const elsewhere: Via = { fetch: shared.fetch as typeof fetch, ...from() };
    expect((await signIn(server, 'family-a', PASSWORD, elsewhere)).json.tokenId).toBeDefined();
    expect((await signIn(server, 'family-b', PASSWORD, elsewhere)).json.tokenId).toBeDefined();
    expect([await accountStatus(a), await accountStatus(b)]).toEqual(['active', 'active']);
  });
});

describe('3. throttled, unknown and wrong cost the same', () => {
  /** Store operations by name, as counted by the server's own /metrics. */
  async function storeOps(): Promise<Map<string, number>> {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const ops = new Map<string, number>();
    for (const m of text.matchAll(/^cairn_store_operation_duration_seconds_count\{operation="([^"]+)"\} (\d+)$/gm))
      ops.set(m[1] as string, Number(m[2]));
    return ops;
  }
  /** The store operations one request makes. */
  async function opsOf(request: () => Promise<Answer>): Promise<{ answer: Answer; ops: Record<string, number> }> {
    const before = await storeOps();
    const answer = await request();
    const after = await storeOps();
    const ops: Record<string, number> = {};
    for (const [op, n] of after) if (n - (before.get(op) ?? 0) > 0) ops[op] = n - (before.get(op) ?? 0);
    return { answer, ops };
  }
  /** What the client sees of an answer, minus what differs between any two (the authId's value, Date). */
  const seen = (a: Answer) => ({ status: a.status, authIdLength: a.json.authId?.length, body: { ...a.json, authId: undefined } });

  it('answers a first wrong password, an unknown user and a spent budget alike, with the same store work', async () => {
    await createUser(server, TOKEN, 'timing-a', PASSWORD);
    await createUser(server, TOKEN, 'timing-b', PASSWORD);
    const via = from('198.51.100.240');
    const credentialStep = async (userName: string) => {
      const page = await post(authUrl(server, 'Login'), undefined, via);
      return opsOf(() => post(authUrl(server, 'Login'), fill(page.json, userName, 'not the password'), via));
    };
    // Names of equal length: the authId carries the name typed, whoever it belongs to.
    const firstWrong = await credentialStep('timing-a');
    const firstUnknown = await credentialStep('timing-x');
    expect(seen(firstUnknown.answer)).toEqual(seen(firstWrong.answer));
    expect(firstUnknown.ops).toEqual(firstWrong.ops);
    // Spend both budgets (from other addresses), then compare the spent ones.
    for (const user of ['timing-b', 'timing-y']) for (let i = 0; i < 5; i++) await signIn(server, user, `w${i}`, from());
    const spent = await credentialStep('timing-b');
    const spentUnknown = await credentialStep('timing-y');
    expect(seen(spentUnknown.answer)).toEqual(seen(spent.answer));
    expect(spentUnknown.ops).toEqual(spent.ops);
    expect(spent.ops).toEqual(firstWrong.ops);
  });

  it('answers the reset e-mail step for an existing and an unknown address alike, with the same store work', async () => {
    await createUser(server, TOKEN, 'resetter');
    const via = from('198.51.100.241');
    const resetStep = async (mail: string) => {
      const page = await post(authUrl(server, 'ResetPassword'), undefined, via);
      return opsOf(() => post(authUrl(server, 'ResetPassword'), fill(page.json, mail), via));
    };
    // Twice each: the second request of an address supersedes the first one's link.
    const existing = [await resetStep('resetter@example.com'), await resetStep('resetter@example.com')];
    const unknown = [await resetStep('resetted@example.com'), await resetStep('resetted@example.com')];
    for (const i of [0, 1]) {
      expect(seen((unknown[i] as { answer: Answer }).answer)).toEqual(seen((existing[i] as { answer: Answer }).answer));
      expect(unknown[i]?.ops).toEqual(existing[i]?.ops);
    }
  });
});
