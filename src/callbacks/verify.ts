/**
 * Checks the callbacks a client returns against those the server sent (reference §6.3): same count,
 * order, `type`, `_id`, deep-equal `output` and the same input names; only input values may change,
 * each of the JSON type its input's descriptor declares (registry.ts). Anything else is a 400 naming
 * the callback (1-based).
 */
import { badRequest } from '../errors/cairn-error.js';
import { inputSuffix } from './numbering.js';
import { coerceIndex, outputValue } from './readers.js';
import { inputDescriptor, type InputKind } from './registry.js';
import type { Callback, CallbackField } from './types.js';

/** Longest string accepted in any input (passwords get their own, lower cap in the password module). */
export const MAX_INPUT_LENGTH = 4096;

export const ERR_CALLBACK_COUNT = 'callback_count_mismatch';
export const ERR_CALLBACK_MISMATCH = 'callback_mismatch';
export const ERR_CALLBACK_VALUE = 'callback_value_invalid';

/** How a returned value is checked: the input's declared kind, or any JSON scalar for a type outside the vocabulary. */
type ValueKind = InputKind | 'scalar';

function kindOf(type: string, suffix: string): ValueKind {
  return inputDescriptor(type, suffix)?.kind ?? 'scalar';
}

/** How many options an index input may select from: the length of the output listing them. */
function optionCount(cb: Callback, suffix: string): number {
  const from = inputDescriptor(cb.type, suffix)?.optionsOutput;
  const list = from === undefined ? undefined : outputValue(cb, from);
  // Confirmation callbacks with a predefined optionType (no `options`) select among YES/NO/CANCEL/OK.
  return Array.isArray(list) ? list.length : 4;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How many own members of `o` are not undefined. */
function definedCount(o: Record<string, unknown>): number {
  let n = 0;
  for (const k in o) if (Object.hasOwn(o, k) && o[k] !== undefined) n++;
  return n;
}

/**
 * Structural equality of JSON values (object key order ignored, undefined members as absent). Every
 * step compares each callback's output this way, so it allocates nothing (no key arrays, no closures).
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (isRecord(a) && isRecord(b)) {
    let n = 0;
    for (const k in a) {
      if (!Object.hasOwn(a, k) || a[k] === undefined) continue;
      if (!Object.hasOwn(b, k) || !jsonEqual(a[k], b[k])) return false;
      n++;
    }
    return n === definedCount(b);
  }
  return false;
}

const mismatch = (position: number, message: string) => badRequest(ERR_CALLBACK_MISMATCH, `Callback ${position} ${message}`, { callback: position });
const badValue = (position: number, input: string, message: string) =>
  badRequest(ERR_CALLBACK_VALUE, `Callback ${position} input ${input} ${message}`, { callback: position, input });

/** The client's value for one input, checked and normalised (legacy numeric-string indexes become numbers). */
function checkValue(sent: Callback, position: number, name: string, value: unknown): unknown {
  const suffix = inputSuffix(name) ?? '';
  const kind = kindOf(sent.type, suffix);
  if (typeof value === 'string' && value.length > MAX_INPUT_LENGTH) {
    throw badValue(position, name, `is too long (at most ${MAX_INPUT_LENGTH} characters)`);
  }
  switch (kind) {
    case 'string':
      if (typeof value !== 'string') throw badValue(position, name, 'must be a string');
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw badValue(position, name, 'must be a boolean');
      return value;
    case 'number':
      if (value !== null && (typeof value !== 'number' || !Number.isFinite(value))) {
        throw badValue(position, name, 'must be a number or null');
      }
      return value;
    case 'index': {
      const index = typeof value === 'number' || typeof value === 'string' ? coerceIndex(value) : undefined;
      const count = optionCount(sent, suffix);
      if (index === undefined || index < 0 || index >= count) {
        throw badValue(position, name, `must be an option index from 0 to ${count - 1}`);
      }
      return index;
    }
    case 'scalar':
      if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
        throw badValue(position, name, 'must be a string, number, boolean or null');
      }
      return value;
  }
}

function verifyOne(sent: Callback, returned: unknown, position: number): Callback {
  if (!isRecord(returned)) throw mismatch(position, 'is not an object');
  if (returned['type'] !== sent.type) {
    throw mismatch(position, `has type ${String(returned['type'])}, expected ${sent.type}`);
  }
  if (returned['_id'] !== sent._id) {
    throw mismatch(position, `has _id ${String(returned['_id'])}, expected ${String(sent._id)}`);
  }
  if (!jsonEqual(sent.output, returned['output'])) throw mismatch(position, 'has a changed output');

  const sentInputs = sent.input ?? [];
  const gotInputs = returned['input'] ?? [];
  if (!Array.isArray(gotInputs)) throw mismatch(position, 'has an input that is not a list');
  if (gotInputs.length !== sentInputs.length) {
    throw mismatch(position, `has ${gotInputs.length} inputs, expected ${sentInputs.length}`);
  }
  const inputs: CallbackField[] = sentInputs.map((field, i) => {
    const got: unknown = gotInputs[i];
    if (!isRecord(got) || got['name'] !== field.name) {
      const name = isRecord(got) ? String(got['name']) : 'missing';
      throw mismatch(position, `has input ${name}, expected ${field.name}`);
    }
    return { name: field.name, value: checkValue(sent, position, field.name, got['value']) };
  });

  const verified: Callback = { type: sent.type, output: sent.output };
  if (sent.input !== undefined) verified.input = inputs;
  if (sent._id !== undefined) verified._id = sent._id;
  return verified;
}

/**
 * Verifies `returned` (the client's `callbacks`) against `sent`; returns the sent callbacks carrying the
 * client's input values. Throws badRequest on any difference.
 */
export function verifyReturned(sent: readonly Callback[], returned: unknown): Callback[] {
  if (!Array.isArray(returned)) {
    throw badRequest(ERR_CALLBACK_COUNT, 'Callbacks are missing: expected a list of callbacks');
  }
  if (returned.length !== sent.length) {
    throw badRequest(ERR_CALLBACK_COUNT, `Incorrect number of callbacks: expected ${sent.length}, got ${returned.length}`);
  }
  return sent.map((cb, i) => verifyOne(cb, returned[i], i + 1));
}
