/**
 * argon2id hasher: parameters and salt (RST-37), length cap before hashing (RST-29), Unicode normalisation
 * (RST-31), no truncation (RST-32), rehash detection, uniform-timing dummy verification, and event-loop freedom.
 * What depends on the work a hash costs (the stored parameters, the dummy's timing, the event loop) runs
 * with the real parameters; the rest runs the same code with argon2id's smallest (test/support/hasher.ts).
 */
import { describe, it, expect } from 'vitest';
import { hash as rawArgon2Hash } from '@node-rs/argon2';
import type { Algorithm } from '@node-rs/argon2';
import { createPasswordHasher, normalisePassword } from '../../src/identity/passwords.js';
import { isCairnError } from '../../src/errors/cairn-error.js';
import { LIGHT_ARGON2_PARAMS, lightHasher } from '../support/hasher.js';

/** The server's hasher: OWASP's m=7168 KiB, t=5, p=1 row. */
const hasher = createPasswordHasher();
/** The same code at argon2id's smallest parameters, for what does not depend on a hash's cost. */
const light = lightHasher();

/** Fields of a PHC string `$argon2id$v=19$m=…,t=…,p=…$salt$hash`. */
function phc(encoded: string) {
  const [, algorithm, version, params, salt, digest] = encoded.split('$');
  const p = Object.fromEntries((params ?? '').split(',').map((kv) => kv.split('=') as [string, string]));
  return {
    algorithm,
    version,
    m: Number(p['m']),
    t: Number(p['t']),
    p: Number(p['p']),
    saltBytes: Buffer.from(salt ?? '', 'base64').length,
    digestBytes: Buffer.from(digest ?? '', 'base64').length,
  };
}

/** True when `promise` settles within a few microtask turns, i.e. before any thread-pool work could finish. */
async function settlesWithoutWork(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return settled;
}

describe('password hasher', () => {
  it("stores argon2id on one of OWASP's equivalent rows (m ≥ 7168 KiB, m × t ≥ 35840), p = 1 and a 16-byte salt (RST-37)", async () => {
    const encoded = await hasher.hash('a perfectly fine passphrase');
    const f = phc(encoded);
    expect(f.algorithm).toBe('argon2id');
    expect(f.version).toBe('v=19');
    expect(f.m).toBe(7_168);
    expect(f.t).toBe(5);
    expect(f.m * f.t).toBeGreaterThanOrEqual(35_840);
    expect(f.p).toBe(1);
    expect(f.saltBytes).toBeGreaterThanOrEqual(16);
    expect(f.digestBytes).toBe(32);
    expect(hasher.params).toEqual({ memoryCost: 7_168, timeCost: 5, parallelism: 1, maxLength: 256 });
  });

  it("rehashes between OWASP's rows: a hash of another row signs in and asks for a rehash (RST-37)", async () => {
    const headline = createPasswordHasher({ memoryCost: 19_456, timeCost: 2 });
    const stored = await headline.hash('moved between rows');
    expect(await hasher.verify(stored, 'moved between rows')).toBe(true);
    expect(await hasher.verify(stored, 'moved between rowz')).toBe(false);
    expect(hasher.needsRehash(stored)).toBe(true);
    expect(headline.needsRehash(await hasher.hash('moved between rows'))).toBe(true);
  });

  it('salts every hash differently and verifies only the right password', async () => {
    const [a, b] = await Promise.all([light.hash('same password here'), light.hash('same password here')]);
    expect(a).not.toBe(b);
    expect(await light.verify(a, 'same password here')).toBe(true);
    expect(await light.verify(b, 'same password here')).toBe(true);
    expect(await light.verify(a, 'same password hers')).toBe(false);
    expect(a).not.toContain('same password');
  });

  it('accepts 8, 64 and 256 code points and refuses 257 and 1,000+ before hashing (RST-29)', async () => {
    for (const length of [8, 64, 256]) {
      const pw = 'x1'.repeat(length).slice(0, length);
      expect(await light.verify(await light.hash(pw), pw)).toBe(true);
    }
    for (const pw of ['y'.repeat(257), 'z'.repeat(1_000), 'w'.repeat(10_000_000)]) {
      const attempt = light.hash(pw);
      // Refused within a few microtasks: no argon2 run (on the thread pool, so settled in a later turn) could have happened.
      expect(await settlesWithoutWork(attempt)).toBe(true);
      const error = await attempt.catch((e: unknown) => e);
      expect(isCairnError(error) && error.code).toBe('password_too_long');
      expect(isCairnError(error) && error.status).toBe(400);
      expect(await settlesWithoutWork(light.verify('$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaA', pw))).toBe(true);
    }
  });

  it('refuses an empty password and never throws from verify', async () => {
    const error = await light.hash('').catch((e: unknown) => e);
    expect(isCairnError(error) && error.code).toBe('password_empty');
    expect(await light.verify('not a phc string', 'whatever')).toBe(false);
    expect(await light.verify(await light.hash('something'), '')).toBe(false);
  });

  it('accepts emoji, CJK and combining marks, NFKC-normalised, counting code points (RST-31)', async () => {
    const composed = 'Ça café naïve déjà'; // NFC
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);
    const stored = await light.hash(composed);
    expect(await light.verify(stored, decomposed)).toBe(true);

    // Compatibility forms fold too: full-width letters and the "ﬁ" ligature.
    const compat = await light.hash('ｆｕｌｌｗｉｄｔｈ ﬁsh');
    expect(await light.verify(compat, 'fullwidth fish')).toBe(true);

    for (const pw of ['🦊🐻🐼🐨🐯🦁🐮🐷', '密码安全很重要吧', 'e\u0301e\u0301e\u0301 combining']) {
      expect(await light.verify(await light.hash(pw), pw)).toBe(true);
    }
    // 256 emoji are 512 UTF-16 units but 256 code points: accepted; 257 refused.
    const fox = '🦊';
    expect(await light.hash(fox.repeat(256))).toMatch(/^\$argon2id\$/);
    await expect(light.hash(fox.repeat(257))).rejects.toMatchObject({ code: 'password_too_long' });
    const n = normalisePassword('🦊'.repeat(3), 256);
    expect(n.ok && n.codePoints).toBe(3);
  });

  it('does not truncate: long passwords differing only at the end do not cross-verify (RST-32)', async () => {
    const base = 'p'.repeat(100); // well past bcrypt's 72-byte limit
    const stored = await light.hash(`${base}1`);
    expect(await light.verify(stored, `${base}1`)).toBe(true);
    expect(await light.verify(stored, `${base}2`)).toBe(false);
    expect(await light.verify(stored, base)).toBe(false);
    const multibyte = '密'.repeat(30); // 90 UTF-8 bytes
    const storedMb = await light.hash(`${multibyte}a`);
    expect(await light.verify(storedMb, `${multibyte}b`)).toBe(false);
  });

  it('asks for a rehash when the configured parameters rise or the hash is foreign (RST-37)', async () => {
    const stored = await light.hash('rehash me please');
    expect(light.needsRehash(stored)).toBe(false);
    expect(lightHasher({ memoryCost: 16 }).needsRehash(stored)).toBe(true);
    expect(lightHasher({ timeCost: 2 }).needsRehash(stored)).toBe(true);
    expect(lightHasher({ memoryCost: 16, parallelism: 2 }).needsRehash(stored)).toBe(true);
    // The server's parameters are higher than the light ones: its hasher asks for a rehash too.
    expect(hasher.needsRehash(stored)).toBe(true);
    // A stronger stored hash does not need a rehash under weaker settings.
    const stronger = await lightHasher({ memoryCost: 32, timeCost: 3 }).hash('stronger one');
    expect(light.needsRehash(stronger)).toBe(false);
    const argon2i = await rawArgon2Hash('legacy', { algorithm: 1 as Algorithm, ...LIGHT_ARGON2_PARAMS });
    expect(light.needsRehash(argon2i)).toBe(true);
    expect(light.needsRehash('$2b$10$abcdefghijklmnopqrstuv')).toBe(true);
    expect(light.needsRehash('')).toBe(true);
  });

  it('refuses parameters below the OWASP minimums and caps outside 64–4096', () => {
    expect(() => createPasswordHasher({ memoryCost: 4_096 })).toThrow(/memoryCost/);
    expect(() => createPasswordHasher({ memoryCost: 19_456, timeCost: 1 })).toThrow(/35840/);
    expect(() => createPasswordHasher({ maxLength: 32 })).toThrow(/maxLength/);
    expect(() => createPasswordHasher({ parallelism: 0 })).toThrow(/parallelism/);
    expect(createPasswordHasher({ memoryCost: 47_104, timeCost: 1 }).params.memoryCost).toBe(47_104);
    // The tests' parameters pass only with the test-only option, which still keeps argon2's own bounds and the cap.
    expect(() => createPasswordHasher(LIGHT_ARGON2_PARAMS)).toThrow(/memoryCost/);
    expect(() => createPasswordHasher(LIGHT_ARGON2_PARAMS, { processes: 2 })).toThrow(/memoryCost/);
    expect(light.params).toEqual({ memoryCost: 8, timeCost: 1, parallelism: 1, maxLength: 256 });
    expect(() => lightHasher({ memoryCost: 7 })).toThrow(/8 KiB per lane/);
    expect(() => lightHasher({ memoryCost: 8, parallelism: 2 })).toThrow(/8 KiB per lane/);
    expect(() => lightHasher({ timeCost: 0 })).toThrow(/timeCost/);
    expect(() => lightHasher({ maxLength: 32 })).toThrow(/maxLength/);
  });

  it('verifyDummy resolves false after spending about one verification', async () => {
    const stored = await hasher.hash('timing reference');
    const dummy = createPasswordHasher();
    await dummy.verifyDummy(); // makes its dummy hash
    const time = async (f: () => Promise<unknown>) => {
      const start = performance.now();
      for (let i = 0; i < 3; i++) await f();
      return performance.now() - start;
    };
    const real = await time(() => hasher.verify(stored, 'wrong guess'));
    const fake = await time(() => dummy.verifyDummy('wrong guess'));
    expect(await dummy.verifyDummy('anything')).toBe(false);
    // Same argon2 work on both paths; the bound is loose so a busy machine does not flake it.
    expect(fake).toBeGreaterThan(real * 0.25);
  });

  it('never blocks the event loop: a timer keeps ticking during concurrent hashes', async () => {
    const gaps: number[] = [];
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
    }, 5);
    const start = performance.now();
    try {
      const hashes = await Promise.all(Array.from({ length: 8 }, (_, i) => hasher.hash(`concurrent password ${i}`)));
      expect(hashes).toHaveLength(8);
    } finally {
      clearInterval(timer);
    }
    const total = performance.now() - start;
    // Synchronous hashing would show one gap as long as the whole batch; off-loop hashing keeps gaps short.
    expect(gaps.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...gaps)).toBeLessThan(total / 2);
  });
});
