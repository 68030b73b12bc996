/**
 * The credential-reset policy (midPoint's `securityPolicy/credentialsReset`): the reset methods the
 * façade accepts, each with its credential source, whether the new value must be changed at next
 * sign-in, and the roles allowed to use it; plus who may generate, and the users no one but an
 * `admin` may reset (`protectedTargets`: administrators always, and those a query filter matches;
 * src/credential-reset/protection.ts). Read from one JSON file (CAIRN_CREDENTIAL_RESET_POLICY) and
 * validated at start: an unknown key, a bad value or a filter that does not parse stops the start.
 */
import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { parseQueryFilter } from '../crest/query-filter.js';
import type { ProtectedTargets } from '../credential-reset/protection.js';

export interface ResetMethodPolicy {
  /** midPoint's `credentialsReset/identifier`: the `resetMethod` a request must name. */
  identifier: string;
  /**
   * The reset-method journey `requestCredentialReset` starts for the user (it begins with Credential
   * Reset Context, authenticates the user and takes the new value); without one, the method is
   * execute-only.
   */
  journey?: string;
  /**
   * For `executeCredentialReset`: `userEntry`, the caller gives the value; `generated`, a value from the
   * password policy, delivered as `delivery` says; `none`, midPoint's "no credential source" (200,
   * nothing changes).
   */
  newCredentialSource: 'userEntry' | 'generated' | 'none';
  /** Where a generated value goes: back to the caller once (`screen`) or to the user's e-mail. */
  delivery: 'screen' | 'email';
  forceChange: boolean;
  /** Roles allowed besides `admin` (e.g. `helpdesk`). */
  allowedRoles: string[];
  /** How long a requested reset stays usable. */
  lifetimeMinutes: number;
  /** How often the context's id may be presented before the record goes. */
  maxAttempts: number;
}

export interface CredentialResetPolicy {
  methods: ResetMethodPolicy[];
  generate: { forceChange: boolean; allowedRoles: string[] };
  /** Users only an `admin` may reset (administrators always; those `queryFilter` matches). */
  protectedTargets: ProtectedTargets;
}

export const DEFAULT_CREDENTIAL_RESET_POLICY: CredentialResetPolicy = {
  methods: [
    {
      identifier: 'passwordReset',
      newCredentialSource: 'userEntry',
      delivery: 'screen',
      forceChange: true,
      allowedRoles: ['helpdesk'],
      lifetimeMinutes: 15,
      maxAttempts: 3,
    },
    ...(
      [
        ['resetByLink', 'ResetPassword'],
        ['resetByCode', 'ResetPasswordByCode'],
        ['resetByQuestions', 'ResetPasswordByQuestions'],
      ] as const
    ).map(([identifier, journey]) => ({
      identifier,
      journey,
      newCredentialSource: 'userEntry' as const,
      delivery: 'screen' as const,
      forceChange: false,
      allowedRoles: ['helpdesk'],
      lifetimeMinutes: 15,
      maxAttempts: 3,
    })),
  ],
  generate: { forceChange: true, allowedRoles: ['helpdesk'] },
  protectedTargets: {},
};

const roles = { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true };
const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['methods'],
  properties: {
    methods: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['identifier', 'newCredentialSource'],
        properties: {
          identifier: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
          journey: { type: 'string', minLength: 1 },
          newCredentialSource: { enum: ['userEntry', 'generated', 'none'] },
          delivery: { enum: ['screen', 'email'], default: 'screen' },
          forceChange: { type: 'boolean', default: true },
          allowedRoles: { ...roles, default: [] },
          lifetimeMinutes: { type: 'integer', minimum: 1, maximum: 10080, default: 15 },
          maxAttempts: { type: 'integer', minimum: 1, maximum: 100, default: 3 },
        },
      },
    },
    generate: {
      type: 'object',
      additionalProperties: false,
      properties: { forceChange: { type: 'boolean', default: true }, allowedRoles: { ...roles, default: [] } },
      default: {},
    },
    protectedTargets: {
      type: 'object',
      additionalProperties: false,
      properties: { queryFilter: { type: 'string', minLength: 1, maxLength: 2048 } },
      default: {},
    },
  },
} as const;

const validate = new Ajv({ allErrors: true, useDefaults: true, strict: true }).compile(SCHEMA);

/** The policy in `value`, with defaults; throws listing every problem. */
export function parseCredentialResetPolicy(value: unknown, source = 'credential-reset policy'): CredentialResetPolicy {
  const copy = structuredClone(value);
  if (!validate(copy)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
    throw new Error(`Invalid ${source}: ${problems.join('; ')}`);
  }
  const policy = copy as unknown as CredentialResetPolicy;
  const ids = policy.methods.map((m) => m.identifier);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined) throw new Error(`Invalid ${source}: method ${twice} is listed twice`);
  const filter = policy.protectedTargets.queryFilter;
  if (filter !== undefined) {
    try {
      parseQueryFilter(filter);
    } catch (e) {
      throw new Error(`Invalid ${source}: /protectedTargets/queryFilter is not a query filter (${(e as Error).message})`, { cause: e });
    }
  }
  return policy;
}

/** Every method's journey must be one the server runs: checked at start, every problem at once. */
export function checkPolicyJourneys(policy: CredentialResetPolicy, journeys: readonly string[]): CredentialResetPolicy {
  const missing = policy.methods.filter((m) => m.journey !== undefined && !journeys.includes(m.journey));
  if (missing.length > 0) {
    throw new Error(
      `Invalid credential-reset policy: ${missing.map((m) => `method ${m.identifier} names journey ${m.journey ?? ''}, which is not loaded`).join('; ')}`,
    );
  }
  return policy;
}

export async function loadCredentialResetPolicy(file: string | undefined): Promise<CredentialResetPolicy> {
  if (file === undefined || file === '') return DEFAULT_CREDENTIAL_RESET_POLICY;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new Error(`Cannot read the credential-reset policy ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`The credential-reset policy ${file} is not JSON: ${(e as Error).message}`, { cause: e });
  }
  return parseCredentialResetPolicy(json, `credential-reset policy ${file}`);
}
