/**
 * The key-encryption key (KEK) that protects signing and encryption keys kept in a shared store.
 * The operator's secret (CAIRN_KEY_ENCRYPTION_KEY, at least 32 characters) is stretched with
 * HKDF-SHA256 into an AES-256-GCM key and, separately, a short public id that names which KEK wrote a
 * keyring (so a wrong secret is told apart from damaged data). Each key is wrapped on its own with a
 * fresh 96-bit IV, its identity (purpose, kid, sequence, creation time) bound as additional data: a
 * wrapped secret moved to another entry, or an altered field, fails to unwrap. The wrapped material is
 * the 32 secret bytes, or for an RSA key (`oidc`) its private JWK members as JSON.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { ALG_OF, KEY_PURPOSES, SECRET_BYTES, KID, makeKey, rsaMembersOf, type KeyPurpose, type StoredKey } from './key-file.js';

/** A stored key's public fields and its secret material, encrypted (`ct`: ciphertext then the 16-byte GCM tag). */
export interface WrappedKey {
  kid: string;
  seq: number;
  createdAt: number;
  iv: string;
  ct: string;
}

export interface KeyEncryptionKey {
  /** Names this KEK without revealing it (HKDF output, independent of the AES key). */
  readonly id: string;
  wrap(key: StoredKey): WrappedKey;
  /** The key, or undefined when it does not decrypt under this KEK or is malformed. */
  unwrap(purpose: KeyPurpose, wrapped: unknown): StoredKey | undefined;
}

export const MIN_KEK_LENGTH = 32;
const SALT = 'cairn key-encryption key';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const aad = (purpose: KeyPurpose, k: { kid: string; seq: number; createdAt: number }): Buffer =>
  Buffer.from(`cairn:key:v1:${purpose}:${k.kid}:${k.seq}:${k.createdAt}`);

function isWrapped(w: unknown): w is WrappedKey {
  const x = w as Partial<WrappedKey> | null;
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof x.kid === 'string' &&
    KID.test(x.kid) &&
    Number.isSafeInteger(x.seq) &&
    (x.seq as number) > 0 &&
    Number.isSafeInteger(x.createdAt) &&
    typeof x.iv === 'string' &&
    typeof x.ct === 'string'
  );
}

/** The KEK derived from the operator's secret. */
export function keyEncryptionKey(secret: string): KeyEncryptionKey {
  if (typeof secret !== 'string' || secret.length < MIN_KEK_LENGTH) {
    throw new RangeError(`the key-encryption key must be at least ${MIN_KEK_LENGTH} characters`);
  }
  const ikm = Buffer.from(secret, 'utf8');
  const aes = Buffer.from(hkdfSync('sha256', ikm, SALT, 'aes-256-gcm v1', 32));
  const id = Buffer.from(hkdfSync('sha256', ikm, SALT, 'id v1', 9)).toString('base64url');
  return {
    id,
    wrap(key) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', aes, iv);
      cipher.setAAD(aad(key.purpose, key));
      const material = key.rsa ? Buffer.from(JSON.stringify(key.rsa)) : Buffer.from(key.secret);
      const ct = Buffer.concat([cipher.update(material), cipher.final(), cipher.getAuthTag()]);
      return { kid: key.kid, seq: key.seq, createdAt: key.createdAt, iv: iv.toString('base64url'), ct: ct.toString('base64url') };
    },
    unwrap(purpose, wrapped) {
      if (!KEY_PURPOSES.includes(purpose) || !isWrapped(wrapped)) return undefined;
      try {
        const iv = Buffer.from(wrapped.iv, 'base64url');
        const ct = Buffer.from(wrapped.ct, 'base64url');
        const rsa = ALG_OF[purpose] === 'RS256';
        if (iv.length !== IV_BYTES || ct.length <= TAG_BYTES || (!rsa && ct.length !== SECRET_BYTES + TAG_BYTES)) return undefined;
        const decipher = createDecipheriv('aes-256-gcm', aes, iv);
        decipher.setAAD(aad(purpose, wrapped));
        decipher.setAuthTag(ct.subarray(ct.length - TAG_BYTES));
        const material = Buffer.concat([decipher.update(ct.subarray(0, ct.length - TAG_BYTES)), decipher.final()]);
        const fields = { kid: wrapped.kid, purpose, alg: ALG_OF[purpose], seq: wrapped.seq, createdAt: wrapped.createdAt };
        if (!rsa) return makeKey(fields, new Uint8Array(material));
        const members = rsaMembersOf(JSON.parse(material.toString('utf8')) as Record<string, unknown>);
        return typeof members === 'string' ? undefined : makeKey(fields, new Uint8Array(0), members);
      } catch {
        return undefined;
      }
    },
  };
}
