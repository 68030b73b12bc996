/**
 * AM/IDM password and attribute policies as readable sentences. Decodes `failedPolicies` (an array of
 * JSON strings, protocol §2.1) and the `policies` requirements object into PolicyFailure lists. The
 * sentence of each `policyRequirement` id comes from Cairn's shared catalogue (src/i18n/policies.ts);
 * ids it does not know get a generic sentence naming the id, never silence. Pure.
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

export { KNOWN_POLICIES, policyMessage, type KnownPolicy, type PolicyMessage } from '../../../src/i18n/policies.js';
