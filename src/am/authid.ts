/**
 * The AM `authId`: a compact JWS (HS256, `typ: "JWT"`, with `kid`) whose payload AM clients can
 * decode (`authIndexType`, `authIndexValue`, `realm`, `iat`, `exp`) and whose `state` claim carries
 * the journey snapshot as a compact JWE (`dir` + A256GCM) the client can neither read nor alter.
 * Reading is strict (allow-listed header, HS256 only, `exp`/`nbf` with no clock tolerance, size
 * cap before parsing) and every failure is one `AuthIdInvalid`, answered with AM's timeout response.
 *
 * The tokens are the standard compact serialisations (RFC 7515 / 7516 / 7519), made and checked with
 * node:crypto on cached key objects: the same tokens jose makes (a test holds them to jose), at a
 * tenth of the CPU of its WebCrypto path, which re-imports the key for every operation.
 *
 * Compression: a typical persisted XState journey snapshot is 0.7-1 KB of JSON; deflate halves it,
 * saving ~0.7 KB of a ~1.7 KB authId. Not worth a length side channel (the snapshot mixes secrets in
 * transient state with attacker-chosen input), so it is off unless `compress: true` (JWE `zip: DEF`).
 */
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { crestError, type CrestErrorBody } from '../crest/errors.js';
import { CairnError, isUnavailable } from '../errors/cairn-error.js';
import { KeystoreError, type Keystore } from '../keys/keystore.js';

/** What the client may read: where the journey came from. */
export interface AuthIdClaims {
  authIndexType: string;
  authIndexValue: string;
  realm: string;
}

/** The claims of a verified authId (times in epoch seconds). */
export interface VerifiedAuthIdClaims extends AuthIdClaims {
  iat: number;
  exp: number;
  jti: string;
}

export interface AuthIdCodec {
  /** Signs a new authId for `snapshot` (any JSON value), valid `ttlOverride ?? ttlSeconds` seconds. */
  issue(claims: AuthIdClaims, snapshot: unknown, ttlOverride?: number): Promise<string>;
  /** Verifies and opens an authId; throws AuthIdInvalid for anything but a genuine, unexpired one. */
  read(token: string): Promise<{ claims: VerifiedAuthIdClaims; snapshot: unknown }>;
}

export interface AuthIdCodecOptions {
  keystore: Keystore;
  /** Lifetime of an authId. Default 300 s (AM's `authenticationSessionsMaxDuration` of 5 minutes). */
  ttlSeconds?: number;
  /** Clock, epoch milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Deflate the snapshot before encrypting it (see the header). Default false. */
  compress?: boolean;
  /** Audience claim binding the token to this use of the shared signing key (ASVS 9.2.3). */
  audience?: string;
  /** Tokens longer than this are refused before any parsing. Default 32 KiB. */
  maxTokenBytes?: number;
}

/** Why an authId was refused: for logs only, never for the client. */
export type AuthIdInvalidReason =
  'malformed' | 'oversized' | 'header' | 'unknown-kid' | 'signature' | 'expired' | 'not-yet-valid' | 'claims' | 'state' | 'used';

export const SESSION_TIMED_OUT_MESSAGE = 'Session has timed out';
export const SESSION_TIMED_OUT_ERROR_CODE = '110';

/** Every refused authId. The wire shows only AM's timeout response; `reason` is for logs. */
export class AuthIdInvalid extends CairnError {
  readonly reason: AuthIdInvalidReason;
  constructor(reason: AuthIdInvalidReason, cause?: unknown) {
    super({
      status: 401,
      code: 'authid.invalid',
      message: SESSION_TIMED_OUT_MESSAGE,
      expose: true,
      detail: { errorCode: SESSION_TIMED_OUT_ERROR_CODE },
      cause,
    });
    this.name = 'AuthIdInvalid';
    this.reason = reason;
  }
}

export const isAuthIdInvalid = (e: unknown): e is AuthIdInvalid => e instanceof AuthIdInvalid;

/** AM's body for an expired or invalid authId (HTTP 401); clients restart on `detail.errorCode === "110"`. */
export function sessionTimedOutBody(): CrestErrorBody {
  return crestError(401, SESSION_TIMED_OUT_MESSAGE, { errorCode: SESSION_TIMED_OUT_ERROR_CODE });
}

export const DEFAULT_AUTHID_TTL_SECONDS = 300;
export const DEFAULT_AUTHID_AUDIENCE = 'cairn:authId';
export const DEFAULT_MAX_AUTHID_BYTES = 32 * 1024;
/** Ceiling for a decompressed snapshot, against deflate bombs (only reachable with our own key). */
const MAX_SNAPSHOT_BYTES = 256 * 1024;

/** The signature may be empty here so that `alg: none` tokens reach the header check and are logged as such. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const COMPACT_JWE = /^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const JWS_HEADER_KEYS = new Set(['alg', 'typ', 'kid']);
const JWE_HEADER_KEYS = new Set(['alg', 'enc', 'kid', 'zip']);

function checkTtl(name: string, seconds: number, keystore: Keystore): number {
  if (!Number.isInteger(seconds) || seconds <= 0) throw new RangeError(`authId ${name} must be a positive whole number of seconds`);
  if (seconds * 1000 > keystore.retainForMs) {
    throw new RangeError(`authId ${name} (${seconds} s) exceeds the keystore's key retention; its tokens could outlive their key`);
  }
  return seconds;
}

function checkClaims(claims: AuthIdClaims): void {
  for (const name of ['authIndexType', 'authIndexValue', 'realm'] as const) {
    if (typeof claims?.[name] !== 'string') throw new TypeError(`authId claim ${name} must be a string`);
  }
}

type JWTPayload = Record<string, unknown>;

const b64 = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

function decodeJson(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Header of a compact token restricted to `allowed` members; undefined if unparsable or anything else appears. */
function strictHeader(token: string, allowed: Set<string>): Record<string, unknown> | undefined {
  const header = decodeJson(token.slice(0, token.indexOf('.')));
  if (!header) return undefined;
  return Object.keys(header).every((k) => allowed.has(k)) ? header : undefined;
}

export function createAuthIdCodec(options: AuthIdCodecOptions): AuthIdCodec {
  const { keystore } = options;
  if (!keystore) throw new TypeError('createAuthIdCodec: keystore is required');
  const now = options.now ?? Date.now;
  const ttlSeconds = checkTtl('ttlSeconds', options.ttlSeconds ?? DEFAULT_AUTHID_TTL_SECONDS, keystore);
  const compress = options.compress ?? false;
  const audience = options.audience ?? DEFAULT_AUTHID_AUDIENCE;
  const maxTokenBytes = options.maxTokenBytes ?? DEFAULT_MAX_AUTHID_BYTES;
  const decoder = new TextDecoder('utf-8', { fatal: true });

  /** Random bytes from a pooled buffer: one call into the OS generator per 4 KiB instead of two per token. */
  let randomPool = Buffer.alloc(0);
  let randomOffset = 0;
  const pooledRandom = (n: number): Buffer => {
    if (randomOffset + n > randomPool.length) {
      randomPool = randomBytes(4096);
      randomOffset = 0;
    }
    const out = Buffer.from(randomPool.subarray(randomOffset, randomOffset + n)); // a copy: the pool is reused
    randomOffset += n;
    return out;
  };

  /** One KeyObject per key id: importing raw key bytes for every token is most of the cost. */
  const keyObjects = new Map<string, KeyObject>();
  const keyObjectOf = (key: { kid: string; secret: Uint8Array }): KeyObject => {
    let k = keyObjects.get(key.kid);
    if (!k) {
      k = createSecretKey(key.secret);
      keyObjects.set(key.kid, k);
    }
    return k;
  };

  /** Compact JWE, `dir` + A256GCM: header . (no encrypted key) . iv . ciphertext . tag; the AAD is the encoded header. */
  async function seal(snapshot: unknown): Promise<string> {
    const json = JSON.stringify(snapshot);
    if (json === undefined) throw new TypeError('authId snapshot must be JSON-serialisable');
    const key = await keystore.current('enc');
    const header = b64(JSON.stringify({ alg: 'dir', enc: 'A256GCM', kid: key.kid, ...(compress ? { zip: 'DEF' } : {}) }));
    const plaintext = compress ? deflateRawSync(json) : Buffer.from(json, 'utf8');
    const iv = pooledRandom(12);
    const cipher = createCipheriv('aes-256-gcm', keyObjectOf(key), iv);
    cipher.setAAD(Buffer.from(header, 'ascii'));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return `${header}..${b64(iv)}.${b64(ciphertext)}.${b64(cipher.getAuthTag())}`;
  }

  async function open(state: unknown): Promise<unknown> {
    if (typeof state !== 'string' || !COMPACT_JWE.test(state)) throw new AuthIdInvalid('state');
    const header = strictHeader(state, JWE_HEADER_KEYS);
    if (!header || header.alg !== 'dir' || header.enc !== 'A256GCM' || typeof header.kid !== 'string') {
      throw new AuthIdInvalid('state');
    }
    if (header.zip !== undefined && header.zip !== 'DEF') throw new AuthIdInvalid('state');
    const key = await keystore.byKid(header.kid, 'enc');
    if (!key) throw new AuthIdInvalid('unknown-kid');
    const [protectedHeader, , ivText, ciphertextText, tagText] = state.split('.') as [string, string, string, string, string];
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    if (iv.length !== 12 || tag.length !== 16) throw new AuthIdInvalid('state');
    try {
      const decipher = createDecipheriv('aes-256-gcm', keyObjectOf(key), iv, { authTagLength: 16 });
      decipher.setAAD(Buffer.from(protectedHeader, 'ascii'));
      decipher.setAuthTag(tag);
      const plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertextText, 'base64url')), decipher.final()]);
      const json = header.zip === 'DEF' ? inflateRawSync(plaintext, { maxOutputLength: MAX_SNAPSHOT_BYTES }) : plaintext;
      return JSON.parse(decoder.decode(json)) as unknown;
    } catch (e) {
      throw new AuthIdInvalid('state', e);
    }
  }

  const hmac = (key: { kid: string; secret: Uint8Array }, input: string): Buffer => createHmac('sha256', keyObjectOf(key)).update(input).digest();

  /** Compact JWS, HS256: checks the signature in constant time, then the registered claims. */
  async function verify(token: string): Promise<JWTPayload> {
    const header = strictHeader(token, JWS_HEADER_KEYS);
    if (!header || header.alg !== 'HS256' || header.typ !== 'JWT' || typeof header.kid !== 'string') {
      throw new AuthIdInvalid('header');
    }
    const key = await keystore.byKid(header.kid, 'sig');
    if (!key) throw new AuthIdInvalid('unknown-kid');
    const dot = token.lastIndexOf('.');
    const expected = hmac(key, token.slice(0, dot));
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new AuthIdInvalid('signature');
    const payload = decodeJson(token.slice(token.indexOf('.') + 1, dot));
    if (!payload) throw new AuthIdInvalid('claims');
    for (const claim of ['iat', 'exp', 'jti', 'state', 'authIndexType', 'authIndexValue', 'realm']) {
      if (payload[claim] === undefined) throw new AuthIdInvalid('claims');
    }
    const aud = payload.aud;
    if (!(aud === audience || (Array.isArray(aud) && aud.includes(audience)))) throw new AuthIdInvalid('claims');
    const { exp, nbf, iat } = payload;
    if (typeof exp !== 'number' || typeof iat !== 'number' || (nbf !== undefined && typeof nbf !== 'number')) throw new AuthIdInvalid('claims');
    const nowSeconds = Math.floor(now() / 1000);
    if (exp <= nowSeconds) throw new AuthIdInvalid('expired');
    if (typeof nbf === 'number' && nbf > nowSeconds) throw new AuthIdInvalid('not-yet-valid');
    return payload;
  }

  async function sign(payload: Record<string, unknown>): Promise<string> {
    const key = await keystore.current('sig');
    const input = `${b64(JSON.stringify({ typ: 'JWT', alg: 'HS256', kid: key.kid }))}.${b64(JSON.stringify(payload))}`;
    return `${input}.${b64(hmac(key, input))}`;
  }

  return {
    async issue(claims, snapshot, ttlOverride) {
      checkClaims(claims);
      const ttl = ttlOverride === undefined ? ttlSeconds : checkTtl('ttlOverride', ttlOverride, keystore);
      const iat = Math.floor(now() / 1000);
      const state = await seal(snapshot);
      const token = await sign({
        authIndexType: claims.authIndexType,
        authIndexValue: claims.authIndexValue,
        realm: claims.realm,
        state,
        aud: audience,
        jti: pooledRandom(16).toString('base64url'),
        iat,
        exp: iat + ttl,
      });
      if (token.length > maxTokenBytes) {
        throw new CairnError({
          status: 500,
          code: 'authid.too_large',
          message: `journey snapshot too large for an authId (${token.length} > ${maxTokenBytes} bytes)`,
          expose: false,
        });
      }
      return token;
    },

    async read(token) {
      try {
        if (typeof token !== 'string') throw new AuthIdInvalid('malformed');
        if (token.length > maxTokenBytes) throw new AuthIdInvalid('oversized');
        if (!COMPACT_JWS.test(token)) throw new AuthIdInvalid('malformed');
        const payload = await verify(token);
        const { authIndexType, authIndexValue, realm, iat, exp, jti } = payload as Record<string, unknown>;
        if (
          typeof authIndexType !== 'string' ||
          typeof authIndexValue !== 'string' ||
          typeof realm !== 'string' ||
          typeof iat !== 'number' ||
          typeof exp !== 'number' ||
          typeof jti !== 'string'
        ) {
          throw new AuthIdInvalid('claims');
        }
        const snapshot = await open(payload.state);
        return { claims: { authIndexType, authIndexValue, realm, iat, exp, jti }, snapshot };
      } catch (e) {
        // Key failures (500) and a store that cannot serve (503) are the server's, not a client's bad token.
        if (e instanceof AuthIdInvalid || e instanceof KeystoreError || isUnavailable(e)) throw e;
        throw new AuthIdInvalid('malformed', e);
      }
    },
  };
}
