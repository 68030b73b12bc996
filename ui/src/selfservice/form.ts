/**
 * What to show for one IDM self-service answer and what to send back (reference §2, §5): the
 * requirements' JSON Schema properties become fields — generically, a text input per string property,
 * with the stock stages' properties given their proper control (password with live policy checks, a
 * security question's text from `systemQuestion` in the page's language, the predefined questions of a
 * KBA definition, the terms text with a checkbox, an e-mail address for userQuery) — and the values typed
 * become IDM's `input`. Pure: the DOM is built by page.ts.
 */
import type { PolicyFailure } from '../core/types.js';
import { isRecord } from '../core/types.js';

export interface StageAnswer {
  type: string;
  tag: string;
  requirements?: Record<string, unknown>;
  token?: string;
  status?: { success?: boolean };
  additions?: Record<string, unknown>;
}

export type Field =
  | { kind: 'text'; name: string; label: string; required: boolean; inputType: 'text' | 'email'; autocomplete?: string }
  | { kind: 'password'; name: string }
  | { kind: 'answer'; name: string; question: string }
  | { kind: 'define'; index: number; questions: { id: string; text: string }[] }
  | { kind: 'terms'; terms: string }
  | { kind: 'captcha' };

export interface FormPlan {
  fields: Field[];
  /** Posted at once without showing anything (IDM's `parameters` stage, as the End User UI does). */
  auto: boolean;
  /** Nothing to fill in: the e-mailed link is the way on. */
  checkMail: boolean;
  /** Properties of the `user` object (registration's userDetails), for building the input. */
  userFields: string[];
}

/** The text of a locale map in `locale`, else its language, else English, else its first text. */
export function textIn(map: unknown, locale: string): string {
  if (typeof map === 'string') return map;
  if (!isRecord(map)) return '';
  const keys = Object.keys(map);
  const wanted = [locale, locale.split(/[-_]/)[0] ?? locale, 'en'];
  for (const w of wanted) {
    const key = keys.find((k) => k.replace('_', '-').toLowerCase() === w.toLowerCase());
    if (key && typeof map[key] === 'string') return map[key];
  }
  for (const w of wanted) {
    const key = keys.find((k) => k.toLowerCase().split(/[-_]/)[0] === w.toLowerCase().split(/[-_]/)[0]);
    if (key && typeof map[key] === 'string') return map[key];
  }
  const first = keys[0];
  return first !== undefined && typeof map[first] === 'string' ? map[first] : '';
}

const propertiesOf = (requirements: Record<string, unknown> | undefined): Record<string, Record<string, unknown>> => {
  const p = requirements?.properties;
  return isRecord(p) ? (Object.fromEntries(Object.entries(p).filter(([, v]) => isRecord(v))) as Record<string, Record<string, unknown>>) : {};
};
const requiredOf = (requirements: Record<string, unknown> | undefined): string[] =>
  Array.isArray(requirements?.required) ? (requirements.required as unknown[]).filter((r): r is string => typeof r === 'string') : [];

/** The fields for an answer; `userFields`: the registration attributes (from the policy read), password excluded. */
export function planOf(answer: StageAnswer, locale: string, userFields: string[] = ['userName', 'givenName', 'sn', 'mail']): FormPlan {
  const plan: FormPlan = { fields: [], auto: false, checkMail: false, userFields: [] };
  const requirements = answer.requirements;
  const properties = propertiesOf(requirements);
  const required = requiredOf(requirements);
  if (answer.type === 'parameters') return { ...plan, auto: true };
  if (answer.tag === 'validateCode' || (answer.type === 'emailValidation' && 'code' in properties)) return { ...plan, checkMail: true };

  for (const [name, property] of Object.entries(properties)) {
    const isRequired = required.includes(name);
    if (answer.type === 'userQuery' && name === 'queryFilter') {
      plan.fields.push({ kind: 'text', name: 'mail', label: 'userQuery.label', required: true, inputType: 'email', autocomplete: 'email' });
    } else if (name === 'password') {
      plan.fields.push({ kind: 'password', name });
    } else if (property.systemQuestion !== undefined || property.userQuestion !== undefined) {
      plan.fields.push({
        kind: 'answer',
        name,
        question: property.systemQuestion !== undefined ? textIn(property.systemQuestion, locale) : String(property.userQuestion),
      });
    } else if (name === 'kba' && Array.isArray(property.questions)) {
      const questions = property.questions.filter(isRecord).map((q) => ({ id: String(q.id), text: textIn(q.question, locale) }));
      const n = typeof property.minItems === 'number' && property.minItems > 0 ? property.minItems : 1;
      for (let index = 0; index < n; index++) plan.fields.push({ kind: 'define', index, questions });
    } else if (name === 'accept') {
      plan.fields.push({ kind: 'terms', terms: typeof requirements?.terms === 'string' ? requirements.terms : '' });
    } else if (name === 'response' && property.recaptchaSiteKey !== undefined) {
      plan.fields.push({ kind: 'captcha' });
    } else if (name === 'user' && property.type === 'object') {
      plan.userFields = userFields.filter((f) => f !== 'password');
      for (const f of plan.userFields)
        plan.fields.push({ kind: 'text', name: `user.${f}`, label: `field.${f}`, required: true, inputType: f === 'mail' ? 'email' : 'text' });
      plan.fields.push({ kind: 'password', name: 'user.password' });
    } else {
      const label = typeof property.description === 'string' ? property.description : name;
      plan.fields.push({ kind: 'text', name, label, required: isRequired, inputType: name === 'mail' ? 'email' : 'text' });
    }
  }
  return plan;
}

/** CREST's string literal: double quotes, backslash-escaped. */
const quoted = (value: string): string => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** IDM's `input` for the values typed into a plan's fields. */
export function inputOf(answer: StageAnswer, plan: FormPlan, values: ReadonlyMap<string, string | boolean>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const text = (name: string): string => {
    const v = values.get(name);
    return typeof v === 'string' ? v : '';
  };
  for (const field of plan.fields) {
    switch (field.kind) {
      case 'text':
        if (answer.type === 'userQuery' && field.name === 'mail') input.queryFilter = `mail eq ${quoted(text('mail').trim())}`;
        else if (field.name.startsWith('user.')) ((input.user ??= {}) as Record<string, unknown>)[field.name.slice(5)] = text(field.name).trim();
        else input[field.name] = text(field.name);
        break;
      case 'password':
        if (field.name.startsWith('user.')) ((input.user ??= {}) as Record<string, unknown>).password = text(field.name);
        else input[field.name] = text(field.name);
        break;
      case 'answer':
        input[field.name] = text(field.name);
        break;
      case 'define': {
        const choice = text(`kba.${field.index}.question`);
        const answerText = text(`kba.${field.index}.answer`);
        const entry =
          choice === '' || choice === '__custom__'
            ? { customQuestion: text(`kba.${field.index}.custom`).trim(), answer: answerText }
            : { questionId: choice, answer: answerText };
        ((input.kba ??= []) as unknown[]).push(entry);
        break;
      }
      case 'terms':
        input.accept = values.get('accept') === true ? 'true' : 'false';
        break;
      case 'captcha':
        break;
    }
  }
  return input;
}

/** The policy failures PingIDM 7.5 puts in `requirements.error.detail.failedPolicyRequirements`, by property. */
export function failuresIn(answer: StageAnswer): Map<string, PolicyFailure[]> {
  const out = new Map<string, PolicyFailure[]>();
  const error = answer.requirements?.error;
  const detail = isRecord(error) ? error.detail : undefined;
  const list = isRecord(detail) && Array.isArray(detail.failedPolicyRequirements) ? detail.failedPolicyRequirements : [];
  for (const entry of list) {
    if (!isRecord(entry) || typeof entry.property !== 'string' || !Array.isArray(entry.policyRequirements)) continue;
    const failures = entry.policyRequirements
      .filter(isRecord)
      .filter((r) => typeof r.policyRequirement === 'string')
      .map((r) =>
        isRecord(r.params)
          ? { policyRequirement: String(r.policyRequirement), params: r.params }
          : { policyRequirement: String(r.policyRequirement) },
      );
    out.set(entry.property, [...(out.get(entry.property) ?? []), ...failures]);
  }
  return out;
}
