/**
 * A short, stable pseudonym of an identifier (an address, a username) for logs, audit events and
 * store keys: trimmed, lower-cased, SHA-256, 16 hex digits. One function, so a log line, an audit
 * event and a rate-limit counter name the same person the same way, and none holds the identifier.
 */
import { createHash } from 'node:crypto';

export function pseudonym(value: string): string {
  return createHash('sha256').update(value.trim().toLowerCase()).digest('hex').slice(0, 16);
}
