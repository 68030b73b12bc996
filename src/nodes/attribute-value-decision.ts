/**
 * Attribute Value Decision (AM `AttributeValueDecisionNode`): reads one attribute of the journey's
 * user (`comparisonAttribute`, nested with "/") and answers `true` when it is present (`PRESENT`) or
 * equals `comparisonValue` (`EQUALS`; the text is read as a boolean or number when the attribute is
 * one, as AM does). `PRESENT` means what it means for Attribute Present Decision (a blank text is
 * absent; the password counts). `EQUALS` has CREST's meaning, as Query Filter Decision's: strings compare
 * case-insensitively, an array matches when one of its elements does, and `EQUALS` without a value
 * matches a missing attribute. With nobody identified AM throws; Cairn answers `false` and records
 * `journey.identity.missing`.
 */
import { matchesFilter, type FilterNode } from '../crest/query-filter.js';
import { objectHasAttribute } from './helpers/attribute-presence.js';
import { getPath } from './helpers/object-attributes.js';
import { identityMissing, resolveIdentity } from './helpers/identity-lookup.js';
import { IDENTITY_ATTRIBUTE_PROPERTY, TRUE_FALSE_OUTCOMES } from './helpers/schema-parts.js';
import { defineNode } from './types.js';

export interface AttributeValueDecisionConfig {
  comparisonAttribute: string;
  comparisonOperation: 'PRESENT' | 'EQUALS';
  comparisonValue?: string;
  identityAttribute: string;
}

/** `value` as the type the user's attribute has (AM's convertValueToAttributeType). */
function typed(value: string, current: unknown): string | number | boolean {
  const sample: unknown = Array.isArray(current) ? (current as unknown[])[0] : current;
  if (typeof sample === 'boolean') return value.trim().toLowerCase() === 'true';
  if (typeof sample === 'number') {
    const n = Number(value.trim());
    return Number.isFinite(n) ? n : value;
  }
  return value;
}

export const attributeValueDecisionNode = defineNode<AttributeValueDecisionConfig>({
  type: 'AttributeValueDecisionNode',
  displayName: 'Attribute Value Decision',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['comparisonAttribute'],
    properties: {
      comparisonAttribute: {
        title: 'Attribute to compare',
        description: 'The user attribute read, nested with "/" (e.g. preferences/marketing).',
        type: 'string',
        minLength: 1,
        pattern: '^/?[^/]+(/[^/]+)*$',
      },
      comparisonOperation: {
        title: 'Comparison operation',
        description: 'PRESENT: true when the attribute has a value; EQUALS: true when it equals the comparison value.',
        enum: ['PRESENT', 'EQUALS'],
        default: 'EQUALS',
      },
      comparisonValue: { title: 'Comparison value', description: 'The value EQUALS compares with.', type: 'string' },
      identityAttribute: IDENTITY_ATTRIBUTE_PROPERTY,
    },
  },
  outcomes: TRUE_FALSE_OUTCOMES,

  async process(ctx) {
    const user = await resolveIdentity(ctx, ctx.journey.identityResource, ctx.config.identityAttribute);
    if (!user) return identityMissing(ctx, 'AttributeValueDecisionNode');
    const field = ctx.config.comparisonAttribute.split('/').filter((p) => p !== '');
    const path = field.join('/');
    const { comparisonOperation: operation, comparisonValue: value } = ctx.config;
    // PRESENT as Attribute Present Decision has it (the password, which is never read back, included).
    if (operation === 'PRESENT') return { kind: 'outcome', outcome: objectHasAttribute(user, path) ? 'true' : 'false' };
    const filter: FilterNode = { op: 'eq', field, value: value === undefined ? null : typed(value, getPath(user, path)) };
    return { kind: 'outcome', outcome: matchesFilter(filter, user) ? 'true' : 'false' };
  },
});
