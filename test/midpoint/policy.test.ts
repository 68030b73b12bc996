import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkPolicyJourneys,
  DEFAULT_CREDENTIAL_RESET_POLICY,
  loadCredentialResetPolicy,
  parseCredentialResetPolicy,
} from '../../src/midpoint/policy.js';
import { mayUse as mayResetCredentials } from '../../src/credential-reset/service.js';

describe('credential-reset policy file', () => {
  it('defaults apply; every problem is listed; duplicates and unknown keys are refused', async () => {
    expect(await loadCredentialResetPolicy(undefined)).toEqual(DEFAULT_CREDENTIAL_RESET_POLICY);
    expect(parseCredentialResetPolicy({ methods: [{ identifier: 'pw', newCredentialSource: 'none' }] })).toEqual({
      methods: [
        {
          identifier: 'pw',
          newCredentialSource: 'none',
          delivery: 'screen',
          forceChange: true,
          allowedRoles: [],
          lifetimeMinutes: 15,
          maxAttempts: 3,
        },
      ],
      generate: { forceChange: true, allowedRoles: [] },
      protectedTargets: {},
    });
    expect(() => parseCredentialResetPolicy({ methods: [{ identifier: 'pw', newCredentialSource: 'derived' }], extra: 1 })).toThrow(
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
    expect(() => checkPolicyJourneys(DEFAULT_CREDENTIAL_RESET_POLICY, ['ResetPassword', 'ResetPasswordByCode'])).toThrow(
      /method resetByQuestions names journey ResetPasswordByQuestions, which is not loaded/,
    );
    expect(() => parseCredentialResetPolicy({ methods: [{ identifier: 'pw', newCredentialSource: 'userEntry', maxAttempts: 0 }] })).toThrow(
      /maxAttempts/,
    );
    const dir = await mkdtemp(join(tmpdir(), 'cairn-reset-policy-'));
    try {
      await writeFile(join(dir, 'bad.json'), '{ not json');
      await expect(loadCredentialResetPolicy(join(dir, 'bad.json'))).rejects.toThrow(/not JSON/);
      await expect(loadCredentialResetPolicy(join(dir, 'missing.json'))).rejects.toThrow(/ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('protected targets: a query filter that parses is kept; one that does not, or an unknown key, stops the start', () => {
    const methods = [{ identifier: 'pw', newCredentialSource: 'userEntry' }];
    expect(parseCredentialResetPolicy({ methods, protectedTargets: { queryFilter: 'sn eq "Director"' } }).protectedTargets).toEqual({
      queryFilter: 'sn eq "Director"',
    });
    expect(() => parseCredentialResetPolicy({ methods, protectedTargets: { queryFilter: 'sn eq' } }, 'policy.json')).toThrow(
      /Invalid policy\.json: \/protectedTargets\/queryFilter is not a query filter/,
    );
    expect(() => parseCredentialResetPolicy({ methods, protectedTargets: { admins: false } })).toThrow(/must NOT have additional properties/);
  });

  it('roles: admin may always reset; others only when the method allows their role', () => {
    expect(mayResetCredentials(['admin'], [])).toBe(true);
    expect(mayResetCredentials(['helpdesk'], ['helpdesk'])).toBe(true);
    expect(mayResetCredentials(['helpdesk'], [])).toBe(false);
    expect(mayResetCredentials([], ['helpdesk'])).toBe(false);
  });
});
