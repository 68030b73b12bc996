/**
 * Who may reset whom, and the one way a reset someone asked for is saved. The credential-reset
 * policy's `protectedTargets` names the users a requester without the `admin` role (a helpdesk
 * operator, a midPoint client with the `helpdesk` role) may not reset:
 * - always, a user who is an administrator: one whose userName or mail is the name of an
 *   administrator identity (`internal/admin`). Administrator identities themselves are apart from
 *   managed users and no reset reaches them; this covers the person behind one, whose end-user
 *   account a helpdesk operator could otherwise take over (and whose sessions a reset revokes);
 * - users matching the policy's `queryFilter` (CREST, e.g. `privileged eq true`), checked at start.
 * A refusal is audited (`credential.reset.refused`, reason `protected`, requester and target) and
 * nothing is written. `reset` is what every started reset goes through — the interface's execute,
 * midPoint's generate with execute, and the Reset Credential node: the refusal check, then
 * identityService.resetPassword (policy, hash, sessions revoked, "password changed" mail, audit).
 */
import type { AuditPort } from '../audit/audit-log.js';
import type { IdentityService } from '../identity/identity-service.js';
import type { FailedPolicyRequirement } from '../identity/policy.js';
import type { ManagedObject } from '../identity/ports.js';

/** Who asks, as the audit names them (`admin:<name>`, `token:admin`), with the roles the policy checks. */
export interface Requester {
  name: string;
  roles: readonly string[];
}

export interface ProtectedTargets {
  /** A CREST query filter: the users it matches are protected too. */
  queryFilter?: string;
}

export type GuardedReset =
  | { type: 'reset'; user: ManagedObject }
  | { type: 'protected' }
  | { type: 'not-found' }
  | { type: 'refused'; failedPolicies: FailedPolicyRequirement[] };

/** What nodes and the credential-reset interface ask (NodeServices.credentialResets). */
export interface ResetGuard {
  /** Whether `requester` may not reset `user` (audited when so): undefined when it may. */
  refusal(requester: Requester, resource: string, user: ManagedObject, method: string): Promise<'protected' | undefined>;
  /** The refusal check, then the one save path; nothing is written unless `reset`. */
  reset(
    requester: Requester,
    resource: string,
    userId: string,
    password: string,
    reset: { method: string; forceChange: boolean },
  ): Promise<GuardedReset>;
}

export interface ResetGuardDeps {
  protectedTargets: ProtectedTargets;
  identity: Pick<IdentityService, 'read' | 'matches' | 'resetPassword'>;
  /** Whether an administrator identity has this name (compared as the store compares userName). */
  isAdministrator(name: string): Promise<boolean>;
  audit: AuditPort;
}

/** Only `admin` holders reset protected users. */
const bound = (requester: Requester): boolean => !requester.roles.includes('admin');

export function createResetGuard(deps: ResetGuardDeps): ResetGuard {
  const { identity, audit } = deps;
  const filter = deps.protectedTargets.queryFilter;

  async function isProtected(resource: string, user: ManagedObject): Promise<boolean> {
    for (const name of new Set([user['userName'], user['mail']])) {
      if (typeof name === 'string' && name !== '' && (await deps.isAdministrator(name))) return true;
    }
    return filter !== undefined && (await identity.matches(resource, user._id, filter));
  }

  const guard: ResetGuard = {
    async refusal(requester, resource, user, method) {
      if (!bound(requester) || !(await isProtected(resource, user))) return undefined;
      audit.record('credential.reset.refused', { resource, userId: user._id, requester: requester.name, method, reason: 'protected' });
      return 'protected';
    },
    async reset(requester, resource, userId, password, reset) {
      const user = await identity.read(resource, userId);
      if (!user) return { type: 'not-found' };
      if (await guard.refusal(requester, resource, user, reset.method)) return { type: 'protected' };
      const result = await identity.resetPassword(resource, userId, password, { requester: requester.name, ...reset });
      if (!result) return { type: 'not-found' };
      return 'failedPolicies' in result ? { type: 'refused', failedPolicies: result.failedPolicies } : { type: 'reset', user: result.user };
    },
  };
  return guard;
}
