// credentialsRefused: when "the same sign-in page again" means the password was wrong (AM's stock
// Login answers a wrong password with the page, HTTP 200, not a 401) and when it does not.
import { describe, expect, it } from 'vitest';
import { credentialsRefused } from '../../ui/src/core/form-model.js';
import type { Step, WireCallback } from '../../ui/src/core/types.js';

const name: WireCallback = { type: 'NameCallback', output: [{ name: 'prompt', value: 'User Name' }], input: [{ name: 'IDToken1', value: '' }] };
const password: WireCallback = {
  type: 'PasswordCallback',
  output: [{ name: 'prompt', value: 'Password' }],
  input: [{ name: 'IDToken2', value: '' }],
};
const newPassword = (failed: string[] = []): WireCallback => ({
  type: 'ValidatedCreatePasswordCallback',
  output: [
    { name: 'prompt', value: 'Password' },
    { name: 'policies', value: {} },
    { name: 'failedPolicies', value: failed },
  ],
  input: [
    { name: 'IDToken1', value: '' },
    { name: 'IDToken1validateOnly', value: false },
  ],
});
const errorText: WireCallback = {
  type: 'TextOutputCallback',
  output: [
    { name: 'message', value: 'Account locked' },
    { name: 'messageType', value: '2' },
  ],
};
const step = (callbacks: WireCallback[], header = 'Sign In'): Step => ({ authId: 'a', header, callbacks });

describe('credentialsRefused', () => {
  it('recognises the same password page sent back', () => {
    expect(credentialsRefused(step([name, password]), step([name, password]))).toBe(true);
  });

  it('is false when the next page differs in header, callbacks, or explains itself', () => {
    expect(credentialsRefused(step([name, password]), step([name, password], 'One more step'))).toBe(false);
    expect(credentialsRefused(step([name, password]), step([password]))).toBe(false);
    expect(credentialsRefused(step([name, password, errorText]), step([name, password, errorText]))).toBe(false);
  });

  it('is false for pages without a PasswordCallback, and for refused new passwords (failed policies)', () => {
    expect(credentialsRefused(step([name]), step([name]))).toBe(false);
    expect(credentialsRefused(step([newPassword()], 'Reset'), step([newPassword(['{"policyRequirement":"CANNOT_BE_COMMON"}'])], 'Reset'))).toBe(
      false,
    );
  });
});
