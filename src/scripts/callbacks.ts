/**
 * Callbacks across the sandbox boundary. A script's callbacks leave the realm as descriptors (the
 * builder's options) and become AM's JSON through the one callback vocabulary; the callbacks the
 * client returned enter the realm as plain records carrying what AM's getters return.
 */
import {
  booleanAttributeInputCallback,
  choiceCallback,
  confirmationCallback,
  hiddenValueCallback,
  inputValue,
  kbaCreateCallback,
  metadataCallback,
  nameCallback,
  numberAttributeInputCallback,
  outputValue,
  passwordCallback,
  pollingWaitCallback,
  readBoolean,
  readIndex,
  readNumber,
  readString,
  redirectCallback,
  stringAttributeInputCallback,
  suspendedTextOutputCallback,
  termsAndConditionsCallback,
  textInputCallback,
  textOutputCallback,
  validatedCreatePasswordCallback,
  validatedCreateUsernameCallback,
  type Callback,
  type TextOutputMessageType,
} from '../callbacks/index.js';
import type { PolicyFailure } from '../identity/ports.js';

type D = Record<string, unknown>;

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const bool = (v: unknown): boolean => v === true;
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(str) : []);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** `failedPolicies` as scripts give them: AM's JSON strings (or objects), back to PolicyFailure. */
function failures(v: unknown): PolicyFailure[] {
  if (!Array.isArray(v)) return [];
  return v.map((f) => {
    let o: unknown = f;
    if (typeof f === 'string') {
      try {
        o = JSON.parse(f);
      } catch {
        o = { policyRequirement: f };
      }
    }
    const r = obj(o);
    return {
      policyRequirement: str(r.policyRequirement),
      ...(r.params && typeof r.params === 'object' ? { params: r.params as Record<string, unknown> } : {}),
    };
  });
}

function messageType(v: unknown): TextOutputMessageType {
  const s = str(v);
  return s === '1' || s === '2' || s === '4' ? s : '0';
}

const attribute = (d: D) => ({
  name: str(d.name),
  prompt: str(d.prompt),
  required: bool(d.required),
  policies: obj(d.policies),
  failedPolicies: failures(d.failedPolicies),
  validateOnly: bool(d.validateOnly),
});

/** One script callback descriptor as AM's JSON; throws on a type Cairn does not have. */
export function callbackOf(d: D): Callback {
  switch (d.type) {
    case 'NameCallback':
      return nameCallback(str(d.prompt), str(d.value));
    case 'PasswordCallback':
      return passwordCallback(str(d.prompt));
    case 'TextInputCallback':
      return textInputCallback(str(d.prompt), str(d.value));
    case 'TextOutputCallback':
      return textOutputCallback(str(d.message), messageType(d.messageType));
    case 'SuspendedTextOutputCallback':
      return suspendedTextOutputCallback(str(d.message), messageType(d.messageType));
    case 'ConfirmationCallback':
      return confirmationCallback({
        prompt: str(d.prompt),
        messageType: Number(d.messageType) || 0,
        options: list(d.options),
        optionType: Number.isInteger(d.optionType) ? (d.optionType as number) : -1,
        defaultOption: Number(d.defaultOption) || 0,
      });
    case 'ChoiceCallback': {
      const choices = list(d.choices);
      const def = Number(d.defaultChoice) || 0;
      return choiceCallback(str(d.prompt), choices, def >= 0 && def < choices.length ? def : 0);
    }
    case 'HiddenValueCallback':
      return hiddenValueCallback(str(d.id), str(d.value));
    case 'StringAttributeInputCallback':
      return stringAttributeInputCallback({ ...attribute(d), value: str(d.value) });
    case 'NumberAttributeInputCallback':
      return numberAttributeInputCallback({ ...attribute(d), value: typeof d.value === 'number' && Number.isFinite(d.value) ? d.value : null });
    case 'BooleanAttributeInputCallback':
      return booleanAttributeInputCallback({ ...attribute(d), value: bool(d.value) });
    case 'ValidatedCreateUsernameCallback':
      return validatedCreateUsernameCallback({
        prompt: str(d.prompt),
        policies: obj(d.policies),
        failedPolicies: failures(d.failedPolicies),
        validateOnly: bool(d.validateOnly),
      });
    case 'ValidatedCreatePasswordCallback':
      return validatedCreatePasswordCallback({
        prompt: str(d.prompt),
        echoOn: bool(d.echoOn),
        policies: obj(d.policies),
        failedPolicies: failures(d.failedPolicies),
        validateOnly: bool(d.validateOnly),
      });
    case 'KbaCreateCallback':
      return kbaCreateCallback({
        prompt: str(d.prompt),
        predefinedQuestions: list(d.predefinedQuestions),
        allowUserDefinedQuestions: d.allowUserDefinedQuestions !== false,
      });
    case 'TermsAndConditionsCallback':
      return termsAndConditionsCallback({ version: str(d.version), terms: str(d.terms), createDate: str(d.createDate) });
    case 'MetadataCallback':
      return metadataCallback(obj(d.data));
    case 'PollingWaitCallback': {
      const ms = Math.floor(Number(d.waitTime));
      return pollingWaitCallback(Number.isFinite(ms) && ms >= 0 ? ms : 8000, str(d.message));
    }
    case 'RedirectCallback': {
      const method = str(d.redirectMethod).toUpperCase() === 'POST' ? 'POST' : 'GET';
      const data =
        d.redirectData && typeof d.redirectData === 'object'
          ? Object.fromEntries(Object.entries(obj(d.redirectData)).map(([k, v]) => [k, str(v)]))
          : undefined;
      return redirectCallback({
        redirectUrl: str(d.redirectUrl),
        redirectMethod: method,
        ...(d.trackingCookie === undefined ? {} : { trackingCookie: bool(d.trackingCookie) }),
        ...(data ? { redirectData: data } : {}),
      });
    }
    default:
      throw new Error(`The script built a ${str(d.type)}, which Cairn does not have.`);
  }
}

/** The client's returned callbacks as the realm's records (what AM's getters and callbacks.getXCallbacks() read). */
export function recordsOf(callbacks: readonly Callback[] | undefined): Record<string, unknown>[] {
  return (callbacks ?? []).map((cb) => {
    const base = { type: cb.type, prompt: outputValue(cb, 'prompt') ?? '' };
    switch (cb.type) {
      case 'NameCallback':
        return { ...base, name: readString(cb), defaultName: '' };
      case 'PasswordCallback':
        return { ...base, password: readString(cb), echoOn: false };
      case 'TextInputCallback':
        return { ...base, text: readString(cb), defaultText: '' };
      case 'TextOutputCallback':
        return { type: cb.type, message: outputValue(cb, 'message') ?? '', messageType: Number(outputValue(cb, 'messageType')) || 0 };
      case 'ConfirmationCallback':
        return {
          ...base,
          selectedIndex: readIndex(cb) ?? null,
          options: outputValue(cb, 'options') ?? [],
          defaultOption: outputValue(cb, 'defaultOption') ?? 0,
          optionType: outputValue(cb, 'optionType') ?? -1,
          messageType: outputValue(cb, 'messageType') ?? 0,
        };
      case 'ChoiceCallback': {
        const i = readIndex(cb);
        return {
          ...base,
          choices: outputValue(cb, 'choices') ?? [],
          defaultChoice: outputValue(cb, 'defaultChoice') ?? 0,
          multiple: false,
          selectedIndexes: i === undefined ? [] : [i],
        };
      }
      case 'HiddenValueCallback':
        return { type: cb.type, id: outputValue(cb, 'id') ?? '', value: readString(cb) };
      case 'StringAttributeInputCallback':
        return {
          ...base,
          name: outputValue(cb, 'name') ?? '',
          value: readString(cb),
          required: outputValue(cb, 'required') === true,
          validateOnly: readBoolean(cb, 'validateOnly'),
        };
      case 'NumberAttributeInputCallback':
        return {
          ...base,
          name: outputValue(cb, 'name') ?? '',
          value: readNumber(cb),
          required: outputValue(cb, 'required') === true,
          validateOnly: readBoolean(cb, 'validateOnly'),
        };
      case 'BooleanAttributeInputCallback':
        return {
          ...base,
          name: outputValue(cb, 'name') ?? '',
          value: readBoolean(cb),
          required: outputValue(cb, 'required') === true,
          validateOnly: readBoolean(cb, 'validateOnly'),
        };
      case 'ValidatedCreateUsernameCallback':
        return { ...base, username: readString(cb), validateOnly: readBoolean(cb, 'validateOnly') };
      case 'ValidatedCreatePasswordCallback':
        return { ...base, password: readString(cb), validateOnly: readBoolean(cb, 'validateOnly') };
      case 'KbaCreateCallback':
        return { ...base, selectedQuestion: readString(cb, 'question'), selectedAnswer: readString(cb, 'answer') };
      case 'TermsAndConditionsCallback':
        return { type: cb.type, accept: readBoolean(cb), version: outputValue(cb, 'version') ?? '', terms: outputValue(cb, 'terms') ?? '' };
      default:
        return { type: cb.type, value: inputValue(cb) ?? null };
    }
  });
}
