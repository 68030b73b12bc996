/**
 * In-memory ports for node tests: a small managed/user schema and a password policy of MIN_LENGTH 8
 * (failures in AM's shape, every check recorded), plus exact in-memory identity, counter, mail and
 * audit ports driven by an injected clock. Real behaviour, no mocks: counters are atomic and windowed,
 * the identity port keeps an attempt budget in the counters and evaluates CREST filters for real.
 */
import { matchesFilter, parseQueryFilter } from '../../src/crest/query-filter.js';
import type {
  AuditPort,
  CounterPort,
  IdentityFailure,
  IdentityPort,
  IdentitySchemaPort,
  MailLimits,
  MailPort,
  ManagedObject,
  ManagedProperty,
  NodeServices,
  PasswordCheck,
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

export const TEST_EPOCH = Date.UTC(2025, 0, 1);

/** A clock tests move by hand. */
export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

export function createTestClock(start = TEST_EPOCH): TestClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** Counters as the store keeps them: exact, atomic (no await between read and write), fixed window from the first increment. */
export function createCounterPort(now: () => number): CounterPort {
  const entries = new Map<string, { count: number; resetAt: number }>();
  const live = (key: string) => {
    const e = entries.get(key);
    return e && now() < e.resetAt ? e : undefined;
  };
  return {
    async increment(key, windowMs) {
      const e = live(key) ?? { count: 0, resetAt: now() + windowMs };
      e.count += 1;
      entries.set(key, e);
      return e.count;
    },
    async get(key) {
      return live(key)?.count ?? 0;
    },
    async reset(key) {
      entries.delete(key);
    },
  };
}

/** A stored test user; `password` is kept in clear (test data only) and never returned. */
export interface TestUser {
  _id: string;
  userName: string;
  mail?: string;
  password?: string;
  accountStatus?: 'active' | 'inactive';
  [attribute: string]: unknown;
}

export interface TestIdentityPort extends IdentityPort {
  /** Stored records by `_id`, as kept (with the clear-text test password). */
  readonly users: Map<string, TestUser>;
  /** How many passwords were actually compared (attempts beyond the budget are not). */
  readonly stats: { evaluated: number; updates: number };
  /** The next update or create answers this failure (as the identity service does for a conflict). */
  failNextWrite(failure: IdentityFailure): void;
}

export interface IdentityPortOptions {
  counters: CounterPort;
  now: () => number;
  users?: readonly TestUser[];
  /** Password checks per account per window before `throttled` (default 5 per 15 minutes). */
  attemptBudget?: number;
  attemptWindowMs?: number;
}

/** Attributes compared case-insensitively, as the identity service does for unique ones. */
const CASE_INSENSITIVE = new Set(['userName', 'mail']);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function merge(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(source)) {
    const existing = target[k];
    if (isRecord(v) && isRecord(existing)) merge(existing, v);
    else target[k] = structuredClone(v);
  }
}

/** Identity service stand-in over a Map: unique lookups, policy-checked password writes, an attempt budget in the counters. */
export function createIdentityPort(options: IdentityPortOptions): TestIdentityPort {
  const { counters, now, attemptBudget = 5, attemptWindowMs = 15 * 60_000 } = options;
  const users = new Map<string, TestUser>((options.users ?? []).map((u) => [u._id, structuredClone(u)]));
  const stats = { evaluated: 0, updates: 0 };
  let pendingFailure: IdentityFailure | undefined;
  let nextId = 1;

  const view = (u: TestUser): ManagedObject => {
    const { password, ...rest } = structuredClone(u);
    return { ...rest, passwordSet: typeof password === 'string' && password !== '' };
  };
  const valueMatches = (attribute: string, stored: unknown, value: string) =>
    typeof stored === 'string' && (CASE_INSENSITIVE.has(attribute) ? stored.toLowerCase() === value.toLowerCase() : stored === value);
  const passwordFailure = (attributes: Record<string, unknown>): IdentityFailure | undefined => {
    const pw = attributes['password'];
    if (pw === undefined || (typeof pw === 'string' && pw.length >= 8)) return undefined;
    return { message: 'Password does not meet the policy.', failedPolicies: [{ policyRequirement: 'MIN_LENGTH', params: { minLength: 8 } }] };
  };
  const takeFailure = () => {
    const f = pendingFailure;
    pendingFailure = undefined;
    return f;
  };
  const writable = (attributes: Record<string, unknown>) => {
    const copy = structuredClone(attributes);
    for (const k of ['_id', '_rev', 'passwordSet']) delete copy[k];
    return copy;
  };

  return {
    users,
    stats,
    failNextWrite: (failure) => void (pendingFailure = failure),
    async findByAttribute(resource, attribute, value) {
      if (resource !== USER_RESOURCE) return undefined;
      const found = [...users.values()].filter((u) => valueMatches(attribute, u[attribute], value));
      return found.length === 1 && found[0] ? view(found[0]) : undefined;
    },
    async read(resource, id) {
      const u = resource === USER_RESOURCE ? users.get(id) : undefined;
      return u ? view(u) : undefined;
    },
    async update(resource, id, attributes) {
      const u = resource === USER_RESOURCE ? users.get(id) : undefined;
      if (!u) return { message: 'Not found.' };
      const failure = takeFailure() ?? passwordFailure(attributes);
      if (failure) return failure;
      merge(u, writable(attributes));
      stats.updates += 1;
      return view(u);
    },
    async create(resource, attributes) {
      if (resource !== USER_RESOURCE) return { message: 'Unknown resource.' };
      const failure = takeFailure() ?? passwordFailure(attributes);
      if (failure) return failure;
      const userName = attributes['userName'];
      if (typeof userName !== 'string' || [...users.values()].some((u) => valueMatches('userName', u.userName, userName))) {
        return { message: 'A user with this username already exists.' };
      }
      const user: TestUser = { ...writable(attributes), _id: `created-${nextId++}`, userName };
      users.set(user._id, user);
      return view(user);
    },
    async verifyPassword(resource, id, password): Promise<PasswordCheck> {
      if (id === undefined) return 'mismatch';
      const key = `test:login-attempts:${id}`;
      if ((await counters.increment(key, attemptWindowMs)) > attemptBudget) return 'throttled';
      stats.evaluated += 1;
      const u = resource === USER_RESOURCE ? users.get(id) : undefined;
      if (u?.password === undefined || u.password !== password) return 'mismatch';
      await counters.reset(key);
      return 'match';
    },
    async matches(resource, id, queryFilter) {
      const u = resource === USER_RESOURCE ? users.get(id) : undefined;
      return u !== undefined && matchesFilter(parseQueryFilter(queryFilter), view(u));
    },
    async recordLogin(resource, id) {
      const u = resource === USER_RESOURCE ? users.get(id) : undefined;
      if (!u) throw new Error('no such user');
      u['loginCount'] = (typeof u['loginCount'] === 'number' ? u['loginCount'] : 0) + 1;
      u['lastLogin'] = new Date(now()).toISOString();
    },
  };
}

export type QueuedMail = Parameters<MailPort['enqueue']>[0];

export interface TestMailPort extends MailPort {
  readonly queued: QueuedMail[];
}

export function createMailPort(): TestMailPort {
  const queued: QueuedMail[] = [];
  return { queued, enqueue: (message) => void queued.push(structuredClone(message)) };
}

export interface AuditEvent {
  event: string;
  fields: Record<string, unknown>;
}

export interface TestAuditPort extends AuditPort {
  readonly events: AuditEvent[];
}

export function createAuditPort(): TestAuditPort {
  const events: AuditEvent[] = [];
  return { events, record: (event, fields) => void events.push({ event, fields: structuredClone(fields) }) };
}

export const TEST_MAIL_LIMITS: MailLimits = { perAccount: 5, perClient: 20, windowMs: 15 * 60_000 };

/** A coherent set of test ports sharing one movable clock, with `services` ready for makeNodeContext. */
export interface TestPorts {
  clock: TestClock;
  counters: CounterPort;
  identity: TestIdentityPort;
  mail: TestMailPort;
  audit: TestAuditPort;
  services: NodeServices;
}

export function createTestPorts(options: { users?: readonly TestUser[]; attemptBudget?: number; mailLimits?: Partial<MailLimits> } = {}): TestPorts {
  const clock = createTestClock();
  const counters = createCounterPort(clock.now);
  const identity = createIdentityPort({
    counters,
    now: clock.now,
    ...(options.users ? { users: options.users } : {}),
    ...(options.attemptBudget === undefined ? {} : { attemptBudget: options.attemptBudget }),
  });
  const mail = createMailPort();
  const audit = createAuditPort();
  const services: NodeServices = {
    now: clock.now,
    schema: createSchemaPort(),
    policy: createPolicyPort(),
    identity,
    counters,
    mail,
    audit,
    mailLimits: { ...TEST_MAIL_LIMITS, ...options.mailLimits },
  };
  return { clock, counters, identity, mail, audit, services };
}

/** Services for a node test: fixed clock, the schema and policy ports above and fresh in-memory ports, any of them overridable. */
export function createTestServices(overrides: Partial<NodeServices> = {}): NodeServices {
  const now = overrides.now ?? (() => TEST_EPOCH);
  const counters = overrides.counters ?? createCounterPort(now);
  return {
    now,
    schema: createSchemaPort(),
    policy: createPolicyPort(),
    identity: createIdentityPort({ counters, now }),
    counters,
    mail: createMailPort(),
    audit: createAuditPort(),
    mailLimits: TEST_MAIL_LIMITS,
    ...overrides,
  };
}
