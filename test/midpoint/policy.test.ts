import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CREDENTIAL_RESET_POLICY, loadCredentialResetPolicy, parseCredentialResetPolicy } from '../../src/midpoint/policy.js';
import { mayResetCredentials } from '../../src/midpoint/requester.js';

describe('credential-reset policy file', () => {
  it('defaults apply; every problem is listed; duplicates and unknown keys are refused', async () => {
    expect(await loadCredentialResetPolicy(undefined)).toEqual(DEFAULT_CREDENTIAL_RESET_POLICY);
    expect(parseCredentialResetPolicy({ methods: [{ identifier: 'pw', newCredentialSource: 'none' }] })).toEqual({
      methods: [{ identifier: 'pw', newCredentialSource: 'none', forceChange: true, allowedRoles: [] }],
      generate: { forceChange: true, allowedRoles: [] },
    });
    expect(() => parseCredentialResetPolicy({ methods: [{ identifier: 'pw', newCredentialSource: 'generate' }], extra: 1 })).toThrow(
      /newCredentialSource.*must be equal to one of the allowed values|must NOT have additional properties/,
    );
    expect(() =>
      parseCredentialResetPolicy({
        methods: [
          { identifier: 'pw', newCredentialSource: 'userEntry' },
          { identifier: 'pw', newCredentialSource: 'none' },
        ],
      }),
    ).toThrow(/listed twice/);
    const dir = await mkdtemp(join(tmpdir(), 'cairn-reset-policy-'));
    try {
      await writeFile(join(dir, 'bad.json'), '{ not json');
      await expect(loadCredentialResetPolicy(join(dir, 'bad.json'))).rejects.toThrow(/not JSON/);
      await expect(loadCredentialResetPolicy(join(dir, 'missing.json'))).rejects.toThrow(/ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('roles: admin may always reset; others only when the method allows their role', () => {
    expect(mayResetCredentials(['admin'], [])).toBe(true);
    expect(mayResetCredentials(['helpdesk'], ['helpdesk'])).toBe(true);
    expect(mayResetCredentials(['helpdesk'], [])).toBe(false);
    expect(mayResetCredentials([], ['helpdesk'])).toBe(false);
  });
});
