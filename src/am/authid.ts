/**
 * The AM `authId`: a compact JWS (HS256, `typ: "JWT"`, with `kid`) whose payload AM clients can
 * decode (`authIndexType`, `authIndexValue`, `realm`, `iat`, `exp`) and whose `state` claim carries
 * the journey snapshot as a compact JWE (`dir` + A256GCM) the client can neither read nor alter.
 * Reading is strict (allow-listed header, HS256 only, `exp`/`nbf` with no clock tolerance, size
 * cap before parsing) and every failure is one `AuthIdInvalid`, answered with AM's timeout response.
 *
 * Compression: a typical persisted XState journey snapshot is 0.7-1 KB of JSON; deflate halves it,
 * saving ~0.7 KB of a ~1.7 KB authId. Not worth a length side channel (the snapshot mixes secrets in
 * transient state with attacker-chosen input), so it is off unless `compress: true` (JWE `zip: DEF`).
 */
import { randomBytes } from 'node:crypto';
import {
  CompactEncrypt,
  SignJWT,
  compactDecrypt,
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
} from 'jose';
import { CairnError } from '../errors/cairn-error.js';
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
  | 'malformed'
  | 'oversized'
  | 'header'
  | 'unknown-kid'
  | 'signature'
  | 'expired'
  | 'not-yet-valid'
  | 'claims'
  | 'state';

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
export function sessionTimedOutBody(): {
  code: 401;
  reason: 'Unauthorized';
  message: string;
  detail: { errorCode: string };
} {
  return {
    code: 401,
    reason: 'Unauthorized',
    message: SESSION_TIMED_OUT_MESSAGE,
    detail: { errorCode: SESSION_TIMED_OUT_ERROR_CODE },
  };
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

/** Header of a compact token restricted to `allowed` members; undefined if unparsable or anything else appears. */
function strictHeader(token: string, allowed: Set<string>): Record<string, unknown> | undefined {
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(token) as Record<string, unknown>;
  } catch {
    return undefined;
  }
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
  const encoder = new TextEncoder();
  const decoder = new TextDecoder('utf-8', { fatal: true });

  async function seal(snapshot: unknown): Promise<string> {
    const json = JSON.stringify(snapshot);
    if (json === undefined) throw new TypeError('authId snapshot must be JSON-serialisable');
    const key = await keystore.current('enc');
    return new CompactEncrypt(encoder.encode(json))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: key.kid, ...(compress ? { zip: 'DEF' } : {}) })
      .encrypt(key.secret);
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
    try {
      const { plaintext } = await compactDecrypt(state, key.secret, {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
        maxDecompressedLength: MAX_SNAPSHOT_BYTES,
      });
      return JSON.parse(decoder.decode(plaintext)) as unknown;
    } catch (e) {
      throw new AuthIdInvalid('state', e);
    }
  }

  async function verify(token: string): Promise<JWTPayload> {
    const header = strictHeader(token, JWS_HEADER_KEYS);
    if (!header || header.alg !== 'HS256' || header.typ !== 'JWT' || typeof header.kid !== 'string') {
      throw new AuthIdInvalid('header');
    }
    const key = await keystore.byKid(header.kid, 'sig');
    if (!key) throw new AuthIdInvalid('unknown-kid');
    try {
      const { payload } = await jwtVerify(token, key.secret, {
        algorithms: ['HS256'],
        typ: 'JWT',
        audience,
        clockTolerance: 0,
        currentDate: new Date(now()),
        requiredClaims: ['iat', 'exp', 'jti', 'state', 'authIndexType', 'authIndexValue', 'realm'],
      });
      return payload;
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired) throw new AuthIdInvalid('expired', e);
      if (e instanceof joseErrors.JWSSignatureVerificationFailed) throw new AuthIdInvalid('signature', e);
      if (e instanceof joseErrors.JWTClaimValidationFailed && e.claim === 'nbf') throw new AuthIdInvalid('not-yet-valid', e);
      if (e instanceof joseErrors.JWTClaimValidationFailed || e instanceof joseErrors.JWTInvalid) {
        throw new AuthIdInvalid('claims', e);
      }
      throw new AuthIdInvalid('malformed', e);
    }
  }

  return {
    async issue(claims, snapshot, ttlOverride) {
      checkClaims(claims);
      const ttl = ttlOverride === undefined ? ttlSeconds : checkTtl('ttlOverride', ttlOverride, keystore);
      const iat = Math.floor(now() / 1000);
      const state = await seal(snapshot);
      const key = await keystore.current('sig');
      const token = await new SignJWT({
        authIndexType: claims.authIndexType,
        authIndexValue: claims.authIndexValue,
        realm: claims.realm,
        state,
      })
        .setProtectedHeader({ typ: 'JWT', alg: 'HS256', kid: key.kid })
        .setAudience(audience)
        .setJti(randomBytes(16).toString('base64url'))
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttl)
        .sign(key.secret);
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
        // Key-folder failures are server faults (500), not a client's bad token.
        if (e instanceof AuthIdInvalid || e instanceof KeystoreError) throw e;
        throw new AuthIdInvalid('malformed', e);
      }
    },
  };
}
