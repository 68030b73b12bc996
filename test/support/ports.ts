/**
 * In-memory identity schema and policy ports for node tests: a small managed/user schema and a
 * password policy of MIN_LENGTH 8, returning failures in AM's shape. Stand-ins until the real policy
 * module exists; every check is recorded in `checks` so tests can assert the context they received.
 */
import type {
  IdentitySchemaPort,
  ManagedProperty,
  NodeServices,
  PolicyContext,
  PolicyFailure,
  PolicyPort,
} from '../../src/nodes/services.js';

export const USER_RESOURCE = 'managed/user';

const prop = (name: string, type: ManagedProperty['type'], extra: Partial<ManagedProperty> = {}): ManagedProperty => ({
  name,
  type,
  required: false,
  nullable: false,
  viewable: true,
  userEditable: true,
  ...extra,
});

export const USER_PROPERTIES: readonly ManagedProperty[] = [
  prop('userName', 'string', { title: 'Username', required: true }),
  prop('mail', 'string', { title: 'Email Address', required: true }),
  prop('givenName', 'string', { title: 'First Name', required: true }),
  prop('sn', 'string', { title: 'Last Name', required: true }),
  prop('password', 'string', { title: 'Password', viewable: false }),
  prop('preferences', 'object', { title: 'Preferences' }),
  prop('preferences/marketing', 'boolean', { title: 'Send me special offers and services' }),
  prop('preferences/updates', 'boolean', { description: 'Send me news and updates' }),
  prop('age', 'number', { title: 'Age' }),
  prop('loginCount', 'integer', { userEditable: false }),
  prop('telephoneNumber', 'string', { title: 'Telephone Number', nullable: true }),
  prop('effectiveRoles', 'array', { title: 'Effective Roles' }),
  prop('nickname', 'string'),
];

export function createSchemaPort(properties: readonly ManagedProperty[] = USER_PROPERTIES): IdentitySchemaPort {
  const byName = new Map(properties.map((p) => [p.name, p]));
  return {
    property: (resource, path) => (resource === USER_RESOURCE ? byName.get(path) : undefined),
    requiredProperties: (resource) => (resource === USER_RESOURCE ? properties.filter((p) => p.required).map((p) => p.name) : []),
  };
}

export const PASSWORD_POLICIES = {
  policyRequirements: ['VALID_TYPE', 'MIN_LENGTH'],
  fallbackPolicies: null,
  name: 'password',
  policies: [
    { policyRequirements: ['VALID_TYPE'], policyId: 'valid-type', params: { types: ['string'] } },
    { policyId: 'minimum-length', params: { minLength: 8 }, policyRequirements: ['MIN_LENGTH'] },
  ],
  conditionalPolicies: null,
};

export const USERNAME_POLICIES = {
  policyRequirements: ['REQUIRED', 'UNIQUE'],
  fallbackPolicies: null,
  name: 'userName',
  policies: [
    { policyRequirements: ['REQUIRED'], policyId: 'required' },
    { policyRequirements: ['UNIQUE'], policyId: 'unique' },
  ],
  conditionalPolicies: null,
};

export const MAIL_POLICIES = {
  policyRequirements: ['VALID_EMAIL_ADDRESS_FORMAT'],
  fallbackPolicies: null,
  name: 'mail',
  policies: [{ policyRequirements: ['VALID_EMAIL_ADDRESS_FORMAT'], policyId: 'valid-email-address-format' }],
  conditionalPolicies: null,
};

export interface RecordedCheck {
  resource: string;
  property: string;
  value: unknown;
  context: PolicyContext;
}

export interface TestPolicyPort extends PolicyPort {
  readonly checks: RecordedCheck[];
}

/** userName must not be one of `takenUsernames`; mail must contain "@"; password at least 8 characters. */
export function createPolicyPort(takenUsernames: readonly string[] = ['taken']): TestPolicyPort {
  const checks: RecordedCheck[] = [];
  return {
    checks,
    describe(resource, property) {
      if (resource !== USER_RESOURCE) return {};
      if (property === 'password') return PASSWORD_POLICIES;
      if (property === 'userName') return USERNAME_POLICIES;
      if (property === 'mail') return MAIL_POLICIES;
      return {};
    },
    async check(resource, property, value, context) {
      checks.push({ resource, property, value, context });
      const failures: PolicyFailure[] = [];
      if (resource !== USER_RESOURCE) return failures;
      if (property === 'password') {
        if (typeof value !== 'string') failures.push({ policyRequirement: 'VALID_TYPE', params: { types: ['string'] } });
        else if (value.length < 8) failures.push({ policyRequirement: 'MIN_LENGTH', params: { minLength: 8 } });
      }
      if (property === 'userName' && typeof value === 'string' && takenUsernames.includes(value)) {
        failures.push({ policyRequirement: 'UNIQUE' });
      }
      if (property === 'mail' && (typeof value !== 'string' || !value.includes('@'))) {
        failures.push({ policyRequirement: 'VALID_EMAIL_ADDRESS_FORMAT' });
      }
      return failures;
    },
  };
}

/** Services for a node test: fixed clock, the schema and policy ports above, any of them overridable. */
export function createTestServices(overrides: Partial<NodeServices> = {}): NodeServices {
  return { now: () => Date.UTC(2025, 0, 1), schema: createSchemaPort(), policy: createPolicyPort(), ...overrides };
}
