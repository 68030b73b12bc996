/**
 * Imported password hashes: each format verifies the password it was made from and nothing else. The
 * vectors were made by other implementations (Python's hashlib, the crypt_blowfish test suite, a
 * ForgeRock DS value published with its clear password), not by the code under test.
 */
import { describe, expect, it } from 'vitest';
import { isLegacyHash, storedHashOf, verifyLegacyHash } from '../../src/identity/legacy-hashes.js';
import { createPasswordHasher } from '../../src/identity/passwords.js';

const PASSWORD = 'correct horse battery staple';
const VECTORS: [string, string, string][] = [
  ['{SSHA}', '{SSHA}axjXroWdrjIVf38p0IUbdYaQZtQBAgMEBQYHCA==', PASSWORD],
  ['{SSHA256}', '{SSHA256}4RCdQtRBvAvQSR9Gtkm3fc5bhSO2sZxjW2Uv2CPwYi0BAgMEBQYHCA==', PASSWORD],
  ['{SSHA384}', '{SSHA384}vOdq9lh4Ym97baF5iRWG/aLufMaYdtqFWUgor5q4tvMSTnKchzU7l9xPu3CS3nz1AQIDBAUGBwg=', PASSWORD],
  ['{SSHA512}', '{SSHA512}9QOuSDxe9+D0dhP3GFPQWt1WqPLlQlBwU4cBiWk0uEDH8459LOk0bJSJZg9anfuRApOaZ8mJrg5NgSXJLikPewECAwQFBgcI', PASSWORD],
  ['{SMD5}', '{SMD5}b5IKQ+QnvFLrMTrOiZuTsQECAwQFBgcI', PASSWORD],
  ['{SHA}', '{SHA}q/eq1kOINtvlJqojGr3i0O73TUI=', PASSWORD],
  ['{SHA256}', '{SHA256}xLvLH77JnWW/WdhcjLYu4tuWPw/hBvSD2a+nO9Tjmoo=', PASSWORD],
  ['{MD5}', '{MD5}nMKuihunqT2jm0b8EBnEgQ==', PASSWORD],
  ['{PBKDF2} (SHA-1)', '{PBKDF2}10000:4mKJpwUu6Fkp8b1WcaMDikJxNRsBAgMEBQYHCA==', PASSWORD],
  // Published in ForgeRock's DS sample scripts as the encoding of "password".
  ['{PBKDF2-HMAC-SHA256} from DS', '{PBKDF2-HMAC-SHA256}10000:xKsMmlzVLRYdYzcgBuD3ZIAeSj8tNhjDHGFDqhth8Kcbw5qjL5UZxaiS2awL1HjO', 'password'],
  [
    '{PBKDF2-HMAC-SHA512}',
    '{PBKDF2-HMAC-SHA512}1000:ZadI4MIBFG6ktyQ4pCpizFlD+ou8ivKOg5E+j+eKpCI34OPXtWe8uhHVQzvsiMb/5jGVQGHSsLcZ1xXYmrMAQwECAwQFBgcI',
    PASSWORD,
  ],
  // crypt_blowfish's test vector; $2b$ differs from $2a$ only for passwords over 255 bytes.
  ['bcrypt $2a$', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', 'U*U'],
  ['bcrypt $2b$', '$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', 'U*U'],
  ['{BCRYPT}', '{BCRYPT}$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', 'U*U'],
  ['non-ASCII as UTF-8', '{SSHA256}wCL6Oz252l3pFvTjqB9HGliPQmYYhhSixyuO5gt/PoMBAgMEBQYHCA==', 'pässwörd'],
];

describe('legacy password hashes', () => {
  for (const [name, stored, password] of VECTORS) {
    it(`${name} verifies its password and refuses others`, async () => {
      expect(isLegacyHash(stored)).toBe(true);
      expect(await verifyLegacyHash(stored, password)).toBe(true);
      expect(await verifyLegacyHash(stored, `${password}x`)).toBe(false);
      expect(await verifyLegacyHash(stored, password.toUpperCase() === password ? password.toLowerCase() : password.toUpperCase())).toBe(false);
    });
  }

  it("turns IDM's $crypto salted hash into the DS scheme with the same layout", async () => {
    const idm = {
      $crypto: { type: 'salted-hash', value: { algorithm: 'SHA-256', data: 'G/QFDZcE49wdz+D7yZ/NjEI9gB2RFYr+GlL07AKGkc8AAQIDBAUGBwgJCgsMDQ4P' } },
    };
    const result = storedHashOf(idm);
    expect(result).toEqual({ stored: '{SSHA256}G/QFDZcE49wdz+D7yZ/NjEI9gB2RFYr+GlL07AKGkc8AAQIDBAUGBwgJCgsMDQ4P' });
    expect(await verifyLegacyHash((result as { stored: string }).stored, PASSWORD)).toBe(true);
  });

  it('names what is wrong with a hash it cannot verify', () => {
    expect(storedHashOf('{CRYPT}abc')).toEqual({ problem: 'the password storage scheme {CRYPT} is not one Cairn verifies' });
    expect(storedHashOf('{SSHA256}not base64!')).toMatchObject({ problem: expect.stringMatching(/base64/) });
    expect(storedHashOf('{SHA256}AAAA')).toMatchObject({ problem: expect.stringMatching(/32-byte digest/) });
    expect(storedHashOf('{PBKDF2}99999999:AAAA')).toMatchObject({ problem: expect.stringMatching(/iterations/) });
    expect(storedHashOf('plain text')).toEqual({ problem: 'not a password hash Cairn recognises' });
    expect(storedHashOf({ $crypto: { type: 'x-simple-encryption', value: {} } })).toMatchObject({
      problem: expect.stringMatching(/encrypted, not hashed/),
    });
    expect(storedHashOf({ $crypto: { type: 'salted-hash', value: { algorithm: 'SCRYPT', data: 'AAAA' } } })).toMatchObject({
      problem: expect.stringMatching(/SCRYPT/),
    });
    expect(storedHashOf(42)).toMatchObject({ problem: expect.stringMatching(/string or an IDM/) });
  });

  it('the hasher verifies them and says they need rehashing to argon2id', async () => {
    const hasher = createPasswordHasher({ memoryCost: 7_168, timeCost: 5 });
    const stored = VECTORS[1]![1];
    expect(await hasher.verify(stored, PASSWORD)).toBe(true);
    expect(await hasher.verify(stored, 'wrong password')).toBe(false);
    expect(hasher.needsRehash(stored)).toBe(true);
    expect(hasher.needsRehash(VECTORS[11]![1])).toBe(true);
    expect(hasher.needsRehash(await hasher.hash(PASSWORD))).toBe(false);
  });
});
