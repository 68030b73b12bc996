/**
 * Typed access to callback values. Inputs are found by their suffix after `IDToken<N>` so readers work
 * before and after numbering. The coercing readers accept AM's legacy forms (a numeric string for an
 * index or number, "true"/"false" for a boolean); anything else reads as absent.
 */
import { inputSuffix } from './numbering.js';
import type { Callback } from './types.js';

/** The raw value of the input with this suffix (`''` for the main input), or undefined. */
export function inputValue(cb: Callback, suffix = ''): unknown {
  return cb.input?.find((f) => inputSuffix(f.name) === suffix)?.value;
}

/** The value of the named output, or undefined. */
export function outputValue(cb: Callback, name: string): unknown {
  return cb.output.find((f) => f.name === name)?.value;
}

/** A string input; null/absent/non-string read as `''`. */
export function readString(cb: Callback, suffix = ''): string {
  const v = inputValue(cb, suffix);
  return typeof v === 'string' ? v : '';
}

/** A boolean input; `"true"`/`"false"` accepted; anything else reads as false. */
export function readBoolean(cb: Callback, suffix = ''): boolean {
  const v = inputValue(cb, suffix);
  return v === true || v === 'true';
}

/** A number input; numeric strings accepted; null, blank or non-numeric read as null. */
export function readNumber(cb: Callback, suffix = ''): number | null {
  return coerceNumber(inputValue(cb, suffix));
}

/** A selected index (Choice/Confirmation); a numeric string accepted; anything else reads as undefined. */
export function readIndex(cb: Callback, suffix = ''): number | undefined {
  return coerceIndex(inputValue(cb, suffix));
}

/** Whether the client asked for validation only (`IDToken<N>validateOnly: true`). */
export function readValidateOnly(cb: Callback): boolean {
  return readBoolean(cb, 'validateOnly');
}

export function coerceNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

export function coerceIndex(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  if (typeof v === 'string' && /^-?\d{1,9}$/.test(v.trim())) return Number(v.trim());
  return undefined;
}
