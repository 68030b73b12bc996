/**
 * The errors every store backend throws, so callers never see a database's own error types: a
 * revision mismatch (412), an existing `_id` (412, as IDM answers `If-None-Match: *`), a unique-key
 * clash naming the field (409), a missing object (404), bad input (400), and an unreachable or failing
 * backend (503, not exposed: its cause stays on the server).
 */
import { CairnError } from '../errors/cairn-error.js';

export type StoreErrorCode =
  'store.rev_mismatch' | 'store.already_exists' | 'store.unique_constraint' | 'store.not_found' | 'store.invalid' | 'store.unavailable';

export class StoreError extends CairnError {
  override readonly code: StoreErrorCode;

  constructor(status: number, code: StoreErrorCode, message: string, detail?: Record<string, unknown>, cause?: unknown) {
    super({ status, code, message, ...(detail ? { detail } : {}), ...(cause === undefined ? {} : { cause }) });
    this.name = 'StoreError';
    this.code = code;
  }
}

export const isStoreError = (e: unknown, code?: StoreErrorCode): e is StoreError =>
  e instanceof StoreError && (code === undefined || e.code === code);

export const revMismatch = (resource: string, id: string): StoreError =>
  new StoreError(412, 'store.rev_mismatch', `Precondition failed: ${resource}/${id} has a different revision`, { resource, id });

export const alreadyExists = (resource: string, id: string): StoreError =>
  new StoreError(412, 'store.already_exists', `Precondition failed: ${resource}/${id} already exists`, { resource, id });

export const uniqueConstraint = (resource: string, field: string): StoreError =>
  new StoreError(409, 'store.unique_constraint', `Unique constraint violated: another ${resource} object has this ${field}`, {
    resource,
    field,
  });

export const notFound = (resource: string, id: string): StoreError =>
  new StoreError(404, 'store.not_found', `Not found: ${resource}/${id}`, { resource, id });

export const invalid = (message: string, detail?: Record<string, unknown>): StoreError => new StoreError(400, 'store.invalid', message, detail);

export const unavailable = (backend: string, cause: unknown): StoreError =>
  new StoreError(503, 'store.unavailable', `The ${backend} store is unavailable`, undefined, cause);
