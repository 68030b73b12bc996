/**
 * One builder per callback type, producing exactly AM's JSON (reference §2.2, outputs in AM's order).
 * Builders name inputs `IDToken1` + suffix; `numberCallbacks` (numbering.ts) renumbers them by
 * position when the engine assembles a step. `failedPolicies` are emitted as JSON strings, as AM does.
 */
import type { PolicyFailure } from '../identity/ports.js';
import type { Callback, CallbackField } from './types.js';

/** javax TextOutputCallback message types as AM sends them (strings); "4" is a script for XUI. */
export type TextOutputMessageType = '0' | '1' | '2' | '4';
export const MESSAGE_INFORMATION = '0';
export const MESSAGE_WARNING = '1';
export const MESSAGE_ERROR = '2';
export const MESSAGE_SCRIPT = '4';

/** ConfirmationCallback constants (javax.security.auth.callback.ConfirmationCallback). */
export const CONFIRMATION_INFORMATION = 0;
export const CONFIRMATION_WARNING = 1;
export const CONFIRMATION_ERROR = 2;
export const OPTION_TYPE_UNSPECIFIED = -1;

/** The input-name prefix every builder uses before numbering. */
export const FIRST_INPUT = 'IDToken1';

const field = (name: string, value: unknown): CallbackField => ({ name, value });
const input = (suffix: string, value: unknown): CallbackField => ({ name: FIRST_INPUT + suffix, value });

/** AM's encoding of one failed policy: a JSON string, `params` first as AM writes it. */
export function encodePolicyFailure(failure: PolicyFailure): string {
  return JSON.stringify(
    failure.params === undefined
      ? { policyRequirement: failure.policyRequirement }
      : { params: failure.params, policyRequirement: failure.policyRequirement },
  );
}

export function nameCallback(prompt: string, value = ''): Callback {
  return { type: 'NameCallback', output: [field('prompt', prompt)], input: [input('', value)] };
}

/** The input is always sent blank: a password is never echoed back. */
export function passwordCallback(prompt: string): Callback {
  return { type: 'PasswordCallback', output: [field('prompt', prompt)], input: [input('', '')] };
}

export function textInputCallback(prompt: string, value = ''): Callback {
  return { type: 'TextInputCallback', output: [field('prompt', prompt)], input: [input('', value)] };
}

export function textOutputCallback(message: string, messageType: TextOutputMessageType = MESSAGE_INFORMATION): Callback {
  return { type: 'TextOutputCallback', output: [field('message', message), field('messageType', messageType)] };
}

export interface ConfirmationOptions {
  prompt?: string;
  messageType?: number;
  options: readonly string[];
  optionType?: number;
  defaultOption: number;
  /** Initial input value (AM sends 0). */
  value?: number;
}

export function confirmationCallback(o: ConfirmationOptions): Callback {
  return {
    type: 'ConfirmationCallback',
    output: [
      field('prompt', o.prompt ?? ''),
      field('messageType', o.messageType ?? CONFIRMATION_INFORMATION),
      field('options', [...o.options]),
      field('optionType', o.optionType ?? OPTION_TYPE_UNSPECIFIED),
      field('defaultOption', o.defaultOption),
    ],
    input: [input('', o.value ?? 0)],
  };
}

/** The input starts at `value`, by default the default choice (Choice Collector pre-selects it). */
export function choiceCallback(prompt: string, choices: readonly string[], defaultChoice = 0, value = defaultChoice): Callback {
  return {
    type: 'ChoiceCallback',
    output: [field('prompt', prompt), field('choices', [...choices]), field('defaultChoice', defaultChoice)],
    input: [input('', value)],
  };
}

/** The input starts as the callback's `id`; the client overwrites it with the value to return. */
export function hiddenValueCallback(id: string, value = ''): Callback {
  return { type: 'HiddenValueCallback', output: [field('value', value), field('id', id)], input: [input('', id)] };
}

export interface AttributeInputOptions<V> {
  /** IDM attribute path, nested with `/` (e.g. `preferences/marketing`). */
  name: string;
  prompt: string;
  required: boolean;
  policies?: Record<string, unknown>;
  failedPolicies?: readonly PolicyFailure[];
  /** Echo of the client's validateOnly flag when re-sending after a validation-only request. */
  validateOnly?: boolean;
  value: V;
}

function attributeInput(type: string, o: AttributeInputOptions<unknown>): Callback {
  return {
    type,
    output: [
      field('name', o.name),
      field('prompt', o.prompt),
      field('required', o.required),
      field('policies', o.policies ?? {}),
      field('failedPolicies', (o.failedPolicies ?? []).map(encodePolicyFailure)),
      field('validateOnly', o.validateOnly ?? false),
      field('value', o.value),
    ],
    input: [input('', o.value), input('validateOnly', false)],
  };
}

export const stringAttributeInputCallback = (o: AttributeInputOptions<string>): Callback => attributeInput('StringAttributeInputCallback', o);
export const booleanAttributeInputCallback = (o: AttributeInputOptions<boolean>): Callback => attributeInput('BooleanAttributeInputCallback', o);
export const numberAttributeInputCallback = (o: AttributeInputOptions<number | null>): Callback => attributeInput('NumberAttributeInputCallback', o);

export interface ValidatedCreateOptions {
  prompt: string;
  policies?: Record<string, unknown>;
  failedPolicies?: readonly PolicyFailure[];
  validateOnly?: boolean;
}

export function validatedCreateUsernameCallback(o: ValidatedCreateOptions & { value?: string }): Callback {
  return {
    type: 'ValidatedCreateUsernameCallback',
    output: [
      field('policies', o.policies ?? {}),
      field('failedPolicies', (o.failedPolicies ?? []).map(encodePolicyFailure)),
      field('validateOnly', o.validateOnly ?? false),
      field('prompt', o.prompt),
    ],
    input: [input('', o.value ?? ''), input('validateOnly', false)],
  };
}

/** The password input is always sent blank. */
export function validatedCreatePasswordCallback(o: ValidatedCreateOptions & { echoOn?: boolean }): Callback {
  return {
    type: 'ValidatedCreatePasswordCallback',
    output: [
      field('echoOn', o.echoOn ?? false),
      field('policies', o.policies ?? {}),
      field('failedPolicies', (o.failedPolicies ?? []).map(encodePolicyFailure)),
      field('validateOnly', o.validateOnly ?? false),
      field('prompt', o.prompt),
    ],
    input: [input('', ''), input('validateOnly', false)],
  };
}

export interface KbaCreateOptions {
  prompt: string;
  predefinedQuestions: readonly string[];
  allowUserDefinedQuestions?: boolean;
  /** Question to pre-fill when re-sending (the answer is never echoed). */
  question?: string;
}

export function kbaCreateCallback(o: KbaCreateOptions): Callback {
  return {
    type: 'KbaCreateCallback',
    output: [
      field('prompt', o.prompt),
      field('predefinedQuestions', [...o.predefinedQuestions]),
      field('allowUserDefinedQuestions', o.allowUserDefinedQuestions ?? true),
    ],
    input: [input('question', o.question ?? ''), input('answer', '')],
  };
}

export function termsAndConditionsCallback(o: { version: string; terms: string; createDate: string }): Callback {
  return {
    type: 'TermsAndConditionsCallback',
    output: [field('version', o.version), field('terms', o.terms), field('createDate', o.createDate)],
    input: [input('', false)],
  };
}

export function suspendedTextOutputCallback(message: string, messageType: TextOutputMessageType = MESSAGE_INFORMATION): Callback {
  return { type: 'SuspendedTextOutputCallback', output: [field('message', message), field('messageType', messageType)] };
}

export function metadataCallback(data: Record<string, unknown>): Callback {
  return { type: 'MetadataCallback', output: [field('data', data)] };
}

/** `waitTime` is milliseconds, sent as a string as AM does. */
export function pollingWaitCallback(waitTimeMs: number, message: string): Callback {
  if (!Number.isInteger(waitTimeMs) || waitTimeMs < 0) throw new RangeError('waitTimeMs must be a non-negative integer');
  return { type: 'PollingWaitCallback', output: [field('waitTime', String(waitTimeMs)), field('message', message)] };
}

export interface RedirectOptions {
  redirectUrl: string;
  redirectMethod?: 'GET' | 'POST';
  trackingCookie?: boolean;
  /** Form fields for POST redirects; emitted only when given. */
  redirectData?: Record<string, string>;
}

export function redirectCallback(o: RedirectOptions): Callback {
  const output = [
    field('redirectUrl', o.redirectUrl),
    field('redirectMethod', o.redirectMethod ?? 'GET'),
    field('trackingCookie', o.trackingCookie ?? true),
  ];
  if (o.redirectData !== undefined) output.push(field('redirectData', { ...o.redirectData }));
  return { type: 'RedirectCallback', output };
}

/** One button of a SelectIdPCallback: AM's provider name and the provider's `uiConfig` (none for `localAuthentication`). */
export interface IdPChoice {
  provider: string;
  uiConfig?: Record<string, unknown>;
}

/** AM's SelectIdPCallback: the client answers the chosen `provider` name. */
export function selectIdPCallback(providers: readonly IdPChoice[]): Callback {
  return {
    type: 'SelectIdPCallback',
    output: [
      field(
        'providers',
        providers.map((p) => ({ provider: p.provider, ...(p.uiConfig ? { uiConfig: { ...p.uiConfig } } : {}) })),
      ),
      field('value', ''),
    ],
    input: [input('', '')],
  };
}

export interface ReCaptchaOptions {
  siteKey: string;
  apiUri?: string;
  divClass?: string;
  v3?: boolean;
  disableSubmission?: boolean;
}

/** AM 7/8 outputs after the site key (their relative order is unverified, reference §7.5). */
export function reCaptchaCallback(o: ReCaptchaOptions): Callback {
  return {
    type: 'ReCaptchaCallback',
    output: [
      field('recaptchaSiteKey', o.siteKey),
      field('captchaApiUri', o.apiUri ?? 'https://www.google.com/recaptcha/api.js'),
      field('captchaDivClass', o.divClass ?? 'g-recaptcha'),
      field('reCaptchaV3', o.v3 ?? false),
      field('disableSubmission', o.disableSubmission ?? false),
    ],
    input: [input('', '')],
  };
}
