/**
 * The authId codec makes its tokens with node:crypto; these are the standard compact JWS / JWE
 * serialisations, so jose (the reference implementation) must verify and decrypt what Cairn issues,
 * and Cairn must read what jose makes with the same keys.
 */
import { rm } from 'node:fs/promises';
import { CompactEncrypt, SignJWT, compactDecrypt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthIdCodec } from '../../src/am/authid.js';
import { openKeystore, type Keystore } from '../../src/keys/keystore.js';
import { scratchDir } from '../support/scratch.js';

let dir: string;
let keystore: Keystore;
beforeAll(async () => {
  dir = await scratchDir('cairn-jose-');
  keystore = await openKeystore({ dir });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const claims = { authIndexType: 'service', authIndexValue: 'Login', realm: '/' };
const snapshot = { frames: [{ journeyId: 'Login', version: 'abc', state: 'signIn' }], shared: { username: 'bjensen', note: 'é ü 😀' } };

describe('authId tokens and jose', () => {
  for (const compress of [false, true]) {
    it(`jose verifies and decrypts what Cairn issues${compress ? ' (compressed)' : ''}`, async () => {
      const token = await createAuthIdCodec({ keystore, compress }).issue(claims, snapshot);
      const sig = await keystore.current('sig');
      const enc = await keystore.current('enc');
      const { payload, protectedHeader } = await jwtVerify(token, sig.secret, { algorithms: ['HS256'], typ: 'JWT', audience: 'cairn:authId' });
      expect(protectedHeader).toEqual({ typ: 'JWT', alg: 'HS256', kid: sig.kid });
      expect(payload).toMatchObject({ ...claims, aud: 'cairn:authId' });
      expect((payload.exp as number) - (payload.iat as number)).toBe(300);
      const { plaintext, protectedHeader: jweHeader } = await compactDecrypt(payload.state as string, enc.secret);
      expect(jweHeader).toMatchObject({ alg: 'dir', enc: 'A256GCM', kid: enc.kid, ...(compress ? { zip: 'DEF' } : {}) });
      expect(JSON.parse(new TextDecoder().decode(plaintext))).toEqual(snapshot);
    });
  }

  it('Cairn reads what jose makes with the same keys', async () => {
    const sig = await keystore.current('sig');
    const enc = await keystore.current('enc');
    const state = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(snapshot)))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: enc.kid })
      .encrypt(enc.secret);
    const token = await new SignJWT({ ...claims, state })
      .setProtectedHeader({ typ: 'JWT', alg: 'HS256', kid: sig.kid })
      .setAudience('cairn:authId')
      .setJti('abc123')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(sig.secret);
    const read = await createAuthIdCodec({ keystore }).read(token);
    expect(read.snapshot).toEqual(snapshot);
    expect(read.claims).toMatchObject(claims);
  });
});
