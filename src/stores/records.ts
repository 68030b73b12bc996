/**
 * Input checks and normalisation shared by every backend, so both accept and refuse exactly the same
 * things: resource names, ids and keys, times, plain-JSON records (copied, with limits on size and
 * depth, and field names MongoDB can store), the normalised form of unique keys, and new ids and revs.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { invalid } from './errors.js';
import type { NewSession, StoredSession, UniqueKeys } from './types.js';

export const DEFAULT_UNIQUE_KEYS: UniqueKeys = Object.freeze({ 'managed/user': Object.freeze(['userName', 'mail']) });

/** `managed/user`, `managed/alpha_user`: at least two segments, so a resource never names another collection. */
const RESOURCE = /^[A-Za-z][A-Za-z0-9_-]{0,63}(?:\/[A-Za-z][A-Za-z0-9_-]{0,63})+$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
const CONTROL = /[\u0000-\u001f\u007f]/;
const MAX_ID_LENGTH = 255;
const MAX_KEY_LENGTH = 1024;
const MAX_DEPTH = 32;
/** Serialised size cap for one record; far below MongoDB's 16 MiB document limit. */
const MAX_RECORD_BYTES = 1024 * 1024;
/** Latest time a JavaScript Date can hold. */
const MAX_TIME = 8.64e15;
/** Normalised unique values longer than this are keyed by their SHA-256 (bounded index keys). */
const MAX_UNIQUE_KEY_LENGTH = 256;

export function checkResource(resource: unknown): string {
  if (typeof resource !== 'string' || !RESOURCE.test(resource)) {
    throw invalid('A resource name looks like "managed/user" (letters, digits, _ and -, separated by /)');
  }
  return resource;
}

/** An object `_id` or session id: 1–255 characters, no control characters, no `/` (it is a URL path segment). */
export function checkId(id: unknown, what = 'id'): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH || CONTROL.test(id) || id.includes('/')) {
    throw invalid(`The ${what} must be 1 to ${MAX_ID_LENGTH} characters without "/" or control characters`);
  }
  return id;
}

/** A key of the kv, counter or suspension spaces, or a subject: 1–1024 characters without NUL. */
export function checkKey(key: unknown, what = 'key'): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH || key.includes('\u0000')) {
    throw invalid(`The ${what} must be 1 to ${MAX_KEY_LENGTH} characters without NUL`);
  }
  return key;
}

/** An absolute time in epoch ms, rounded up to a whole millisecond. */
export function checkTime(t: unknown, what: string): number {
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0 || t > MAX_TIME) {
    throw invalid(`The ${what} must be a time in epoch milliseconds`);
  }
  return Math.ceil(t);
}

/** A claim's expiry: a time after `now` (a claim that has lapsed already holds nothing). */
export function checkClaimExpiry(t: unknown, now: number): number {
  const at = checkTime(t, 'claim expiry');
  if (at <= now) throw invalid('The claim expiry must be in the future');
  return at;
}

/** A positive duration in ms, rounded up to a whole millisecond. */
export function checkDuration(ms: unknown, what: string): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0 || ms > MAX_TIME) {
    throw invalid(`The ${what} must be a positive number of milliseconds`);
  }
  return Math.ceil(ms);
}

function copyJson(value: unknown, path: string, depth: number): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(`${path} is not a finite number`);
    return value;
  }
  if (depth > MAX_DEPTH) throw invalid(`${path} is nested more than ${MAX_DEPTH} levels deep`);
  if (Array.isArray(value)) {
    // Array.from visits holes too: they become null, as in JSON.
    return Array.from(value as unknown[], (v, i) => (v === undefined ? null : copyJson(v, `${path}[${i}]`, depth + 1)));
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) throw invalid(`${path} is not a plain JSON object`);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue; // as JSON.stringify does
      if (k === '' || k.startsWith('$') || k.includes('.') || k.includes('\u0000')) {
        throw invalid(`${path} has the field name ${JSON.stringify(k)}; names may not be empty, start with "$" or contain "." or NUL`);
      }
      out[k] = copyJson(v, `${path}.${k}`, depth + 1);
    }
    return out;
  }
  throw invalid(`${path} is not JSON (${typeof value})`);
}

/** A checked deep copy of a JSON value (undefined object members are dropped, as JSON does). */
export function toJson(value: unknown, what: string): unknown {
  const copy = copyJson(value, what, 0);
  if (Buffer.byteLength(JSON.stringify(copy)) > MAX_RECORD_BYTES) throw invalid(`${what} is larger than ${MAX_RECORD_BYTES} bytes`);
  return copy;
}

/** A checked deep copy of a JSON object. */
export function toJsonObject(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(`${what} must be a JSON object`);
  return toJson(value, what) as Record<string, unknown>;
}

/** A field name the MongoDB backend keeps the normalised unique keys under; refused in records (both backends). */
export const RESERVED_FIELD = '_cairnKeys';

/** The object's fields without `_id` and `_rev` (which the store owns), checked and copied. */
export function objectFields(object: unknown, what = 'The object'): Record<string, unknown> {
  const fields = toJsonObject(object, what);
  delete fields._id;
  delete fields._rev;
  if (RESERVED_FIELD in fields) throw invalid(`${what} may not have a field named ${RESERVED_FIELD}`);
  return fields;
}

/** A new object's `_id` (the given one, checked, or a new UUID) and its checked fields. */
export function newObjectOf(object: unknown): { id: string; fields: Record<string, unknown> } {
  const fields = objectFields(object);
  const given = (object as { _id?: unknown })._id;
  return { id: given === undefined ? newId() : checkId(given, '_id'), fields };
}

/** The checked fields of a replacement for `id`; an `_id` in it, when given, must be `id`. */
export function replacementOf(object: unknown, id: string): Record<string, unknown> {
  const fields = objectFields(object);
  const given = (object as { _id?: unknown })._id;
  if (given !== undefined && given !== id) throw invalid('The object _id does not match the id it is written to');
  return fields;
}

/** A checked new session: its distinct subjects, a copy of its data, and its two lifetimes. */
export interface CheckedSession {
  subjects: string[];
  data: Record<string, unknown>;
  idleTimeoutMs: number;
  maxLifetimeMs: number;
}

export function checkNewSession(session: NewSession): CheckedSession {
  if (!Array.isArray(session?.subjects)) throw invalid('A session needs a list of subjects');
  return {
    subjects: [...new Set(session.subjects.map((s) => checkKey(s, 'subject')))],
    data: toJsonObject(session.data ?? {}, 'The session data'),
    idleTimeoutMs: checkDuration(session.idleTimeoutMs, 'idle timeout'),
    maxLifetimeMs: checkDuration(session.maxLifetimeMs, 'maximum lifetime'),
  };
}

/** The stored form of a session created at `t`: idle deadline min(t + idle, t + max). */
export function sessionStartingAt(id: string, s: CheckedSession, t: number): StoredSession {
  return {
    id,
    subjects: s.subjects,
    data: s.data,
    createdAt: t,
    lastAccessAt: t,
    idleTimeoutMs: s.idleTimeoutMs,
    idleExpiresAt: Math.min(t + s.idleTimeoutMs, t + s.maxLifetimeMs),
    maxExpiresAt: t + s.maxLifetimeMs,
  };
}

/** The checked set/unset lists of a patch: top-level names, JSON values, no name in both. */
export function patchOf(patch: { set?: Record<string, unknown>; unset?: readonly string[] } | undefined): {
  set: Record<string, unknown>;
  unset: string[];
} {
  const set = patch?.set === undefined ? {} : toJsonObject(patch.set, 'The patch');
  Object.keys(set).forEach(checkFieldName);
  if (patch?.unset !== undefined && !Array.isArray(patch.unset)) throw invalid('The patch unset must be a list of field names');
  const unset = (patch?.unset ?? []).map(checkFieldName);
  const both = unset.find((name) => name in set);
  if (both !== undefined) throw invalid(`The patch both sets and removes ${both}`);
  return { set, unset };
}

/** The case-insensitive comparison form of a unique value: NFKC, then lower case (long values hashed). */
export function uniqueKeyOf(value: string): string {
  const norm = value.normalize('NFKC').toLowerCase();
  return norm.length > MAX_UNIQUE_KEY_LENGTH ? `#sha256:${createHash('sha256').update(norm).digest('hex')}` : norm;
}

/** The declared unique fields of `resource` that the object holds, with their normalised keys. */
export function uniqueKeysOf(fields: Record<string, unknown>, declared: readonly string[]): Map<string, string> {
  const keys = new Map<string, string>();
  for (const field of declared) {
    const v = fields[field];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw invalid(`The unique field ${field} must hold a single value`, { field });
    }
    keys.set(field, uniqueKeyOf(String(v)));
  }
  return keys;
}

/** Checks the uniqueKeys option: resource names and field names. */
export function checkUniqueKeys(uniqueKeys: UniqueKeys): UniqueKeys {
  const out: Record<string, readonly string[]> = {};
  for (const [resource, fields] of Object.entries(uniqueKeys)) {
    checkResource(resource);
    if (!Array.isArray(fields) || fields.some((f) => typeof f !== 'string' || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(f))) {
      throw new TypeError(`openStore: uniqueKeys["${resource}"] must be a list of top-level field names`);
    }
    out[resource] = Object.freeze([...(fields as string[])]);
  }
  return Object.freeze(out);
}

/** A checked top-level field name for patch operations (not `_id`/`_rev`). */
export function checkFieldName(name: unknown): string {
  if (
    typeof name !== 'string' ||
    name === '' ||
    name.startsWith('$') ||
    name.includes('.') ||
    name.includes('\u0000') ||
    name === '_id' ||
    name === '_rev' ||
    name === RESERVED_FIELD
  ) {
    throw invalid(`${JSON.stringify(name)} cannot be patched; fields are top-level names other than _id and _rev`);
  }
  return name;
}

export const newId = (): string => randomUUID();

/** A revision: 96 random bits, so a deleted and re-created object never repeats an old `_rev`. */
export const newRev = (): string => randomBytes(12).toString('base64url');
