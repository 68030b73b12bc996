/**
 * The password hasher unit tests use: the real one (src/identity/passwords.ts, the same hashing,
 * normalisation, cap and rehash code a server runs) with argon2id at its smallest, 8 KiB and one pass,
 * through the hasher's explicit test-only option. A hash then costs microseconds instead of 7 MiB ×
 * 5 passes. test/identity/passwords.test.ts keeps the tests that need the real parameters on them.
 */
import { createPasswordHasher, type HasherOptions, type PasswordHasher, type PasswordHasherParams } from '../../src/identity/passwords.js';

/** argon2id's minimum work (RFC 9106): below OWASP's, so only a test-only hasher accepts it. */
export const LIGHT_ARGON2_PARAMS: Readonly<Partial<PasswordHasherParams>> = Object.freeze({ memoryCost: 8, timeCost: 1 });

/** A real hasher with the light parameters (or others given, also below OWASP's minimum). */
export function lightHasher(overrides: Partial<PasswordHasherParams> = {}, options: HasherOptions = {}): PasswordHasher {
  return createPasswordHasher({ ...LIGHT_ARGON2_PARAMS, ...overrides }, { ...options, belowOwaspMinimumForTests: true });
}
