/**
 * The one-time password the OTP nodes share (AM's SharedStateConstants): the code in transient state
 * `oneTimePassword`, its creation time in `oneTimePasswordTimestamp` (epoch seconds), as the HOTP
 * Generator writes them and scripts may too. Cairn adds `oneTimePasswordId`, a random id naming the
 * code's counters in the store: its checks (counted before each is evaluated, so concurrent guesses
 * cannot exceed MAX_OTP_ATTEMPTS) and its one use, so that replaying an earlier step can neither guess
 * on nor use a code twice.
 */
import { createHash } from 'node:crypto';

export const ONE_TIME_PASSWORD = 'oneTimePassword';
export const ONE_TIME_PASSWORD_TIMESTAMP = 'oneTimePasswordTimestamp';
export const ONE_TIME_PASSWORD_ID = 'oneTimePasswordId';
/** Checks of one issued code; every further check fails, right or not. */
export const MAX_OTP_ATTEMPTS = 5;

export interface IssuedCode {
  code: string;
  /** Epoch seconds. */
  issuedAt: number;
  /** Names the code's counters; from the generator, else derived from the code and its time. */
  id: string;
}

/** The code in the journey's state (transient first, then shared, as AM's getState reads it). */
export function issuedCode(transient: Record<string, unknown>, shared: Record<string, unknown>): IssuedCode | undefined {
  const read = (key: string): unknown => (transient[key] !== undefined ? transient[key] : shared[key]);
  const code = read(ONE_TIME_PASSWORD);
  const issuedAt = read(ONE_TIME_PASSWORD_TIMESTAMP);
  if (typeof code !== 'string' || code === '' || typeof issuedAt !== 'number') return undefined;
  const given = read(ONE_TIME_PASSWORD_ID);
  const id = typeof given === 'string' && given !== '' ? given : createHash('sha256').update(`${code}:${issuedAt}`).digest('base64url');
  return { code, issuedAt, id };
}

export const otpAttemptKey = (id: string): string => `otp:attempt:${id}`;
export const otpUseKey = (id: string): string => `otp:used:${id}`;
