import { describe, expect, it } from 'vitest';
import * as b from '../../src/callbacks/builders.js';
import { numberCallbacks } from '../../src/callbacks/numbering.js';
import { clearAllSecrets, clearSecrets, isSecretInput } from '../../src/callbacks/secrets.js';
import type { Callback } from '../../src/callbacks/types.js';

const filled = (cb: Callback, values: unknown[]): Callback => ({
  ...cb,
  input: cb.input?.map((f, i) => ({ name: f.name, value: values[i] })),
});

describe('clearing secrets from re-sent callbacks', () => {
  it('blanks passwords and KBA answers, keeps everything else', () => {
    const step = numberCallbacks([
      filled(b.nameCallback('User Name'), ['alice']),
      filled(b.passwordCallback('Password'), ['s3cret!!']),
      filled(b.validatedCreatePasswordCallback({ prompt: 'Password' }), ['N3wSecret', true]),
      filled(b.kbaCreateCallback({ prompt: 'q', predefinedQuestions: ['Pet?'] }), ['Pet?', 'Rex']),
    ]);
    const cleared = clearAllSecrets(step);
    expect(cleared.map((cb) => cb.input?.map((f) => f.value))).toEqual([['alice'], [''], ['', true], ['Pet?', '']]);
    expect(cleared.map((cb) => cb.input?.map((f) => f.name))).toEqual(step.map((cb) => cb.input?.map((f) => f.name)));
    // The originals are not modified.
    expect(step[1]?.input?.[0]?.value).toBe('s3cret!!');
  });

  it('returns display-only and non-secret callbacks as they are', () => {
    const out = b.textOutputCallback('hi');
    expect(clearSecrets(out)).toBe(out);
    const name = b.nameCallback('User Name', 'bob');
    expect(clearSecrets(name)).toBe(name);
  });

  it('isSecretInput', () => {
    expect(isSecretInput('PasswordCallback', 'IDToken3')).toBe(true);
    expect(isSecretInput('ValidatedCreatePasswordCallback', 'IDToken1validateOnly')).toBe(false);
    expect(isSecretInput('KbaCreateCallback', 'IDToken2answer')).toBe(true);
    expect(isSecretInput('KbaCreateCallback', 'IDToken2question')).toBe(false);
    expect(isSecretInput('NameCallback', 'IDToken1')).toBe(false);
  });
});
