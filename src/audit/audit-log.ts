/**
 * Audit events as JSON lines, to stdout or a file. Each line has a UTC time, the event name and
 * its fields; field names that could carry secrets are dropped and strings are bounded, so an event
 * can never leak a password, code, token or suspend id (RST-20, RST-46), nor inject a line (RST-47:
 * JSON encoding escapes CR/LF).
 */
import { createWriteStream, type WriteStream } from 'node:fs';

const SECRET_KEY = /pass(word)?|secret|token|authid|suspend(ed)?id|otp|code|cookie|hash|answer/i;
const MAX_STRING = 512;

function clean(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.length > MAX_STRING ? value.slice(0, MAX_STRING) + '…' : value;
  if (value === null || typeof value !== 'object') return value;
  if (depth > 3) return '[…]';
  if (Array.isArray(value)) return value.slice(0, 20).map((v) => clean(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!SECRET_KEY.test(k)) out[k] = clean(v, depth + 1);
  return out;
}

/** Where audit events go. Fields never carry passwords, codes, tokens or suspend ids. */
export interface AuditPort {
  record(event: string, fields: Record<string, unknown>): void;
}

export interface AuditLog extends AuditPort {
  close(): Promise<void>;
}

/** `target`: 'stdout', 'off', or a file path (appended). `now` is injected for tests. */
export function createAuditLog(target: string, now: () => number = Date.now, write?: (line: string) => void): AuditLog {
  let stream: WriteStream | undefined;
  let sink: (line: string) => void;
  if (write) sink = write;
  else if (target === 'off') sink = () => {};
  else if (target === 'stdout') sink = (l) => process.stdout.write(l);
  else {
    const s = createWriteStream(target, { flags: 'a', mode: 0o600 });
    stream = s;
    sink = (l) => s.write(l);
  }
  return {
    record(event, fields) {
      const line = JSON.stringify({ time: new Date(now()).toISOString(), type: 'audit', event, ...(clean(fields) as object) });
      sink(line + '\n');
    },
    close: () => new Promise<void>((resolve) => (stream ? stream.end(() => resolve()) : resolve())),
  };
}
