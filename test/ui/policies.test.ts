// Failed-policy decoding and the sentences shown next to a field, in English and French.
import { describe, expect, it } from 'vitest';
import { parseFailedPolicies, requirementsOf } from '../../ui/src/core/policies.js';
import { createTranslator } from '../../ui/src/i18n/index.js';

const en = createTranslator('en');
const fr = createTranslator('fr');

describe('parseFailedPolicies', () => {
  it('decodes the JSON strings AM sends (protocol §2.1 example)', () => {
    const value = [
      '{ "params": { "minLength": 8 }, "policyRequirement": "MIN_LENGTH" }',
      '{ "params": { "numCaps": 1 }, "policyRequirement": "AT_LEAST_X_CAPITAL_LETTERS" }',
      '{ "policyRequirement": "UNIQUE" }',
    ];
    expect(parseFailedPolicies(value)).toEqual([
      { policyRequirement: 'MIN_LENGTH', params: { minLength: 8 } },
      { policyRequirement: 'AT_LEAST_X_CAPITAL_LETTERS', params: { numCaps: 1 } },
      { policyRequirement: 'UNIQUE' },
    ]);
  });

  it('accepts already-decoded objects and keeps malformed entries visible as generic failures', () => {
    expect(parseFailedPolicies([{ policyRequirement: 'REQUIRED' }, 'not json', 42])).toEqual([
      { policyRequirement: 'REQUIRED' },
      { policyRequirement: 'not json' },
      { policyRequirement: 'UNKNOWN' },
    ]);
    expect(parseFailedPolicies(undefined)).toEqual([]);
  });
});

describe('policy sentences', () => {
  it('says every AM policy id in readable English with its parameters', () => {
    const cases: [string, Record<string, unknown> | undefined, string][] = [
      ['MIN_LENGTH', { minLength: 8 }, 'Must be at least 8 characters long.'],
      ['MIN_LENGTH', { minLength: 1 }, 'Must be at least 1 character long.'],
      ['MAX_LENGTH', { maxLength: 64 }, 'Must be at most 64 characters long.'],
      ['AT_LEAST_X_CAPITAL_LETTERS', { numCaps: 2 }, 'Must contain at least 2 capital letters.'],
      ['AT_LEAST_X_NUMBERS', { numNums: 1 }, 'Must contain at least 1 number.'],
      ['CANNOT_CONTAIN_OTHERS', { disallowedFields: ['userName', 'givenName', 'sn'] }, 'Must not contain your username, first name, or last name.'],
      ['CANNOT_CONTAIN_OTHERS', { disallowedFields: ['customAttr'] }, 'Must not contain your customAttr.'],
      ['CANNOT_CONTAIN_CHARACTERS', { forbiddenChars: ['/', '@'] }, 'Must not contain these characters: “/” “@”.'],
      ['REQUIRED', undefined, 'This field is required.'],
      ['VALID_USERNAME', undefined, 'This username is not valid or is not available.'],
      ['UNIQUE', undefined, 'This value is already in use.'],
      ['VALID_EMAIL_ADDRESS_FORMAT', undefined, 'Enter a valid email address.'],
      ['CANNOT_BE_COMMON', undefined, 'This password is too common. Choose one that is harder to guess.'],
      ['SOMETHING_NEW', { x: 1 }, 'This value does not meet the requirement SOMETHING_NEW.'],
    ];
    for (const [policyRequirement, params, sentence] of cases) {
      expect(en.policy(params ? { policyRequirement, params } : { policyRequirement })).toBe(sentence);
    }
  });

  it('translates into French, plurals included', () => {
    expect(fr.policy({ policyRequirement: 'MIN_LENGTH', params: { minLength: 12 } })).toBe('Doit contenir au moins 12 caractères.');
    expect(fr.policy({ policyRequirement: 'AT_LEAST_X_NUMBERS', params: { numNums: 1 } })).toBe('Doit contenir au moins 1 chiffre.');
    expect(fr.policy({ policyRequirement: 'CANNOT_CONTAIN_OTHERS', params: { disallowedFields: ['userName', 'mail'] } })).toBe(
      'Ne doit pas contenir votre nom d’utilisateur ou adresse e-mail.',
    );
    expect(fr.policy({ policyRequirement: 'XYZ' })).toBe('Cette valeur ne respecte pas l’exigence XYZ.');
  });

  it('lists the requirements stated by a policies object, without type or presence checks', () => {
    const policies = {
      policyRequirements: ['VALID_TYPE', 'MIN_LENGTH', 'AT_LEAST_X_CAPITAL_LETTERS'],
      name: 'password',
      policies: [
        { policyRequirements: ['VALID_TYPE'], policyId: 'valid-type', params: { types: ['string'] } },
        { policyRequirements: ['REQUIRED'], policyId: 'required' },
        { policyId: 'minimum-length', params: { minLength: 8 }, policyRequirements: ['MIN_LENGTH'] },
        { policyId: 'at-least-X-capitals', params: { numCaps: 1 }, policyRequirements: ['AT_LEAST_X_CAPITAL_LETTERS'] },
      ],
    };
    expect(requirementsOf(policies).map((r) => en.policy(r))).toEqual([
      'Must be at least 8 characters long.',
      'Must contain at least 1 capital letter.',
    ]);
    expect(requirementsOf({})).toEqual([]);
  });

  it('lets the theme override a text per language', () => {
    const themed = createTranslator('en', { en: { 'policy.UNIQUE': 'Taken, sorry.' } });
    expect(themed.policy({ policyRequirement: 'UNIQUE' })).toBe('Taken, sorry.');
    expect(createTranslator('fr', { en: { 'policy.UNIQUE': 'Taken' } }).policy({ policyRequirement: 'UNIQUE' })).toBe(
      'Cette valeur est déjà utilisée.',
    );
  });
});
