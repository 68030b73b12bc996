/**
 * HOTP Generator (AM `OneTimePasswordGeneratorNode`): makes a one-time password of `length` digits
 * (AM's default 8, at least 6) with HOTP (RFC 4226: HMAC-SHA1 over a counter, dynamic truncation) keyed
 * by a fresh 160-bit random secret, as AM keys it with a random one, and writes it with its time to
 * transient state (`oneTimePassword`, `oneTimePasswordTimestamp`), where the OTP Email Sender and the OTP
 * Collector Decision read it. Transient state rides encrypted in the authId and is never logged.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { ONE_TIME_PASSWORD, ONE_TIME_PASSWORD_ID, ONE_TIME_PASSWORD_TIMESTAMP } from './helpers/one-time-password.js';
import { defineNode } from './types.js';

export interface OneTimePasswordGeneratorConfig {
  length: number;
}

/** RFC 4226 §5.3: HOTP(K, C) truncated to `digits` decimal digits. */
export function hotp(secret: Buffer, counter: bigint, digits: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(counter);
  const hash = createHmac('sha1', secret).update(message).digest();
  const offset = (hash[hash.length - 1] as number) & 0x0f;
  const binary = hash.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

export const oneTimePasswordGeneratorNode = defineNode<OneTimePasswordGeneratorConfig>({
  type: 'OneTimePasswordGeneratorNode',
  displayName: 'HOTP Generator',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      length: {
        title: 'One-time password length',
        description: 'Digits of the code (6 to 10).',
        type: 'integer',
        minimum: 6,
        maximum: 10,
        default: 8,
      },
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],

  async process(ctx) {
    ctx.transient[ONE_TIME_PASSWORD] = hotp(randomBytes(20), 0n, ctx.config.length);
    ctx.transient[ONE_TIME_PASSWORD_TIMESTAMP] = Math.floor(ctx.services.now() / 1000);
    ctx.transient[ONE_TIME_PASSWORD_ID] = randomBytes(16).toString('base64url');
    return { kind: 'outcome', outcome: 'outcome' };
  },
});
