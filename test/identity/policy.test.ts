/**
 * Password and attribute policies against the shipped managed.json and common-password list: AM's `policies`
 * shape, RST-29…33, 35, 36 (all failures at once, with the reason), and the attribute policies of the schema.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readFile, stat } from 'node:fs/promises';
import { loadManagedSchema, type ManagedSchema } from '../../src/identity/schema.js';
import {
  createPolicyService,
  DEFAULT_COMMON_PASSWORDS_FILE,
  isRepetitiveOrSequential,
  loadCommonPasswords,
  passwordPolicies,
  type PolicyService,
} from '../../src/identity/policy.js';
import type { PolicyContext } from '../../src/identity/ports.js';
import { lightHasher } from '../support/hasher.js';

const USER = 'managed/user';
const barbara: PolicyContext = {
  attributes: { userName: 'bjensen', mail: 'barbara.jensen@example.com', givenName: 'Barbara', sn: 'Jensen' },
};
const requirements = (failures: { policyRequirement: string }[]) => failures.map((f) => f.policyRequirement);

let schema: ManagedSchema;
let commonPasswords: ReadonlySet<string>;
let policy: PolicyService;

beforeAll(async () => {
  schema = await loadManagedSchema();
  commonPasswords = await loadCommonPasswords();
  policy = createPolicyService({ schema, commonPasswords });
});

describe('policies output (AM shape)', () => {
  it('describes userName exactly as AM does (protocol reference §2.1)', () => {
    const reference =
      '{"policyRequirements":["REQUIRED","VALID_TYPE","VALID_USERNAME","CANNOT_CONTAIN_CHARACTERS","MIN_LENGTH","MAX_LENGTH"],"fallbackPolicies":null,"name":"userName","policies":[{"policyRequirements":["REQUIRED"],"policyId":"required"},{"policyRequirements":["VALID_TYPE"],"policyId":"valid-type","params":{"types":["string"]}},{"policyId":"valid-username","policyRequirements":["VALID_USERNAME"]},{"policyId":"cannot-contain-characters","params":{"forbiddenChars":["/"]},"policyRequirements":["CANNOT_CONTAIN_CHARACTERS"]},{"policyId":"minimum-length","params":{"minLength":1},"policyRequirements":["MIN_LENGTH"]},{"policyId":"maximum-length","params":{"maxLength":255},"policyRequirements":["MAX_LENGTH"]}],"conditionalPolicies":null}';
    expect(JSON.stringify(policy.describe(USER, 'userName'))).toBe(reference);
  });

  it('describes the password with the AM rule ids and no composition rules by default', () => {
    const described = policy.describe(USER, 'password') as { policyRequirements: string[]; name: string; policies: unknown[] };
    expect(described.name).toBe('password');
    expect(described.policyRequirements).toEqual([
      'VALID_TYPE',
      'MIN_LENGTH',
      'MAX_LENGTH',
      'CANNOT_CONTAIN_OTHERS',
      'CANNOT_BE_COMMON',
      'CANNOT_BE_REPETITIVE_OR_SEQUENTIAL',
    ]);
    expect(described.policies).toContainEqual({ policyId: 'minimum-length', params: { minLength: 8 }, policyRequirements: ['MIN_LENGTH'] });
    expect(described.policies).toContainEqual({
      policyId: 'cannot-contain-others',
      params: { disallowedFields: ['userName', 'givenName', 'sn', 'mail'] },
      policyRequirements: ['CANNOT_CONTAIN_OTHERS'],
    });
  });

  it('describes a configured AM-style policy like the reference ValidatedCreatePasswordCallback', () => {
    const configured = createPolicyService({
      schema,
      passwordPolicy: { numCaps: 1, numNums: 1, disallowedFields: ['userName', 'givenName', 'sn'], rejectCommon: false, rejectRepetitive: false },
    });
    const d = configured.describe(USER, 'password') as { policies: unknown[]; policyRequirements: string[] };
    expect(d.policies).toContainEqual({
      policyId: 'at-least-X-capitals',
      params: { numCaps: 1 },
      policyRequirements: ['AT_LEAST_X_CAPITAL_LETTERS'],
    });
    expect(d.policies).toContainEqual({ policyId: 'at-least-X-numbers', params: { numNums: 1 }, policyRequirements: ['AT_LEAST_X_NUMBERS'] });
    expect(d.policyRequirements).toEqual([
      'VALID_TYPE',
      'MIN_LENGTH',
      'MAX_LENGTH',
      'AT_LEAST_X_CAPITAL_LETTERS',
      'AT_LEAST_X_NUMBERS',
      'CANNOT_CONTAIN_OTHERS',
    ]);
  });

  it('describes nested and boolean properties, and {} for an undeclared one', () => {
    expect(policy.describe(USER, 'preferences/marketing')).toEqual({
      policyRequirements: ['VALID_TYPE'],
      fallbackPolicies: null,
      name: 'preferences/marketing',
      policies: [{ policyRequirements: ['VALID_TYPE'], policyId: 'valid-type', params: { types: ['boolean'] } }],
      conditionalPolicies: null,
    });
    expect(policy.describe(USER, 'shoeSize')).toEqual({});
    expect(policy.describe('managed/device', 'userName')).toEqual({});
  });
});

describe('password policy', () => {
  it('RST-29: 7 characters rejected, 8 and 64 accepted, 1,000+ refused on length alone', async () => {
    expect(await policy.check(USER, 'password', 'vkz7#qP', barbara)).toEqual([{ policyRequirement: 'MIN_LENGTH', params: { minLength: 8 } }]);
    expect(await policy.check(USER, 'password', 'vkz7#qPw', barbara)).toEqual([]);
    const sixtyFour = 'Lantern moss, quiet river; copper kite over a sleeping town!! 42'.padEnd(64, '.');
    expect([...sixtyFour]).toHaveLength(64);
    expect(await policy.check(USER, 'password', sixtyFour, barbara)).toEqual([]);

    let hashed = 0;
    const hasher = lightHasher();
    const withHistory = createPolicyService({
      schema,
      commonPasswords,
      passwordPolicy: { rejectCurrent: true },
      isCurrentPassword: async (_r, _id, candidate) => {
        hashed++;
        return hasher.verify(await hasher.hash('the current one'), candidate);
      },
    });
    for (const long of ['k'.repeat(1_000), 'k'.repeat(5_000_000)]) {
      const failures = await withHistory.check(USER, 'password', long, { ...barbara, objectId: 'u1' });
      expect(failures).toContainEqual({ policyRequirement: 'MAX_LENGTH', params: { maxLength: 256 } });
    }
    expect(hashed).toBe(0); // the expensive history check never ran for over-long input
  });

  it('RST-30: a passphrase with spaces passes and there are no composition rules by default', async () => {
    expect(await policy.check(USER, 'password', 'correct horse battery staple', barbara)).toEqual([]);
    expect(await policy.check(USER, 'password', 'lanternquietmoss', barbara)).toEqual([]); // no capitals, digits or symbols
    expect(requirements(await policy.check(USER, 'password', 'aaaaaaaaaaaaaaab', barbara))).toEqual(['CANNOT_BE_REPETITIVE_OR_SEQUENTIAL']);
    const composed = createPolicyService({ schema, commonPasswords, passwordPolicy: { numCaps: 1, numNums: 2 } });
    expect(await composed.check(USER, 'password', 'lanternquietmoss', barbara)).toEqual([
      { policyRequirement: 'AT_LEAST_X_CAPITAL_LETTERS', params: { numCaps: 1 } },
      { policyRequirement: 'AT_LEAST_X_NUMBERS', params: { numNums: 2 } },
    ]);
    expect(await composed.check(USER, 'password', 'Lanternquietmoss42', barbara)).toEqual([]);
  });

  it('RST-31: emoji, CJK and combining marks accepted; length counts code points of the NFKC form', async () => {
    expect(await policy.check(USER, 'password', '🦊🐻🐼🐨🐯🦁🐮🐷', barbara)).toEqual([]);
    expect(await policy.check(USER, 'password', '密码安全很重要吧', barbara)).toEqual([]);
    // 4 emoji are 8 UTF-16 units but only 4 characters.
    expect(requirements(await policy.check(USER, 'password', '🦊🐻🐼🐨', barbara))).toEqual(['MIN_LENGTH']);
    // "résumé1" typed decomposed is 9 code points, but 7 once normalised: too short.
    const decomposed = 'résumé1'.normalize('NFD');
    expect([...decomposed]).toHaveLength(9);
    expect(requirements(await policy.check(USER, 'password', decomposed, barbara))).toEqual(['MIN_LENGTH']);
    expect(await policy.check(USER, 'password', 'résumé12 naïve'.normalize('NFD'), barbara)).toEqual([]);
  });

  it('RST-33: common passwords rejected case-insensitively, with the reason', async () => {
    for (const pw of ['password1', 'PassWord1', 'iloveyou', 'sunshine', 'football']) {
      expect(await policy.check(USER, 'password', pw, barbara)).toContainEqual({ policyRequirement: 'CANNOT_BE_COMMON' });
    }
    expect(requirements(await policy.check(USER, 'password', 'qwertyuiop', barbara))).toEqual([
      'CANNOT_BE_COMMON',
      'CANNOT_BE_REPETITIVE_OR_SEQUENTIAL',
    ]);
  });

  it('RST-33: context words (userName, names, the mail local part) rejected, naming the fields', async () => {
    // "bjensen" contains the surname and the mail's piece "jensen" too: every matching field is named.
    expect(await policy.check(USER, 'password', 'xx-BJENSEN-rocks', barbara)).toEqual([
      { policyRequirement: 'CANNOT_CONTAIN_OTHERS', params: { disallowedFields: ['userName', 'sn', 'mail'] } },
    ]);
    const scarter: PolicyContext = { attributes: { userName: 'scarter77', mail: 'sam@example.com' } };
    expect(await policy.check(USER, 'password', 'Scarter77 is here', scarter)).toEqual([
      { policyRequirement: 'CANNOT_CONTAIN_OTHERS', params: { disallowedFields: ['userName'] } },
    ]);
    expect(await policy.check(USER, 'password', 'tall barbara tree', barbara)).toEqual([
      { policyRequirement: 'CANNOT_CONTAIN_OTHERS', params: { disallowedFields: ['givenName', 'mail'] } },
    ]);
    // The mail's domain is not a context word; very short values (sn "Li") are ignored.
    const li: PolicyContext = { attributes: { userName: 'wli', mail: 'w@example.com', givenName: 'Wei', sn: 'Li' } };
    expect(await policy.check(USER, 'password', 'example lily gardens', li)).toEqual([]);
    expect(requirements(await policy.check(USER, 'password', 'my wei garden', li))).toEqual(['CANNOT_CONTAIN_OTHERS']);
  });

  it('RST-30/33: repetitive and sequential strings rejected', () => {
    for (const s of ['aaaaaaaa', '12345678', '87654321', 'abcdefgh', 'abababab', 'passpasspass', 'qwertyui', 'lkjhgfds', '7890123456', 'xyzabcde']) {
      expect(isRepetitiveOrSequential(s), s).toBe(true);
    }
    for (const s of ['correct horse', 'vkz7#qPw', 'lanternquietmoss', '密码安全很重要吧']) {
      expect(isRepetitiveOrSequential(s), s).toBe(false);
    }
  });

  it('RST-35: every failure at once', async () => {
    const strict = createPolicyService({ schema, commonPasswords, passwordPolicy: { numCaps: 1, numNums: 1, forbiddenChars: ['<'] } });
    const failures = await strict.check(USER, 'password', 'jensen<', barbara);
    expect(failures).toEqual([
      { policyRequirement: 'MIN_LENGTH', params: { minLength: 8 } },
      { policyRequirement: 'AT_LEAST_X_CAPITAL_LETTERS', params: { numCaps: 1 } },
      { policyRequirement: 'AT_LEAST_X_NUMBERS', params: { numNums: 1 } },
      { policyRequirement: 'CANNOT_CONTAIN_OTHERS', params: { disallowedFields: ['sn', 'mail'] } },
      { policyRequirement: 'CANNOT_CONTAIN_CHARACTERS', params: { forbiddenChars: ['<'] } },
    ]);
    // Each failure JSON-encodes into AM's failedPolicies strings.
    expect(failures.map((f) => JSON.parse(JSON.stringify(f)) as unknown)).toEqual(failures);
  });

  it('RST-36: the current password is refused when configured, checked with the real hasher', async () => {
    const hasher = lightHasher();
    const stored = new Map([['u1', await hasher.hash('my current secret phrase')]]);
    const withHistory = createPolicyService({
      schema,
      commonPasswords,
      passwordPolicy: { rejectCurrent: true },
      isCurrentPassword: async (resource, id, candidate) => {
        const hash = resource === USER ? stored.get(id) : undefined;
        return hash !== undefined && hasher.verify(hash, candidate);
      },
    });
    const ctx = { ...barbara, objectId: 'u1' };
    expect(await withHistory.check(USER, 'password', 'my current secret phrase', ctx)).toEqual([{ policyRequirement: 'IS_NEW' }]);
    expect(await withHistory.check(USER, 'password', 'my current secret phrase'.normalize('NFD'), ctx)).toEqual([{ policyRequirement: 'IS_NEW' }]);
    expect(await withHistory.check(USER, 'password', 'a brand new secret phrase', ctx)).toEqual([]);
    expect(await withHistory.check(USER, 'password', 'my current secret phrase', barbara)).toEqual([]); // no user yet (registration)
  });

  it('checks its configuration at construction', () => {
    expect(() => passwordPolicies({ minLength: 6 })).toThrow(/minLength/);
    expect(() => passwordPolicies({ maxLength: 32 })).toThrow(/maxLength/);
    expect(() => passwordPolicies({ minLength: 300, maxLength: 256 })).toThrow(/exceed/);
    expect(() => createPolicyService({ schema })).toThrow(/cannot-be-common.*commonPasswords/);
    expect(() => createPolicyService({ schema, commonPasswords, passwordPolicy: { rejectBreached: true } })).toThrow(/breachChecker/);
    expect(() => createPolicyService({ schema, commonPasswords, passwordPolicy: { rejectCurrent: true } })).toThrow(/isCurrentPassword/);
  });
});

describe('attribute policies', () => {
  it('applies the schema policies to userName, mail, accountStatus and nested booleans', async () => {
    const ctx: PolicyContext = { attributes: {} };
    expect(await policy.check(USER, 'userName', undefined, ctx)).toEqual([{ policyRequirement: 'REQUIRED' }]);
    expect(await policy.check(USER, 'userName', '', ctx)).toEqual([{ policyRequirement: 'REQUIRED' }]);
    expect(await policy.check(USER, 'userName', 'a/b', ctx)).toEqual([
      { policyRequirement: 'CANNOT_CONTAIN_CHARACTERS', params: { forbiddenChars: ['/'] } },
    ]);
    expect(await policy.check(USER, 'userName', 42, ctx)).toEqual([
      { policyRequirement: 'VALID_TYPE', params: { invalidType: 'integer', validTypes: ['string'] } },
    ]);
    expect(requirements(await policy.check(USER, 'userName', 'u'.repeat(256), ctx))).toEqual(['MAX_LENGTH']);
    expect(await policy.check(USER, 'mail', 'not-an-address', ctx)).toEqual([{ policyRequirement: 'VALID_EMAIL_ADDRESS_FORMAT' }]);
    expect(await policy.check(USER, 'mail', 'bjensen@example.com', ctx)).toEqual([]);
    expect(await policy.check(USER, 'accountStatus', 'suspended', ctx)).toEqual([
      { policyRequirement: 'MATCH_REGEXP', params: { regexp: '^(active|inactive)$' } },
    ]);
    expect(await policy.check(USER, 'accountStatus', 'inactive', ctx)).toEqual([]);
    expect(await policy.check(USER, 'givenName', undefined, ctx)).toEqual([]); // optional and absent
    expect(await policy.check(USER, 'preferences/marketing', true, ctx)).toEqual([]);
    expect(requirements(await policy.check(USER, 'preferences/marketing', 'yes', ctx))).toEqual(['VALID_TYPE']);
  });

  it('asks the store about uniqueness for valid-username', async () => {
    const taken = new Set(['bjensen']);
    const withStore = createPolicyService({
      schema,
      commonPasswords,
      isUnique: async (_resource, property, value) => property !== 'userName' || !taken.has(value.toLowerCase()),
    });
    expect(await withStore.check(USER, 'userName', 'BJensen', { attributes: {} })).toEqual([{ policyRequirement: 'VALID_USERNAME' }]);
    expect(await withStore.check(USER, 'userName', 'scarter', { attributes: {} })).toEqual([]);
  });

  it('checks a whole object in IDM failedPolicyRequirements shape', async () => {
    const failed = await policy.checkObject(USER, {
      userName: 'bjensen',
      mail: 'nope',
      password: 'bjensen2024',
      preferences: { updates: 'yes', marketing: false },
    });
    expect(failed).toEqual([
      { property: 'password', policyRequirements: [{ policyRequirement: 'CANNOT_CONTAIN_OTHERS', params: { disallowedFields: ['userName'] } }] },
      { property: 'mail', policyRequirements: [{ policyRequirement: 'VALID_EMAIL_ADDRESS_FORMAT' }] },
      {
        property: 'preferences/updates',
        policyRequirements: [{ policyRequirement: 'VALID_TYPE', params: { invalidType: 'string', validTypes: ['boolean'] } }],
      },
    ]);
    expect(await policy.checkObject(USER, {})).toEqual([
      { property: 'userName', policyRequirements: [{ policyRequirement: 'REQUIRED' }] },
      { property: 'mail', policyRequirements: [{ policyRequirement: 'REQUIRED' }] },
    ]);
  });
});

describe('shipped common-password list', () => {
  it('holds at least 10,000 lowercase, deduplicated entries in well under 1 MB, top ones included', async () => {
    const { size } = await stat(DEFAULT_COMMON_PASSWORDS_FILE);
    expect(size).toBeLessThan(600 * 1024);
    const lines = (await readFile(DEFAULT_COMMON_PASSWORDS_FILE, 'utf8')).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(lines.length).toBeGreaterThanOrEqual(10_000);
    expect(new Set(lines).size).toBe(lines.length);
    expect(lines.every((l) => l === l.toLowerCase())).toBe(true);
    expect(commonPasswords.size).toBe(lines.length);
    for (const top of ['123456', 'password', '12345678', 'qwerty', 'iloveyou', 'password1', 'letmein']) {
      expect(commonPasswords.has(top), top).toBe(true);
    }
  });
});
