/**
 * Attribute Collector (AM `AttributeCollectorNode`): asks for identity attributes, one
 * String/Number/BooleanAttributeInputCallback each (type from the identity schema), and re-sends them
 * until required values are present and, when validating, policies pass and no validateOnly was asked.
 * Writes each value to `shared.objectAttributes` at its (nested) path.
 */
import { booleanAttributeInputCallback, numberAttributeInputCallback, stringAttributeInputCallback } from '../callbacks/builders.js';
import { outputValue, readBoolean, readNumber, readString, readValidateOnly } from '../callbacks/readers.js';
import type { Callback } from '../callbacks/types.js';
import { CairnError } from '../errors/cairn-error.js';
import type { ManagedProperty, PolicyFailure } from '../identity/ports.js';
import { getObjectAttribute, policyContextOf, setObjectAttribute } from './helpers/object-attributes.js';
import { defineNode, type NodeContext } from './types.js';

export interface AttributeCollectorConfig {
  attributesToCollect: string[];
  required: boolean;
  validateInputs: boolean;
  identityAttribute: string;
}

type Kind = 'string' | 'number' | 'boolean';
type Value = string | number | boolean | null;

interface Attribute {
  name: string;
  kind: Kind;
  prompt: string;
  required: boolean;
  policies: Record<string, unknown>;
}

const KIND_OF: Partial<Record<ManagedProperty['type'], Kind>> = {
  string: 'string',
  number: 'number',
  integer: 'number',
  boolean: 'boolean',
};

const misconfigured = (message: string) =>
  new CairnError({ status: 500, code: 'node_misconfigured', message: `Attribute Collector: ${message}`, expose: false });

/** Resolves a configured attribute against the identity schema; unusable ones are a config problem. */
function describeAttribute(ctx: NodeContext<AttributeCollectorConfig>, name: string): Attribute {
  const resource = ctx.journey.identityResource;
  const property = ctx.services.schema.property(resource, name);
  if (!property) throw misconfigured(`"${name}" is not a property of ${resource}`);
  const kind = KIND_OF[property.type];
  if (!kind) throw misconfigured(`"${name}" has type ${property.type}, which cannot be collected`);
  if (!property.viewable) throw misconfigured(`"${name}" is not viewable`);
  if (ctx.config.validateInputs && !property.userEditable) throw misconfigured(`"${name}" is not user-editable`);
  return {
    name,
    kind,
    prompt: ctx.localize(property.title ?? property.description ?? name),
    required: ctx.config.required && !property.nullable,
    policies: ctx.config.validateInputs ? ctx.services.policy.describe(resource, name) : {},
  };
}

const EMPTY: Record<Kind, Value> = { string: '', number: null, boolean: false };

/** A value of the attribute's kind from shared state, else the kind's empty value. */
function prefill(ctx: NodeContext<AttributeCollectorConfig>, a: Attribute): Value {
  const v = getObjectAttribute(ctx.shared, a.name);
  if (a.kind === 'string' && typeof v === 'string') return v;
  if (a.kind === 'number' && typeof v === 'number' && Number.isFinite(v)) return v;
  if (a.kind === 'boolean' && typeof v === 'boolean') return v;
  return EMPTY[a.kind];
}

function read(cb: Callback, kind: Kind): Value {
  if (kind === 'boolean') return readBoolean(cb);
  if (kind === 'number') return readNumber(cb);
  return readString(cb);
}

const isBlank = (v: Value): boolean => v === null || v === '';

function build(a: Attribute, value: Value, failedPolicies: PolicyFailure[] = [], validateOnly = false): Callback {
  const common = { name: a.name, prompt: a.prompt, required: a.required, policies: a.policies, failedPolicies, validateOnly };
  if (a.kind === 'boolean') return booleanAttributeInputCallback({ ...common, value: value === true });
  if (a.kind === 'number') return numberAttributeInputCallback({ ...common, value: typeof value === 'number' ? value : null });
  return stringAttributeInputCallback({ ...common, value: typeof value === 'string' ? value : '' });
}

export const attributeCollectorNode = defineNode<AttributeCollectorConfig>({
  type: 'AttributeCollectorNode',
  displayName: 'Attribute Collector',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['attributesToCollect'],
    properties: {
      attributesToCollect: {
        title: 'Attributes to collect',
        description: 'Identity attribute paths, nested with "/" (e.g. "preferences/marketing").',
        type: 'array',
        items: { type: 'string', minLength: 1, pattern: '^[^/]+(/[^/]+)*$' },
        minItems: 1,
        uniqueItems: true,
      },
      required: {
        title: 'All attributes required',
        description: 'Require a value for every attribute (except those the schema makes nullable).',
        type: 'boolean',
        default: false,
      },
      validateInputs: {
        title: 'Validate input',
        description: 'Check values against the identity policies (and offer live validation via validateOnly).',
        type: 'boolean',
        default: false,
      },
      identityAttribute: {
        title: 'Identity attribute',
        description: 'The attribute that identifies an existing object (used to pre-fill values).',
        type: 'string',
        minLength: 1,
        default: 'userName',
      },
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],
  // Several callbacks, but no decision among them: AIC's stock Registration page places this node
  // before others, so it may stand anywhere on a page (see NodeDescriptor.multipleCallbacks).
  multipleCallbacks: false,

  async process(ctx) {
    const attributes = ctx.config.attributesToCollect.map((name) => describeAttribute(ctx, name));
    const returned = ctx.callbacks;
    const byName = new Map<string, Callback>();
    for (const cb of returned ?? []) {
      const name = outputValue(cb, 'name');
      if (typeof name === 'string') byName.set(name, cb);
    }
    if (!returned || attributes.some((a) => !byName.has(a.name))) {
      return { kind: 'callbacks', callbacks: attributes.map((a) => build(a, prefill(ctx, a))) };
    }

    const values = attributes.map((a) => read(byName.get(a.name) as Callback, a.kind));
    const validateOnly = attributes.map((a) => readValidateOnly(byName.get(a.name) as Callback));
    const pending = Object.fromEntries(attributes.flatMap((a, i) => (isBlank(values[i] ?? null) ? [] : [[a.name, values[i]]])));
    const resource = ctx.journey.identityResource;
    const failures = await Promise.all(
      attributes.map(async (a, i): Promise<PolicyFailure[]> => {
        const value = values[i] ?? null;
        if (isBlank(value)) return a.required ? [{ policyRequirement: 'REQUIRED' }] : [];
        if (!ctx.config.validateInputs) return [];
        return ctx.services.policy.check(resource, a.name, value, policyContextOf(ctx, pending));
      }),
    );

    if (validateOnly.some(Boolean) || failures.some((f) => f.length > 0)) {
      return {
        kind: 'callbacks',
        callbacks: attributes.map((a, i) => build(a, values[i] ?? null, failures[i], validateOnly[i])),
      };
    }
    attributes.forEach((a, i) => {
      const value = values[i] ?? null;
      if (!isBlank(value)) setObjectAttribute(ctx.shared, a.name, value);
    });
    return { kind: 'outcome', outcome: 'outcome' };
  },
});
