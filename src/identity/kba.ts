/**
 * Security questions (KBA), shared by IDM's self-service KBA stages and AM's KBA nodes: the IDM-format
 * configuration (`selfservice.kba.json`), how answers are stored on a user (IDM's `kbaInfo` array of
 * `{questionId | customQuestion, answer}`, the answer in IDM's `$crypto` salted-hash envelope), how they
 * are checked, and the per-account failure budget.
 *
 * Security reasoning:
 * - New answers are hashed with Cairn's password hasher (argon2id, its own salt) and stored as IDM's
 *   `$crypto` value — `{"type":"salted-hash","value":{"algorithm":"ARGON2ID","data":"$argon2id$…"}}` — without
 *   the `$crypto` wrapper, since the store (like MongoDB) refuses field names starting with "$". IDM's own
 *   SHA-256/384/512 salted hashes (`base64(digest ‖ 16-byte salt)`) are still verified, in either form, for
 *   imported users, and a successful check re-hashes them with argon2id.
 * - Answers are compared after one normalisation (NFKC, lower case, trimmed, inner whitespace collapsed),
 *   as UTF-8: "Élan", "élan" and "e\u0301lan" are one answer. IDM lower-cases only and, reading
 *   `String.getBytes()` with `String.length()`, truncates non-ASCII answers; that is not copied (a legacy
 *   hash is tried with IDM's lower-casing of the raw text as well as with the normalised form).
 * - Every asked answer is evaluated (no early exit) and the result says only match / mismatch.
 * - Failures are counted in the store per account, reserved before anything is evaluated, so concurrent
 *   guesses cannot exceed `numberOfAttemptsAllowed`; the count lapses after `lockoutMinutes` (a lockout an
 *   attacker could make permanent would be a denial of service against the owner) and a full match clears it.
 * - Clients may not store a pre-computed `$crypto` value as an answer (IDM lets them): only plaintext
 *   answers are accepted, so every stored answer is one Cairn hashed.
 */
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import type { CounterPort } from './ports.js';
import type { PasswordHasher } from './passwords.js';

/** Locale → text, as IDM writes questions (`{"en": "What's your favorite color?", "fr": "…"}`). */
export type QuestionText = Readonly<Record<string, string>>;

/** `selfservice.kba.json`, checked and with defaults applied. */
export interface KbaConfig {
  /** The user attribute holding the answers (IDM: `kbaInfo`). */
  readonly kbaPropertyName: string;
  /** Predefined questions by id. */
  readonly questions: Readonly<Record<string, QuestionText>>;
  /** Answers a user must define (registration, profile). */
  readonly minimumAnswersToDefine: number;
  /** Questions asked when verifying. */
  readonly minimumAnswersToVerify: number;
  /** Failed verifications allowed per account before verification is refused for a while. */
  readonly numberOfAttemptsAllowed: number;
  /** IDM's attribute for its failure count; accepted for compatibility, Cairn counts in the store. */
  readonly kbaAttemptsPropertyName: string;
  /** Cairn: minutes over which failures are counted; a lockout ends when the count lapses. */
  readonly lockoutMinutes: number;
}

export const DEFAULT_KBA_CONFIG: KbaConfig = Object.freeze({
  kbaPropertyName: 'kbaInfo',
  questions: Object.freeze({}),
  minimumAnswersToDefine: 1,
  minimumAnswersToVerify: 1,
  numberOfAttemptsAllowed: 3,
  kbaAttemptsPropertyName: 'kbaLockout',
  lockoutMinutes: 15,
});

const KNOWN_KEYS = new Set([
  '_id',
  'kbaPropertyName',
  'questions',
  'minimumAnswersToDefine',
  'minimumAnswersToVerify',
  'numberOfAttemptsAllowed',
  'kbaAttemptsPropertyName',
  'lockoutMinutes',
]);
const LOCALE = /^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$/;
const MAX_QUESTION_LENGTH = 500;

export interface KbaConfigProblem {
  pointer: string;
  message: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const escapePointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Checks a parsed `selfservice.kba.json`; every problem is reported with its JSON pointer. */
export function parseKbaConfig(data: unknown): { config: KbaConfig; problems: KbaConfigProblem[] } {
  const problems: KbaConfigProblem[] = [];
  const add = (pointer: string, message: string): void => void problems.push({ pointer, message });
  if (!isRecord(data)) {
    add('', 'must be a JSON object');
    return { config: DEFAULT_KBA_CONFIG, problems };
  }
  for (const key of Object.keys(data)) if (!KNOWN_KEYS.has(key)) add(`/${escapePointer(key)}`, `unknown key "${key}"`);
  const text = (key: 'kbaPropertyName' | 'kbaAttemptsPropertyName'): string => {
    const v = data[key];
    if (v === undefined) return DEFAULT_KBA_CONFIG[key];
    if (typeof v !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(v)) add(`/${key}`, 'must be an attribute name');
    return typeof v === 'string' ? v : DEFAULT_KBA_CONFIG[key];
  };
  const count = (key: 'minimumAnswersToDefine' | 'minimumAnswersToVerify' | 'numberOfAttemptsAllowed' | 'lockoutMinutes', max: number): number => {
    const v = data[key];
    if (v === undefined) return DEFAULT_KBA_CONFIG[key];
    // IDM's files sometimes carry numbers as strings ("1"); both are read.
    const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > max) {
      add(`/${key}`, `must be a whole number from 1 to ${max}`);
      return DEFAULT_KBA_CONFIG[key];
    }
    return n;
  };
  const questions: Record<string, QuestionText> = {};
  if (data.questions !== undefined) {
    if (!isRecord(data.questions)) add('/questions', 'must be an object of question id → {locale: text}');
    else {
      for (const [id, q] of Object.entries(data.questions)) {
        const at = `/questions/${escapePointer(id)}`;
        if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) add(at, 'a question id is 1 to 64 letters, digits, "_" or "-"');
        if (!isRecord(q) || Object.keys(q).length === 0) {
          add(at, 'must be an object of locale → question text, with at least one locale');
          continue;
        }
        for (const [locale, t] of Object.entries(q)) {
          if (!LOCALE.test(locale)) add(`${at}/${escapePointer(locale)}`, `${JSON.stringify(locale)} is not a locale tag (e.g. "en", "fr-CA")`);
          if (typeof t !== 'string' || t.trim() === '' || t.length > MAX_QUESTION_LENGTH)
            add(`${at}/${escapePointer(locale)}`, `must be a question of 1 to ${MAX_QUESTION_LENGTH} characters`);
        }
        questions[id] = Object.freeze({ ...(q as Record<string, string>) });
      }
    }
  }
  const config: KbaConfig = Object.freeze({
    kbaPropertyName: text('kbaPropertyName'),
    kbaAttemptsPropertyName: text('kbaAttemptsPropertyName'),
    questions: Object.freeze(questions),
    minimumAnswersToDefine: count('minimumAnswersToDefine', 20),
    minimumAnswersToVerify: count('minimumAnswersToVerify', 20),
    numberOfAttemptsAllowed: count('numberOfAttemptsAllowed', 100),
    lockoutMinutes: count('lockoutMinutes', 10_080),
  });
  return { config, problems };
}

// ---------------------------------------------------------------------------------------------
// Stored answers

/** IDM's `$crypto` value of a hashed answer (stored without the `$crypto` wrapper; read with or without it). */
export interface CryptoValue {
  type: 'salted-hash';
  value: { algorithm: string; data: string };
}

/** One entry of a user's `kbaInfo`: a predefined question by id, or the user's own question. */
export type StoredKbaAnswer = { questionId: string; answer: CryptoValue } | { customQuestion: string; answer: CryptoValue };

/** A question as asked: which stored entry the answer is checked against. */
export type KbaQuestionRef = { questionId: string } | { customQuestion: string };

/** What a user submits when defining answers. */
export type KbaDefinition = { questionId: string; answer: string } | { customQuestion: string; answer: string };

export const CAIRN_KBA_ALGORITHM = 'ARGON2ID';
const LEGACY_ALGORITHMS: Readonly<Record<string, { hash: string; length: number }>> = {
  'SHA-256': { hash: 'sha256', length: 32 },
  'SHA-384': { hash: 'sha384', length: 48 },
  'SHA-512': { hash: 'sha512', length: 64 },
};

/** The one form an answer is compared in: NFKC, lower case, trimmed, runs of white space as one space. */
export function normaliseAnswer(answer: string): string {
  return answer.normalize('NFKC').toLowerCase().trim().replace(/\s+/gu, ' ');
}

function cryptoOf(value: unknown): { algorithm: string; data: string } | undefined {
  if (!isRecord(value)) return undefined;
  const c = isRecord(value.$crypto) ? value.$crypto : value;
  if (c.type !== 'salted-hash' || !isRecord(c.value)) return undefined;
  const { algorithm, data } = c.value;
  return typeof algorithm === 'string' && typeof data === 'string' ? { algorithm, data } : undefined;
}

/** The well-formed entries of a user's answers attribute; anything else in it is skipped. */
export function storedAnswersOf(user: Record<string, unknown>, propertyName: string): StoredKbaAnswer[] {
  const list = user[propertyName];
  if (!Array.isArray(list)) return [];
  const out: StoredKbaAnswer[] = [];
  for (const entry of list) {
    if (!isRecord(entry)) continue;
    const crypto = cryptoOf(entry.answer);
    if (!crypto) continue;
    const answer: CryptoValue = { type: 'salted-hash', value: crypto };
    if (typeof entry.questionId === 'string' && entry.questionId !== '') out.push({ questionId: entry.questionId, answer });
    else if (typeof entry.customQuestion === 'string' && entry.customQuestion.trim() !== '')
      out.push({ customQuestion: entry.customQuestion, answer });
  }
  return out;
}

const sameRef = (a: KbaQuestionRef, b: KbaQuestionRef): boolean =>
  'questionId' in a ? 'questionId' in b && a.questionId === b.questionId : 'customQuestion' in b && a.customQuestion === b.customQuestion;

export const refOf = (stored: StoredKbaAnswer): KbaQuestionRef =>
  'questionId' in stored ? { questionId: stored.questionId } : { customQuestion: stored.customQuestion };

/** `n` of the user's stored questions in random order (IDM shuffles), or undefined when there are fewer than `n`. */
export function pickQuestions(stored: readonly StoredKbaAnswer[], n: number): KbaQuestionRef[] | undefined {
  if (stored.length < n) return undefined;
  const refs = stored.map(refOf);
  for (let i = refs.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [refs[i], refs[j]] = [refs[j] as KbaQuestionRef, refs[i] as KbaQuestionRef];
  }
  return refs.slice(0, n);
}

/** A definition refused, with a sentence for the person (the stage answers it as a 400). */
export class KbaDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KbaDefinitionError';
  }
}

/** Letters and digits only, lower case: how IDM 7 compares a custom question with the predefined ones. */
const questionKey = (text: string): string =>
  text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');

export interface KbaPort {
  readonly config: KbaConfig;
  /** Hashes and checks a user's definitions; throws KbaDefinitionError with a sentence for the person. */
  define(definitions: unknown): Promise<StoredKbaAnswer[]>;
  /**
   * Checks `answers` (in the order of `asked`) against the user's stored answers. One attempt of the
   * account's budget is spent before anything is evaluated; `locked` means the budget is spent and
   * nothing was evaluated. A full match clears the count.
   */
  verify(
    account: { resource: string; id: string },
    stored: readonly StoredKbaAnswer[],
    asked: readonly KbaQuestionRef[],
    answers: readonly unknown[],
  ): Promise<KbaCheck>;
  /** Spends about the time `verify` would for these answers and resolves mismatch: for a request that identified nobody. */
  verifyNobody(answers: readonly unknown[]): Promise<KbaCheck>;
}

/** `match` with `upgrade`: the stored answers (some re-hashed with argon2id), to save when any were legacy hashes. */
export type KbaCheck = { result: 'match'; upgraded?: StoredKbaAnswer[] } | { result: 'mismatch' } | { result: 'locked' };

export interface KbaServiceDeps {
  config: KbaConfig;
  hasher: PasswordHasher;
  counters: CounterPort;
}

export const kbaAttemptKey = (resource: string, id: string): string => `kba-attempts:${resource}:${id}`;
const MAX_ANSWER_LENGTH = 256;

export function createKbaService(deps: KbaServiceDeps): KbaPort {
  const { config, hasher, counters } = deps;
  const systemQuestionKeys = new Set(Object.values(config.questions).flatMap((q) => Object.values(q).map(questionKey)));

  async function hashAnswer(answer: string): Promise<CryptoValue> {
    return { type: 'salted-hash', value: { algorithm: CAIRN_KBA_ALGORITHM, data: await hasher.hash(normaliseAnswer(answer)) } };
  }

  /** True when `answer` matches `stored`; false for a malformed or unknown hash. */
  async function matches(stored: CryptoValue, answer: string): Promise<boolean> {
    const c = cryptoOf(stored);
    if (!c) return false;
    if (c.algorithm === CAIRN_KBA_ALGORITHM) return hasher.verify(c.data, normaliseAnswer(answer));
    const legacy = LEGACY_ALGORITHMS[c.algorithm];
    if (!legacy) return false;
    const bytes = Buffer.from(c.data, 'base64');
    if (bytes.length <= legacy.length) return false;
    const digest = bytes.subarray(0, legacy.length);
    const salt = bytes.subarray(legacy.length);
    let ok = false;
    // IDM hashed answer.toLowerCase(); the normalised form is tried too (an answer typed with other spacing).
    for (const candidate of new Set([answer.toLowerCase(), normaliseAnswer(answer)])) {
      const computed = createHash(legacy.hash)
        .update(Buffer.concat([Buffer.from(candidate, 'utf8'), salt]))
        .digest();
      ok = timingSafeEqual(computed, digest) || ok;
    }
    return ok;
  }

  return {
    config,

    async define(definitions) {
      if (!Array.isArray(definitions)) throw new KbaDefinitionError('The security answers must be a list.');
      const min = config.minimumAnswersToDefine;
      if (definitions.length < min) throw new KbaDefinitionError(`At least ${min} security question${min === 1 ? '' : 's'} must be answered.`);
      if (definitions.length > 20) throw new KbaDefinitionError('At most 20 security questions can be answered.');
      const seen = new Set<string>();
      const checked: KbaDefinition[] = [];
      for (const d of definitions) {
        if (!isRecord(d) || typeof d.answer !== 'string') throw new KbaDefinitionError('Each security answer must be a text.');
        const answer = normaliseAnswer(d.answer);
        if (answer === '') throw new KbaDefinitionError('A security answer must not be empty.');
        if ([...answer].length > MAX_ANSWER_LENGTH)
          throw new KbaDefinitionError(`A security answer must be at most ${MAX_ANSWER_LENGTH} characters.`);
        let key: string;
        if (typeof d.questionId === 'string' && d.customQuestion === undefined) {
          if (!Object.hasOwn(config.questions, d.questionId)) throw new KbaDefinitionError(`There is no security question "${d.questionId}".`);
          key = `id:${d.questionId}`;
          checked.push({ questionId: d.questionId, answer: d.answer });
        } else if (typeof d.customQuestion === 'string' && d.questionId === undefined) {
          const question = d.customQuestion.trim();
          if (question === '' || question.length > MAX_QUESTION_LENGTH) {
            throw new KbaDefinitionError(`A question of your own must have 1 to ${MAX_QUESTION_LENGTH} characters.`);
          }
          if (systemQuestionKeys.has(questionKey(question)))
            throw new KbaDefinitionError('A question of your own must differ from the predefined questions.');
          key = `q:${questionKey(question)}`;
          checked.push({ customQuestion: question, answer: d.answer });
        } else {
          throw new KbaDefinitionError('Each security answer names either a questionId or a customQuestion.');
        }
        if (seen.has(key)) throw new KbaDefinitionError('Each security question can be answered only once.');
        seen.add(key);
      }
      return Promise.all(
        checked.map(async (d) =>
          'questionId' in d
            ? { questionId: d.questionId, answer: await hashAnswer(d.answer) }
            : { customQuestion: d.customQuestion, answer: await hashAnswer(d.answer) },
        ),
      );
    },

    async verifyNobody(answers) {
      for (const a of answers) await hasher.verifyDummy(typeof a === 'string' ? normaliseAnswer(a) : undefined);
      return { result: 'mismatch' };
    },

    async verify(account, stored, asked, answers) {
      const key = kbaAttemptKey(account.resource, account.id);
      const attempt = await counters.increment(key, config.lockoutMinutes * 60_000);
      if (attempt > config.numberOfAttemptsAllowed) return { result: 'locked' };
      let all = asked.length > 0 && answers.length === asked.length;
      for (const [i, ref] of asked.entries()) {
        const entry = stored.find((s) => sameRef(refOf(s), ref));
        const answer = answers[i];
        // Every asked answer is evaluated, whatever the previous ones gave.
        const ok = entry !== undefined && typeof answer === 'string' && (await matches(entry.answer, answer));
        all = ok && all;
      }
      if (!all) return { result: 'mismatch' };
      await counters.reset(key);
      const legacy = stored.some((s) => cryptoOf(s.answer)?.algorithm !== CAIRN_KBA_ALGORITHM);
      if (!legacy) return { result: 'match' };
      // Only the answers just given can be re-hashed; the others keep their legacy hash.
      const upgraded = await Promise.all(
        stored.map(async (s) => {
          const i = asked.findIndex((ref) => sameRef(refOf(s), ref));
          const answer = answers[i];
          if (i < 0 || typeof answer !== 'string' || cryptoOf(s.answer)?.algorithm === CAIRN_KBA_ALGORITHM) return s;
          return { ...refOf(s), answer: await hashAnswer(answer) };
        }),
      );
      return { result: 'match', upgraded };
    },
  };
}

/** IDM's stored form of an answer (SHA-256 salted hash, without the `$crypto` wrapper), for tests and for importing IDM data. */
export function legacySaltedHash(answer: string, salt: Buffer, algorithm: keyof typeof LEGACY_ALGORITHMS = 'SHA-256'): CryptoValue {
  const spec = LEGACY_ALGORITHMS[algorithm] as { hash: string };
  const digest = createHash(spec.hash)
    .update(Buffer.concat([Buffer.from(answer.toLowerCase(), 'utf8'), salt]))
    .digest();
  return { type: 'salted-hash', value: { algorithm, data: Buffer.concat([digest, salt]).toString('base64') } };
}
