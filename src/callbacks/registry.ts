/**
 * One descriptor per callback type: its outputs in AM's order with the JSON Schema of each value
 * (reference §2.2), and its inputs with the JSON type a client may return and whether they hold a
 * secret. The registry is checked exhaustive against the closed vocabulary (`CALLBACK_TYPES`) by the
 * type checker; the wire schemas (schemas.ts), the returned-callbacks check (verify.ts) and the
 * blanking of secrets in every sent step (numbering.ts) are derived from it, so a new type is
 * declared once, here, next to its builder in builders.ts.
 */
import type { CallbackType } from './types.js';

/** A JSON Schema (draft 2020-12) fragment. */
export type Schema = Record<string, unknown>;

/**
 * What a client may put in an input: a string, a boolean, a number or null, or the index of one of
 * the callback's options (an integer; AM's legacy numeric string is accepted and normalised).
 */
export type InputKind = 'string' | 'boolean' | 'number' | 'index';

export interface OutputDescriptor {
  name: string;
  /** Schema of the output's value as Cairn and AM send it. */
  value: Schema;
}

export interface InputDescriptor {
  /** The part of the input's name after `IDToken<N>`: `''` for the main input, `validateOnly`, … */
  suffix: string;
  kind: InputKind;
  /**
   * A secret (a password, a KBA answer): always sent blank, whatever a node put in it, so a re-sent
   * step never echoes what the user typed.
   */
  secret?: true;
  /**
   * For `index` inputs: the output listing the options. A callback without that output (a
   * Confirmation with a predefined optionType) selects among YES/NO/CANCEL/OK.
   */
  optionsOutput?: string;
}

export interface CallbackDescriptor {
  outputs: readonly OutputDescriptor[];
  /** Prefix lengths of `outputs` that AM also sends (outputs it appends only sometimes, or older AM lacks). */
  shorterForms?: readonly number[];
  /** Empty for display-only callbacks, which carry no `input` at all. */
  inputs: readonly InputDescriptor[];
}

const STRING = { type: 'string' };
const BOOLEAN = { type: 'boolean' };
const INTEGER = { type: 'integer' };
const STRINGS = { type: 'array', items: STRING };
const OBJECT = { type: 'object' };
const NUMBER_OR_NULL = { type: ['number', 'null'] };
/** TextOutputCallback message types, sent as strings ("4" is a script for XUI). */
const MESSAGE_TYPE = { type: 'string', enum: ['0', '1', '2', '4'] };
/** `failedPolicies`: JSON-encoded policy failures. */
const FAILED_POLICIES = { type: 'array', items: { type: 'string', contentMediaType: 'application/json' } };

const out = (name: string, value: Schema): OutputDescriptor => ({ name, value });
const prompt = out('prompt', STRING);
const message = [out('message', STRING), out('messageType', MESSAGE_TYPE)];
const policyOutputs = [out('policies', OBJECT), out('failedPolicies', FAILED_POLICIES), out('validateOnly', BOOLEAN)];
const attributeOutputs = (value: Schema): OutputDescriptor[] => [
  out('name', STRING),
  prompt,
  out('required', BOOLEAN),
  ...policyOutputs,
  out('value', value),
];

const main = (kind: InputKind): InputDescriptor => ({ suffix: '', kind });
const validateOnly: InputDescriptor = { suffix: 'validateOnly', kind: 'boolean' };
const text = [main('string')];
const validated = (kind: InputKind): InputDescriptor[] => [main(kind), validateOnly];

export const CALLBACKS = {
  NameCallback: { outputs: [prompt], inputs: text },
  PasswordCallback: { outputs: [prompt], inputs: [{ suffix: '', kind: 'string', secret: true }] },
  TextInputCallback: { outputs: [prompt], inputs: text },
  TextOutputCallback: { outputs: message, inputs: [] },
  ConfirmationCallback: {
    outputs: [prompt, out('messageType', INTEGER), out('options', STRINGS), out('optionType', INTEGER), out('defaultOption', INTEGER)],
    inputs: [{ suffix: '', kind: 'index', optionsOutput: 'options' }],
  },
  ChoiceCallback: {
    outputs: [prompt, out('choices', STRINGS), out('defaultChoice', INTEGER)],
    inputs: [{ suffix: '', kind: 'index', optionsOutput: 'choices' }],
  },
  HiddenValueCallback: { outputs: [out('value', STRING), out('id', STRING)], inputs: text },
  StringAttributeInputCallback: { outputs: attributeOutputs(STRING), inputs: validated('string') },
  BooleanAttributeInputCallback: { outputs: attributeOutputs(BOOLEAN), inputs: validated('boolean') },
  NumberAttributeInputCallback: { outputs: attributeOutputs(NUMBER_OR_NULL), inputs: validated('number') },
  ValidatedCreateUsernameCallback: { outputs: [...policyOutputs, prompt], inputs: validated('string') },
  ValidatedCreatePasswordCallback: {
    outputs: [out('echoOn', BOOLEAN), ...policyOutputs, prompt],
    inputs: [{ suffix: '', kind: 'string', secret: true }, validateOnly],
  },
  KbaCreateCallback: {
    outputs: [prompt, out('predefinedQuestions', STRINGS), out('allowUserDefinedQuestions', BOOLEAN)],
    inputs: [
      { suffix: 'question', kind: 'string' },
      { suffix: 'answer', kind: 'string', secret: true },
    ],
  },
  TermsAndConditionsCallback: { outputs: [out('version', STRING), out('terms', STRING), out('createDate', STRING)], inputs: [main('boolean')] },
  SuspendedTextOutputCallback: { outputs: message, inputs: [] },
  MetadataCallback: { outputs: [out('data', OBJECT)], inputs: [] },
  PollingWaitCallback: { outputs: [out('waitTime', { type: 'string', pattern: '^[0-9]+$' }), out('message', STRING)], inputs: [] },
  RedirectCallback: {
    outputs: [
      out('redirectUrl', STRING),
      out('redirectMethod', { type: 'string', enum: ['GET', 'POST'] }),
      out('trackingCookie', BOOLEAN),
      out('redirectData', { type: 'object', additionalProperties: STRING }),
    ],
    // redirectData only for POST redirects.
    shorterForms: [3],
    inputs: [],
  },
  ReCaptchaCallback: {
    outputs: [
      out('recaptchaSiteKey', STRING),
      out('captchaApiUri', STRING),
      out('captchaDivClass', STRING),
      out('reCaptchaV3', BOOLEAN),
      out('disableSubmission', BOOLEAN),
    ],
    // Older AM sends only the site key.
    shorterForms: [1],
    inputs: text,
  },
  SelectIdPCallback: {
    outputs: [
      out('providers', {
        type: 'array',
        items: { type: 'object', required: ['provider'], properties: { provider: STRING, uiConfig: OBJECT }, additionalProperties: false },
      }),
      out('value', STRING),
    ],
    // The chosen provider's name.
    inputs: text,
  },
} satisfies Record<CallbackType, CallbackDescriptor>;

/** The descriptor of a callback type, or undefined for a type outside the vocabulary. */
export function callbackDescriptor(type: string): CallbackDescriptor | undefined {
  return Object.hasOwn(CALLBACKS, type) ? (CALLBACKS as Record<string, CallbackDescriptor>)[type] : undefined;
}

/** The descriptor of the input named `IDToken<N><suffix>` of a `type` callback, if declared. */
export function inputDescriptor(type: string, suffix: string): InputDescriptor | undefined {
  return callbackDescriptor(type)?.inputs.find((i) => i.suffix === suffix);
}
