/**
 * Test helpers for calling a node's `process()` directly. `createNodeTestbed` builds the services a
 * server gives nodes — the real identity service (its hasher at argon2id's smallest parameters,
 * ./hasher.ts), policy service and managed-object schema over a temporary embedded (lmdb) store, its counters, a clock the test moves — with seeded users;
 * `makeNodeContext` builds a NodeContext on them (real locale resolution, a processChild that throws);
 * `configFor` applies a node's config schema with defaults as the journey validator does, and
 * `clientAnswer` plays the client.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, beforeAll, onTestFinished } from 'vitest';
import { ADMIN_UNIQUE_KEYS, createAdminService, type AdminService } from '../../src/admin/admins.js';
import { operatorReader } from '../../src/admin/guard.js';
import { numberCallbacks } from '../../src/callbacks/numbering.js';
import { createResetGuard, type ProtectedTargets } from '../../src/credential-reset/protection.js';
import type { Callback } from '../../src/callbacks/types.js';
import { verifyReturned } from '../../src/callbacks/verify.js';
import { createIdentityService, type IdentityService, type StoredObject } from '../../src/identity/identity-service.js';
import { createLoginGuard } from '../../src/identity/login-guard.js';
import type { PasswordHasher } from '../../src/identity/passwords.js';
import type { PolicyContext, PolicyPort } from '../../src/identity/ports.js';
import { createPolicyService, loadCommonPasswords } from '../../src/identity/policy.js';
import { loadManagedSchema } from '../../src/identity/schema.js';
import { localize } from '../../src/journeys/locale.js';
import { DEFAULT_IDENTITY_RESOURCE } from '../../src/journeys/model.js';
import { createKbaService, parseKbaConfig, type KbaConfig } from '../../src/identity/kba.js';
import { parseTerms, type TermsPort } from '../../src/identity/terms.js';
import { openKeystore } from '../../src/keys/keystore.js';
import { createTokenSigner } from '../../src/keys/signed-tokens.js';
import type { MailLimits, NodeServices } from '../../src/nodes/services.js';
import type { AuditEffect, Effect, MailEffect, NodeContext, NodeDescriptor, NodeResult, RequestInfo, SessionDraft } from '../../src/nodes/types.js';
import { amSessionProperties, createSessionService, type SessionService } from '../../src/sessions/session-service.js';
import { openStore, type Store } from '../../src/stores/index.js';
import { lightHasher } from './hasher.js';
import { scratchDir } from './scratch.js';

export const USER_RESOURCE = DEFAULT_IDENTITY_RESOURCE;
/** The shipped user schema plus a number, a nullable string, an array and an untitled property. */
export const NODE_TEST_SCHEMA = join(import.meta.dirname, '..', 'fixtures', 'managed', 'node-tests.json');
export const TEST_EPOCH = Date.UTC(2025, 0, 1);
export const TEST_MAIL_LIMITS: MailLimits = { perAccount: 5, perClient: 20, windowMs: 15 * 60_000 };

/** A clock tests move by hand. */
export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

export function createTestClock(start = TEST_EPOCH): TestClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** A user to seed; `password` is given in clear and stored hashed, as the identity service stores it. */
export interface TestUser {
  _id: string;
  userName: string;
  mail?: string;
  password?: string;
  accountStatus?: 'active' | 'inactive';
  [attribute: string]: unknown;
}

export interface RecordedCheck {
  resource: string;
  property: string;
  value: unknown;
  context: PolicyContext;
}

export interface AuditEvent {
  event: string;
  fields: Record<string, unknown>;
}

/** The terms the testbed's nodes show: version 2.0 active, 1.0 an older one. */
export const TEST_TERMS = parseTerms({
  versions: [
    { version: '1.0', termsTranslations: { en: 'Old terms.' }, createDate: '2024-01-01T00:00:00.000Z' },
    { version: '2.0', termsTranslations: { en: 'The terms of use.', fr: 'Les conditions d’utilisation.' }, createDate: '2025-01-01T00:00:00.000Z' },
  ],
  active: '2.0',
}).terms;

/** The testbed's security questions: three predefined, one answer to define and one to verify, three attempts. */
export const TEST_KBA = parseKbaConfig({
  questions: {
    '1': { en: "What's your favorite color?", fr: 'Quelle est votre couleur préférée ?' },
    '2': { en: 'Who was your first employer?' },
    '3': { en: 'What was the name of your first pet?' },
  },
  minimumAnswersToDefine: 1,
  minimumAnswersToVerify: 1,
  numberOfAttemptsAllowed: 3,
}).config;

export interface NodeTestbed {
  clock: TestClock;
  store: Store;
  identity: IdentityService;
  /** Administrator identities over the testbed's store (operators sign in as them). */
  admins: AdminService;
  /** Real sessions over the testbed's store (Get Session Data reads them). */
  sessions: SessionService;
  services: NodeServices;
  /** Every policy check the nodes asked for, in order (the real policy service answers them). */
  checks: RecordedCheck[];
  /** What the identity service audited itself (node audit events leave as effects instead). */
  audit: AuditEvent[];
  /** Passwords the hasher actually compared (attempts over the budget and unknown users are not). */
  hashes: { verified: number };
  /** The stored record, with its password hash and `_rev`, as the store holds it. */
  stored(id: string): Promise<StoredObject | undefined>;
  /** Stores a user as the store would hold it (password hashed), bypassing policies. */
  seed(user: TestUser): Promise<void>;
  close(): Promise<void>;
}

export interface TestbedOptions {
  users?: readonly TestUser[];
  /** Password checks per account per window before `throttled` (default 5 per 15 minutes). */
  attemptBudget?: number;
  mailLimits?: Partial<MailLimits>;
  terms?: TermsPort;
  /** Overrides of TEST_KBA. */
  kba?: Partial<KbaConfig>;
  debugNodes?: boolean;
  /** The credential-reset policy's protected targets (Reset Credential). */
  protectedTargets?: ProtectedTargets;
}

// Loaded once per test file: both are immutable, and compiling the schema's validators takes a while.
let commonPasswords: Promise<ReadonlySet<string>> | undefined;
let managedSchema: ReturnType<typeof loadManagedSchema> | undefined;
/** Seeded passwords are hashed once per worker (the unit tier's workers run many files). */
const seededHashes = new Map<string, Promise<string>>();

/**
 * Real node services over a fresh temporary store, closed when the calling test finishes (or by
 * `close()`, for a testbed made outside a test).
 */
export async function createNodeTestbed(options: TestbedOptions = {}): Promise<NodeTestbed> {
  const clock = createTestClock();
  const dir = await scratchDir('cairn-nodes-');
  const schema = await (managedSchema ??= loadManagedSchema(NODE_TEST_SCHEMA));
  const uniqueKeys = { ...Object.fromEntries(schema.resources().map((r) => [r, schema.uniqueProperties(r)])), ...ADMIN_UNIQUE_KEYS };
  const store = await openStore({ dataDir: dir, now: clock.now, uniqueKeys, sweepIntervalMs: 0 });
  const hashes = { verified: 0 };
  // The real hasher with argon2id's smallest parameters (./hasher.ts): the nodes' behaviour does not depend on its cost.
  const real = lightHasher();
  const hasher: PasswordHasher = {
    ...real,
    params: real.params,
    verify: (stored, password) => {
      hashes.verified += 1;
      return real.verify(stored, password);
    },
  };
  const policyService = createPolicyService({
    schema,
    commonPasswords: await (commonPasswords ??= loadCommonPasswords()),
    isUnique: async (resource, property, value, objectId) => {
      const o = await store.objects.findUnique(resource, property, value);
      return !o || o._id === objectId;
    },
    isCurrentPassword: async (resource, objectId, candidate) => {
      const o = await store.objects.read(resource, objectId);
      return typeof o?.password === 'string' && (await real.verify(o.password, candidate));
    },
  });
  const audit: AuditEvent[] = [];
  const auditPort = { record: (event: string, fields: Record<string, unknown>) => void audit.push({ event, fields: structuredClone(fields) }) };
  const identity = createIdentityService({
    objects: store.objects,
    logins: createLoginGuard({
      counters: store.counters,
      perAccount: options.attemptBudget ?? 5,
      perClient: 20,
      windowMs: 15 * 60_000,
      now: clock.now,
    }),
    hasher,
    policy: policyService,
    schema,
    audit: auditPort,
    now: clock.now,
  });
  const checks: RecordedCheck[] = [];
  const policy: PolicyPort = {
    describe: (resource, property) => policyService.describe(resource, property),
    check: (resource, property, value, context) => {
      checks.push({ resource, property, value, context: structuredClone(context) });
      return policyService.check(resource, property, value, context);
    },
  };
  const sessions = createSessionService({ store: store.sessions, idleMs: 30 * 60_000, maxMs: 120 * 60_000, now: clock.now });
  const admins = createAdminService({
    objects: store.objects,
    hasher,
    checkPassword: (r, l, p, c) => identity.checkPassword(r, l, p, c),
    now: clock.now,
  });
  const keystore = await openKeystore({ dir: join(dir, 'keys'), now: clock.now });
  const services: NodeServices = {
    now: clock.now,
    schema,
    policy,
    identity,
    counters: store.counters,
    mailLimits: { ...TEST_MAIL_LIMITS, ...options.mailLimits },
    sessions: {
      async properties(ssoTokenId) {
        const live = await sessions.validate(ssoTokenId);
        return live ? amSessionProperties(live) : undefined;
      },
      operator: operatorReader(sessions, admins),
    },
    credentialResets: createResetGuard({
      protectedTargets: options.protectedTargets ?? {},
      identity,
      isAdministrator: (name) => admins.exists(name),
      audit: auditPort,
    }),
    tokens: createTokenSigner(keystore, clock.now),
    terms: options.terms ?? TEST_TERMS,
    kba: createKbaService({ config: { ...TEST_KBA, ...options.kba }, hasher, counters: store.counters }),
    debugNodes: options.debugNodes ?? false,
  };
  let closed = false;
  const testbed: NodeTestbed = {
    clock,
    store,
    identity,
    admins,
    sessions,
    services,
    checks,
    audit,
    hashes,
    stored: (id) => store.objects.read(USER_RESOURCE, id),
    async seed(user) {
      const { password, ...rest } = structuredClone(user);
      if (password !== undefined && !seededHashes.has(password)) seededHashes.set(password, real.hash(password));
      await store.objects.create(USER_RESOURCE, password === undefined ? rest : { ...rest, password: await seededHashes.get(password) });
    },
    async close() {
      if (closed) return;
      closed = true;
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  for (const user of options.users ?? []) await testbed.seed(user);
  try {
    onTestFinished(() => testbed.close());
  } catch {
    // Made outside a test (beforeAll): the caller closes it.
  }
  return testbed;
}

/** One testbed for the tests of a describe block: made before them, closed after them. */
export function blockTestbed(options: TestbedOptions = {}): {
  readonly testbed: NodeTestbed;
  /** A context on the block's testbed (or on `testbed`). */
  context<C>(init: NodeContextInit<C>, testbed?: NodeTestbed): NodeContext<C>;
} {
  let made: NodeTestbed | undefined;
  beforeAll(async () => void (made = await createNodeTestbed(options)));
  afterAll(() => made?.close());
  const current = (): NodeTestbed => {
    if (!made) throw new Error('The block testbed is made before the first test of its block.');
    return made;
  };
  return {
    get testbed() {
      return current();
    },
    context: (init, testbed = current()) => makeNodeContext({ services: testbed.services, ...init }),
  };
}

export interface NodeContextInit<C> {
  config: C;
  /** The services of a testbed; nodes that reach no service may leave them out. */
  services?: NodeServices;
  callbacks?: Callback[];
  shared?: Record<string, unknown>;
  transient?: Record<string, unknown>;
  local?: Record<string, unknown>;
  session?: SessionDraft;
  locales?: string[];
  nodeId?: string;
  resumed?: boolean;
  journey?: Partial<NodeContext['journey']>;
  request?: Partial<RequestInfo>;
}

/** Services for a node that must not reach any: every use fails the test, naming the port. */
const NO_SERVICES: NodeServices = new Proxy({} as NodeServices, {
  get: (_target, port) => {
    throw new Error(`This node test gave the node no services, but it used "${String(port)}": pass a testbed's services.`);
  },
});

export function makeNodeContext<C>(init: NodeContextInit<C>): NodeContext<C> {
  const locales = init.locales ?? ['en'];
  return {
    nodeId: init.nodeId ?? 'node-under-test',
    config: init.config,
    shared: init.shared ?? {},
    transient: init.transient ?? {},
    local: init.local ?? {},
    session: init.session ?? { properties: {} },
    callbacks: init.callbacks,
    resumed: init.resumed ?? false,
    journey: { id: 'TestJourney', identityResource: DEFAULT_IDENTITY_RESOURCE, noSession: false, ...init.journey },
    request: { headers: {}, query: {}, ...init.request },
    services: init.services ?? NO_SERVICES,
    locales,
    localize: (text, fallback) => localize(text, locales, fallback),
    processChild: async (): Promise<NodeResult> => {
      throw new Error('processChild is not available in a single-node test');
    },
  };
}

const configAjv = new Ajv({ allErrors: true, useDefaults: true, strict: true });
/** Each descriptor's config validator, compiled once (compiling is most of a node test's time). */
const configValidators = new WeakMap<NodeDescriptor, ValidateFunction>();

/** `config` validated against the node's schema with defaults applied; throws listing the errors. */
export function configFor<C>(descriptor: NodeDescriptor<C>, config: Record<string, unknown> = {}): C {
  let validate = configValidators.get(descriptor);
  if (validate === undefined) {
    validate = configAjv.compile(descriptor.configSchema);
    configValidators.set(descriptor, validate);
  }
  const copy = structuredClone(config);
  if (!validate(copy)) throw new Error(`Invalid ${descriptor.type} config: ${configAjv.errorsText(validate.errors)}`);
  return copy as C;
}

/** The callbacks of a `callbacks` result, failing the test otherwise. */
export function callbacksOf(result: NodeResult): Callback[] {
  if (result.kind !== 'callbacks') throw new Error(`Expected callbacks, got ${JSON.stringify(result)}`);
  return result.callbacks;
}

/** The audit effects of a result, as `[event, fields]`. */
export function auditsOf(result: NodeResult): AuditEvent[] {
  return (result.effects ?? []).filter((e: Effect): e is AuditEffect => e.type === 'audit').map(({ event, fields }) => ({ event, fields }));
}

/** The mail effects of a result. */
export function mailsOf(result: NodeResult): MailEffect[] {
  return (result.effects ?? []).filter((e: Effect): e is MailEffect => e.type === 'mail');
}

/**
 * Plays the client: numbers the sent callbacks as the engine does, sends them through JSON, sets the
 * inputs named in `values` (e.g. `{IDToken1: 'alice', IDToken1validateOnly: true}`), and returns what
 * the engine would give the node after `verifyReturned`.
 */
export function clientAnswer(sent: Callback[], values: Record<string, unknown>): Callback[] {
  const numbered = numberCallbacks(sent);
  const wire = JSON.parse(JSON.stringify(numbered)) as Callback[];
  const unused = new Set(Object.keys(values));
  for (const cb of wire) {
    for (const input of cb.input ?? []) {
      if (Object.hasOwn(values, input.name)) {
        input.value = values[input.name];
        unused.delete(input.name);
      }
    }
  }
  if (unused.size > 0) throw new Error(`No such inputs: ${[...unused].join(', ')}`);
  return verifyReturned(numbered, wire);
}
