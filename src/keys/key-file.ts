/**
 * The on-disk format of one key: a JSON Web Key (`kty: "oct"`) with `kid`, `alg`, `use` and a
 * `created_at` timestamp, in a file named `<use>-<sequence>.json` (e.g. `sig-000003.json`).
 * The sequence number orders a purpose's keys; the highest is the current one. Parsing is strict:
 * a key file that is not exactly what Cairn writes is refused with a message naming the file.
 */
import { randomBytes } from 'node:crypto';

/** `sig`: HMAC key signing authIds (HS256). `enc`: AES key encrypting journey snapshots (JWE `dir` + A256GCM). */
export type KeyPurpose = 'sig' | 'enc';
export const KEY_PURPOSES: readonly KeyPurpose[] = ['sig', 'enc'];

/** The JOSE algorithm each purpose's keys are bound to (JWK `alg`). */
export const ALG_OF: Readonly<Record<KeyPurpose, 'HS256' | 'dir'>> = { sig: 'HS256', enc: 'dir' };

/** 256-bit secrets: the HS256 minimum recommendation and the A256GCM key size. */
export const SECRET_BYTES = 32;

export interface StoredKey {
  readonly kid: string;
  readonly purpose: KeyPurpose;
  readonly alg: 'HS256' | 'dir';
  /** Position in this purpose's sequence of keys (from the file name). */
  readonly seq: number;
  /** Creation time, epoch milliseconds. */
  readonly createdAt: number;
  /** The raw key bytes. Not enumerable, so it does not appear in JSON.stringify or console.log. */
  readonly secret: Uint8Array;
}

const FILE_NAME = /^(sig|enc)-(\d{6,12})\.json$/;
const KID = /^[A-Za-z0-9_-]{8,64}$/;
const MAX_KEY_FILE_BYTES = 4096;

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

function makeKey(fields: Omit<StoredKey, 'secret'>, secret: Uint8Array): StoredKey {
  const key = { ...fields } as StoredKey;
  Object.defineProperty(key, 'secret', { value: secret, enumerable: false });
  return Object.freeze(key);
}

/** A fresh random key for `purpose`, number `seq` in its sequence. */
export function generateKey(purpose: KeyPurpose, seq: number, createdAt: number): StoredKey {
  const kid = randomBytes(12).toString('base64url');
  return makeKey({ kid, purpose, alg: ALG_OF[purpose], seq, createdAt }, new Uint8Array(randomBytes(SECRET_BYTES)));
}

/** The file content for `key` (a JWK plus `created_at`). */
export function serializeKey(key: StoredKey): string {
  const jwk = {
    kty: 'oct',
    kid: key.kid,
    use: key.purpose,
    alg: key.alg,
    k: Buffer.from(key.secret).toString('base64url'),
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
  if (j.kty !== 'oct') fail('"kty" must be "oct"');
  if (j.use !== named.purpose) fail(`"use" must be "${named.purpose}" (from the file name)`);
  if (j.alg !== ALG_OF[named.purpose]) fail(`"alg" must be "${ALG_OF[named.purpose]}"`);
  if (typeof j.kid !== 'string' || !KID.test(j.kid)) fail('"kid" must be 8-64 base64url characters');
  if (typeof j.k !== 'string' || !/^[A-Za-z0-9_-]+$/.test(j.k)) fail('"k" must be base64url');
  const secret = new Uint8Array(Buffer.from(j.k as string, 'base64url'));
  if (secret.length !== SECRET_BYTES) fail(`"k" must hold ${SECRET_BYTES} bytes`);
  const createdAt = typeof j.created_at === 'string' ? Date.parse(j.created_at) : Number.NaN;
  if (!Number.isFinite(createdAt)) fail('"created_at" must be an ISO date');
  return makeKey({ kid: j.kid as string, purpose: named.purpose, alg: ALG_OF[named.purpose], seq: named.seq, createdAt }, secret);
}
