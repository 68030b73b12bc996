/**
 * Signed tokens Cairn hands to clients besides the authId (the persistent cookie): compact JWS,
 * HS256 with the keystore's current `sig` key and its `kid`, the purpose as audience (`cairn:<purpose>`)
 * so that a token of one purpose never passes for another (nor for an authId, whose audience differs),
 * `iat`/`exp` in seconds. Verification is strict — allow-listed header, HS256 only, constant-time
 * signature check, audience, expiry without tolerance, size cap — and any failure is `undefined`.
 * A token lives at most as long as its key is retained (the keystore's `retainForMs`).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { TokenSigner } from '../nodes/services.js';
import type { Keystore } from './keystore.js';

const MAX_TOKEN_BYTES = 4096;
const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const PURPOSE = /^[a-z][a-z0-9-]{0,31}$/;

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function decode(segment: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function createTokenSigner(keystore: Keystore, now: () => number = Date.now): TokenSigner {
  const audienceOf = (purpose: string): string => {
    if (!PURPOSE.test(purpose)) throw new RangeError(`Invalid token purpose "${purpose}"`);
    return `cairn:${purpose}`;
  };
  const mac = (secret: Uint8Array, input: string): Buffer => createHmac('sha256', secret).update(input).digest();

  return {
    async sign(purpose, claims, ttlSeconds) {
      if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new RangeError('ttlSeconds must be a positive whole number');
      const key = await keystore.current('sig');
      const iat = Math.floor(now() / 1000);
      const payload = { ...claims, aud: audienceOf(purpose), iat, exp: iat + ttlSeconds, jti: randomBytes(12).toString('base64url') };
      const input = `${encode({ typ: 'JWT', alg: 'HS256', kid: key.kid })}.${encode(payload)}`;
      return `${input}.${mac(key.secret, input).toString('base64url')}`;
    },

    async verify(purpose, token) {
      const audience = audienceOf(purpose);
      if (typeof token !== 'string' || token.length > MAX_TOKEN_BYTES || !COMPACT.test(token)) return undefined;
      const [head = '', body = '', signature = ''] = token.split('.');
      const header = decode(head);
      if (!header || Object.keys(header).some((k) => k !== 'typ' && k !== 'alg' && k !== 'kid')) return undefined;
      if (header['alg'] !== 'HS256' || header['typ'] !== 'JWT' || typeof header['kid'] !== 'string') return undefined;
      const key = await keystore.byKid(header['kid'], 'sig');
      if (!key) return undefined;
      const expected = mac(key.secret, `${head}.${body}`);
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      const claims = decode(body);
      if (!claims || claims['aud'] !== audience) return undefined;
      const exp = claims['exp'];
      if (typeof exp !== 'number' || typeof claims['iat'] !== 'number' || exp <= Math.floor(now() / 1000)) return undefined;
      return claims;
    },
  };
}
