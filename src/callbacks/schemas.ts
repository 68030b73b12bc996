/**
 * JSON Schemas (draft 2020-12, for ajv's Ajv2020) of every callback type's wire shape, outputs in
 * AM's order (reference §2.2), and one combined schema that picks the right one by `type`. Used by
 * tests to pin builders to the wire format and by anyone documenting the protocol.
 */
import type { CallbackType } from './types.js';

type Schema = Record<string, unknown>;

const STRING = { type: 'string' };
const BOOLEAN = { type: 'boolean' };
const INTEGER = { type: 'integer' };
const STRINGS = { type: 'array', items: STRING };
const OBJECT = { type: 'object' };
/** `failedPolicies`: JSON-encoded policy failures. */
const FAILED_POLICIES = { type: 'array', items: { type: 'string', contentMediaType: 'application/json' } };

const field = (name: string, value: Schema): Schema => ({
  type: 'object',
  required: ['name', 'value'],
  additionalProperties: false,
  properties: { name: { const: name }, value },
});

/** An input named `IDToken<N><suffix>`. */
const inputField = (suffix: string, value: Schema): Schema => ({
  type: 'object',
  required: ['name', 'value'],
  additionalProperties: false,
  properties: { name: { type: 'string', pattern: `^IDToken[1-9][0-9]*${suffix}$` }, value },
});

/** A list of exactly these items in this order. */
const tuple = (items: Schema[]): Schema => ({
  type: 'array',
  prefixItems: items,
  items: false,
  minItems: items.length,
});

/**
 * `output` is `outputs`; with `shorterForms`, any of those prefix lengths is accepted too (outputs AM
 * appends only sometimes, or that older AM versions lack).
 */
function callback(type: CallbackType, outputs: Schema[], input?: Schema[], shorterForms: number[] = []): Schema {
  const output = shorterForms.length === 0 ? tuple(outputs) : { anyOf: [...shorterForms.map((n) => tuple(outputs.slice(0, n))), tuple(outputs)] };
  return {
    title: type,
    type: 'object',
    required: input ? ['type', 'output', 'input'] : ['type', 'output'],
    additionalProperties: false,
    properties: {
      type: { const: type },
      output,
      ...(input ? { input: tuple(input) } : {}),
      _id: { type: 'integer', minimum: 0, description: 'Position id inside a Page Node step.' },
    },
  };
}

const prompt = field('prompt', STRING);
const textInput = [inputField('', STRING)];
const validated = (value: Schema) => [inputField('', value), inputField('validateOnly', BOOLEAN)];
const attributeOutputs = (value: Schema) => [
  field('name', STRING),
  prompt,
  field('required', BOOLEAN),
  field('policies', OBJECT),
  field('failedPolicies', FAILED_POLICIES),
  field('validateOnly', BOOLEAN),
  field('value', value),
];
const MESSAGE_TYPE = { type: 'string', enum: ['0', '1', '2', '4'] };
const NUMBER_OR_NULL = { type: ['number', 'null'] };

export const CALLBACK_SCHEMAS: Record<CallbackType, Schema> = {
  NameCallback: callback('NameCallback', [prompt], textInput),
  PasswordCallback: callback('PasswordCallback', [prompt], textInput),
  TextInputCallback: callback('TextInputCallback', [prompt], textInput),
  TextOutputCallback: callback('TextOutputCallback', [field('message', STRING), field('messageType', MESSAGE_TYPE)]),
  ConfirmationCallback: callback(
    'ConfirmationCallback',
    [prompt, field('messageType', INTEGER), field('options', STRINGS), field('optionType', INTEGER), field('defaultOption', INTEGER)],
    [inputField('', INTEGER)],
  ),
  ChoiceCallback: callback('ChoiceCallback', [prompt, field('choices', STRINGS), field('defaultChoice', INTEGER)], [inputField('', INTEGER)]),
  HiddenValueCallback: callback('HiddenValueCallback', [field('value', STRING), field('id', STRING)], textInput),
  StringAttributeInputCallback: callback('StringAttributeInputCallback', attributeOutputs(STRING), validated(STRING)),
  BooleanAttributeInputCallback: callback('BooleanAttributeInputCallback', attributeOutputs(BOOLEAN), validated(BOOLEAN)),
  NumberAttributeInputCallback: callback('NumberAttributeInputCallback', attributeOutputs(NUMBER_OR_NULL), validated(NUMBER_OR_NULL)),
  ValidatedCreateUsernameCallback: callback(
    'ValidatedCreateUsernameCallback',
    [field('policies', OBJECT), field('failedPolicies', FAILED_POLICIES), field('validateOnly', BOOLEAN), prompt],
    validated(STRING),
  ),
  ValidatedCreatePasswordCallback: callback(
    'ValidatedCreatePasswordCallback',
    [field('echoOn', BOOLEAN), field('policies', OBJECT), field('failedPolicies', FAILED_POLICIES), field('validateOnly', BOOLEAN), prompt],
    validated(STRING),
  ),
  KbaCreateCallback: callback(
    'KbaCreateCallback',
    [prompt, field('predefinedQuestions', STRINGS), field('allowUserDefinedQuestions', BOOLEAN)],
    [inputField('question', STRING), inputField('answer', STRING)],
  ),
  TermsAndConditionsCallback: callback(
    'TermsAndConditionsCallback',
    [field('version', STRING), field('terms', STRING), field('createDate', STRING)],
    [inputField('', BOOLEAN)],
  ),
  SuspendedTextOutputCallback: callback('SuspendedTextOutputCallback', [field('message', STRING), field('messageType', MESSAGE_TYPE)]),
  MetadataCallback: callback('MetadataCallback', [field('data', OBJECT)]),
  PollingWaitCallback: callback('PollingWaitCallback', [field('waitTime', { type: 'string', pattern: '^[0-9]+$' }), field('message', STRING)]),
  RedirectCallback: callback(
    'RedirectCallback',
    [
      field('redirectUrl', STRING),
      field('redirectMethod', { type: 'string', enum: ['GET', 'POST'] }),
      field('trackingCookie', BOOLEAN),
      field('redirectData', { type: 'object', additionalProperties: STRING }),
    ],
    undefined,
    // redirectData only for POST redirects.
    [3],
  ),
  ReCaptchaCallback: callback(
    'ReCaptchaCallback',
    [
      field('recaptchaSiteKey', STRING),
      field('captchaApiUri', STRING),
      field('captchaDivClass', STRING),
      field('reCaptchaV3', BOOLEAN),
      field('disableSubmission', BOOLEAN),
    ],
    textInput,
    // Older AM sends only the site key.
    [1],
  ),
};

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
