/**
 * CREST (IDM) patch documents: `parsePatch` checks the shape of `[{operation, field, value?, from?}]`,
 * `applyPatch` applies the operations in order to a copy of a plain JSON object (the input is never
 * mutated; a failing operation leaves nothing half-applied). `_id` and `_rev` cannot be patched.
 */

/*
 * Semantics, after CREST's PatchOperation and the IDM "Patch" page:
 * - add: creates missing parent objects. On an existing array it appends (every element of an array
 *   value, or the single value); `/list/-` appends, `/list/3` inserts at index 3. Otherwise sets.
 * - remove: without `value`, removes the field if present; a missing field is a no-op (CREST: "the
 *   entire field will be removed if it is present"). With `value`, removes those value(s) from an
 *   array field, or the field itself if it equals the value.
 * - replace: sets the field (creating parents), whatever it held; `/list/3` replaces element 3.
 * - increment: adds the numeric `value` to a number (or to each number of an array); a missing or
 *   non-numeric field is an error.
 * - copy / move: `from` must exist; its value replaces the target (move then removes `from`).
 *   Copying from `_id`/`_rev` is allowed (it only reads); moving them is not.
 * Pointers are JSON pointers (`/a/b`, `~0`/`~1` escapes); like CREST, a leading '/' is optional.
 */

const OPERATIONS = ['add', 'remove', 'replace', 'increment', 'copy', 'move'] as const;
export type PatchOperationName = (typeof OPERATIONS)[number];

export interface PatchOperation {
  operation: PatchOperationName;
  field: string;
  value?: unknown;
  from?: string;
}

/** A patch that is malformed or cannot be applied; `index` is the offending operation (0-based). */
export class PatchError extends Error {
  readonly index: number | undefined;

  constructor(message: string, index?: number) {
    super(index === undefined ? message : `Patch operation ${index}: ${message}`);
    this.name = 'PatchError';
    this.index = index;
  }
}

const MAX_OPERATIONS = 256;
const MAX_VALUE_DEPTH = 64;
const PROTECTED_FIELDS: ReadonlySet<string> = new Set(['_id', '_rev']);
const ALLOWED_KEYS: ReadonlySet<string> = new Set(['operation', 'field', 'value', 'from']);
const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;

type Json = Record<string, unknown>;
type Container = Json | unknown[];

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isContainer = (v: unknown): v is Container => typeof v === 'object' && v !== null;

/** Thrown inside one operation; applyPatch/parsePatch attach the operation's index. */
class OperationFailure extends Error {}

// ---------------------------------------------------------------------------------------------
// Validation

/** The segments of a pointer, or an OperationFailure naming the problem. */
function parsePointer(pointer: string, name: 'field' | 'from'): string[] {
  const body = pointer.startsWith('/') ? pointer.slice(1) : pointer;
  if (body === '') throw new OperationFailure(`'${name}' must name a field, not the whole object`);
  return body.split('/').map((segment) => {
    if (segment === '') throw new OperationFailure(`'${name}' ${JSON.stringify(pointer)} has an empty segment`);
    if (/~(?![01])/.test(segment)) {
      throw new OperationFailure(`'${name}' ${JSON.stringify(pointer)}: '~' must be escaped as '~0' ('/' as '~1')`);
    }
    const decoded = segment.replace(/~1/g, '/').replace(/~0/g, '~');
    if (decoded === '__proto__') throw new OperationFailure(`'${name}' may not use the segment '__proto__'`);
    return decoded;
  });
}

function isJsonValue(value: unknown, depth: number): boolean {
  if (depth > MAX_VALUE_DEPTH) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isJsonValue(v, depth + 1));
  if (!isRecord(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && Object.values(value).every((v) => isJsonValue(v, depth + 1));
}

function parseOperation(raw: unknown): PatchOperation {
  if (!isRecord(raw)) throw new OperationFailure('must be an object with "operation" and "field"');
  for (const key of Object.keys(raw)) {
    if (!ALLOWED_KEYS.has(key)) throw new OperationFailure(`unknown property '${key}'`);
  }
  const { operation, field, from } = raw;
  if (typeof operation !== 'string') throw new OperationFailure("'operation' must be a string");
  if (!(OPERATIONS as readonly string[]).includes(operation)) {
    throw new OperationFailure(`unsupported operation '${operation}' (expected ${OPERATIONS.join(', ')})`);
  }
  const op = operation as PatchOperationName;
  if (typeof field !== 'string') throw new OperationFailure("'field' must be a string (a JSON pointer)");
  const segments = parsePointer(field, 'field');
  if (PROTECTED_FIELDS.has(segments[0]!)) throw new OperationFailure(`'${segments[0]}' cannot be changed by a patch`);
  if (segments.slice(0, -1).includes('-') || (segments.at(-1) === '-' && !['add', 'copy', 'move'].includes(op))) {
    throw new OperationFailure(`'-' (append) is only allowed as the last segment of an add, copy or move field`);
  }

  const hasValue = Object.hasOwn(raw, 'value');
  const result: PatchOperation = { operation: op, field };
  if (op === 'copy' || op === 'move') {
    if (hasValue) throw new OperationFailure(`'${op}' takes 'from', not 'value'`);
    if (typeof from !== 'string') throw new OperationFailure(`'${op}' needs 'from' (a JSON pointer string)`);
    const fromSegments = parsePointer(from, 'from');
    if (fromSegments.includes('-')) throw new OperationFailure("'from' may not contain '-'");
    if (op === 'move' && PROTECTED_FIELDS.has(fromSegments[0]!)) {
      throw new OperationFailure(`'${fromSegments[0]}' cannot be moved`);
    }
    result.from = from;
    return result;
  }
  if (from !== undefined) throw new OperationFailure(`'from' is only used by copy and move`);
  if (op === 'remove') {
    if (hasValue) {
      if (!isJsonValue(raw.value, 0)) throw new OperationFailure("'value' must be a JSON value");
      result.value = raw.value;
    }
    return result;
  }
  if (!hasValue) throw new OperationFailure(`'${op}' needs a 'value'`);
  if (op === 'increment' && (typeof raw.value !== 'number' || !Number.isFinite(raw.value))) {
    throw new OperationFailure("'increment' needs a numeric 'value'");
  }
  if (!isJsonValue(raw.value, 0)) throw new OperationFailure("'value' must be a JSON value");
  result.value = raw.value;
  return result;
}

/** Checks a patch document (e.g. a request body) and returns its operations, or throws PatchError. */
export function parsePatch(json: unknown): PatchOperation[] {
  if (!Array.isArray(json)) throw new PatchError('A patch must be a JSON array of operations');
  if (json.length > MAX_OPERATIONS) throw new PatchError(`A patch may hold at most ${MAX_OPERATIONS} operations`);
  return json.map((raw, index) => {
    try {
      return parseOperation(raw);
    } catch (e) {
      if (e instanceof OperationFailure) throw new PatchError(e.message, index);
      throw e;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Application (on a private deep copy, so mutation below never reaches the caller's object)

const pointerOf = (segments: readonly string[]): string => '/' + segments.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

function childOf(container: Container, segment: string): unknown {
  if (Array.isArray(container)) {
    return ARRAY_INDEX.test(segment) ? container[Number(segment)] : undefined;
  }
  return Object.hasOwn(container, segment) ? container[segment] : undefined;
}

/** The container holding the last segment; undefined if absent and `create` is false. */
function parentOf(doc: Json, segments: readonly string[], create: boolean): Container | undefined {
  let current: Container = doc;
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i]!;
    let next = childOf(current, segment);
    if (next === undefined || next === null) {
      if (!create) return undefined;
      if (Array.isArray(current)) {
        throw new OperationFailure(`'${pointerOf(segments.slice(0, i + 1))}' is not an element of the array`);
      }
      next = {};
      current[segment] = next;
    }
    if (!isContainer(next)) {
      if (!create) return undefined;
      throw new OperationFailure(`'${pointerOf(segments.slice(0, i + 1))}' is not an object`);
    }
    current = next;
  }
  return current;
}

function arrayIndex(array: unknown[], segment: string, pointer: readonly string[], allowEnd: boolean): number {
  const limit = allowEnd ? array.length : array.length - 1;
  if (!ARRAY_INDEX.test(segment) || Number(segment) > limit) {
    throw new OperationFailure(`'${pointerOf(pointer)}': '${segment}' is not an index of the array (length ${array.length})`);
  }
  return Number(segment);
}

function getValue(doc: Json, segments: readonly string[]): unknown {
  const parent = parentOf(doc, segments, false);
  return parent === undefined ? undefined : childOf(parent, segments.at(-1)!);
}

/** add (list semantics on arrays) or set (replace semantics); '-' appends in both. */
function putValue(doc: Json, segments: readonly string[], value: unknown, mode: 'add' | 'set'): void {
  const last = segments.at(-1)!;
  if (last === '-') {
    const holderPath = segments.slice(0, -1);
    if (holderPath.length === 0) throw new OperationFailure("'/-' would append to the object itself");
    const holder = parentOf(doc, holderPath, true)!;
    const key = holderPath.at(-1)!;
    let list = childOf(holder, key);
    if (list === undefined || list === null) {
      if (Array.isArray(holder)) throw new OperationFailure(`'${pointerOf(holderPath)}' does not exist`);
      list = [];
      holder[key] = list;
    }
    if (!Array.isArray(list)) throw new OperationFailure(`'${pointerOf(holderPath)}' is not an array`);
    list.push(value);
    return;
  }
  const parent = parentOf(doc, segments, true)!;
  if (Array.isArray(parent)) {
    const i = arrayIndex(parent, last, segments, mode === 'add');
    if (mode === 'add') parent.splice(i, 0, value);
    else parent[i] = value;
    return;
  }
  const existing = childOf(parent, last);
  if (mode === 'add' && Array.isArray(existing)) {
    if (Array.isArray(value)) existing.push(...(value as unknown[]));
    else existing.push(value);
    return;
  }
  parent[last] = value;
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

function removeValue(doc: Json, segments: readonly string[], hasValue: boolean, value: unknown): void {
  const parent = parentOf(doc, segments, false);
  if (parent === undefined) return;
  const last = segments.at(-1)!;
  const current = childOf(parent, last);
  if (current === undefined) return;
  if (hasValue && Array.isArray(current)) {
    const unwanted: unknown[] = Array.isArray(value) ? value : [value];
    const kept = (current as unknown[]).filter((v) => !unwanted.some((u) => jsonEqual(u, v)));
    current.splice(0, current.length, ...kept);
    return;
  }
  if (hasValue && !jsonEqual(current, value)) return;
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete parent[last];
}

function incrementValue(doc: Json, segments: readonly string[], amount: number): void {
  const parent = parentOf(doc, segments, false);
  const last = segments.at(-1)!;
  const current = parent === undefined ? undefined : childOf(parent, last);
  const where = pointerOf(segments);
  if (parent === undefined || current === undefined || current === null) {
    throw new OperationFailure(`cannot increment '${where}': the field does not exist`);
  }
  const add = (n: unknown): number => {
    if (typeof n !== 'number') throw new OperationFailure(`cannot increment '${where}': it is not a number`);
    const sum = n + amount;
    if (!Number.isFinite(sum)) throw new OperationFailure(`cannot increment '${where}': the result is out of range`);
    return sum;
  };
  const next = Array.isArray(current) ? current.map(add) : add(current);
  if (Array.isArray(parent)) parent[Number(last)] = next;
  else parent[last] = next;
}

function applyOne(doc: Json, op: PatchOperation): void {
  const field = parsePointer(op.field, 'field');
  switch (op.operation) {
    case 'add':
      return putValue(doc, field, structuredClone(op.value), 'add');
    case 'replace':
      return putValue(doc, field, structuredClone(op.value), 'set');
    case 'remove':
      return removeValue(doc, field, Object.hasOwn(op, 'value'), op.value);
    case 'increment':
      return incrementValue(doc, field, op.value as number);
    case 'copy':
    case 'move': {
      const from = parsePointer(op.from!, 'from');
      const value = getValue(doc, from);
      if (value === undefined) throw new OperationFailure(`${op.operation} source '${pointerOf(from)}' does not exist`);
      if (op.operation === 'move') {
        if (pointerOf(from) === pointerOf(field)) return;
        if (field.length > from.length && from.every((s, i) => field[i] === s)) {
          throw new OperationFailure(`cannot move '${pointerOf(from)}' into itself`);
        }
        removeValue(doc, from, false, undefined);
        return putValue(doc, field, value, 'set');
      }
      return putValue(doc, field, structuredClone(value), 'set');
    }
  }
}

/**
 * Applies the operations in order to a deep copy of `obj` and returns it. Throws PatchError (with
 * the index of the failing operation) for a malformed patch or one that cannot apply.
 */
export function applyPatch(obj: Record<string, unknown>, operations: readonly PatchOperation[]): Record<string, unknown> {
  if (!isRecord(obj)) throw new PatchError('Only an object can be patched');
  const ops = parsePatch(operations);
  const doc = structuredClone(obj);
  ops.forEach((op, index) => {
    try {
      applyOne(doc, op);
    } catch (e) {
      if (e instanceof OperationFailure) throw new PatchError(e.message, index);
      throw e;
    }
  });
  return doc;
}
