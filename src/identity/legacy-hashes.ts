/**
 * Password hashes that other directories exported, verified so their users can sign in on Cairn and be
 * rehashed to argon2id on their first successful sign-in (the hasher's `needsRehash` says so for every
 * format here). Nothing here makes a new hash of these kinds.
 *
 * Formats, as their sources store them:
 * - ForgeRock DS / OpenDJ / OpenLDAP storage schemes: `{SSHA}`, `{SSHA256}`, `{SSHA384}`, `{SSHA512}`, `{SMD5}`
 *   = base64(digest ‖ salt) with digest = H(password ‖ salt); the unsalted `{SHA}`, `{SHA256}`, `{SHA384}`,
 *   `{SHA512}`, `{MD5}` = base64(H(password)); `{PBKDF2}`, `{PBKDF2-HMAC-SHA256}`, `{PBKDF2-HMAC-SHA512}` =
 *   `iterations:` base64(derived key ‖ salt) (SHA-1, 20-byte key for `{PBKDF2}`; the digest's length otherwise);
 *   `{BCRYPT}$2a$…`.
 * - bcrypt's own modular form: `$2a$`, `$2b$`, `$2y$`.
 * - PingIDM's `{"$crypto": {"type": "salted-hash", "value": {"algorithm": "SHA-256", "data": …}}}` with the
 *   algorithms MD5, SHA-1, SHA-256, SHA-384, SHA-512: base64(H(value ‖ salt) ‖ salt), the DS layout, so
 *   `storedHashOf` turns it into the matching `{S…}` scheme string and it is stored as one.
 */
import { createHash, pbkdf2, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { verify as bcryptVerify } from '@node-rs/bcrypt';

const pbkdf2Async = promisify(pbkdf2);

type Digest = 'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512';
const DIGEST_LENGTH: Record<Digest, number> = { md5: 16, sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

const SALTED: Record<string, Digest> = { SSHA: 'sha1', SSHA256: 'sha256', SSHA384: 'sha384', SSHA512: 'sha512', SMD5: 'md5' };
const UNSALTED: Record<string, Digest> = { SHA: 'sha1', SHA256: 'sha256', SHA384: 'sha384', SHA512: 'sha512', MD5: 'md5' };
const PBKDF2: Record<string, Digest> = { PBKDF2: 'sha1', 'PBKDF2-HMAC-SHA256': 'sha256', 'PBKDF2-HMAC-SHA512': 'sha512' };
/** IDM's `$crypto` salted-hash algorithms, as the DS scheme with the same layout. */
const IDM_ALGORITHMS: Record<string, string> = { MD5: 'SMD5', 'SHA-1': 'SSHA', 'SHA-256': 'SSHA256', 'SHA-384': 'SSHA384', 'SHA-512': 'SSHA512' };

/** Iterations above this are refused at import: verifying would cost more than an argon2id run many times over. */
const MAX_PBKDF2_ITERATIONS = 1_000_000;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const BCRYPT = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

type Parsed =
  | { kind: 'salted'; digest: Digest; hash: Buffer; salt: Buffer }
  | { kind: 'unsalted'; digest: Digest; hash: Buffer }
  | { kind: 'pbkdf2'; digest: Digest; iterations: number; hash: Buffer; salt: Buffer }
  | { kind: 'bcrypt'; value: string };

/** The scheme name and body of `{SCHEME}body`, the scheme in upper case. */
function splitScheme(stored: string): { scheme: string; body: string } | undefined {
  const m = /^\{([A-Za-z0-9-]+)\}(.*)$/s.exec(stored);
  return m ? { scheme: (m[1] as string).toUpperCase(), body: m[2] as string } : undefined;
}

function decode(body: string): Buffer | undefined {
  return BASE64.test(body) && body.length % 4 === 0 ? Buffer.from(body, 'base64') : undefined;
}

/** A stored legacy hash taken apart, or why it is not one Cairn can verify. */
function parse(stored: string): Parsed | { problem: string } {
  if (BCRYPT.test(stored)) return { kind: 'bcrypt', value: stored };
  const split = splitScheme(stored);
  if (!split) return { problem: 'not a password hash Cairn recognises' };
  const { scheme, body } = split;
  if (scheme === 'BCRYPT') return BCRYPT.test(body) ? { kind: 'bcrypt', value: body } : { problem: '{BCRYPT} must be followed by a bcrypt hash' };
  const salted = SALTED[scheme];
  if (salted) {
    const bytes = decode(body);
    const n = DIGEST_LENGTH[salted];
    if (!bytes || bytes.length <= n) return { problem: `{${scheme}} must be base64 of the digest and a salt` };
    return { kind: 'salted', digest: salted, hash: bytes.subarray(0, n), salt: bytes.subarray(n) };
  }
  const unsalted = UNSALTED[scheme];
  if (unsalted) {
    const bytes = decode(body);
    if (!bytes || bytes.length !== DIGEST_LENGTH[unsalted])
      return { problem: `{${scheme}} must be base64 of a ${DIGEST_LENGTH[unsalted]}-byte digest` };
    return { kind: 'unsalted', digest: unsalted, hash: bytes };
  }
  const pbkdf2Digest = PBKDF2[scheme];
  if (pbkdf2Digest) {
    const m = /^(\d{1,7}):(.+)$/s.exec(body);
    const iterations = m ? Number(m[1]) : NaN;
    const bytes = m ? decode(m[2] as string) : undefined;
    const n = DIGEST_LENGTH[pbkdf2Digest];
    if (!bytes || bytes.length <= n || !(iterations >= 1)) return { problem: `{${scheme}} must be iterations:base64 of the key and a salt` };
    if (iterations > MAX_PBKDF2_ITERATIONS) return { problem: `{${scheme}} with more than ${MAX_PBKDF2_ITERATIONS} iterations is refused` };
    return { kind: 'pbkdf2', digest: pbkdf2Digest, iterations, hash: bytes.subarray(0, n), salt: bytes.subarray(n) };
  }
  return { problem: `the password storage scheme {${scheme}} is not one Cairn verifies` };
}

/** True when `stored` is a legacy hash this module verifies (argon2id is the hasher's own). */
export function isLegacyHash(stored: string): boolean {
  return !('problem' in parse(stored));
}

/**
 * The value to store for an imported password hash: a `{SCHEME}…`/bcrypt/argon2id string as is, PingIDM's
 * `$crypto` salted hash as the equivalent scheme string. `{ problem }` names what is wrong, for the import's report.
 */
export function storedHashOf(value: unknown): { stored: string } | { problem: string } {
  if (typeof value === 'string') {
    if (/^\$argon2(id|i|d)\$/.test(value)) return { stored: value };
    const parsed = parse(value);
    return 'problem' in parsed ? parsed : { stored: value };
  }
  if (value && typeof value === 'object' && '$crypto' in value) {
    const crypto = value.$crypto as { type?: unknown; value?: { algorithm?: unknown; data?: unknown } } | null;
    if (crypto?.type !== 'salted-hash') {
      return {
        problem: `an IDM $crypto value of type "${String(crypto?.type)}" is encrypted, not hashed: export it as a salted hash or a clear password`,
      };
    }
    const algorithm = String(crypto.value?.algorithm);
    const scheme = IDM_ALGORITHMS[algorithm.toUpperCase()];
    if (!scheme) return { problem: `the IDM salted-hash algorithm "${algorithm}" is not one Cairn verifies` };
    const stored = `{${scheme}}${String(crypto.value?.data)}`;
    const parsed = parse(stored);
    return 'problem' in parsed ? { problem: `the IDM salted hash's data is not valid for ${algorithm}` } : { stored };
  }
  return { problem: 'a password hash must be a string or an IDM $crypto object' };
}

const equal = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

/** Whether `password` (as UTF-8 bytes) matches the legacy hash `stored`; false for anything unrecognised. */
export async function verifyLegacyHash(stored: string, password: string): Promise<boolean> {
  const parsed = parse(stored);
  if ('problem' in parsed) return false;
  const bytes = Buffer.from(password, 'utf8');
  switch (parsed.kind) {
    case 'bcrypt':
      // bcrypt has no $2y$/$2b$ difference in verification; @node-rs/bcrypt accepts all three.
      return bcryptVerify(password, parsed.value).catch(() => false);
    case 'salted':
      return equal(createHash(parsed.digest).update(bytes).update(parsed.salt).digest(), parsed.hash);
    case 'unsalted':
      return equal(createHash(parsed.digest).update(bytes).digest(), parsed.hash);
    case 'pbkdf2':
      return equal(await pbkdf2Async(bytes, parsed.salt, parsed.iterations, parsed.hash.length, parsed.digest), parsed.hash);
  }
}
