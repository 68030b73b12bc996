// The authId codec with a real keystore in a temporary folder and an injected clock: round trip,
// what AM clients can decode, and every way a forged or stale authId must be refused (RST-22/23,
// ASVS5 V9) — each with the single AuthIdInvalid error and its internal reason.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHmac, randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CompactEncrypt } from 'jose';
import { CairnError } from '../../src/errors/cairn-error.js';
import { openKeystore, type Keystore } from '../../src/keys/keystore.js';
import { AuthIdInvalid, createAuthIdCodec, sessionTimedOutBody, type AuthIdCodec, type AuthIdInvalidReason } from '../../src/am/authid.js';
import { scratchDir } from '../support/scratch.js';

const MIN = 60_000;
const CLAIMS = { authIndexType: 'service', authIndexValue: 'Login', realm: '/alpha' };
const SNAPSHOT = {
  status: 'active',
  value: 'collectCredentials',
  context: { shared: { username: 'alice' }, transient: { password: 'Secret-Marker-123' } },
};

let root: string;
let t: number;
const now = () => t;
let keystore: Keystore;
let codec: AuthIdCodec;

beforeEach(async () => {
  root = await scratchDir('cairn-authid-');
  t = Date.UTC(2025, 5, 1, 12, 0, 0);
  keystore = await openKeystore({ dir: join(root, 'keys'), now, rotateAfterMs: 60 * MIN, retainForMs: 10 * MIN });
  codec = createAuthIdCodec({ keystore, now });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const decode = (segment: string | undefined): Record<string, unknown> =>
  JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
const parts = (token: string) => {
  const [h, p, s] = token.split('.');
  return { header: decode(h), payload: decode(p), signature: s ?? '' };
};

/** A compact JWS with any header, HMAC-SHA256-signed with `secret` (or unsigned). */
function forge(header: Record<string, unknown>, payload: Record<string, unknown>, secret?: Uint8Array): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const sig = secret ? createHmac('sha256', secret).update(input).digest('base64url') : '';
  return `${input}.${sig}`;
}

async function resignWithStoreKey(header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string> {
  const key = await keystore.current('sig');
  return forge({ typ: 'JWT', alg: 'HS256', kid: key.kid, ...header }, payload, key.secret);
}

async function reasonOf(token: unknown): Promise<AuthIdInvalidReason> {
  const err = await codec.read(token as string).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AuthIdInvalid);
  return (err as AuthIdInvalid).reason;
}

describe('issue and read', () => {
  it('round-trips claims and snapshot', async () => {
    const token = await codec.issue(CLAIMS, SNAPSHOT);
    const { claims, snapshot } = await codec.read(token);
    expect(snapshot).toEqual(SNAPSHOT);
    expect(claims).toMatchObject({ ...CLAIMS, iat: t / 1000, exp: t / 1000 + 300 });
    expect(claims.jti).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  });

  it('is a JWT AM clients decode with plain base64url, the snapshot sealed inside', async () => {
    const token = await codec.issue(CLAIMS, SNAPSHOT);
    const { header, payload } = parts(token);
    expect(header).toEqual({ typ: 'JWT', alg: 'HS256', kid: (await keystore.current('sig')).kid });
    expect(payload).toMatchObject({ ...CLAIMS, iat: t / 1000, exp: t / 1000 + 300 });
    // XUI: decodeJwt(authId).authIndexValue
    expect(payload.authIndexValue).toBe('Login');
    const state = payload.state as string;
    expect(state.split('.')).toHaveLength(5);
    expect(decode(state.split('.')[0])).toEqual({ alg: 'dir', enc: 'A256GCM', kid: (await keystore.current('enc')).kid });
    expect(Buffer.from(state.split('.')[3] ?? '', 'base64url').toString('latin1')).not.toContain('Secret-Marker');
    expect(token).not.toContain(Buffer.from('Secret-Marker').toString('base64url'));
  });

  it('gives two different authIds for the same snapshot', async () => {
    const a = await codec.issue(CLAIMS, SNAPSHOT);
    const b = await codec.issue(CLAIMS, SNAPSHOT);
    expect(a).not.toBe(b);
    expect(parts(a).payload.jti).not.toBe(parts(b).payload.jti);
  });

  it('honours a per-call lifetime', async () => {
    const { payload } = parts(await codec.issue(CLAIMS, SNAPSHOT, 60));
    expect((payload.exp as number) - (payload.iat as number)).toBe(60);
  });

  it('compresses the snapshot when asked, and still reads it', async () => {
    const big = { ...SNAPSHOT, history: Array.from({ length: 50 }, (_, i) => ({ node: 'PageNode', step: i })) };
    const zipped = createAuthIdCodec({ keystore, now, compress: true });
    const token = await zipped.issue(CLAIMS, big);
    expect(decode((parts(token).payload.state as string).split('.')[0]).zip).toBe('DEF');
    expect((await zipped.read(token)).snapshot).toEqual(big);
    expect((await codec.read(token)).snapshot).toEqual(big);
    expect(token.length).toBeLessThan((await codec.issue(CLAIMS, big)).length / 2);
  });

  it('refuses to issue what it could not read back, and bad arguments', async () => {
    const huge = { blob: randomBytes(30_000).toString('base64') };
    await expect(codec.issue(CLAIMS, huge)).rejects.toMatchObject({ code: 'authid.too_large', expose: false });
    await expect(codec.issue(CLAIMS, undefined)).rejects.toThrow(TypeError);
    await expect(codec.issue({ ...CLAIMS, realm: 1 as unknown as string }, SNAPSHOT)).rejects.toThrow(/realm/);
    await expect(codec.issue(CLAIMS, SNAPSHOT, 0)).rejects.toThrow(RangeError);
    expect(() => createAuthIdCodec({ keystore, ttlSeconds: 11 * 60 })).toThrow(/retention/);
  });
});

describe("one error, AM's timeout response", () => {
  it('AuthIdInvalid is an exposed 401 CairnError whose text says nothing of the reason', async () => {
    const err = new AuthIdInvalid('signature');
    expect(err).toBeInstanceOf(CairnError);
    expect(err).toMatchObject({ status: 401, expose: true, message: 'Session has timed out', detail: { errorCode: '110' } });
    expect(err.message).not.toContain('signature');
  });

  it("sessionTimedOutBody is AM's body, exactly", () => {
    expect(JSON.stringify(sessionTimedOutBody())).toBe(
      '{"code":401,"reason":"Unauthorized","message":"Session has timed out","detail":{"errorCode":"110"}}',
    );
  });
});

describe('refused authIds', () => {
  it('tampered payload', async () => {
    const token = await codec.issue(CLAIMS, SNAPSHOT);
    const [h, , s] = token.split('.');
    const payload = { ...parts(token).payload, authIndexValue: 'AdminLogin' };
    expect(await reasonOf(`${h}.${b64(payload)}.${s}`)).toBe('signature');
  });

  it('tampered signature', async () => {
    const token = await codec.issue(CLAIMS, SNAPSHOT);
    const flipped = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    expect(await reasonOf(flipped)).toBe('signature');
  });

  it('tampered JWE, even under a valid signature', async () => {
    const { payload } = parts(await codec.issue(CLAIMS, SNAPSHOT));
    const segs = (payload.state as string).split('.');
    const ct = Buffer.from(segs[3] ?? '', 'base64url');
    ct[0] = (ct[0] ?? 0) ^ 1;
    segs[3] = ct.toString('base64url');
    expect(await reasonOf(await resignWithStoreKey({}, { ...payload, state: segs.join('.') }))).toBe('state');
  });

  it('a snapshot encrypted with a foreign key under our kid, or with a foreign kid', async () => {
    const { payload } = parts(await codec.issue(CLAIMS, SNAPSHOT));
    const encKid = (await keystore.current('enc')).kid;
    const foreign = await new CompactEncrypt(new TextEncoder().encode('{"value":"Success"}'))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: encKid })
      .encrypt(randomBytes(32));
    expect(await reasonOf(await resignWithStoreKey({}, { ...payload, state: foreign }))).toBe('state');
    const unknown = await new CompactEncrypt(new TextEncoder().encode('{}'))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: 'someone-elses-kid' })
      .encrypt(randomBytes(32));
    expect(await reasonOf(await resignWithStoreKey({}, { ...payload, state: unknown }))).toBe('unknown-kid');
    expect(await reasonOf(await resignWithStoreKey({}, { ...payload, state: 'not-a-jwe' }))).toBe('state');
  });

  it('a valid HS256 JWT signed by a key not in the store', async () => {
    const { payload } = parts(await codec.issue(CLAIMS, SNAPSHOT));
    const kid = (await keystore.current('sig')).kid;
    expect(await reasonOf(forge({ typ: 'JWT', alg: 'HS256', kid }, payload, randomBytes(32)))).toBe('signature');
    expect(await reasonOf(forge({ typ: 'JWT', alg: 'HS256', kid: 'attacker-kid' }, payload, randomBytes(32)))).toBe('unknown-kid');
  });

  it('alg none, other algorithms, and keys or key URLs in the header', async () => {
    const { payload } = parts(await codec.issue(CLAIMS, SNAPSHOT));
    const kid = (await keystore.current('sig')).kid;
    expect(await reasonOf(forge({ typ: 'JWT', alg: 'none', kid }, payload))).toBe('header');
    expect(await reasonOf(forge({ typ: 'JWT', alg: 'none' }, payload))).toBe('header');
    const secret = (await keystore.current('sig')).secret;
    const hs512 = `${b64({ typ: 'JWT', alg: 'HS512', kid })}.${b64(payload)}`;
    const sig512 = createHmac('sha512', secret).update(hs512).digest('base64url');
    expect(await reasonOf(`${hs512}.${sig512}`)).toBe('header');
    expect(await reasonOf(await resignWithStoreKey({ jku: 'https://evil.example/jwks' }, payload))).toBe('header');
    expect(await reasonOf(await resignWithStoreKey({ crit: ['exp'] }, payload))).toBe('header');
  });

  it('wrong or missing typ', async () => {
    const { payload } = parts(await codec.issue(CLAIMS, SNAPSHOT));
    expect(await reasonOf(await resignWithStoreKey({ typ: 'at+jwt' }, payload))).toBe('header');
    expect(await reasonOf(await resignWithStoreKey({ typ: undefined }, payload))).toBe('header');
  });

  it('wrong audience or a missing claim', async () => {
    const { payload } = parts(await codec.issue(CLAIMS, SNAPSHOT));
    expect(await reasonOf(await resignWithStoreKey({}, { ...payload, aud: 'cairn:suspendedId' }))).toBe('claims');
    expect(await reasonOf(await resignWithStoreKey({}, { ...payload, jti: undefined }))).toBe('claims');
    expect(await reasonOf(await resignWithStoreKey({}, { ...payload, realm: 42 }))).toBe('claims');
  });

  it('expired: accepted until exp, refused from exp on, with no clock tolerance', async () => {
    const token = await codec.issue(CLAIMS, SNAPSHOT);
    t += 299_999;
    await expect(codec.read(token)).resolves.toBeDefined();
    t += 1;
    expect(await reasonOf(token)).toBe('expired');
  });

  it('not yet valid (nbf in the future)', async () => {
    const { payload } = parts(await codec.issue(CLAIMS, SNAPSHOT));
    expect(await reasonOf(await resignWithStoreKey({}, { ...payload, nbf: t / 1000 + 10 }))).toBe('not-yet-valid');
  });

  it('a key still retained after rotation verifies; a rotated-out one does not', async () => {
    t += 60 * MIN - 1000; // one second before the keys rotate
    const beforeRotation = await codec.issue(CLAIMS, SNAPSHOT);
    t += 2000;
    const afterRotation = await codec.issue(CLAIMS, SNAPSHOT);
    expect(parts(afterRotation).header.kid).not.toBe(parts(beforeRotation).header.kid);
    expect((await codec.read(beforeRotation)).snapshot).toEqual(SNAPSHOT);

    // Past the retention window the old key is gone: refused for its key, before its expiry is even looked at.
    const oldKid = parts(beforeRotation).header.kid as string;
    t += 10 * MIN;
    expect(await keystore.byKid(oldKid, 'sig')).toBeUndefined();
    expect(await reasonOf(beforeRotation)).toBe('unknown-kid');
  });

  it('a token re-signed over an old JWE whose key was rotated out', async () => {
    const old = parts(await codec.issue(CLAIMS, SNAPSHOT)).payload;
    t += 60 * MIN; // the keys rotate on the next issue
    await codec.issue(CLAIMS, SNAPSHOT);
    t += 10 * MIN; // retention of the old keys, counted from their successors' creation, is over
    const fresh = parts(await codec.issue(CLAIMS, SNAPSHOT)).payload;
    expect(await reasonOf(await resignWithStoreKey({}, { ...fresh, state: old.state }))).toBe('unknown-kid');
  });

  it('keys persist: a reopened keystore reads earlier authIds', async () => {
    const token = await codec.issue(CLAIMS, SNAPSHOT);
    const reopened = await openKeystore({ dir: join(root, 'keys'), now });
    const other = createAuthIdCodec({ keystore: reopened, now });
    expect((await other.read(token)).snapshot).toEqual(SNAPSHOT);
  });

  it('oversized, malformed and non-string input, before any parsing', async () => {
    expect(await reasonOf('a'.repeat(40_000))).toBe('oversized');
    expect(await reasonOf(`${'a'.repeat(20_000)}.${'b'.repeat(20_000)}.c`)).toBe('oversized');
    expect(await reasonOf('')).toBe('malformed');
    expect(await reasonOf('not a jwt')).toBe('malformed');
    expect(await reasonOf('a.b')).toBe('malformed');
    expect(await reasonOf('!!!.@@@.###')).toBe('malformed');
    expect(await reasonOf(`${b64('x')}.${b64({})}.sig`)).toBe('header');
    expect(await reasonOf(undefined)).toBe('malformed');
    expect(await reasonOf({ authId: 'x' })).toBe('malformed');
  });

  it('a well-signed token whose payload is not JSON', async () => {
    const key = await keystore.current('sig');
    const input = `${b64({ typ: 'JWT', alg: 'HS256', kid: key.kid })}.${Buffer.from('not json').toString('base64url')}`;
    const token = `${input}.${createHmac('sha256', key.secret).update(input).digest('base64url')}`;
    expect(await reasonOf(token)).toBe('claims');
  });
});
