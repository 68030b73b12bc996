/**
 * Credential-reset context ids: 128 random bits, base64url; only their SHA-256 is stored (on the
 * user's `credentialReset` record), so the store never holds a usable id.
 */
import { createHash, randomBytes } from 'node:crypto';

export const newResetId = (): string => randomBytes(16).toString('base64url');

export const hashResetId = (id: string): string => createHash('sha256').update(id).digest('base64url');
