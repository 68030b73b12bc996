/**
 * When an attribute counts as present (Attribute Present Decision, Required Attributes Present,
 * Create Object): not undefined, null, a blank string or an empty array. The identity service never
 * returns a password hash; it reports a set password with `passwordSet: true` (WITHHELD_PRESENCE_FLAGS).
 */
import type { ManagedObject } from '../../identity/ports.js';
import { getPath } from './object-attributes.js';

/** Attributes the identity service withholds, and the boolean it reports their presence with. */
export const WITHHELD_PRESENCE_FLAGS: Readonly<Record<string, string>> = { password: 'passwordSet' };

export function hasValue(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v.trim() !== '';
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

/** Whether `object` holds `attribute` (nested with "/"), through its presence flag for withheld attributes. */
export function objectHasAttribute(object: ManagedObject, attribute: string): boolean {
  const flag = WITHHELD_PRESENCE_FLAGS[attribute];
  if (flag !== undefined && object[flag] === true) return true;
  return hasValue(getPath(object, attribute));
}
