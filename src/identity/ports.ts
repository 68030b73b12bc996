/**
 * The identity domain's ports, as journeys and the admin API see them: managed objects, the
 * managed-object schema, password and attribute policies, the identity service, and the store
 * counters the identity service keeps its attempt budget in (nodes count retries and e-mails in them
 * too). Implemented by identity-service.ts, schema.ts, policy.ts and the store.
 */
import type { FilterNode } from '../crest/query-filter.js';

/** One failed policy, as AM puts it (JSON-encoded) into `failedPolicies`. */
export interface PolicyFailure {
  policyRequirement: string;
  params?: Record<string, unknown>;
}

/** A property of a managed object, from the IDM-style managed-object schema. */
export interface ManagedProperty {
  /** Path with `/` for nested properties, e.g. `preferences/marketing`. */
  name: string;
  type: 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';
  /** A text, or locale → text (IDM's localised schema titles); resolved per request with `ctx.localize`. */
  title?: string | Record<string, string>;
  description?: string | Record<string, string>;
  required: boolean;
  /** True when the schema type admits null (`["string","null"]`). */
  nullable: boolean;
  viewable: boolean;
  userEditable: boolean;
}

export interface IdentitySchemaPort {
  /** The property at `path` of the managed object `resource` (e.g. `managed/user`), if declared. */
  property(resource: string, path: string): ManagedProperty | undefined;
  /** Names of the required properties of `resource`. */
  requiredProperties(resource: string): string[];
}

export interface PolicyContext {
  /** The object being changed, when known (`sharedState._id`), for user-specific checks. */
  objectId?: string;
  /** Attributes collected so far (`objectAttributes` of shared + transient state), for context words. */
  attributes: Record<string, unknown>;
}

export interface PolicyPort {
  /** AM's `policies` output for a property: the IDM validation-requirements object, or `{}` when none. */
  describe(resource: string, property: string): Record<string, unknown>;
  /** Every failed policy for `value`, all at once (empty when it passes). */
  check(resource: string, property: string, value: unknown, context: PolicyContext): Promise<PolicyFailure[]>;
}

/** A managed object as the identity service returns it (never with its password hash). */
export interface ManagedObject {
  _id: string;
  _rev?: string;
  [attribute: string]: unknown;
}

/** The outcome of a credential check. `throttled`: an attempt budget is spent; nothing was evaluated. */
export type PasswordCheck = 'match' | 'mismatch' | 'throttled';

/** A password check's verdict, with the account on a match. */
export type CredentialCheck = { verdict: 'match'; object: ManagedObject } | { verdict: 'mismatch' } | { verdict: 'throttled' };

/** Who is asking, as far as attempt budgets care: the client address and the device cookie it sent. */
export interface LoginClient {
  clientIp?: string;
  /** The value of the device cookie (src/am/cookies.ts), set when a client signs in. */
  deviceCookie?: string;
}

/**
 * The progress of a credential reset, kept on the user (`credentialReset`, midPoint's "progress stored
 * in the user object"): which method, who asked and when, until when, how often the nonce was
 * presented, and where it stands. The nonce itself is kept only as its SHA-256. Removed when the
 * password changes (the reset completed) and when it expires or its attempts are spent.
 */
export interface CredentialResetRecord {
  method: string;
  credentialId: string;
  requestedBy: string;
  requestedAt: string;
  expiresAt: string;
  attempts: number;
  maxAttempts: number;
  state: 'requested' | 'in-progress';
  nonceHash: string;
}

/** A problem the identity service reports with a message fit for the user (policy failure, conflict). */
export interface IdentityFailure {
  message: string;
  failedPolicies?: PolicyFailure[];
}

export interface IdentityPort {
  /**
   * The one object of `resource` whose `attribute` equals `value` (unique attributes such as userName
   * and mail compare case-insensitively); undefined when there is none or more than one.
   */
  findByAttribute(resource: string, attribute: string, value: string): Promise<ManagedObject | undefined>;
  read(resource: string, id: string): Promise<ManagedObject | undefined>;
  /** The one object of `resource` matching `filter`; undefined when none or several match (IDM's userQuery). */
  findOne(resource: string, filter: FilterNode): Promise<ManagedObject | undefined>;
  /**
   * Sets the given attributes (nested objects merge; a `password` is policy-checked and hashed).
   * Resolves to the updated object, or to an IdentityFailure the journey can show.
   */
  update(resource: string, id: string, attributes: Record<string, unknown>): Promise<ManagedObject | IdentityFailure>;
  create(resource: string, attributes: Record<string, unknown>): Promise<ManagedObject | IdentityFailure>;
  /**
   * Checks `password` for the one object whose `login.attribute` equals `login.value`, under the
   * attempt budgets of `client` (src/identity/login-guard.ts): at most the budget's failures are
   * ever evaluated, however many checks run at once; a correct password is never refused for
   * concurrency. An unknown login, a wrong password and a spent budget cost the same and all answer
   * `mismatch` or `throttled`; only a match returns the object.
   */
  checkPassword(resource: string, login: { attribute: string; value: string }, password: string, client?: LoginClient): Promise<CredentialCheck>;
  /** The same check for the object `id` (undefined: an unknown user, which never matches). */
  verifyPassword(resource: string, id: string | undefined, password: string, client?: LoginClient): Promise<PasswordCheck>;
  /** True when the object matches the CREST query filter (Query Filter Decision). */
  matches(resource: string, id: string, queryFilter: string): Promise<boolean>;
  /** Records a successful login on the object (login count, last login time). */
  recordLogin(resource: string, id: string): Promise<void>;
  /**
   * Takes the credential-reset context whose nonce hashes to `nonceHash`, once (a conditional write
   * moves it from `requested` to `in-progress`): the user, or undefined when there is none, it was
   * taken, it expired or its attempts are spent (then the record is removed).
   */
  takeCredentialReset(resource: string, nonceHash: string): Promise<ManagedObject | undefined>;
}

/** Counters kept in the store, exact across processes and instances (attempt budgets, retry and rate limits). */
export interface CounterPort {
  /** Atomically adds one to `key` and returns the new count; the count restarts after `windowMs`. */
  increment(key: string, windowMs: number): Promise<number>;
  get(key: string): Promise<number>;
  reset(key: string): Promise<void>;
}
