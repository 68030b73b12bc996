/**
 * The on-disk format of one key: a JSON Web Key (`kty: "oct"`, or a private `kty: "RSA"` key for the
 * `oidc` purpose) with `kid`, `alg`, `use` and a `created_at` timestamp, in a file named
 * `<use>-<sequence>.json` (e.g. `sig-000003.json`).
 * The sequence number orders a purpose's keys; the highest is the current one. Parsing is strict:
 * a key file that is not exactly what Cairn writes is refused with a message naming the file.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';

/**
 * `sig`: HMAC key signing authIds (HS256). `enc`: AES key encrypting journey snapshots (JWE `dir` +
 * A256GCM). `oidc`: RSA key signing OpenID Connect ID tokens (RS256), published in the JWKS.
 */
export type KeyPurpose = 'sig' | 'enc' | 'oidc';
export const KEY_PURPOSES: readonly KeyPurpose[] = ['sig', 'enc', 'oidc'];
/** The purposes a keystore keeps unless told otherwise. */
export const DEFAULT_PURPOSES: readonly KeyPurpose[] = ['sig', 'enc'];

export type KeyAlg = 'HS256' | 'dir' | 'RS256';
/** The JOSE algorithm each purpose's keys are bound to (JWK `alg`). */
export const ALG_OF: Readonly<Record<KeyPurpose, KeyAlg>> = { sig: 'HS256', enc: 'dir', oidc: 'RS256' };

/** The RSA modulus of ID-token signing keys (NIST: 2048 bits is acceptable through 2030). */
const RSA_BITS = 2048;
const RSA_PRIVATE_MEMBERS = ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const;

/** A private RSA JWK's key members. */
export type RsaPrivateJwk = Record<(typeof RSA_PRIVATE_MEMBERS)[number], string>;

/** 256-bit secrets: the HS256 minimum recommendation and the A256GCM key size. */
export const SECRET_BYTES = 32;

export interface StoredKey {
  readonly kid: string;
  readonly purpose: KeyPurpose;
  readonly alg: KeyAlg;
  /** Position in this purpose's sequence of keys (from the file name). */
  readonly seq: number;
  /** Creation time, epoch milliseconds. */
  readonly createdAt: number;
  /** The raw key bytes (empty for `oidc`). Not enumerable, so it does not appear in JSON.stringify or console.log. */
  readonly secret: Uint8Array;
  /** The private RSA key members (`oidc` only). Not enumerable either. */
  readonly rsa?: RsaPrivateJwk;
}

const FILE_NAME = /^(sig|enc|oidc)-(\d{6,12})\.json$/;
export const KID = /^[A-Za-z0-9_-]{8,64}$/;
const MAX_KEY_FILE_BYTES = 8192;

export { MAX_KEY_FILE_BYTES };

/** `sig-000003.json` for purpose `sig`, sequence 3. */
export function keyFileName(purpose: KeyPurpose, seq: number): string {
  return `${purpose}-${String(seq).padStart(6, '0')}.json`;
}

/** The purpose and sequence a file name stands for, or undefined for files that are not keys. */
export function parseKeyFileName(name: string): { purpose: KeyPurpose; seq: number } | undefined {
  const m = FILE_NAME.exec(name);
  if (!m) return undefined;
  return { purpose: m[1] as KeyPurpose, seq: Number(m[2]) };
}

/** A frozen key whose secret (and RSA members) are not enumerable. */
export function makeKey(fields: Omit<StoredKey, 'secret' | 'rsa'>, secret: Uint8Array, rsa?: RsaPrivateJwk): StoredKey {
  const key = { ...fields } as StoredKey;
  Object.defineProperty(key, 'secret', { value: secret, enumerable: false });
  if (rsa) Object.defineProperty(key, 'rsa', { value: Object.freeze({ ...rsa }), enumerable: false });
  return Object.freeze(key);
}

/** A fresh random key for `purpose`, number `seq` in its sequence. */
export function generateKey(purpose: KeyPurpose, seq: number, createdAt: number): StoredKey {
  const kid = randomBytes(12).toString('base64url');
  const fields = { kid, purpose, alg: ALG_OF[purpose], seq, createdAt };
  if (purpose === 'oidc') {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: RSA_BITS });
    const jwk = privateKey.export({ format: 'jwk' }) as Record<string, unknown>;
    const rsa = Object.fromEntries(RSA_PRIVATE_MEMBERS.map((m) => [m, String(jwk[m])])) as RsaPrivateJwk;
    return makeKey(fields, new Uint8Array(0), rsa);
  }
  return makeKey(fields, new Uint8Array(randomBytes(SECRET_BYTES)));
}

/** The private RSA members of a JWK-shaped object, or what is wrong with them. */
export function rsaMembersOf(j: Record<string, unknown>): RsaPrivateJwk | string {
  for (const m of RSA_PRIVATE_MEMBERS) {
    const v = j[m];
    if (typeof v !== 'string' || !/^[A-Za-z0-9_-]+$/.test(v)) return `"${m}" must be base64url`;
  }
  if (Buffer.from(j.n as string, 'base64url').length * 8 < RSA_BITS) return `"n" must have at least ${RSA_BITS} bits`;
  return Object.fromEntries(RSA_PRIVATE_MEMBERS.map((m) => [m, j[m] as string])) as RsaPrivateJwk;
}

/** The file content for `key` (a JWK plus `created_at`). */
export function serializeKey(key: StoredKey): string {
  const material = key.rsa ? { kty: 'RSA', ...key.rsa } : { kty: 'oct', k: Buffer.from(key.secret).toString('base64url') };
  const jwk = {
    kid: key.kid,
    use: key.purpose,
    alg: key.alg,
    ...material,
    created_at: new Date(key.createdAt).toISOString(),
  };
  return `${JSON.stringify(jwk, null, 2)}\n`;
}

/** Parses the content of the key file `fileName`; throws an Error naming the file and the problem. */
export function parseKeyFile(fileName: string, text: string): StoredKey {
  const named = parseKeyFileName(fileName);
  const fail = (problem: string): never => {
    throw new Error(`key file ${fileName}: ${problem}`);
  };
  if (!named) return fail('not a key file name');
  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch {
    return fail('not valid JSON');
  }
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return fail('not a JSON object');
  const j = jwk as Record<string, unknown>;
  const kty = named.purpose === 'oidc' ? 'RSA' : 'oct';
  const b64url = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9_-]+$/.test(v);
  if (j.kty !== kty) fail(`"kty" must be "${kty}"`);
  if (j.use !== named.purpose) fail(`"use" must be "${named.purpose}" (from the file name)`);
  if (j.alg !== ALG_OF[named.purpose]) fail(`"alg" must be "${ALG_OF[named.purpose]}"`);
  if (typeof j.kid !== 'string' || !KID.test(j.kid)) fail('"kid" must be 8-64 base64url characters');
  const createdAt = typeof j.created_at === 'string' ? Date.parse(j.created_at) : Number.NaN;
  if (!Number.isFinite(createdAt)) fail('"created_at" must be an ISO date');
  const fields = { kid: j.kid as string, purpose: named.purpose, alg: ALG_OF[named.purpose], seq: named.seq, createdAt };
  if (kty === 'RSA') {
    const rsa = rsaMembersOf(j);
    if (typeof rsa === 'string') return fail(rsa);
    return makeKey(fields, new Uint8Array(0), rsa);
  }
  if (!b64url(j.k)) fail('"k" must be base64url');
  const secret = new Uint8Array(Buffer.from(j.k as string, 'base64url'));
  if (secret.length !== SECRET_BYTES) fail(`"k" must hold ${SECRET_BYTES} bytes`);
  return makeKey(fields, secret);
}
