/**
 * Managed users: the one place that reads and writes them, for journeys (IdentityPort) and the
 * admin API alike. Passwords are policy-checked and stored only as argon2id hashes, never returned;
 * a password change revokes the user's sessions, clears their attempt budget, sends the
 * "password changed" e-mail and is audited. Password checks spend an attempt budget reserved
 * atomically in the store before any evaluation, so concurrent guesses cannot exceed it.
 */
import { CairnError } from '../errors/cairn-error.js';
import { storedHashOf } from './legacy-hashes.js';
import type { AuditPort } from '../audit/audit-log.js';
import type { MailPort } from '../mail/types.js';
import type { CounterPort, IdentityFailure, IdentityPort, ManagedObject, PasswordCheck } from './ports.js';
import type { PasswordHasher } from './passwords.js';
import type { FailedPolicyRequirement, PolicyService } from './policy.js';
import { matchesFilter, parseQueryFilter, type FilterNode } from '../crest/query-filter.js';
import type { ManagedSchema } from './schema.js';

/** A stored object: the managed object plus its password hash. */
export type StoredObject = ManagedObject & { password?: string };

export interface QueryOptions {
  pageSize?: number;
  pagedResultsCookie?: string;
  sortKeys?: string[];
  totalPagedResultsPolicy?: 'NONE' | 'EXACT';
}

export interface QueryPage {
  result: StoredObject[];
  pagedResultsCookie: string | null;
  totalPagedResults: number;
}

/** What the identity service needs from a store (see src/stores/). */
export interface ObjectStorePort {
  /** Creates the object (with `_id` when given); throws a 409 CairnError on a unique-key clash. */
  create(resource: string, object: Record<string, unknown>): Promise<StoredObject>;
  read(resource: string, id: string): Promise<StoredObject | undefined>;
  /** The object whose unique `field` equals `value`, compared case-insensitively. */
  findUnique(resource: string, field: string, value: string): Promise<StoredObject | undefined>;
  query(resource: string, filter: FilterNode, options: QueryOptions): Promise<QueryPage>;
  /** Replaces the object when its `_rev` is `ifRev` (any when undefined); 412 CairnError otherwise, 409 on a unique clash. */
  replace(resource: string, id: string, object: Record<string, unknown>, ifRev?: string): Promise<StoredObject>;
  /** Deletes the object (when its `_rev` is `ifRev`); undefined when it did not exist. */
  delete(resource: string, id: string, ifRev?: string): Promise<StoredObject | undefined>;
}

export interface IdentityServiceDeps {
  objects: ObjectStorePort;
  counters: CounterPort;
  hasher: PasswordHasher;
  policy: PolicyService;
  schema: ManagedSchema;
  audit: AuditPort;
  mail?: MailPort;
  /** Ends every session of a user (after a password change). */
  revokeSessions?: (subject: string) => Promise<number>;
  attempts: { max: number; windowMs: number };
  now: () => number;
}

export interface IdentityService extends IdentityPort {
  /** The public view: without the password hash. */
  publicView(object: StoredObject): ManagedObject;
  /**
   * Admin create: checks every policy at once; 403 CairnError with failedPolicyRequirements otherwise.
   * `passwordHash`: an imported hash (argon2id or a format of legacy-hashes.ts, checked by `storedHashOf`),
   * stored as is instead of a password: the user signs in with the password it was made from.
   */
  createObject(resource: string, attributes: Record<string, unknown>, options?: { passwordHash?: string }): Promise<ManagedObject>;
  readObject(resource: string, id: string): Promise<ManagedObject | undefined>;
  queryObjects(
    resource: string,
    filter: FilterNode,
    options: QueryOptions,
  ): Promise<{ result: ManagedObject[]; pagedResultsCookie: string | null; totalPagedResults: number }>;
  /** Admin replace of the whole object with `_rev` concurrency. */
  replaceObject(resource: string, id: string, attributes: Record<string, unknown>, ifRev?: string): Promise<ManagedObject>;
  deleteObject(resource: string, id: string, ifRev?: string): Promise<ManagedObject | undefined>;
  /** Looks a user up by userName or mail. */
  findUser(resource: string, login: string): Promise<ManagedObject | undefined>;
}

export const attemptKey = (resource: string, id: string): string => `login-attempts:${resource}:${id}`;

function policyFailure(failed: FailedPolicyRequirement[]): CairnError {
  return new CairnError({
    status: 403,
    code: 'policy.failed',
    message: 'Policy validation failed',
    detail: { result: false, failedPolicyRequirements: failed },
  });
}

function deepMerge(target: Record<string, unknown>, changes: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [k, v] of Object.entries(changes)) {
    const cur = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)
        ? deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

export function createIdentityService(deps: IdentityServiceDeps): IdentityService {
  const { objects, counters, hasher, policy, schema, audit } = deps;
  const filters = new Map<string, FilterNode>();

  /** Without the hash; `passwordSet` tells whether there is one (Attribute Present Decision). */
  const publicView = (o: StoredObject): ManagedObject => {
    const { password, ...rest } = o;
    return { ...rest, passwordSet: typeof password === 'string' && password.length > 0 };
  };

  /**
   * Checks the policies of the attributes being set (all failures at once) and hashes a new password.
   * `replace`: the changes are the whole new object (admin PUT) rather than merged into the current one;
   * an omitted password keeps the stored hash either way.
   */
  async function prepare(
    resource: string,
    current: StoredObject | undefined,
    input: Record<string, unknown>,
    replace = false,
  ): Promise<{ stored: Record<string, unknown>; failed: FailedPolicyRequirement[] }> {
    const { passwordSet: _computed, ...changes } = input;
    void _computed; // computed on read, never stored
    const { passwordSet, ...base } = current && !replace ? publicView(current) : ({} as Record<string, unknown>);
    void passwordSet;
    const merged = deepMerge(base, changes);
    const context = { ...(current?._id ? { objectId: current._id } : {}), attributes: merged };
    const failed: FailedPolicyRequirement[] = [];
    if (!current || replace) {
      failed.push(...(await policy.checkObject(resource, merged, context)));
    } else {
      for (const [name, value] of Object.entries(changes)) {
        if (!schema.property(resource, name)) continue;
        const f = await policy.check(resource, name, value, context);
        if (f.length) failed.push({ property: name, policyRequirements: f });
      }
    }
    if (failed.length) return { stored: merged, failed };
    const stored: Record<string, unknown> = { ...merged };
    if (typeof changes.password === 'string') stored.password = await hasher.hash(changes.password);
    else if (current?.password) stored.password = current.password;
    return { stored, failed };
  }

  /** Ends every session of the object, whether a session names it by `_id` or by userName. */
  async function revokeAll(object: StoredObject): Promise<number> {
    if (!deps.revokeSessions) return 0;
    const byId = await deps.revokeSessions(object._id);
    return byId + (typeof object.userName === 'string' ? await deps.revokeSessions(object.userName) : 0);
  }

  async function afterPasswordChange(resource: string, object: StoredObject): Promise<void> {
    await counters.reset(attemptKey(resource, object._id));
    const revoked = await revokeAll(object);
    audit.record('password.changed', { resource, userId: object._id });
    audit.record('sessions.revoked', { resource, userId: object._id, count: revoked });
    if (deps.mail && typeof object.mail === 'string' && object.mail) {
      const prefs = object.preferences as { locale?: unknown } | undefined;
      deps.mail.enqueue({
        template: 'passwordChanged',
        to: object.mail,
        locales: typeof prefs?.locale === 'string' ? [prefs.locale] : [],
        object: { givenName: object.givenName ?? '', sn: object.sn ?? '', userName: object.userName ?? '', mail: object.mail },
      });
    }
  }

  /**
   * The one way an existing object is written, for journeys and the admin API alike: policies, the
   * password hash, the lockout rule, the conditional write, and what follows a password or status change.
   * `replace`: the attributes are the whole new object (admin PUT) rather than changes merged in.
   */
  async function save(
    resource: string,
    current: StoredObject,
    attributes: Record<string, unknown>,
    options: { replace: boolean; ifRev: string | undefined },
  ): Promise<{ saved: StoredObject } | { failed: FailedPolicyRequirement[] }> {
    const changes = { ...attributes };
    delete changes._id;
    delete changes._rev;
    const { stored, failed } = await prepare(resource, current, changes, options.replace);
    if (failed.length) return { failed };
    // A new password ends a lockout (Account Lockout after failed sign-ins), never an administrator's deactivation.
    const passwordChanged = typeof changes.password === 'string';
    // (A whole-object write carries the unchanged status along: only a status the write changes counts.)
    const statusKept = changes.accountStatus === undefined || changes.accountStatus === current.accountStatus;
    const endsLockout =
      passwordChanged && statusKept && current.accountStatus === 'inactive' && typeof current.lockoutAt === 'string' && current.lockoutAt !== '';
    if (endsLockout) {
      stored.accountStatus = 'active';
      stored.lockoutAt = null;
    }
    const saved = await objects.replace(resource, current._id, stored, options.ifRev);
    if (passwordChanged) await afterPasswordChange(resource, saved);
    if (saved.accountStatus === 'inactive' && current.accountStatus !== 'inactive') audit.record('account.locked', { resource, userId: saved._id });
    if (saved.accountStatus === 'active' && current.accountStatus === 'inactive') {
      audit.record('account.unlocked', { resource, userId: saved._id, ...(endsLockout ? { reason: 'password-reset' } : {}) });
    }
    return { saved };
  }

  /**
   * A journey writing back the password the user has (Login's inner ProgressiveProfile patches every
   * collected attribute, the typed password included, as AM's does) changes nothing: no new hash, no
   * revoked sessions, no "password changed" e-mail. A locked-out account keeps it, so a reset unlocks.
   */
  async function withoutUnchangedPassword(current: StoredObject, attributes: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { password, ...rest } = attributes;
    const lockedOut = current.accountStatus === 'inactive' && typeof current.lockoutAt === 'string' && current.lockoutAt !== '';
    if (typeof password !== 'string' || typeof current.password !== 'string' || lockedOut) return attributes;
    return (await hasher.verify(current.password, password)) ? rest : attributes;
  }

  async function update(resource: string, id: string, attributes: Record<string, unknown>): Promise<ManagedObject | IdentityFailure> {
    const current = await objects.read(resource, id);
    if (!current) return { message: 'The account no longer exists.' };
    let result;
    try {
      result = await save(resource, current, await withoutUnchangedPassword(current, attributes), { replace: false, ifRev: current._rev });
    } catch (e) {
      if (e instanceof CairnError && (e.status === 409 || e.status === 412))
        return { message: e.status === 409 ? e.message : 'The account changed meanwhile; try again.' };
      throw e;
    }
    if ('failed' in result) return { message: 'Policy validation failed', failedPolicies: result.failed.flatMap((f) => f.policyRequirements) };
    return publicView(result.saved);
  }

  const service: IdentityService = {
    publicView,

    async findByAttribute(resource, attribute, value) {
      if (!value) return undefined;
      const unique = schema.uniqueProperties(resource);
      if (unique.includes(attribute)) {
        const o = await objects.findUnique(resource, attribute, value);
        return o ? publicView(o) : undefined;
      }
      const page = await objects.query(resource, { op: 'eq', field: attribute.split('/'), value }, { pageSize: 2 });
      return page.result.length === 1 ? publicView(page.result[0] as StoredObject) : undefined;
    },

    async read(resource, id) {
      const o = await objects.read(resource, id);
      return o ? publicView(o) : undefined;
    },

    update,

    async create(resource, attributes) {
      try {
        return await service.createObject(resource, attributes);
      } catch (e) {
        if (e instanceof CairnError && (e.status === 403 || e.status === 409)) {
          const failed = (e.detail?.failedPolicyRequirements as FailedPolicyRequirement[] | undefined) ?? [];
          return { message: e.message, failedPolicies: failed.flatMap((f) => f.policyRequirements) };
        }
        throw e;
      }
    },

    async verifyPassword(resource, id, password): Promise<PasswordCheck> {
      if (!id) {
        await hasher.verifyDummy(password);
        return 'mismatch';
      }
      // Reserve an attempt before evaluating: concurrent guesses each take one, and only the
      // first `max` are ever evaluated.
      const attempt = await counters.increment(attemptKey(resource, id), deps.attempts.windowMs);
      if (attempt > deps.attempts.max) {
        audit.record('login.throttled', { resource, userId: id, attempt });
        return 'throttled';
      }
      const current = await objects.read(resource, id);
      if (!current || typeof current.password !== 'string') {
        await hasher.verifyDummy(password);
        return 'mismatch';
      }
      if (!(await hasher.verify(current.password, password))) {
        audit.record('login.failed', { resource, userId: id, attempt });
        return 'mismatch';
      }
      await counters.reset(attemptKey(resource, id));
      if (hasher.needsRehash(current.password)) {
        // Parameters rose since this hash was made: store a fresh one (best effort).
        const rehashed = await hasher.hash(password);
        await objects.replace(resource, id, { ...current, password: rehashed }, current._rev).catch(() => undefined);
      }
      return 'match';
    },

    async matches(resource, id, queryFilter) {
      let filter = filters.get(queryFilter);
      if (!filter) {
        filter = parseQueryFilter(queryFilter);
        filters.set(queryFilter, filter);
      }
      const o = await objects.read(resource, id);
      return o ? matchesFilter(filter, publicView(o)) : false;
    },

    async recordLogin(resource, id) {
      const current = await objects.read(resource, id);
      if (!current) return;
      const loginCount = typeof current.loginCount === 'number' ? current.loginCount + 1 : 1;
      await objects
        .replace(resource, id, { ...current, loginCount, lastLogin: new Date(deps.now()).toISOString() }, current._rev)
        .catch(() => undefined);
    },

    async createObject(resource, attributes, options = {}) {
      if (!schema.hasResource(resource))
        throw new CairnError({ status: 404, code: 'resource.unknown', message: `No managed object type ${resource}` });
      const imported = options.passwordHash === undefined ? undefined : storedHashOf(options.passwordHash);
      if (imported && 'problem' in imported)
        throw new CairnError({ status: 400, code: 'password_hash_invalid', message: `The password hash is refused: ${imported.problem}.` });
      if (imported && attributes.password !== undefined)
        throw new CairnError({ status: 400, code: 'password_hash_invalid', message: 'Give a password or a password hash, not both.' });
      const changes = { ...attributes };
      delete changes.passwordSet;
      delete changes._rev;
      const id = typeof changes._id === 'string' ? changes._id : undefined;
      delete changes._id;
      if (changes.accountStatus === undefined && schema.property(resource, 'accountStatus')) changes.accountStatus = 'active';
      const { stored, failed } = await prepare(resource, undefined, changes);
      if (failed.length) throw policyFailure(failed);
      if (imported) stored.password = imported.stored;
      const saved = await objects.create(resource, id ? { ...stored, _id: id } : stored);
      return publicView(saved);
    },

    async readObject(resource, id) {
      return service.read(resource, id);
    },

    async queryObjects(resource, filter, options) {
      if (!schema.hasResource(resource))
        throw new CairnError({ status: 404, code: 'resource.unknown', message: `No managed object type ${resource}` });
      const page = await objects.query(resource, filter, options);
      return { ...page, result: page.result.map(publicView) };
    },

    async replaceObject(resource, id, attributes, ifRev) {
      const current = await objects.read(resource, id);
      if (!current) throw new CairnError({ status: 404, code: 'object.not_found', message: 'Not Found' });
      if (ifRev !== undefined && ifRev !== '*' && current._rev !== ifRev) {
        throw new CairnError({ status: 412, code: 'object.rev', message: 'Precondition Failed' });
      }
      const result = await save(resource, current, attributes, { replace: true, ifRev: ifRev === '*' ? undefined : (ifRev ?? current._rev) });
      if ('failed' in result) throw policyFailure(result.failed);
      return publicView(result.saved);
    },

    async deleteObject(resource, id, ifRev) {
      const gone = await objects.delete(resource, id, ifRev);
      if (gone) await revokeAll(gone);
      return gone ? publicView(gone) : undefined;
    },

    async findUser(resource, login) {
      return (await service.findByAttribute(resource, 'userName', login)) ?? (await service.findByAttribute(resource, 'mail', login));
    },
  };
  return service;
}
