/**
 * Maps a step's callbacks to form models (what to show, which input carries the answer, labels,
 * autocomplete, required, policy failures) and back: the values a person entered are written into
 * the step JSON that is posted to the API, with `validateOnly` set for a live check. Also decides the
 * page's plan: a submit button, buttons of a ConfirmationCallback, a wait, a redirect or nothing
 * (a "check your e-mail" page), and which callback types this page cannot show. Pure, no DOM.
 */
import type { MessageKey } from '../i18n/en.js';
import { parseFailedPolicies, requirementsOf } from './policies.js';
import { safeHref } from './sanitize.js';
import { isRecord, outputValue, type PolicyFailure, type Step, type WireCallback } from './types.js';

interface Base {
  /** Callback type on the wire. */
  type: string;
  /** 0-based position in the step's callbacks. */
  index: number;
  /** DOM id prefix, unique per page. */
  id: string;
}

export interface InputBase extends Base {
  /** Name of the input carrying the value (input[0]). */
  inputName: string;
  label: string;
  required: boolean;
  /** Failed policies as the server reported them. */
  failures: PolicyFailure[];
  /** Requirements stated up front by `policies`, shown as a hint. */
  requirements: PolicyFailure[];
  /** Ask the server as the person types (POST with validateOnly). */
  liveValidation: boolean;
}

export interface TextField extends InputBase {
  kind: 'text';
  inputType: 'text' | 'email' | 'number' | 'tel';
  autocomplete?: string;
  /** How the typed text is sent: as it is, or as a number (null when empty). */
  valueType: 'string' | 'number';
}

export interface PasswordField extends InputBase {
  kind: 'password';
  autocomplete: 'current-password' | 'new-password' | 'one-time-code' | 'off';
  /** Ask for the new password twice (checked here, never sent). */
  confirm: boolean;
}

export interface CheckboxField extends InputBase {
  kind: 'checkbox';
}

export interface ChoiceField extends Base {
  kind: 'choice';
  inputName: string;
  label: string;
  choices: string[];
  defaultChoice: number;
  display: 'radio' | 'select';
}

/** SelectIdPCallback: the providers offered; the chosen provider's name is sent. */
export interface IdpField extends Base {
  kind: 'idp';
  inputName: string;
  /** `label` is the provider's button name (uiConfig.buttonDisplayName), or undefined for local sign-in. */
  providers: { value: string; label?: string }[];
}

export interface ConfirmationOption {
  value: number;
  /** Server text, or a key for the standard option types (Yes/No/OK/Cancel). */
  text?: string;
  key?: MessageKey;
}

export interface ConfirmationField extends Base {
  kind: 'confirmation';
  inputName: string;
  prompt: string;
  options: ConfirmationOption[];
  defaultOption: number;
}

export interface MessageField extends Base {
  kind: 'message';
  level: 'info' | 'warning' | 'error';
  text: string;
}

export interface NoticeField extends Base {
  kind: 'notice';
  key: 'script.notice' | 'recaptcha.notice';
}

export interface SuspendedField extends Base {
  kind: 'suspended';
  text: string;
}

export interface KbaField extends Base {
  kind: 'kba';
  label: string;
  questionInput: string;
  answerInput: string;
  questions: string[];
  allowCustom: boolean;
}

export interface TermsField extends Base {
  kind: 'terms';
  inputName: string;
  terms: string;
  version: string;
}

export interface PollingField extends Base {
  kind: 'polling';
  waitMs: number;
  message: string;
}

export interface RedirectField extends Base {
  kind: 'redirect';
  /** null when the target is not a relative or http(s) URL. */
  url: string | null;
  method: 'GET' | 'POST';
  data: Record<string, string>;
}

export interface HiddenField extends Base {
  kind: 'hidden';
}

export interface IgnoredField extends Base {
  kind: 'ignored';
}

export interface UnknownField extends Base {
  kind: 'unknown';
}

export type FieldModel =
  | TextField
  | PasswordField
  | CheckboxField
  | ChoiceField
  | IdpField
  | ConfirmationField
  | MessageField
  | NoticeField
  | SuspendedField
  | KbaField
  | TermsField
  | PollingField
  | RedirectField
  | HiddenField
  | IgnoredField
  | UnknownField;

const str = (value: unknown, fallback = ''): string =>
  typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : fallback;
const num = (value: unknown, fallback: number): number => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : fallback;
};
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map((v) => str(v)) : []);

const firstInput = (callback: WireCallback): string | undefined => callback.input?.find((field) => !field.name.endsWith('validateOnly'))?.name;
const hasValidateOnly = (callback: WireCallback): boolean => callback.input?.some((f) => f.name.endsWith('validateOnly')) ?? false;
const inputEnding = (callback: WireCallback, suffix: string): string | undefined =>
  callback.input?.find((field) => field.name.endsWith(suffix))?.name;

/** Autocomplete tokens for well-known IDM attribute names (WCAG 1.3.5 "identify input purpose"). */
const ATTRIBUTE_AUTOCOMPLETE: Readonly<Record<string, { autocomplete: string; inputType?: TextField['inputType'] }>> = {
  mail: { autocomplete: 'email', inputType: 'email' },
  userName: { autocomplete: 'username' },
  givenName: { autocomplete: 'given-name' },
  sn: { autocomplete: 'family-name' },
  telephoneNumber: { autocomplete: 'tel', inputType: 'tel' },
  postalCode: { autocomplete: 'postal-code' },
  country: { autocomplete: 'country-name' },
  city: { autocomplete: 'address-level2' },
  postalAddress: { autocomplete: 'street-address' },
};

/**
 * Which ValidatedCreatePasswordCallbacks ask for a confirmation, by their order on the page, from the
 * Page Node `stage` (`{"ValidatedCreatePasswordCallback":[{"id":…,"confirmPassword":true}]}`). The
 * default is to confirm (OWASP: enter a new password twice) unless the stage says `false`.
 */
export function confirmPasswordFlags(stage: unknown): (boolean | undefined)[] {
  if (typeof stage !== 'string' || !stage.trim().startsWith('{')) return [];
  try {
    const parsed: unknown = JSON.parse(stage);
    const entries = isRecord(parsed) ? parsed.ValidatedCreatePasswordCallback : undefined;
    if (!Array.isArray(entries)) return [];
    return entries.map((entry) => (isRecord(entry) && typeof entry.confirmPassword === 'boolean' ? entry.confirmPassword : undefined));
  } catch {
    return [];
  }
}

/** Standard ConfirmationCallback option sets (javax.security.auth.callback: YES=0, NO=1, CANCEL=2, OK=3). */
const STANDARD_OPTIONS: Readonly<Record<number, ConfirmationOption[]>> = {
  0: [
    { value: 0, key: 'confirm.yes' },
    { value: 1, key: 'confirm.no' },
  ],
  1: [
    { value: 0, key: 'confirm.yes' },
    { value: 1, key: 'confirm.no' },
    { value: 2, key: 'confirm.cancel' },
  ],
  2: [
    { value: 3, key: 'confirm.ok' },
    { value: 2, key: 'confirm.cancel' },
  ],
};

const POLL_MIN_MS = 250;
const POLL_MAX_MS = 60_000;
const POLL_DEFAULT_MS = 8_000;

/** The form model of one callback. Never throws: a malformed callback becomes `unknown`. */
export function fieldModel(
  callback: WireCallback,
  index: number,
  confirmFlags: readonly (boolean | undefined)[] = [],
  passwordOrdinal = 0,
): FieldModel {
  const base = { type: callback.type, index, id: `cb${index}` };
  const out = (name: string): unknown => outputValue(callback, name);
  const inputName = firstInput(callback);
  const prompt = str(out('prompt'));
  const inputBase = (label: string): InputBase => ({
    ...base,
    inputName: inputName ?? '',
    label,
    required: out('required') === true || out('required') === 'true',
    failures: parseFailedPolicies(out('failedPolicies')),
    requirements: requirementsOf(out('policies')),
    liveValidation: false,
  });

  switch (callback.type) {
    case 'NameCallback':
      if (!inputName) break;
      return { ...inputBase(prompt), kind: 'text', inputType: 'text', autocomplete: 'username', valueType: 'string', required: true };
    case 'TextInputCallback':
      if (!inputName) break;
      return { ...inputBase(prompt), kind: 'text', inputType: 'text', valueType: 'string' };
    case 'PasswordCallback': {
      if (!inputName) break;
      const otp = /one[\s-]?time|\botp\b|\bcode\b/i.test(prompt);
      return { ...inputBase(prompt), kind: 'password', autocomplete: otp ? 'one-time-code' : 'current-password', confirm: false, required: true };
    }
    case 'ValidatedCreateUsernameCallback':
      if (!inputName) break;
      return {
        ...inputBase(prompt),
        kind: 'text',
        inputType: 'text',
        autocomplete: 'username',
        valueType: 'string',
        required: true,
        liveValidation: hasValidateOnly(callback),
      };
    case 'ValidatedCreatePasswordCallback':
      if (!inputName) break;
      return {
        ...inputBase(prompt),
        kind: 'password',
        autocomplete: 'new-password',
        confirm: confirmFlags[passwordOrdinal] !== false,
        required: true,
        liveValidation: hasValidateOnly(callback),
      };
    case 'StringAttributeInputCallback':
    case 'NumberAttributeInputCallback': {
      if (!inputName) break;
      const field = inputBase(prompt || str(out('name')));
      const known = ATTRIBUTE_AUTOCOMPLETE[str(out('name'))];
      const isNumber = callback.type === 'NumberAttributeInputCallback';
      return {
        ...field,
        kind: 'text',
        inputType: isNumber ? 'number' : (known?.inputType ?? 'text'),
        ...(known && !isNumber ? { autocomplete: known.autocomplete } : {}),
        valueType: isNumber ? 'number' : 'string',
        liveValidation: hasValidateOnly(callback) && field.requirements.length > 0,
      };
    }
    case 'SelectIdPCallback': {
      if (!inputName) break;
      const list = out('providers');
      const providers = (Array.isArray(list) ? list : []).flatMap((p) => {
        if (!isRecord(p) || typeof p.provider !== 'string' || p.provider === '') return [];
        const ui = isRecord(p.uiConfig) ? p.uiConfig : {};
        const label = str(ui.buttonDisplayName) || (p.provider === 'localAuthentication' ? undefined : p.provider);
        return [{ value: p.provider, ...(label !== undefined ? { label } : {}) }];
      });
      if (providers.length === 0) break;
      return { ...base, kind: 'idp', inputName, providers };
    }
    case 'BooleanAttributeInputCallback':
      if (!inputName) break;
      return { ...inputBase(prompt || str(out('name'))), kind: 'checkbox' };
    case 'ChoiceCallback': {
      if (!inputName) break;
      const choices = strings(out('choices'));
      if (choices.length === 0) break;
      return {
        ...base,
        kind: 'choice',
        inputName,
        label: prompt,
        choices,
        defaultChoice: Math.min(Math.max(num(out('defaultChoice'), 0), 0), choices.length - 1),
        display: choices.length <= 6 ? 'radio' : 'select',
      };
    }
    case 'ConfirmationCallback': {
      if (!inputName) break;
      const texts = strings(out('options'));
      const options = texts.length > 0 ? texts.map((text, value) => ({ value, text })) : STANDARD_OPTIONS[num(out('optionType'), -1)];
      if (!options || options.length === 0) break;
      return { ...base, kind: 'confirmation', inputName, prompt, options, defaultOption: num(out('defaultOption'), options[0]?.value ?? 0) };
    }
    case 'TextOutputCallback': {
      const type = str(out('messageType'), '0');
      if (type === '4') return { ...base, kind: 'notice', key: 'script.notice' };
      return { ...base, kind: 'message', level: type === '2' ? 'error' : type === '1' ? 'warning' : 'info', text: str(out('message')) };
    }
    case 'SuspendedTextOutputCallback':
      return { ...base, kind: 'suspended', text: str(out('message')) };
    case 'HiddenValueCallback':
      return { ...base, kind: 'hidden' };
    case 'MetadataCallback':
      return { ...base, kind: 'ignored' };
    case 'ReCaptchaCallback':
      return { ...base, kind: 'notice', key: 'recaptcha.notice' };
    case 'KbaCreateCallback': {
      const questionInput = inputEnding(callback, 'question');
      const answerInput = inputEnding(callback, 'answer');
      if (!questionInput || !answerInput) break;
      const allow = out('allowUserDefinedQuestions');
      return {
        ...base,
        kind: 'kba',
        label: prompt,
        questionInput,
        answerInput,
        questions: strings(out('predefinedQuestions')).filter((q) => q !== ''),
        allowCustom: allow === undefined ? true : allow === true || allow === 'true',
      };
    }
    case 'TermsAndConditionsCallback':
      if (!inputName) break;
      return { ...base, kind: 'terms', inputName, terms: str(out('terms')), version: str(out('version')) };
    case 'PollingWaitCallback':
      return {
        ...base,
        kind: 'polling',
        waitMs: Math.min(Math.max(num(out('waitTime'), POLL_DEFAULT_MS), POLL_MIN_MS), POLL_MAX_MS),
        message: str(out('message')),
      };
    case 'RedirectCallback': {
      const data = out('redirectData');
      const fields: Record<string, string> = {};
      if (isRecord(data)) for (const [k, v] of Object.entries(data)) fields[k] = str(v);
      return {
        ...base,
        kind: 'redirect',
        url: safeHref(str(out('redirectUrl'))),
        method: str(out('redirectMethod')).toUpperCase() === 'POST' ? 'POST' : 'GET',
        data: fields,
      };
    }
    default:
      break;
  }
  return { ...base, kind: 'unknown' };
}

export interface PagePlan {
  fields: FieldModel[];
  /** Show the page's own submit button (false when buttons, a wait, a redirect or nothing apply). */
  submit: boolean;
  confirmation?: ConfirmationField;
  /** Re-submit the step after this many milliseconds (PollingWaitCallback). */
  pollAfterMs?: number;
  redirect?: RedirectField;
  /** A "check your e-mail" page: nothing to submit. */
  suspended: boolean;
  /** Callback types this page cannot render (or malformed ones): the page shows an error instead. */
  unknownTypes: string[];
}

export function planPage(step: Step): PagePlan {
  const flags = confirmPasswordFlags(step.stage);
  let passwords = 0;
  const fields = step.callbacks.map((callback, index) => {
    const model = fieldModel(callback, index, flags, passwords);
    if (callback.type === 'ValidatedCreatePasswordCallback') passwords += 1;
    return model;
  });
  const confirmation = fields.find((f): f is ConfirmationField => f.kind === 'confirmation');
  const polling = fields.find((f): f is PollingField => f.kind === 'polling');
  const redirect = fields.find((f): f is RedirectField => f.kind === 'redirect');
  const suspended = fields.some((f) => f.kind === 'suspended');
  const unknownTypes = fields.filter((f) => f.kind === 'unknown').map((f) => f.type);
  const plan: PagePlan = {
    fields,
    submit: !confirmation && !polling && !redirect && !suspended && unknownTypes.length === 0,
    suspended,
    unknownTypes,
  };
  if (confirmation) plan.confirmation = confirmation;
  if (polling) plan.pollAfterMs = polling.waitMs;
  if (redirect) plan.redirect = redirect;
  return plan;
}

/** Every input value of a step, keyed by input name (the values the server pre-filled). */
export function initialValues(step: Step): Map<string, unknown> {
  const values = new Map<string, unknown>();
  for (const callback of step.callbacks) {
    for (const field of callback.input ?? []) if (!field.name.endsWith('validateOnly')) values.set(field.name, field.value);
  }
  return values;
}

/**
 * The step JSON to post back: the step as received with each input's value replaced by the entered
 * one. For a live check every `validateOnly` input is true, so no node on the page moves on while
 * the server only validates; for a real submission they are all false.
 */
export function buildSubmission(step: Step, values: ReadonlyMap<string, unknown>, options: { validateOnly?: boolean } = {}): Step {
  const copy = JSON.parse(JSON.stringify(step)) as Step;
  for (const callback of copy.callbacks) {
    for (const field of callback.input ?? []) {
      if (field.name.endsWith('validateOnly')) field.value = options.validateOnly === true;
      else if (values.has(field.name)) field.value = values.get(field.name);
    }
  }
  return copy;
}

/** A step is "the same page" as another when it has the same callback types in the same order. */
export function samePage(a: Step, b: Step): boolean {
  return a.callbacks.length === b.callbacks.length && a.callbacks.every((cb, i) => cb.type === b.callbacks[i]?.type);
}

/**
 * Whether `next` says "these credentials were refused" without saying it: the submitted page asked
 * for a password (PasswordCallback) and the server sent the same page back (same header, same
 * callback types) with no failed policy and no error message of its own. AM's stock Login does
 * exactly this on a wrong password (Retry Limit → back to the page, HTTP 200), not a 401.
 */
export function credentialsRefused(submitted: Step, next: Step): boolean {
  if (!submitted.callbacks.some((cb) => cb.type === 'PasswordCallback')) return false;
  if ((submitted.header ?? '') !== (next.header ?? '') || !samePage(submitted, next)) return false;
  const explained = next.callbacks.some((cb) => {
    const failed = outputValue(cb, 'failedPolicies');
    if (Array.isArray(failed) && failed.length > 0) return true;
    return cb.type === 'TextOutputCallback' && String(outputValue(cb, 'messageType')) === '2';
  });
  return !explained;
}
