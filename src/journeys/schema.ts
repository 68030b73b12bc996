/**
 * The JSON Schema of a journey file. The validator checks files against the generic schema below and
 * then each node's config against its node type's own schema; `editorSchema()` combines both for
 * editors (shipped as schemas/journey.schema.json, referenced by each journey's `$schema`).
 */
import type { NodeDescriptor } from '../nodes/types.js';

export const NODE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$';
/** Journey names: what AM allows, short of what cannot be a file name (a path separator, control characters, a leading dot). */
export const JOURNEY_ID_PATTERN = '^[^./\\\\\\u0000-\\u001f][^/\\\\\\u0000-\\u001f]{0,127}$';

const localized = {
  description: 'A text per locale, e.g. {"en": "Sign In", "fr": "Connexion"}.',
  type: 'object',
  additionalProperties: { type: 'string' },
};

export const journeySchema = {
  $id: 'https://cairn.dev/schemas/journey.schema.json',
  title: 'Cairn journey',
  description:
    'An authentication journey: a graph of nodes (AM/PingOne AIC tree model). Node ids are readable words or UUIDs; "Success" and "Failure" (or AM\'s static ids) are the terminals.',
  type: 'object',
  required: ['_id', 'entryNodeId', 'nodes'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    _id: {
      description: 'The journey name, used as authIndexValue (as AM allows: any name that is not a path).',
      type: 'string',
      pattern: JOURNEY_ID_PATTERN,
    },
    description: { type: 'string' },
    enabled: { description: 'A disabled journey cannot be started. Default true.', type: 'boolean', default: true },
    identityResource: {
      description: 'The managed object type the identity nodes act on. "null" (as classic AM example trees write it) means the default.',
      type: 'string',
      pattern: '^(managed/[A-Za-z0-9_]+|null)$',
      default: 'managed/user',
    },
    noSession: { description: 'Success creates no session (no tokenId). Default false.', type: 'boolean', default: false },
    innerTreeOnly: { description: 'Only runnable as an inner tree. Default false.', type: 'boolean', default: false },
    mustRun: { description: 'Kept from AM exports; not used by Cairn.', type: 'boolean' },
    transactionalOnly: { description: 'Kept from AM exports; not used by Cairn.', type: 'boolean' },
    uiConfig: { description: 'Free-form data for user interfaces (AM: categories as a JSON string).', type: 'object' },
    entryNodeId: { description: 'The id of the first node.', type: 'string', minLength: 1 },
    staticNodes: { description: 'Editor coordinates kept from AM exports.', type: 'object' },
    am: { description: 'Tree attributes kept from AM exports for the round trip; not used by Cairn.', type: 'object' },
    nodes: {
      description: 'Node id → node.',
      type: 'object',
      propertyNames: { pattern: NODE_ID_PATTERN },
      additionalProperties: { $ref: '#/$defs/node' },
    },
  },
  $defs: {
    localized,
    node: {
      type: 'object',
      required: ['nodeType', 'connections'],
      additionalProperties: false,
      properties: {
        nodeType: { description: "AM's node type id, e.g. PageNode.", type: 'string', minLength: 1 },
        displayName: { type: 'string' },
        config: { description: "The node's settings, with AM's attribute names.", type: 'object' },
        connections: {
          description: 'Outcome id → target node id, "Success" or "Failure".',
          type: 'object',
          additionalProperties: { type: 'string', minLength: 1 },
        },
        x: { type: 'number' },
        y: { type: 'number' },
        version: { description: 'Kept from AM exports; not used by Cairn.', type: 'string' },
        am: { $ref: '#/$defs/amNode' },
      },
    },
    pageChild: {
      type: 'object',
      required: ['_id', 'nodeType'],
      additionalProperties: false,
      properties: {
        _id: { type: 'string', pattern: NODE_ID_PATTERN },
        nodeType: { type: 'string', minLength: 1 },
        displayName: { type: 'string' },
        config: { type: 'object' },
        am: { $ref: '#/$defs/amNode' },
      },
    },
    amNode: {
      description:
        "What AM exported with the node beyond its settings (its type's record, its outcomes); kept for the round trip, not used by Cairn.",
      type: 'object',
      properties: {
        type: { type: 'object' },
        outcomes: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id'],
            properties: { id: { type: 'string' }, displayName: { type: 'string' } },
          },
        },
        ref: { type: 'object' },
      },
    },
  },
} as const;

/**
 * The schema for editors: the generic schema, plus each node type's config schema selected by
 * `nodeType`, so an editor autocompletes node types and config attributes.
 */
export function editorSchema(descriptors: readonly NodeDescriptor[]): Record<string, unknown> {
  const types = descriptors.map((d) => d.type).sort();
  const byType = descriptors
    .slice()
    .sort((a, b) => a.type.localeCompare(b.type))
    .map((d) => ({
      if: { properties: { nodeType: { const: d.type } }, required: ['nodeType'] },
      then: { properties: { config: { ...d.configSchema, description: `${d.displayName} settings.` } } },
    }));
  const defs = journeySchema.$defs;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    ...journeySchema,
    $defs: {
      ...defs,
      node: {
        ...defs.node,
        properties: { ...defs.node.properties, nodeType: { ...defs.node.properties.nodeType, enum: types } },
        allOf: byType,
      },
      pageChild: {
        ...defs.pageChild,
        properties: { ...defs.pageChild.properties, nodeType: { type: 'string', enum: types } },
        allOf: byType,
      },
    },
  };
}
