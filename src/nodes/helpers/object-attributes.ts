/**
 * IDM attributes in journey state (reference §4.0): `objectAttributes` in shared state (secrets in
 * transient state), nested paths with `/` (`preferences/marketing` → `objectAttributes.preferences.marketing`).
 * Path segments that could reach an object prototype are refused.
 */
import type { NodeContext } from '../types.js';
import type { PolicyContext } from '../../identity/ports.js';

const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function segments(path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.length === 0 || parts.some((p) => FORBIDDEN.has(p))) throw new RangeError(`Invalid attribute path "${path}"`);
  return parts;
}

/** The value at `path` inside `root`, or undefined. */
export function getPath(root: unknown, path: string): unknown {
  let cur = root;
  for (const part of segments(path)) {
    if (!isRecord(cur) || !Object.hasOwn(cur, part)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** Sets `path` inside `root`, creating (or replacing non-object) intermediate objects. */
export function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const parts = segments(path);
  const last = parts.pop() as string;
  let cur = root;
  for (const part of parts) {
    const next = cur[part];
    if (isRecord(next)) cur = next;
    else {
      const created: Record<string, unknown> = {};
      cur[part] = created;
      cur = created;
    }
  }
  cur[last] = value;
}

/** `state.objectAttributes`, created when absent. */
export function objectAttributesOf(state: Record<string, unknown>): Record<string, unknown> {
  const existing = state['objectAttributes'];
  if (isRecord(existing)) return existing;
  const created: Record<string, unknown> = {};
  state['objectAttributes'] = created;
  return created;
}

/** Writes an attribute into `state.objectAttributes` at its (possibly nested) path. */
export function setObjectAttribute(state: Record<string, unknown>, path: string, value: unknown): void {
  setPath(objectAttributesOf(state), path, value);
}

/** The attribute at `path` from `state.objectAttributes`, or undefined. */
export function getObjectAttribute(state: Record<string, unknown>, path: string): unknown {
  return getPath(state['objectAttributes'], path);
}

function deepMerge(target: Record<string, unknown>, source: unknown): Record<string, unknown> {
  if (!isRecord(source)) return target;
  for (const [k, v] of Object.entries(source)) {
    if (FORBIDDEN.has(k)) continue;
    const existing = target[k];
    target[k] = isRecord(v) ? deepMerge(isRecord(existing) ? existing : {}, v) : v;
  }
  return target;
}

/** A fresh copy of shared then transient `objectAttributes`, merged (transient wins). */
export function mergedObjectAttributes(shared: Record<string, unknown>, transient: Record<string, unknown>): Record<string, unknown> {
  return deepMerge(deepMerge({}, shared['objectAttributes']), transient['objectAttributes']);
}

/**
 * The context for a policy check: the object's `_id` from shared state (user-specific checks) and the
 * attributes collected so far, with `pending` values (path → value) applied on top.
 */
export function policyContextOf(ctx: NodeContext<unknown>, pending: Record<string, unknown> = {}): PolicyContext {
  const attributes = mergedObjectAttributes(ctx.shared, ctx.transient);
  for (const [path, value] of Object.entries(pending)) setPath(attributes, path, value);
  const id = ctx.shared['_id'];
  return typeof id === 'string' && id !== '' ? { objectId: id, attributes } : { attributes };
}
