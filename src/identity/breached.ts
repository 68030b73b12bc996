/**
 * Breached-password check by k-anonymity range query (the Have I Been Pwned "range" API shape, RST-34): only the
 * first 5 hex characters of the password's SHA-1 leave the server, with `Add-Padding: true`; the suffixes that come
 * back are compared locally. The checker reports "unavailable" on any network or protocol failure; whether that
 * rejects the password (fail-closed) or lets it through (fail-open, the default, as Kratos) is `failClosed`.
 */
import { createHash } from 'node:crypto';

export const DEFAULT_BREACH_ENDPOINT = 'https://api.pwnedpasswords.com';

export interface BreachCheckOptions {
  /** Base URL; the request goes to `<endpoint>/range/<PREFIX>`. Default: the public Pwned Passwords API. */
  endpoint?: string;
  /** Abort the request after this many milliseconds (default 2000). */
  timeoutMs?: number;
  /** Reject the password when the check cannot be made (default false: fail open). */
  failClosed?: boolean;
  /** A password counts as breached when seen at least this many times (default 1). */
  minCount?: number;
}

export type BreachVerdict = { status: 'breached'; count: number } | { status: 'clean' } | { status: 'unavailable' };

export interface BreachChecker {
  check(password: string): Promise<BreachVerdict>;
  readonly failClosed: boolean;
}

/** Largest range response accepted (real ones with padding are about 30–40 KB). */
const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;

export function createBreachChecker(options: BreachCheckOptions = {}): BreachChecker {
  const endpoint = (options.endpoint ?? DEFAULT_BREACH_ENDPOINT).replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`Breached-password endpoint is not a URL: ${JSON.stringify(endpoint)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('Breached-password endpoint must be http(s)');
  if (url.search !== '' || url.hash !== '') throw new Error('Breached-password endpoint must not carry a query or fragment');
  const timeoutMs = options.timeoutMs ?? 2_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 60_000) throw new Error('Breach check timeoutMs must be 1–60000');
  const minCount = options.minCount ?? 1;
  if (!Number.isInteger(minCount) || minCount < 1) throw new Error('Breach check minCount must be an integer ≥ 1');
  const failClosed = options.failClosed ?? false;

  async function check(password: string): Promise<BreachVerdict> {
    const digest = createHash('sha1').update(password.normalize('NFKC'), 'utf8').digest('hex').toUpperCase();
    const prefix = digest.slice(0, 5);
    const suffix = digest.slice(5);
    let body: string;
    try {
      const response = await fetch(`${endpoint}/range/${prefix}`, {
        headers: { 'Add-Padding': 'true', 'User-Agent': 'cairn-breach-check' },
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
      if (!response.ok) {
        await response.body?.cancel();
        return { status: 'unavailable' };
      }
      const text = await readCapped(response);
      if (text === undefined) return { status: 'unavailable' };
      body = text;
    } catch {
      return { status: 'unavailable' };
    }
    let count = 0;
    let wellFormed = false;
    for (const line of body.split(/\r?\n/)) {
      const match = /^([0-9A-Fa-f]{35}):(\d+)\s*$/.exec(line);
      if (match === null) continue;
      wellFormed = true;
      // Padding lines carry a count of 0 and never match a real suffix's count.
      if (match[1]?.toUpperCase() === suffix) count = Number(match[2]);
    }
    if (!wellFormed) return { status: 'unavailable' };
    return count >= minCount ? { status: 'breached', count } : { status: 'clean' };
  }

  return { check, failClosed };
}

async function readCapped(response: Response): Promise<string | undefined> {
  if (response.body === null) return '';
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
