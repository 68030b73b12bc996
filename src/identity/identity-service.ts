/**
 * Managed users: the one place that reads and writes them, for journeys (IdentityPort) and the
 * admin API alike. Passwords are policy-checked and stored only as argon2id hashes, never returned,
 * filtered, sorted or selected on. A password change revokes the user's sessions, starts their
 * attempt budgets afresh, sends the "password changed" e-mail and is audited; deactivating or
 * deleting a user revokes their sessions too. Password checks run under the attempt budgets of
 * login-guard.ts, and an unknown user, a wrong password and a spent budget do the same work.
 */
import { CairnError } from '../errors/cairn-error.js';
import { storedHashOf } from './legacy-hashes.js';
import type { AuditPort } from '../audit/audit-log.js';
import type { MailPort } from '../mail/types.js';
import { pseudonym } from '../audit/pseudonym.js';
import type { CredentialCheck, CredentialResetRecord, IdentityFailure, IdentityPort, LoginClient, ManagedObject } from './ports.js';
import type { AccountRef, LoginGuard } from './login-guard.js';
import type { PasswordHasher } from './passwords.js';
import type { FailedPolicyRequirement, PolicyService } from './policy.js';
import { fieldsOf, matchesFilter, parseQueryFilter, type FilterNode } from '../crest/query-filter.js';
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
  /** The attempt budgets password checks run under. */
  logins: LoginGuard;
  hasher: PasswordHasher;
  policy: PolicyService;
  schema: ManagedSchema;
  audit: AuditPort;
  mail?: MailPort;
  /** Ends every session of a user (after a password change, a deactivation or a deletion). */
  revokeSessions?: (subject: string) => Promise<number>;
  now: () => number;
}

export interface IdentityService extends IdentityPort {
  /** The public view: without the password hash (and, given the resource, other unreadable fields). */
  publicView(object: StoredObject, resource?: string): ManagedObject;
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
  /**
   * A credential reset started by someone (midPoint's executeCredentialsReset): the new password
   * through the one save path (policy, hash, sessions revoked, "password changed" mail), optionally
   * marked must-change, audited as `credential.reset` with requester, target and method. Resolves to
   * the user, or to the failed policies (nothing written).
   */
  resetPassword(
    resource: string,
    id: string,
    password: string,
    reset: { requester: string; method: string; forceChange: boolean },
  ): Promise<{ user: ManagedObject } | { failedPolicies: FailedPolicyRequirement[] } | undefined>;
  /**
   * Starts a credential reset's progress record on the user, with a conditional write: `busy` when an
   * unexpired one is there (an expired one is replaced), undefined for an unknown user.
   */
  openCredentialReset(resource: string, id: string, record: CredentialResetRecord): Promise<'opened' | 'busy' | undefined>;
  /**
   * Removes up to `limit` progress records that expired untouched (each a conditional write: a record
   * changed meanwhile is left to the next sweep), auditing `credential.reset.expired`; returns how many went.
   */
  sweepCredentialResets(resource: string, limit: number): Promise<number>;
  /** Looks a user up by userName or mail. */
  findUser(resource: string, login: string): Promise<ManagedObject | undefined>;
  /** Throws a 400 when `fields` (filter fields, sort keys, `_fields`) name a never-readable field; `use` names the parameter. */
  checkReadable(resource: string, fields: readonly string[], use: string): void;
}

/**
 * Set on a user whose next sign-in must choose a new password (Require Password Change, the midPoint
 * façade's `forceChange`); the Login journey checks it. A password change that does not set it clears it.
 */
export const PASSWORD_MUST_CHANGE = 'passwordMustChange';

/** The credential-reset progress record on the user (CredentialResetRecord). */
export const CREDENTIAL_RESET = 'credentialReset';

const resetRecordOf = (o: Record<string, unknown>): CredentialResetRecord | undefined => {
  const r = o[CREDENTIAL_RESET];
  return typeof r === 'object' && r !== null && typeof (r as CredentialResetRecord).nonceHash === 'string' ? (r as CredentialResetRecord) : undefined;
};
const isLive = (r: CredentialResetRecord, now: number): boolean => Date.parse(r.expiresAt) > now && r.attempts < r.maxAttempts;

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
  const { objects, logins, hasher, policy, schema, audit } = deps;
  const filters = new Map<string, FilterNode>();

  /** Without the hash and other unreadable fields; `passwordSet` tells whether there is a hash (Attribute Present Decision). */
  const publicView = (o: StoredObject, resource?: string): ManagedObject => {
    const { password, ...rest } = o;
    if (resource !== undefined) for (const k of schema.unreadableProperties(resource)) delete rest[k];
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
    const { passwordSet, ...base } = current && !replace ? publicView(current, resource) : ({} as Record<string, unknown>);
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
    // Other unreadable fields are write-only: kept unless the write sets them.
    for (const k of schema.unreadableProperties(resource)) if (k !== 'password' && !(k in changes) && current && k in current) stored[k] = current[k];
    return { stored, failed };
  }

  /** Ends every session of the object, whether a session names it by `_id` or by userName. */
  async function revokeAll(object: StoredObject): Promise<number> {
    if (!deps.revokeSessions) return 0;
    const byId = await deps.revokeSessions(object._id);
    return byId + (typeof object.userName === 'string' ? await deps.revokeSessions(object.userName) : 0);
  }

  async function afterPasswordChange(resource: string, object: StoredObject): Promise<void> {
    await logins.forget(resource, object._id);
    const revoked = await revokeAll(object);
    audit.record('password.changed', { resource, userId: object._id });
    audit.record('sessions.revoked', { resource, userId: object._id, count: revoked, reason: 'password-changed' });
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
    if (passwordChanged && changes[PASSWORD_MUST_CHANGE] === undefined) delete stored[PASSWORD_MUST_CHANGE];
    // A new password completes a credential reset in progress: its record goes.
    const completedReset = passwordChanged ? resetRecordOf(current) : undefined;
    if (completedReset) delete stored[CREDENTIAL_RESET];
    if (endsLockout) {
      stored.accountStatus = 'active';
      stored.lockoutAt = null;
    }
    const saved = await objects.replace(resource, current._id, stored, options.ifRev);
    if (passwordChanged) await afterPasswordChange(resource, saved);
    if (completedReset?.state === 'in-progress') {
      audit.record('credential.reset.completed', {
        resource,
        userId: saved._id,
        requester: completedReset.requestedBy,
        method: completedReset.method,
      });
    }
    if (saved.accountStatus === 'inactive' && current.accountStatus !== 'inactive') {
      audit.record('account.locked', { resource, userId: saved._id });
      // A deactivated account keeps no session (a password change above already ended them).
      if (!passwordChanged) audit.record('sessions.revoked', { resource, userId: saved._id, count: await revokeAll(saved), reason: 'deactivated' });
    }
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
    const changes = await withoutUnchangedPassword(current, attributes);
    if (current[PASSWORD_MUST_CHANGE] === true && typeof attributes.password === 'string' && changes.password === undefined) {
      // A password marked must-change (a helpdesk or midPoint reset) is not replaced by itself.
      return { message: 'The new password must differ from the one to change.' };
    }
    let result;
    try {
      result = await save(resource, current, changes, { replace: false, ifRev: current._rev });
    } catch (e) {
      if (e instanceof CairnError && (e.status === 409 || e.status === 412))
        return { message: e.status === 409 ? e.message : 'The account changed meanwhile; try again.' };
      throw e;
    }
    if ('failed' in result) return { message: 'Policy validation failed', failedPolicies: result.failed.flatMap((f) => f.policyRequirements) };
    return publicView(result.saved, resource);
  }

  /** The stored object whose `attribute` equals `value` (one read, with its hash), if exactly one. */
  async function findStored(resource: string, attribute: string, value: string): Promise<StoredObject | undefined> {
    if (!value) return undefined;
    if (schema.uniqueProperties(resource).includes(attribute)) return objects.findUnique(resource, attribute, value);
    const page = await objects.query(resource, { op: 'eq', field: attribute.split('/'), value }, { pageSize: 2 });
    return page.result.length === 1 ? page.result[0] : undefined;
  }

  async function checkPassword(
    resource: string,
    login: { attribute: string; value: string },
    password: string,
    client: LoginClient = {},
  ): Promise<CredentialCheck> {
    const stored = await findStored(resource, login.attribute, login.value);
    return checked(resource, stored, stored ? { id: stored._id } : { login: login.value }, password, client);
  }

  /**
   * One password check under the attempt budgets: the same store work, one argon2 run (real or
   * dummy) and one audit event on every path that does not match, so an unknown user, a wrong
   * password and a spent budget cannot be told apart by their answer or its timing.
   */
  async function checked(
    resource: string,
    stored: StoredObject | undefined,
    account: AccountRef,
    password: string,
    client: LoginClient,
  ): Promise<CredentialCheck> {
    const { ticket, trust } = await logins.begin(resource, account, client);
    const who = stored ? { userId: stored._id } : { user: pseudonym('login' in account ? account.login : '') };
    const base = { resource, ...who, trust, ...(client.clientIp ? { clientIp: client.clientIp } : {}) };
    if (!ticket.admitted) {
      await hasher.verifyDummy(password);
      const attempt = await ticket.settle('failure');
      audit.record('login.throttled', { ...base, attempt });
      return { verdict: 'throttled' };
    }
    const hash = stored?.password;
    const match = typeof hash === 'string' && hash !== '' ? await hasher.verify(hash, password) : await hasher.verifyDummy(password);
    if (!match || !stored) {
      const attempt = await ticket.settle('failure');
      audit.record('login.failed', { ...base, attempt, ...(stored ? {} : { reason: 'no-account' }) });
      return { verdict: 'mismatch' };
    }
    await ticket.settle('success');
    if (typeof hash === 'string' && hasher.needsRehash(hash)) {
      // Parameters rose since this hash was made: store a fresh one (best effort).
      const rehashed = await hasher.hash(password);
      await objects.replace(resource, stored._id, { ...stored, password: rehashed }, stored._rev).catch(() => undefined);
    }
    return { verdict: 'match', object: publicView(stored, resource) };
  }

  /** Never-readable fields (the password hash) are never filtered or sorted on either: a 400 naming the field. */
  function checkReadable(resource: string, fields: readonly string[], use: string): void {
    const hidden = schema.unreadableProperties(resource);
    for (const field of fields) {
      const path = field.replace(/^[+-]/, '').replace(/^\/+/, '');
      const refused = hidden.find((h) => path === h || path.startsWith(`${h}/`));
      if (refused !== undefined) {
        throw new CairnError({ status: 400, code: 'query.unreadable_field', message: `${use} cannot name "${refused}": it is never readable.` });
      }
    }
  }

  const service: IdentityService = {
    publicView,

    async findByAttribute(resource, attribute, value) {
      const o = await findStored(resource, attribute, value);
      return o ? publicView(o, resource) : undefined;
    },

    async findOne(resource, filter) {
      const page = await objects.query(resource, filter, { pageSize: 2 });
      return page.result.length === 1 ? publicView(page.result[0] as StoredObject) : undefined;
    },

    async read(resource, id) {
      const o = await objects.read(resource, id);
      return o ? publicView(o, resource) : undefined;
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

    checkPassword,

    async verifyPassword(resource, id, password, client) {
      const stored = id === undefined ? undefined : await objects.read(resource, id);
      const check = await checked(resource, stored, stored ? { id: stored._id } : { login: id ?? '' }, password, client ?? {});
      return check.verdict;
    },

    async matches(resource, id, queryFilter) {
      let filter = filters.get(queryFilter);
      if (!filter) {
        filter = parseQueryFilter(queryFilter);
        filters.set(queryFilter, filter);
      }
      const o = await objects.read(resource, id);
      return o ? matchesFilter(filter, publicView(o, resource)) : false;
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
      return publicView(saved, resource);
    },

    async readObject(resource, id) {
      return service.read(resource, id);
    },

    async queryObjects(resource, filter, options) {
      if (!schema.hasResource(resource))
        throw new CairnError({ status: 404, code: 'resource.unknown', message: `No managed object type ${resource}` });
      checkReadable(
        resource,
        fieldsOf(filter).map((f) => f.join('/')),
        '_queryFilter',
      );
      checkReadable(resource, options.sortKeys ?? [], '_sortKeys');
      const page = await objects.query(resource, filter, options);
      return { ...page, result: page.result.map((o) => publicView(o, resource)) };
    },

    async replaceObject(resource, id, attributes, ifRev) {
      const current = await objects.read(resource, id);
      if (!current) throw new CairnError({ status: 404, code: 'object.not_found', message: 'Not Found' });
      if (ifRev !== undefined && ifRev !== '*' && current._rev !== ifRev) {
        throw new CairnError({ status: 412, code: 'object.rev', message: 'Precondition Failed' });
      }
      const result = await save(resource, current, attributes, { replace: true, ifRev: ifRev === '*' ? undefined : (ifRev ?? current._rev) });
      if ('failed' in result) throw policyFailure(result.failed);
      return publicView(result.saved, resource);
    },

    async deleteObject(resource, id, ifRev) {
      const gone = await objects.delete(resource, id, ifRev);
      if (!gone) return undefined;
      audit.record('sessions.revoked', { resource, userId: gone._id, count: await revokeAll(gone), reason: 'deleted' });
      return publicView(gone, resource);
    },

    checkReadable,
    async resetPassword(resource, id, password, reset) {
      const current = await objects.read(resource, id);
      if (!current) return undefined;
      const changes = { password, ...(reset.forceChange ? { [PASSWORD_MUST_CHANGE]: true } : {}) };
      const result = await save(resource, current, changes, { replace: false, ifRev: current._rev });
      if ('failed' in result) {
        audit.record('credential.reset.refused', { resource, userId: id, requester: reset.requester, method: reset.method, reason: 'policy' });
        return { failedPolicies: result.failed };
      }
      audit.record('credential.reset', { resource, userId: id, requester: reset.requester, method: reset.method, forceChange: reset.forceChange });
      return { user: publicView(result.saved, resource) };
    },

    async openCredentialReset(resource, id, record) {
      const current = await objects.read(resource, id);
      if (!current) return undefined;
      const existing = resetRecordOf(current);
      if (existing && isLive(existing, deps.now())) return 'busy';
      try {
        await objects.replace(resource, id, { ...current, [CREDENTIAL_RESET]: record }, current._rev);
      } catch (e) {
        if (e instanceof CairnError && (e.status === 409 || e.status === 412)) return 'busy';
        throw e;
      }
      audit.record('credential.reset.requested', { resource, userId: id, requester: record.requestedBy, method: record.method });
      return 'opened';
    },

    async sweepCredentialResets(resource, limit) {
      const now = deps.now();
      const due = await objects.query(
        resource,
        { op: 'lt', field: [CREDENTIAL_RESET, 'expiresAt'], value: new Date(now).toISOString() },
        { pageSize: limit, sortKeys: [`${CREDENTIAL_RESET}/expiresAt`] },
      );
      let removed = 0;
      for (const current of due.result) {
        const record = resetRecordOf(current);
        // Only records past their own expiry go (the filter compares strings; the record decides); a
        // malformed one, which no reset can use, goes too.
        if (record && Date.parse(record.expiresAt) > now) continue;
        const next: Record<string, unknown> = { ...current };
        delete next[CREDENTIAL_RESET];
        try {
          await objects.replace(resource, current._id, next, current._rev);
        } catch (e) {
          if (e instanceof CairnError && (e.status === 404 || e.status === 409 || e.status === 412)) continue;
          throw e;
        }
        removed++;
        audit.record('credential.reset.expired', {
          resource,
          userId: current._id,
          ...(record ? { method: record.method, requester: record.requestedBy } : {}),
        });
      }
      return removed;
    },

    async takeCredentialReset(resource, nonceHash) {
      const current = await findStored(resource, `${CREDENTIAL_RESET}/nonceHash`, nonceHash);
      const record = current ? resetRecordOf(current) : undefined;
      if (!current || !record || record.nonceHash !== nonceHash) return undefined;
      const attempts = record.attempts + 1;
      const live = isLive(record, deps.now()) && record.state === 'requested';
      const next: Record<string, unknown> = { ...current };
      if (live) next[CREDENTIAL_RESET] = { ...record, attempts, state: 'in-progress' };
      else if (attempts >= record.maxAttempts || Date.parse(record.expiresAt) <= deps.now()) delete next[CREDENTIAL_RESET];
      else next[CREDENTIAL_RESET] = { ...record, attempts };
      try {
        const saved = await objects.replace(resource, current._id, next, current._rev);
        if (live) return publicView(saved, resource);
      } catch (e) {
        if (e instanceof CairnError && (e.status === 409 || e.status === 412)) return undefined;
        throw e;
      }
      audit.record('credential.reset.refused', {
        resource,
        userId: current._id,
        method: record.method,
        reason: next[CREDENTIAL_RESET] === undefined ? 'expired-or-spent' : 'used',
      });
      return undefined;
    },

    async findUser(resource, login) {
      return (await service.findByAttribute(resource, 'userName', login)) ?? (await service.findByAttribute(resource, 'mail', login));
    },
  };
  return service;
}
