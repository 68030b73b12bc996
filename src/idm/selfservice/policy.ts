/**
 * IDM's policy endpoints for self-service, as the End User UI's password field uses them, open to the
 * anonymous headers: `GET /openidm/policy/selfservice/{process}` lists the policies of the properties the
 * process sets (IDM's policy read: `properties[].{name, policies, policyRequirements}`), and
 * `POST …/?_action=validateObject` checks a partial object (`{"password": …}`, or `{"user": {…}}` for
 * registration) with Cairn's password and attribute policies, answering IDM's
 * `{result, failedPolicyRequirements: [{property, policyRequirements}]}` — one entry per failed requirement,
 * since the End User UI reads the first requirement of each entry.
 */
import type { PolicyService } from '../../identity/policy.js';
import { POLICY_REQUIREMENTS } from '../../identity/policy.js';
import type { PolicyFailure } from '../../identity/ports.js';
import type { SelfServiceProcess, SelfServiceSetup } from './config.js';

/** What fails on an empty value besides REQUIRED: the policies no empty string can meet. */
const FAILS_WHEN_EMPTY = new Set(['minimum-length', 'at-least-X-capitals', 'at-least-X-numbers']);

export interface PolicyEndpoints {
  read(process: SelfServiceProcess): unknown;
  validate(process: SelfServiceProcess, body: unknown): Promise<unknown>;
}

export function createPolicyEndpoints(setup: SelfServiceSetup, policy: PolicyService): PolicyEndpoints {
  const resourceOf = (process: SelfServiceProcess): string => setup.catalog.get(process.journeyId)?.identityResource ?? 'managed/user';

  /** The properties a process sets: the password, and what its userDetails stage collects. */
  function propertiesOf(process: SelfServiceProcess): string[] {
    const journey = setup.catalog.get(process.journeyId);
    const names = new Set<string>();
    for (const s of process.stages) {
      const config = journey?.nodes.get(s.nodeId)?.config ?? {};
      if (s.name === 'resetStage') names.add(typeof config.identityPasswordField === 'string' ? config.identityPasswordField : 'password');
      if (s.name === 'userDetails') {
        for (const a of Array.isArray(config.attributes) ? config.attributes : []) if (typeof a === 'string') names.add(a);
        names.add(typeof config.identityEmailField === 'string' ? config.identityEmailField : 'mail');
        names.add('password');
      }
    }
    if (names.size === 0) names.add('password');
    return [...names];
  }

  async function failuresOf(resource: string, name: string, value: unknown, attributes: Record<string, unknown>): Promise<PolicyFailure[]> {
    if (value !== undefined && value !== null && value !== '') return policy.check(resource, name, value, { attributes });
    const empty: PolicyFailure[] = [{ policyRequirement: 'REQUIRED' }];
    for (const p of policy.policies(resource, name)) {
      if (FAILS_WHEN_EMPTY.has(p.policyId))
        empty.push({ policyRequirement: POLICY_REQUIREMENTS[p.policyId], ...(p.params ? { params: p.params } : {}) });
    }
    return empty;
  }

  return {
    read(process) {
      const resource = resourceOf(process);
      const id = `selfservice/${process.name}`;
      const properties = propertiesOf(process).map((name) => {
        const described = policy.describe(resource, name);
        return Object.keys(described).length > 0
          ? described
          : { name, policies: [], policyRequirements: [], fallbackPolicies: null, conditionalPolicies: null };
      });
      return { _id: id, resource: id, properties };
    },

    async validate(process, body) {
      const object = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
      const values =
        object.user && typeof object.user === 'object' && !Array.isArray(object.user) ? (object.user as Record<string, unknown>) : object;
      const resource = resourceOf(process);
      const failed: { property: string; policyRequirements: PolicyFailure[] }[] = [];
      for (const name of propertiesOf(process)) {
        if (!Object.hasOwn(values, name)) continue;
        for (const f of await failuresOf(resource, name, values[name], values)) failed.push({ property: name, policyRequirements: [f] });
      }
      return { result: failed.length === 0, failedPolicyRequirements: failed };
    },
  };
}
