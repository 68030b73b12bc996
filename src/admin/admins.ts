/**
 * Administrator identities: records of their own (`internal/admin` in the object store), apart from
 * the managed users, so an end user's account can never be one. Each has a userName, an argon2id
 * password hash and its roles. The operator creates the first one (`cairn admins create`, or
 * CAIRN_ADMIN_USERNAME / CAIRN_ADMIN_PASSWORD on a first start); administrators sign in through the
 * built-in administrators' journey (admin-journey.ts), whose password checks spend the same attempt
 * budgets as end users' (the identity service's checkPassword on this resource: the account's, named
 * by the name typed when there is no such administrator, and the client address's).
 */
import { createHash } from 'node:crypto';
import { CairnError } from '../errors/cairn-error.js';
import type { PasswordHasher } from '../identity/passwords.js';
import type { CredentialCheck, LoginClient } from '../identity/ports.js';
import type { ManagedObjectStore as ObjectStore, StoredObject } from '../stores/types.js';
import { isRole, ROLES, type Role } from './roles.js';

export const ADMIN_RESOURCE = 'internal/admin';
/** The unique keys of the administrators' records, for the store's opener. */
export const ADMIN_UNIQUE_KEYS: Readonly<Record<string, string[]>> = { [ADMIN_RESOURCE]: ['userName'] };

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export interface Admin {
  _id: string;
  userName: string;
  roles: Role[];
}

export interface AdminService {
  create(userName: string, password: string, roles?: readonly string[]): Promise<Admin>;
  list(): Promise<Admin[]>;
  /** The roles of an administrator by `_id`; empty when there is none (deleted since). */
  rolesOf(id: string): Promise<Role[]>;
  /** Whether an administrator has this name (compared as userName is: case-insensitively). */
  exists(userName: string): Promise<boolean>;
  setPassword(userName: string, password: string): Promise<void>;
  remove(userName: string): Promise<boolean>;
  /**
   * The administrator these credentials sign in (with the admin role's holders' roles), or undefined;
   * each check spends the attempt budgets of the account and of `client` (its address), like an end
   * user's password check (src/identity/login-guard.ts).
   */
  verify(userName: string, password: string, client?: LoginClient): Promise<Admin | undefined>;
  /** Creates the first administrator when there is none yet; false when one exists (nothing changes). */
  bootstrap(userName: string, password: string): Promise<boolean>;
}

const view = (o: StoredObject): Admin => ({
  _id: o._id,
  userName: String(o.userName),
  roles: (Array.isArray(o.roles) ? o.roles : []).filter(isRole),
});

const refused = (message: string): CairnError => new CairnError({ status: 400, code: 'admin.invalid', message });

export interface AdminServiceDeps {
  objects: ObjectStore;
  hasher: PasswordHasher;
  /** The identity service's attempt-limited password check (IdentityPort.checkPassword). */
  checkPassword: (resource: string, login: { attribute: string; value: string }, password: string, client?: LoginClient) => Promise<CredentialCheck>;
  now: () => number;
}

export function createAdminService(deps: AdminServiceDeps): AdminService {
  const { objects, hasher } = deps;
  const all = async (): Promise<StoredObject[]> => (await objects.query(ADMIN_RESOURCE, { op: 'true' }, { pageSize: 1000 })).result;
  const byName = (userName: string): Promise<StoredObject | undefined> => objects.findUnique(ADMIN_RESOURCE, 'userName', userName);
  const service: AdminService = {
    async create(userName, password, roles = ['admin']) {
      if (!NAME.test(userName))
        throw refused('An administrator name is 1-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit.');
      const unknown = roles.filter((r) => !isRole(r));
      if (unknown.length) throw refused(`Unknown role ${JSON.stringify(unknown[0])} (known: ${Object.keys(ROLES).join(', ')}).`);
      if (roles.length === 0) throw refused('An administrator needs at least one role.');
      if (await byName(userName))
        throw new CairnError({ status: 409, code: 'admin.exists', message: `The administrator ${userName} exists already.` });
      const stored = await objects.create(ADMIN_RESOURCE, {
        userName,
        password: await hasher.hash(password),
        roles: [...new Set(roles)],
        createdAt: new Date(deps.now()).toISOString(),
      });
      return view(stored);
    },
    async list() {
      return (await all()).map(view).sort((a, b) => a.userName.localeCompare(b.userName));
    },
    async rolesOf(id) {
      const o = await objects.read(ADMIN_RESOURCE, id);
      return o ? view(o).roles : [];
    },
    async exists(userName) {
      return NAME.test(userName) && (await byName(userName)) !== undefined;
    },
    async setPassword(userName, password) {
      const o = await byName(userName);
      if (!o) throw new CairnError({ status: 404, code: 'admin.not_found', message: `There is no administrator ${userName}.` });
      await objects.replace(ADMIN_RESOURCE, o._id, { ...o, password: await hasher.hash(password) }, o._rev);
    },
    async remove(userName) {
      const o = await byName(userName);
      return o ? (await objects.delete(ADMIN_RESOURCE, o._id)) !== undefined : false;
    },
    async verify(userName, password, client) {
      const check = await deps.checkPassword(ADMIN_RESOURCE, { attribute: 'userName', value: userName }, password, client);
      if (check.verdict !== 'match') return undefined;
      const { _id, roles, userName: stored } = check.object;
      return { _id, userName: typeof stored === 'string' ? stored : userName, roles: (Array.isArray(roles) ? roles : []).filter(isRole) };
    },
    async bootstrap(userName, password) {
      if ((await all()).length > 0) return false;
      try {
        await service.create(userName, password, ['admin']);
        return true;
      } catch (e) {
        // Instances (and workers) starting together race to create it: whoever lost finds it there.
        if ((await byName(userName)) !== undefined) return false;
        throw e;
      }
    },
  };
  return service;
}

/**
 * `verify` for APIs that send the credentials with every request (X-OpenIDM-Username / -Password):
 * concurrent requests with the same credentials share one check, and a match is remembered for
 * `ttlMs` (keyed by a hash of name and password, kept in memory only), so a busy client neither
 * spends its attempt budget nor an argon2 hash per request. A failure is never remembered.
 */
export function rememberingVerifier(admins: Pick<AdminService, 'verify'>, now: () => number, ttlMs = 60_000): Pick<AdminService, 'verify'> {
  const checks = new Map<string, { until: number; result: Promise<Admin | undefined> }>();
  return {
    verify(userName, password, client) {
      const key = createHash('sha256').update(userName).update('\0').update(password).digest('base64');
      const t = now();
      for (const [k, c] of checks) if (c.until <= t) checks.delete(k);
      const known = checks.get(key);
      if (known) return known.result;
      const result = admins.verify(userName, password, client);
      checks.set(key, { until: t + ttlMs, result });
      void result.then(
        (admin) => (admin ? undefined : checks.delete(key)),
        () => checks.delete(key),
      );
      return result;
    },
  };
}
