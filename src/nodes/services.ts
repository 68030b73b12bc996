/**
 * What nodes may reach outside the journey state. Each port is narrow and injected by the server
 * (style.md §3, §10), so nodes stay testable with real implementations on a temporary store.
 */

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
  title?: string;
  description?: string;
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

export interface NodeServices {
  /** Milliseconds since the epoch; injected so tests can move time. */
  now(): number;
  /** The managed-object schema (Attribute Collector prompts, required flags). */
  schema: IdentitySchemaPort;
  /** Password and attribute policies (Validated* callbacks). */
  policy: PolicyPort;
}
