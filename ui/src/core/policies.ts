/**
 * AM/IDM password and attribute policies as readable sentences. Decodes `failedPolicies` (an array of
 * JSON strings, protocol §2.1) and the `policies` requirements object into PolicyFailure lists, and
 * maps each `policyRequirement` id with its params to a message key; ids this page does not know get
 * a generic sentence naming the id, never silence. Pure.
 */
import type { PolicyFailure } from './types.js';
import { isRecord } from './types.js';

/** Decodes AM's `failedPolicies` output; malformed entries become a generic failure rather than vanish. */
export function parseFailedPolicies(value: unknown): PolicyFailure[] {
  if (!Array.isArray(value)) return [];
  return value.map((entry): PolicyFailure => {
    let decoded: unknown = entry;
    if (typeof entry === 'string') {
      try {
        decoded = JSON.parse(entry);
      } catch {
        return { policyRequirement: entry.trim() === '' ? 'UNKNOWN' : entry.slice(0, 100) };
      }
    }
    if (isRecord(decoded) && typeof decoded.policyRequirement === 'string') {
      return isRecord(decoded.params)
        ? { policyRequirement: decoded.policyRequirement, params: decoded.params }
        : { policyRequirement: decoded.policyRequirement };
    }
    return { policyRequirement: 'UNKNOWN' };
  });
}

/** Requirements that are not worth announcing before the person types (type checks, presence). */
const SILENT_REQUIREMENTS = new Set(['VALID_TYPE', 'REQUIRED']);

/**
 * The requirements a `policies` output states up front (e.g. "at least 8 characters"), to show as a
 * hint before any check. Each IDM policy entry lists `policyRequirements` and optional `params`.
 */
export function requirementsOf(policies: unknown): PolicyFailure[] {
  if (!isRecord(policies) || !Array.isArray(policies.policies)) return [];
  const out: PolicyFailure[] = [];
  for (const policy of policies.policies) {
    if (!isRecord(policy) || !Array.isArray(policy.policyRequirements)) continue;
    for (const requirement of policy.policyRequirements) {
      if (typeof requirement !== 'string' || SILENT_REQUIREMENTS.has(requirement)) continue;
      if (out.some((r) => r.policyRequirement === requirement)) continue;
      out.push(isRecord(policy.params) ? { policyRequirement: requirement, params: policy.params } : { policyRequirement: requirement });
    }
  }
  return out;
}

/** The policy ids with their own sentence in the catalogues; the key is `policy.<id>`. */
export const KNOWN_POLICIES = [
  'REQUIRED',
  'MIN_LENGTH',
  'MAX_LENGTH',
  'AT_LEAST_X_CAPITAL_LETTERS',
  'AT_LEAST_X_NUMBERS',
  'CANNOT_CONTAIN_OTHERS',
  'CANNOT_CONTAIN_CHARACTERS',
  'CANNOT_CONTAIN_DUPLICATES',
  'VALID_USERNAME',
  'UNIQUE',
  'VALID_EMAIL_ADDRESS_FORMAT',
  'VALID_PHONE_FORMAT',
  'VALID_NAME_FORMAT',
  'VALID_DATE',
  'VALID_TYPE',
  'MATCH_REGEXP',
  'CANNOT_BE_COMMON',
  'CANNOT_BE_REPETITIVE_OR_SEQUENTIAL',
  'CANNOT_BE_BREACHED',
  'IS_NEW',
] as const;
export type KnownPolicy = (typeof KNOWN_POLICIES)[number];

export interface PolicyMessage {
  key: `policy.${KnownPolicy}` | 'policy.unknown';
  params: Record<string, string | number>;
}

const count = (value: unknown, fallback: number): number => {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : fallback;
};

const list = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value])
    .filter((v): v is string | number => typeof v === 'string' || typeof v === 'number')
    .map(String);

/**
 * The message key and parameters for one failure. List parameters come back as arrays of strings
 * in `lists` so the translator can translate field names and join them in its own language.
 */
export function policyMessage(failure: PolicyFailure): PolicyMessage & { lists: Record<string, string[]> } {
  const id = failure.policyRequirement;
  const params = failure.params ?? {};
  if (!(KNOWN_POLICIES as readonly string[]).includes(id)) {
    return { key: 'policy.unknown', params: { requirement: id.slice(0, 100) }, lists: {} };
  }
  const key = `policy.${id as KnownPolicy}` as const;
  switch (id) {
    case 'MIN_LENGTH':
      return { key, params: { count: count(params.minLength, 1) }, lists: {} };
    case 'MAX_LENGTH':
      return { key, params: { count: count(params.maxLength, 255) }, lists: {} };
    case 'AT_LEAST_X_CAPITAL_LETTERS':
      return { key, params: { count: count(params.numCaps, 1) }, lists: {} };
    case 'AT_LEAST_X_NUMBERS':
      return { key, params: { count: count(params.numNums, 1) }, lists: {} };
    case 'CANNOT_CONTAIN_OTHERS':
      return { key, params: {}, lists: { fields: list(params.disallowedFields) } };
    case 'CANNOT_CONTAIN_CHARACTERS':
      return { key, params: {}, lists: { characters: list(params.forbiddenChars) } };
    default:
      return { key, params: {}, lists: {} };
  }
}
