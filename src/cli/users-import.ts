/**
 * `cairn users import FILE [--realm NAME]`: users from a JSON array or NDJSON file into the configured store (the
 * realm's identity resource: managed/user, or managed/<name>_user), all or nothing,
 * with memory bounded for NDJSON whatever the file's size (it is read as a stream, twice: once to check every
 * record, once to write them). A record carries its attributes and at most one credential:
 * - `password`: a clear password, checked against the policy and hashed with argon2id (slow by design);
 * - `password` as PingIDM's `{"$crypto": {"type": "salted-hash", …}}`, `passwordHash`, or DS's `userPassword`:
 *   an existing hash (legacy-hashes.ts), stored as is — no password is hashed — verified at sign-in and
 *   replaced by argon2id on the first successful one.
 * On a terminal, progress (count, rate, time left) is drawn on standard error; otherwise only the summary.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { storedHashOf } from '../identity/legacy-hashes.js';
import type { Core } from '../server/compose.js';
import { attributeName, refusalSentence } from './sentences.js';

/** Problems printed in full; the rest are counted. */
const MAX_REPORTED = 50;
/** Users written at once: enough to keep the store's batched commits full, few enough to stop quickly. */
const WRITE_CONCURRENCY = 32;

export interface ImportIo {
  err: (line: string) => void;
  out: (line: string) => void;
  /** Draws a progress line in place (a terminal); absent: no progress. */
  progress?: ((line: string) => void) | undefined;
  /** A refusal from the identity service as sentences (the CLI's wording). */
  describe: (e: unknown) => string[];
}

interface Row {
  line: number;
  value: unknown;
  /** Bytes of the file read so far (progress). */
  offset: number;
}

class RecordError extends Error {}

/** The file's records with their line numbers: NDJSON streamed, a JSON array parsed whole. */
async function* rowsOf(path: string): AsyncGenerator<Row> {
  const head = await readHead(path);
  if (head === '[') {
    yield* arrayRows(await readFile(path, 'utf8'));
    return;
  }
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  let offset = 0;
  for await (const text of lines) {
    line++;
    offset += Buffer.byteLength(text) + 1;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new RecordError(`line ${line}: not valid JSON: ${(e as Error).message}`);
    }
    yield { line, value, offset };
  }
}

async function readHead(path: string): Promise<string> {
  const stream = createReadStream(path, { encoding: 'utf8', start: 0, end: 4095 });
  let text = '';
  for await (const chunk of stream) text += chunk as string;
  return text.trimStart().charAt(0);
}

function* arrayRows(text: string): Generator<Row> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new RecordError(`not valid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new RecordError('expected a JSON array of users.');
  // The line each top-level element starts on.
  const starts: number[] = [];
  let depth = 0;
  let line = 1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth === 1) starts.push(line);
      depth++;
    } else if (c === '}' || c === ']') depth--;
  }
  const size = Buffer.byteLength(text);
  for (const [i, value] of parsed.entries()) yield { line: starts[i] ?? 1, value, offset: Math.round((size * (i + 1)) / parsed.length) };
}

/**
 * Which line first had each unique value: 12 bytes per value (a 64-bit fingerprint and a line number) in
 * open addressing, instead of the values themselves, so a million users need tens of megabytes, not hundreds.
 */
class SeenValues {
  private hashes = new BigUint64Array(1 << 16);
  private lines = new Uint32Array(1 << 16);
  private count = 0;
  private readonly key = randomBytes(16);

  /** The line `value` was first seen on, or undefined (and it is remembered as seen on `line`). */
  seen(value: string, line: number): number | undefined {
    if ((this.count + 1) * 2 > this.hashes.length) this.grow();
    const h = createHmac('sha256', this.key).update(value).digest().readBigUInt64LE(0) | 1n; // 0 marks an empty slot
    const mask = this.hashes.length - 1;
    for (let i = Number(h & BigInt(mask)); ; i = (i + 1) & mask) {
      const at = this.hashes[i] as bigint;
      if (at === 0n) {
        this.hashes[i] = h;
        this.lines[i] = line;
        this.count++;
        return undefined;
      }
      if (at === h) return this.lines[i];
    }
  }

  private grow(): void {
    const { hashes, lines } = this;
    this.hashes = new BigUint64Array(hashes.length * 2);
    this.lines = new Uint32Array(hashes.length * 2);
    const mask = this.hashes.length - 1;
    for (let j = 0; j < hashes.length; j++) {
      const h = hashes[j] as bigint;
      if (h === 0n) continue;
      let i = Number(h & BigInt(mask));
      while (this.hashes[i] !== 0n) i = (i + 1) & mask;
      this.hashes[i] = h;
      this.lines[i] = lines[j] as number;
    }
  }
}

/** A record's attributes and its credential, or the problems with it. */
interface Prepared {
  attributes: Record<string, unknown>;
  passwordHash?: string;
}

function prepare(value: unknown): Prepared | { problem: string } {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { problem: 'a user must be a JSON object.' };
  const { password, passwordHash, userPassword, ...attributes } = value as Record<string, unknown>;
  delete attributes._rev;
  delete attributes.passwordSet;
  const given = [password, passwordHash, userPassword].filter((v) => v !== undefined);
  if (given.length > 1) return { problem: 'give one of password, passwordHash and userPassword, not several.' };
  const userPasswordValue = Array.isArray(userPassword) && userPassword.length === 1 ? (userPassword[0] as unknown) : userPassword;
  const hash = passwordHash ?? userPasswordValue ?? (password && typeof password === 'object' ? password : undefined);
  if (hash !== undefined) {
    const stored = storedHashOf(hash);
    if ('problem' in stored) return { problem: `the password hash is refused: ${stored.problem}.` };
    return { attributes, passwordHash: stored.stored };
  }
  if (password !== undefined) attributes.password = password;
  return { attributes };
}

/** A UUID-shaped id for the record on `line`, derived from this import's secret so a rollback can find it again. */
function idFor(secret: Buffer, line: number): string {
  const b = createHmac('sha256', secret).update(String(line)).digest().subarray(0, 16);
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const plural = (n: number, word: string): string => `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '…';
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `${s} s` : s < 3600 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** Draws "<phase>: 41% · 412,345 users · 52,310 users/s · 12 s left" at most five times a second. */
function meter(io: ImportIo, phase: string): { tick: (count: number, fraction: number) => void; done: () => void } {
  const started = performance.now();
  let last = 0;
  return {
    tick(count, fraction) {
      if (!io.progress) return;
      const now = performance.now();
      if (now - last < 200) return;
      last = now;
      const seconds = (now - started) / 1000;
      const rate = count / Math.max(seconds, 1e-3);
      const left = fraction > 0 ? (seconds / fraction) * (1 - fraction) : Infinity;
      io.progress(
        `\r${phase}: ${Math.floor(fraction * 100)}% · ${plural(count, 'user')} · ${Math.round(rate).toLocaleString('en')} users/s · ${duration(left)} left\x1b[K`,
      );
    },
    done() {
      io.progress?.('\r\x1b[K');
    },
  };
}

/** Imports `path` (already resolved) into `resource` (a realm's identity resource, `managed/user` for root); the exit code. */
export async function importUsersFile(core: Core, resource: string, path: string, name: string, io: ImportIo): Promise<number> {
  const say = (p: string): void => io.err(`cairn users import: ${name}: ${p}`);
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    say('cannot read the file.');
    return 1;
  }
  const started = performance.now();
  const unique = core.schema.uniqueProperties(resource);
  const required = ['userName', 'mail'];

  // Pass 1: check everything, write nothing.
  let problems = 0;
  let total = 0;
  const report = (line: number, p: string): void => {
    problems++;
    if (problems <= MAX_REPORTED) say(`line ${line}: ${p}`);
  };
  const seen = new Map(unique.map((k) => [k, new SeenValues()]));
  const ids = new SeenValues();
  const checking = meter(io, 'Checking');
  try {
    for await (const { line, value, offset } of rowsOf(path)) {
      total++;
      checking.tick(total, size ? offset / size : 1);
      const prepared = prepare(value);
      if ('problem' in prepared) {
        report(line, prepared.problem);
        continue;
      }
      const user = prepared.attributes;
      for (const key of required)
        if (typeof user[key] !== 'string' || user[key] === '') report(line, `the ${attributeName(key)} (${key}) is missing.`);
      for (const key of unique) {
        const v = user[key];
        if (typeof v !== 'string' || v === '') continue;
        const first = seen.get(key)?.seen(v.normalize('NFKC').toLowerCase(), line);
        if (first !== undefined) report(line, `the ${attributeName(key)} "${v}" is also on line ${first}.`);
        else if (await core.identity.findByAttribute(resource, key, v)) report(line, `a user with the ${attributeName(key)} "${v}" already exists.`);
      }
      if (user._id !== undefined) {
        if (typeof user._id !== 'string' || user._id === '') report(line, 'the _id must be a non-empty string.');
        else if (ids.seen(user._id, line) !== undefined) report(line, `the _id "${user._id}" is on an earlier line too.`);
        else if (await core.identity.readObject(resource, user._id)) report(line, `a user with _id "${user._id}" already exists.`);
      }
      if (user.password !== undefined) {
        const failed = await core.services.policy.check(resource, 'password', user.password, { attributes: user });
        if (failed.length) report(line, refusalSentence('password', failed));
      }
    }
  } catch (e) {
    checking.done();
    if (e instanceof RecordError) {
      say(e.message);
      io.err('cairn users import: nothing was imported.');
      return 1;
    }
    throw e;
  }
  checking.done();
  if (problems > 0) {
    if (problems > MAX_REPORTED) say(`… and ${plural(problems - MAX_REPORTED, 'more problem')}.`);
    io.err(`cairn users import: nothing was imported (${plural(problems, 'problem')}).`);
    return 1;
  }

  // Pass 2: write, a few at a time; on a refusal, undo every user this import wrote.
  const secret = randomBytes(32);
  const writing = meter(io, 'Importing');
  const inFlight = new Set<Promise<void>>();
  let written = 0;
  let failure: { line: number; error: unknown } | undefined;
  const refused = new Set<number>(); // lines whose write failed: their _id may be someone else's, never undone
  for await (const { line, value } of rowsOf(path)) {
    if (failure) break;
    const { attributes, passwordHash } = prepare(value) as Prepared;
    const attrs = attributes._id === undefined ? { ...attributes, _id: idFor(secret, line) } : attributes;
    const write: Promise<void> = core.identity
      .createObject(resource, attrs, passwordHash === undefined ? {} : { passwordHash })
      .then(
        () => {
          written++;
          writing.tick(written, written / total);
        },
        (error: unknown) => {
          refused.add(line);
          failure ??= { line, error };
        },
      )
      .finally(() => inFlight.delete(write));
    inFlight.add(write);
    if (inFlight.size >= WRITE_CONCURRENCY) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  writing.done();
  if (failure) {
    const { line, error } = failure;
    for (const l of io.describe(error)) say(`line ${line}: ${l}`);
    let undone = 0;
    for await (const row of rowsOf(path)) {
      if (refused.has(row.line)) continue;
      const prepared = prepare(row.value) as Prepared;
      const id = typeof prepared.attributes._id === 'string' ? prepared.attributes._id : idFor(secret, row.line);
      if (await core.identity.deleteObject(resource, id)) undone++;
      if (undone === written) break;
    }
    io.err(`cairn users import: nothing was imported (${plural(undone, 'user')} written before the refusal were removed).`);
    return 1;
  }
  const seconds = (performance.now() - started) / 1000;
  io.out(
    `Imported ${plural(written, 'user')} in ${duration(seconds)} (${Math.round(written / Math.max(seconds, 1e-3)).toLocaleString('en')} users/s).`,
  );
  return 0;
}
