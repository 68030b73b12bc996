/**
 * AM/IDM policy failures as sentences, in every shipped language: the one catalogue of policy
 * sentences, used by the hosted pages (field errors, the password checklist) and by the command line
 * (`cairn users …` refusals). Each `policyRequirement` id with its params maps to a message key; ids
 * without a sentence get a generic one naming the id, never silence. Pure, dependency-free.
 */
import { formatMessage, joinList, shippedLanguage, type Message, type ShippedLanguage } from './messages.js';

export interface PolicyFailure {
  policyRequirement: string;
  params?: Record<string, unknown>;
}

/** The policy ids with their own sentence; the key is `policy.<id>`. */
export const KNOWN_POLICIES = [
  'REQUIRED',
  'MIN_LENGTH',
  'MAX_LENGTH',
  'AT_LEAST_X_CAPITAL_LETTERS',
  'AT_LEAST_X_NUMBERS',
  'CANNOT_CONTAIN_OTHERS',
  'CANNOT_CONTAIN_CHARACTERS',
  'CANNOT_CONTAIN_DUPLICATES',
  'VALID_USERNAME',
  'UNIQUE',
  'VALID_EMAIL_ADDRESS_FORMAT',
  'VALID_PHONE_FORMAT',
  'VALID_NAME_FORMAT',
  'VALID_DATE',
  'VALID_TYPE',
  'MATCH_REGEXP',
  'CANNOT_BE_COMMON',
  'CANNOT_BE_REPETITIVE_OR_SEQUENTIAL',
  'CANNOT_BE_BREACHED',
  'IS_NEW',
] as const;
export type KnownPolicy = (typeof KNOWN_POLICIES)[number];

/** The English policy texts, the reference: every other language translates each key. */
export const POLICY_TEXTS_EN = {
  'field.userName': 'username',
  'field.givenName': 'first name',
  'field.sn': 'last name',
  'field.mail': 'email address',
  'field.password': 'password',
  'field.others': 'other personal details',
  'policy.REQUIRED': 'This field is required.',
  'policy.MIN_LENGTH': { one: 'Must be at least 1 character long.', other: 'Must be at least {count} characters long.' },
  'policy.MAX_LENGTH': { one: 'Must be at most 1 character long.', other: 'Must be at most {count} characters long.' },
  'policy.AT_LEAST_X_CAPITAL_LETTERS': { one: 'Must contain at least 1 capital letter.', other: 'Must contain at least {count} capital letters.' },
  'policy.AT_LEAST_X_NUMBERS': { one: 'Must contain at least 1 number.', other: 'Must contain at least {count} numbers.' },
  'policy.CANNOT_CONTAIN_OTHERS': 'Must not contain your {fields}.',
  'policy.CANNOT_CONTAIN_CHARACTERS': 'Must not contain these characters: {characters}.',
  'policy.CANNOT_CONTAIN_DUPLICATES': 'Must not contain the same value twice.',
  'policy.VALID_USERNAME': 'This username is not valid or is not available.',
  'policy.UNIQUE': 'This value is already in use.',
  'policy.VALID_EMAIL_ADDRESS_FORMAT': 'Enter a valid email address.',
  'policy.VALID_PHONE_FORMAT': 'Enter a valid phone number.',
  'policy.VALID_NAME_FORMAT': 'Enter a valid name.',
  'policy.VALID_DATE': 'Enter a valid date.',
  'policy.VALID_TYPE': 'This value has the wrong type.',
  'policy.MATCH_REGEXP': 'This value does not have the expected format.',
  'policy.CANNOT_BE_COMMON': 'This password is too common. Choose one that is harder to guess.',
  'policy.CANNOT_BE_REPETITIVE_OR_SEQUENTIAL': 'Must not be a repeated or sequential pattern such as “aaaa” or “1234”.',
  'policy.CANNOT_BE_BREACHED': 'This password has appeared in a data breach. Choose another one.',
  'policy.IS_NEW': 'Must be different from your current password.',
  'policy.unknown': 'This value does not meet the requirement {requirement}.',
  // A rule as a checklist states it, where the failure's sentence says what went wrong instead.
  'rule.CANNOT_BE_COMMON': 'Must not be a common password.',
  'rule.CANNOT_BE_BREACHED': 'Must not have appeared in a data breach.',
} as const satisfies Record<string, Message>;

export type PolicyTextKey = keyof typeof POLICY_TEXTS_EN;
export type PolicyTexts = { readonly [K in PolicyTextKey]: Message };

export const POLICY_TEXTS_FR: PolicyTexts = {
  'field.userName': 'nom d’utilisateur',
  'field.givenName': 'prénom',
  'field.sn': 'nom',
  'field.mail': 'adresse e-mail',
  'field.password': 'mot de passe',
  'field.others': 'autres informations personnelles',
  'policy.REQUIRED': 'Ce champ est obligatoire.',
  'policy.MIN_LENGTH': { one: 'Doit contenir au moins 1 caractère.', other: 'Doit contenir au moins {count} caractères.' },
  'policy.MAX_LENGTH': { one: 'Doit contenir au plus 1 caractère.', other: 'Doit contenir au plus {count} caractères.' },
  'policy.AT_LEAST_X_CAPITAL_LETTERS': { one: 'Doit contenir au moins 1 majuscule.', other: 'Doit contenir au moins {count} majuscules.' },
  'policy.AT_LEAST_X_NUMBERS': { one: 'Doit contenir au moins 1 chiffre.', other: 'Doit contenir au moins {count} chiffres.' },
  'policy.CANNOT_CONTAIN_OTHERS': 'Ne doit pas contenir votre {fields}.',
  'policy.CANNOT_CONTAIN_CHARACTERS': 'Ne doit pas contenir ces caractères\u00a0: {characters}.',
  'policy.CANNOT_CONTAIN_DUPLICATES': 'Ne doit pas contenir deux fois la même valeur.',
  'policy.VALID_USERNAME': 'Ce nom d’utilisateur n’est pas valide ou n’est pas disponible.',
  'policy.UNIQUE': 'Cette valeur est déjà utilisée.',
  'policy.VALID_EMAIL_ADDRESS_FORMAT': 'Saisissez une adresse e-mail valide.',
  'policy.VALID_PHONE_FORMAT': 'Saisissez un numéro de téléphone valide.',
  'policy.VALID_NAME_FORMAT': 'Saisissez un nom valide.',
  'policy.VALID_DATE': 'Saisissez une date valide.',
  'policy.VALID_TYPE': 'Cette valeur n’a pas le bon type.',
  'policy.MATCH_REGEXP': 'Cette valeur n’a pas le format attendu.',
  'policy.CANNOT_BE_COMMON': 'Ce mot de passe est trop courant. Choisissez-en un plus difficile à deviner.',
  'policy.CANNOT_BE_REPETITIVE_OR_SEQUENTIAL': 'Ne doit pas être une répétition ou une suite comme «\u00a0aaaa\u00a0» ou «\u00a01234\u00a0».',
  'policy.CANNOT_BE_BREACHED': 'Ce mot de passe figure dans une fuite de données. Choisissez-en un autre.',
  'policy.IS_NEW': 'Doit être différent de votre mot de passe actuel.',
  'policy.unknown': 'Cette valeur ne respecte pas l’exigence {requirement}.',
  'rule.CANNOT_BE_COMMON': 'Ne doit pas être un mot de passe courant.',
  'rule.CANNOT_BE_BREACHED': 'Ne doit pas figurer dans une fuite de données.',
};

export const POLICY_TEXTS: Readonly<Record<ShippedLanguage, PolicyTexts>> = { en: POLICY_TEXTS_EN, fr: POLICY_TEXTS_FR };

export interface PolicyMessage {
  key: `policy.${KnownPolicy}` | 'policy.unknown';
  params: Record<string, string | number>;
  /** List parameters as arrays, so each language translates field names and joins them its own way. */
  lists: { fields?: string[]; characters?: string[] };
}

const count = (value: unknown, fallback: number): number => {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : fallback;
};

const list = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value])
    .filter((v): v is string | number => typeof v === 'string' || typeof v === 'number')
    .map(String);

/** The message key and parameters for one failure. */
export function policyMessage(failure: PolicyFailure): PolicyMessage {
  const id = failure.policyRequirement;
  const params = failure.params ?? {};
  if (!(KNOWN_POLICIES as readonly string[]).includes(id)) {
    return { key: 'policy.unknown', params: { requirement: id.slice(0, 100) }, lists: {} };
  }
  const key = `policy.${id as KnownPolicy}` as const;
  switch (id) {
    case 'MIN_LENGTH':
      return { key, params: { count: count(params.minLength, 1) }, lists: {} };
    case 'MAX_LENGTH':
      return { key, params: { count: count(params.maxLength, 255) }, lists: {} };
    case 'AT_LEAST_X_CAPITAL_LETTERS':
      return { key, params: { count: count(params.numCaps, 1) }, lists: {} };
    case 'AT_LEAST_X_NUMBERS':
      return { key, params: { count: count(params.numNums, 1) }, lists: {} };
    case 'CANNOT_CONTAIN_OTHERS':
      return { key, params: {}, lists: { fields: list(params.disallowedFields) } };
    case 'CANNOT_CONTAIN_CHARACTERS':
      return { key, params: {}, lists: { characters: list(params.forbiddenChars) } };
    default:
      return { key, params: {}, lists: {} };
  }
}

/**
 * The sentence for a failure, given a way to read a text key in the wanted language (the pages pass
 * their translator, which also applies the operator's theme overrides).
 */
export function policySentence(
  failure: PolicyFailure,
  locale: string,
  text: (key: PolicyTextKey, params?: Record<string, string | number>) => string,
): string {
  const { key, params, lists } = policyMessage(failure);
  const all: Record<string, string | number> = { ...params };
  if (lists.fields) {
    const fieldName = (name: string): string => (`field.${name}` in POLICY_TEXTS_EN ? text(`field.${name}` as PolicyTextKey) : name);
    // "Must not contain your username, first name or last name": any one of them is refused.
    all.fields = lists.fields.length > 0 ? joinList(lists.fields.map(fieldName), locale, 'disjunction') : text('field.others');
  }
  if (lists.characters) all.characters = lists.characters.map((c) => (locale === 'fr' ? `«\u00a0${c}\u00a0»` : `“${c}”`)).join(' ');
  return text(key, all);
}

/** Whether a requirement is stated differently as a rule (checklist) than as a failure (error). */
export const hasRuleText = (policyRequirement: string): boolean => `rule.${policyRequirement}` in POLICY_TEXTS_EN;

/** A requirement as a checklist rule: its `rule.*` text when it has one, else its policy sentence. */
export function ruleSentence(
  requirement: PolicyFailure,
  locale: string,
  text: (key: PolicyTextKey, params?: Record<string, string | number>) => string,
): string {
  return hasRuleText(requirement.policyRequirement)
    ? text(`rule.${requirement.policyRequirement}` as PolicyTextKey)
    : policySentence(requirement, locale, text);
}

/** The sentence for a failure in the best shipped language for `locales` (server side: command line, node messages). */
export function describePolicyFailure(failure: PolicyFailure, locales: readonly string[] = []): string {
  const language = shippedLanguage(locales);
  const texts = POLICY_TEXTS[language];
  return policySentence(failure, language, (key, params = {}) => formatMessage(texts[key], params, language));
}
