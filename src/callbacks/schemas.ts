/**
 * JSON Schemas (draft 2020-12, for ajv's Ajv2020) of every callback type's wire shape, derived from
 * the registry (registry.ts): outputs in AM's order, inputs named `IDToken<N><suffix>`, secret inputs
 * always blank. One combined schema picks the right one by `type`. Used by tests to pin builders to
 * the wire format and by anyone documenting the protocol.
 */
import { CALLBACKS, type CallbackDescriptor, type InputDescriptor, type InputKind, type Schema } from './registry.js';
import type { CallbackType } from './types.js';

const INPUT_VALUE: Record<InputKind, Schema> = {
  string: { type: 'string' },
  boolean: { type: 'boolean' },
  number: { type: ['number', 'null'] },
  index: { type: 'integer' },
};

/** A `{name, value}` field with exactly this name. */
const field = (name: Schema, value: Schema): Schema => ({
  type: 'object',
  required: ['name', 'value'],
  additionalProperties: false,
  properties: { name, value },
});

/** An input named `IDToken<N><suffix>`; a secret one is sent blank (the client writes it, the server never echoes it). */
const inputField = (input: InputDescriptor): Schema =>
  field(
    { type: 'string', pattern: `^IDToken[1-9][0-9]*${input.suffix}$` },
    input.secret ? { ...INPUT_VALUE[input.kind], const: '', writeOnly: true } : INPUT_VALUE[input.kind],
  );

/** A list of exactly these items in this order. */
const tuple = (items: Schema[]): Schema => ({ type: 'array', prefixItems: items, items: false, minItems: items.length });

function callbackSchemaOf(type: CallbackType, d: CallbackDescriptor): Schema {
  const outputs = d.outputs.map((o) => field({ const: o.name }, o.value));
  const shorter = d.shorterForms ?? [];
  const output = shorter.length === 0 ? tuple(outputs) : { anyOf: [...shorter.map((n) => tuple(outputs.slice(0, n))), tuple(outputs)] };
  const hasInput = d.inputs.length > 0;
  return {
    title: type,
    type: 'object',
    required: hasInput ? ['type', 'output', 'input'] : ['type', 'output'],
    additionalProperties: false,
    properties: {
      type: { const: type },
      output,
      ...(hasInput ? { input: tuple(d.inputs.map(inputField)) } : {}),
      _id: { type: 'integer', minimum: 0, description: 'Position id inside a Page Node step.' },
    },
  };
}

export const CALLBACK_SCHEMAS = Object.fromEntries(
  Object.entries(CALLBACKS).map(([type, d]) => [type, callbackSchemaOf(type as CallbackType, d)]),
) as Record<CallbackType, Schema>;

/** One schema for any callback: the `type` selects the per-type schema from `$defs`. */
export const callbackSchema: Schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://cairn.dev/schemas/callback.schema.json',
  title: 'AM callback',
  type: 'object',
  required: ['type'],
  properties: { type: { type: 'string', enum: Object.keys(CALLBACK_SCHEMAS) } },
  allOf: Object.keys(CALLBACK_SCHEMAS).map((type) => ({
    if: { properties: { type: { const: type } } },
    then: { $ref: `#/$defs/${type}` },
  })),
  $defs: CALLBACK_SCHEMAS,
};
