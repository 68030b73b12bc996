/**
 * Secret inputs (passwords, KBA answers) are never sent back to the client: when a callback is
 * re-sent (a failed validation, a page re-render) its secret inputs are blanked here.
 */
import { inputSuffix } from './numbering.js';
import type { Callback } from './types.js';

const SECRET_INPUTS: Record<string, readonly string[]> = {
  PasswordCallback: [''],
  ValidatedCreatePasswordCallback: [''],
  KbaCreateCallback: ['answer'],
};

/** Whether the input named `inputName` of a `type` callback holds a secret. */
export function isSecretInput(type: string, inputName: string): boolean {
  const suffix = inputSuffix(inputName);
  return suffix !== undefined && (SECRET_INPUTS[type]?.includes(suffix) ?? false);
}

/** A copy of `cb` with its secret inputs set to `''`. */
export function clearSecrets(cb: Callback): Callback {
  if (cb.input === undefined || SECRET_INPUTS[cb.type] === undefined) return cb;
  return { ...cb, input: cb.input.map((f) => (isSecretInput(cb.type, f.name) ? { name: f.name, value: '' } : f)) };
}

export function clearAllSecrets(callbacks: readonly Callback[]): Callback[] {
  return callbacks.map(clearSecrets);
}
