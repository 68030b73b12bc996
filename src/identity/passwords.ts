/**
 * Password hashing: argon2id through @node-rs/argon2, whose async calls run on libuv worker threads so the
 * event loop never waits for a hash. Passwords are NFKC-normalised first and refused (never truncated) above
 * a code-point cap that is checked before any hashing work (RST-29, 31, 32, 37). Secrets are never logged.
 */
import { hash as argon2Hash, verify as argon2Verify, parseOptions } from '@node-rs/argon2';
import type { Algorithm, Version } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { CairnError } from '../errors/cairn-error.js';
import { verifyLegacyHash } from './legacy-hashes.js';

/**
 * Default cap on a password, in Unicode code points after NFKC. NIST asks for at least 64 accepted; 256 leaves
 * room for long passphrases while bounding the work an attacker can ask for. The policy's MAX_LENGTH uses it too.
 */
export const DEFAULT_PASSWORD_MAX_LENGTH = 256;

/**
 * OWASP Password Storage Cheat Sheet's last argon2id row: 7 MiB, 5 passes, 1 lane — one of the five
 * it rates as equal defence (m=47104/t=1 … m=7168/t=5: the same memory × passes), and Keycloak's
 * default. Of the five it costs the server least: its memory stays in the caches that its other work
 * shares. On a 2-core machine a verify on every core took 9.1 ms of CPU on the 19 MiB row, 6.1 ms on
 * this one (bench/README "Choosing the argon2id row"). The settings choose any row, or a stronger one.
 */
export const DEFAULT_ARGON2_PARAMS: Readonly<PasswordHasherParams> = Object.freeze({
  memoryCost: 7_168,
  timeCost: 5,
  parallelism: 1,
  maxLength: DEFAULT_PASSWORD_MAX_LENGTH,
});

// The package declares these as `const enum`s, which isolated transpilers (vitest/esbuild) cannot inline,
// so the numeric values are spelled out here with the package's own types.
const ARGON2ID = 2 as Algorithm;
const VERSION_0X13 = 1 as Version;
const OUTPUT_LENGTH = 32;
const MIN_SALT_LENGTH = 16;

export interface PasswordHasherParams {
  /** Memory per hash in KiB (argon2 `m`). */
  memoryCost: number;
  /** Passes over memory (argon2 `t`). */
  timeCost: number;
  /** Lanes (argon2 `p`); OWASP recommends 1. */
  parallelism: number;
  /** Longest password accepted, in code points after NFKC; longer ones are refused before hashing. */
  maxLength: number;
}

export interface PasswordHasher {
  /** The argon2id PHC string of `password`; throws a 400 CairnError when the password is empty or over the cap. */
  hash(password: string): Promise<string>;
  /**
   * True when `password` matches `storedHash`: argon2id, or a hash imported from another directory
   * (legacy-hashes.ts), which costs the same as an argon2id verification so timing tells nothing.
   * False (never a throw) for a malformed hash or an over-long password.
   */
  verify(storedHash: string, password: string): Promise<boolean>;
  /** True when `storedHash` was made with weaker or different parameters than the configured ones (rehash on login). */
  needsRehash(storedHash: string): boolean;
  /** Spends about one verification's time and resolves false: call it when the user does not exist (uniform timing). */
  verifyDummy(password?: string): Promise<false>;
  readonly params: Readonly<PasswordHasherParams>;
}

/** The normalised form of a password, or why it is refused. Shared with the policy so both count the same way. */
export type NormalisedPassword = { ok: true; value: string; codePoints: number } | { ok: false; reason: 'empty' | 'too_long' };

/**
 * NFKC-normalises `password` and counts its code points. The raw UTF-16 length is checked first (4 units per
 * allowed code point covers decomposed input), so a megabyte of input is refused without normalising it.
 */
export function normalisePassword(password: string, maxLength: number): NormalisedPassword {
  if (password.length === 0) return { ok: false, reason: 'empty' };
  if (password.length > maxLength * 4) return { ok: false, reason: 'too_long' };
  const value = password.normalize('NFKC');
  let codePoints = 0;
  for (const _ of value) codePoints++;
  if (codePoints > maxLength) return { ok: false, reason: 'too_long' };
  return { ok: true, value, codePoints };
}

/**
 * argon2's own bounds (RFC 9106 §3.1: at least 8 KiB per lane, one pass), the only ones a test-only
 * hasher keeps; a server's hasher also keeps OWASP's minimum.
 */
const ARGON2_MIN_KIB_PER_LANE = 8;

function checkParams(params: PasswordHasherParams, owaspMinimum: boolean): void {
  const problems: string[] = [];
  const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n);
  if (owaspMinimum) {
    if (!isInt(params.memoryCost) || params.memoryCost < 7_168) problems.push('memoryCost must be an integer ≥ 7168 KiB');
  } else if (!isInt(params.memoryCost) || params.memoryCost < ARGON2_MIN_KIB_PER_LANE * (isInt(params.parallelism) ? params.parallelism : 1)) {
    problems.push('memoryCost must be an integer ≥ 8 KiB per lane');
  }
  if (!isInt(params.timeCost) || params.timeCost < 1) problems.push('timeCost must be an integer ≥ 1');
  // OWASP's equivalent argon2id settings (m=47104/t=1 … m=7168/t=5) all have m·t ≥ 35840.
  if (owaspMinimum && isInt(params.memoryCost) && isInt(params.timeCost) && params.memoryCost * params.timeCost < 35_840) {
    problems.push('memoryCost × timeCost must be ≥ 35840 (OWASP argon2id minimum, e.g. m=7168 t=5 or m=19456 t=2)');
  }
  if (!isInt(params.parallelism) || params.parallelism < 1 || params.parallelism > 255) {
    problems.push('parallelism must be an integer from 1 to 255');
  }
  if (!isInt(params.maxLength) || params.maxLength < 64 || params.maxLength > 4_096) {
    problems.push('maxLength must be an integer from 64 to 4096 code points');
  }
  if (problems.length > 0) throw new Error(`Invalid password hasher parameters: ${problems.join('; ')}`);
}

/**
 * At most `limit` argon2 runs at once; the others wait their turn. With several worker processes on
 * few cores, letting every libuv thread hash at once makes each hash slower (each run's memory
 * competes for caches and memory bandwidth) without finishing more of them.
 */
function gate(limit: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await fn();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

export interface HasherOptions {
  /** Concurrent argon2 runs in this process (default: the cores, shared among `processes`). */
  maxConcurrent?: number;
  /** Server processes sharing this machine's cores (the cluster's workers); default 1. */
  processes?: number;
  /**
   * Tests only: accept parameters below OWASP's minimum (argon2's own bounds still hold), so that unit
   * tests hash in microseconds with the same code a server runs. No server code may set it (an ESLint
   * rule refuses it in src/); a server's hasher always refuses weaker parameters than OWASP's.
   */
  belowOwaspMinimumForTests?: true;
}

/**
 * A hasher with the given parameters (defaults: OWASP m=7168 KiB, t=5, p=1; cap 256 code points),
 * refusing parameters below OWASP's minimum unless `belowOwaspMinimumForTests` says it serves a test.
 */
export function createPasswordHasher(overrides: Partial<PasswordHasherParams> = {}, hasherOptions: HasherOptions = {}): PasswordHasher {
  const params: Readonly<PasswordHasherParams> = Object.freeze({ ...DEFAULT_ARGON2_PARAMS, ...overrides });
  checkParams(params, hasherOptions.belowOwaspMinimumForTests !== true);
  const workers = Math.max(1, hasherOptions.processes ?? 1);
  const run = gate(Math.max(1, hasherOptions.maxConcurrent ?? Math.floor(availableParallelism() / workers)));
  const options = {
    algorithm: ARGON2ID,
    version: VERSION_0X13,
    memoryCost: params.memoryCost,
    timeCost: params.timeCost,
    parallelism: params.parallelism,
    outputLen: OUTPUT_LENGTH,
  };
  let dummyHash: Promise<string> | undefined;

  async function hash(password: string): Promise<string> {
    if (typeof password !== 'string') throw new CairnError({ status: 400, code: 'password_invalid', message: 'Password must be a string' });
    const normalised = normalisePassword(password, params.maxLength);
    if (!normalised.ok) {
      throw normalised.reason === 'empty'
        ? new CairnError({ status: 400, code: 'password_empty', message: 'Password must not be empty' })
        : new CairnError({
            status: 400,
            code: 'password_too_long',
            message: `Password must be at most ${params.maxLength} characters`,
            detail: { maxLength: params.maxLength },
          });
    }
    // The package draws a fresh 16-byte salt from the OS for every hash.
    return run(() => argon2Hash(normalised.value, options));
  }

  async function verify(storedHash: string, password: string): Promise<boolean> {
    if (typeof storedHash !== 'string' || typeof password !== 'string') return false;
    const normalised = normalisePassword(password, params.maxLength);
    if (!normalised.ok) return false;
    if (!storedHash.startsWith('$argon2')) return verifyImported(storedHash, password, normalised.value);
    try {
      return await run(() => argon2Verify(storedHash, normalised.value));
    } catch {
      return false; // malformed stored hash: treated as a mismatch, and nothing about it is echoed
    }
  }

  /**
   * An imported hash: the other system hashed the password as typed, so that form is tried first and the
   * NFKC form second. One dummy argon2id run follows either way: a user with an imported hash costs what
   * any other sign-in costs, so response times do not tell which accounts were migrated or exist.
   */
  async function verifyImported(storedHash: string, typed: string, normalised: string): Promise<boolean> {
    const matched = (await verifyLegacyHash(storedHash, typed)) || (normalised !== typed && (await verifyLegacyHash(storedHash, normalised)));
    await verifyDummy(typed);
    return matched;
  }

  function needsRehash(storedHash: string): boolean {
    try {
      const stored = parseOptions(storedHash);
      return (
        stored.algorithm !== ARGON2ID ||
        stored.version !== VERSION_0X13 ||
        stored.memoryCost < params.memoryCost ||
        stored.timeCost < params.timeCost ||
        stored.parallelism !== params.parallelism ||
        stored.outputLen < OUTPUT_LENGTH ||
        stored.saltLen < MIN_SALT_LENGTH
      );
    } catch {
      return true;
    }
  }

  async function verifyDummy(password?: string): Promise<false> {
    // The first call makes the hasher's dummy hash (one argon2 run, the same cost as a verification);
    // later calls verify against it, so every call costs about one argon2 run.
    if (dummyHash === undefined) {
      dummyHash = run(() => argon2Hash(randomBytes(32).toString('base64url'), options));
      await dummyHash;
      return false;
    }
    const candidate = typeof password === 'string' ? normalisePassword(password, params.maxLength) : undefined;
    const input = candidate?.ok ? candidate.value : randomBytes(16).toString('base64url');
    const stored = await dummyHash;
    await run(() => argon2Verify(stored, input)).catch(() => false);
    return false;
  }

  return { hash, verify, needsRehash, verifyDummy, params };
}
