/**
 * Security questions (KBA) for AM's KBA nodes (KBA Definition, KBA Verification, KBA Decision): the
 * IDM-format configuration (`selfservice.kba.json`), answers stored on a user as IDM's `kbaInfo` array
 * of `{questionId | customQuestion, answer}` with the answer in IDM's `$crypto` salted-hash envelope,
 * how answers are checked, and the per-account failure budget.
 *
 * This module has the names and the stored format of the KBA module the IDM self-service branch
 * (`idm-ss`) brings, so that, once both are merged, one implementation serves the AM nodes and the IDM
 * stages; it does not read IDM's legacy SHA-2 hashes (that branch's module does).
 *
 * Security reasoning:
 * - Answers are hashed with Cairn's password hasher (argon2id, its own salt) and stored as
 *   `{"type":"salted-hash","value":{"algorithm":"ARGON2ID","data":"$argon2id$…"}}` (IDM's `$crypto`
 *   value without the wrapper: the stores refuse field names starting with "$").
 * - Answers are compared after one normalisation (NFKC, lower case, trimmed, runs of white space as one).
 * - Every asked answer is evaluated (no early exit); the result says only match / mismatch / locked.
 * - Failures are counted in the store per account, reserved before anything is evaluated, so concurrent
 *   guesses cannot exceed `numberOfAttemptsAllowed`; the count lapses after `lockoutMinutes` and a full
 *   match clears it.
 */
import { randomInt } from 'node:crypto';
import type { CounterPort } from './ports.js';
import type { PasswordHasher } from './passwords.js';

/** Locale → text, as IDM writes questions. */
export type QuestionText = Readonly<Record<string, string>>;

/** `selfservice.kba.json`, checked and with defaults applied. */
export interface KbaConfig {
  readonly kbaPropertyName: string;
  readonly questions: Readonly<Record<string, QuestionText>>;
  readonly minimumAnswersToDefine: number;
  readonly minimumAnswersToVerify: number;
  readonly numberOfAttemptsAllowed: number;
  readonly kbaAttemptsPropertyName: string;
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

export interface KbaConfigProblem {
  pointer: string;
  message: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const COUNTS = { minimumAnswersToDefine: 20, minimumAnswersToVerify: 20, numberOfAttemptsAllowed: 100, lockoutMinutes: 10_080 } as const;
const NAMES = ['kbaPropertyName', 'kbaAttemptsPropertyName'] as const;
const MAX_QUESTION_LENGTH = 500;
const MAX_ANSWER_LENGTH = 256;

/** Checks a parsed `selfservice.kba.json`; every problem is reported with its JSON pointer. */
export function parseKbaConfig(data: unknown): { config: KbaConfig; problems: KbaConfigProblem[] } {
  const problems: KbaConfigProblem[] = [];
  if (!isRecord(data)) return { config: DEFAULT_KBA_CONFIG, problems: [{ pointer: '', message: 'must be a JSON object' }] };
  const known = new Set<string>(['_id', 'questions', ...NAMES, ...Object.keys(COUNTS)]);
  for (const key of Object.keys(data)) if (!known.has(key)) problems.push({ pointer: `/${key}`, message: `unknown key "${key}"` });
  const config: Record<string, unknown> = { ...DEFAULT_KBA_CONFIG };
  for (const key of NAMES) {
    const v = data[key];
    if (v === undefined) continue;
    if (typeof v === 'string' && /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(v)) config[key] = v;
    else problems.push({ pointer: `/${key}`, message: 'must be an attribute name' });
  }
  for (const [key, max] of Object.entries(COUNTS)) {
    const v = data[key];
    if (v === undefined) continue;
    const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v; // IDM's files carry some numbers as strings
    if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= max) config[key] = n;
    else problems.push({ pointer: `/${key}`, message: `must be a whole number from 1 to ${max}` });
  }
  const questions: Record<string, QuestionText> = {};
  if (data['questions'] !== undefined && !isRecord(data['questions'])) {
    problems.push({ pointer: '/questions', message: 'must be an object of question id → {locale: text}' });
  }
  for (const [id, q] of Object.entries(isRecord(data['questions']) ? data['questions'] : {})) {
    const texts = isRecord(q) ? Object.entries(q) : [];
    const valid = texts.length > 0 && texts.every(([, t]) => typeof t === 'string' && t.trim() !== '' && t.length <= MAX_QUESTION_LENGTH);
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id) || !valid) {
      problems.push({
        pointer: `/questions/${id}`,
        message: `a question id of 1 to 64 letters, digits, "_" or "-", with texts of 1 to ${MAX_QUESTION_LENGTH} characters by locale`,
      });
      continue;
    }
    questions[id] = Object.freeze(Object.fromEntries(texts) as Record<string, string>);
  }
  config['questions'] = Object.freeze(questions);
  return { config: Object.freeze(config) as unknown as KbaConfig, problems };
}

/** IDM's `$crypto` value of a hashed answer (stored without the `$crypto` wrapper; read with or without it). */
export interface CryptoValue {
  type: 'salted-hash';
  value: { algorithm: string; data: string };
}

export type StoredKbaAnswer = { questionId: string; answer: CryptoValue } | { customQuestion: string; answer: CryptoValue };
export type KbaQuestionRef = { questionId: string } | { customQuestion: string };
export type KbaDefinition = { questionId: string; answer: string } | { customQuestion: string; answer: string };
export type KbaCheck = { result: 'match'; upgraded?: StoredKbaAnswer[] } | { result: 'mismatch' } | { result: 'locked' };

export const CAIRN_KBA_ALGORITHM = 'ARGON2ID';

export function normaliseAnswer(answer: string): string {
  return answer.normalize('NFKC').toLowerCase().trim().replace(/\s+/gu, ' ');
}

function cryptoOf(value: unknown): CryptoValue['value'] | undefined {
  if (!isRecord(value)) return undefined;
  const c = isRecord(value['$crypto']) ? value['$crypto'] : value;
  const inner = c['value'];
  if (c['type'] !== 'salted-hash' || !isRecord(inner)) return undefined;
  const { algorithm, data } = inner;
  return typeof algorithm === 'string' && typeof data === 'string' ? { algorithm, data } : undefined;
}

/** The well-formed entries of a user's answers attribute; anything else in it is skipped. */
export function storedAnswersOf(user: Record<string, unknown>, propertyName: string): StoredKbaAnswer[] {
  const list = user[propertyName];
  if (!Array.isArray(list)) return [];
  const out: StoredKbaAnswer[] = [];
  for (const entry of list as unknown[]) {
    if (!isRecord(entry)) continue;
    const crypto = cryptoOf(entry['answer']);
    if (!crypto) continue;
    const answer: CryptoValue = { type: 'salted-hash', value: crypto };
    const { questionId, customQuestion } = entry;
    if (typeof questionId === 'string' && questionId !== '') out.push({ questionId, answer });
    else if (typeof customQuestion === 'string' && customQuestion.trim() !== '') out.push({ customQuestion, answer });
  }
  return out;
}

export const refOf = (stored: StoredKbaAnswer): KbaQuestionRef =>
  'questionId' in stored ? { questionId: stored.questionId } : { customQuestion: stored.customQuestion };

const sameRef = (a: KbaQuestionRef, b: KbaQuestionRef): boolean =>
  'questionId' in a ? 'questionId' in b && a.questionId === b.questionId : 'customQuestion' in b && a.customQuestion === b.customQuestion;

/** `n` of the user's stored questions in random order, or undefined when there are fewer than `n`. */
export function pickQuestions(stored: readonly StoredKbaAnswer[], n: number): KbaQuestionRef[] | undefined {
  if (stored.length < n) return undefined;
  const refs = stored.map(refOf);
  for (let i = refs.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [refs[i], refs[j]] = [refs[j] as KbaQuestionRef, refs[i] as KbaQuestionRef];
  }
  return refs.slice(0, n);
}

/** A definition refused, with a sentence for the person. */
export class KbaDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KbaDefinitionError';
  }
}

/** Letters and digits only, lower case: how a question of one's own is compared with the predefined ones. */
const questionKey = (text: string): string =>
  text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');

export interface KbaPort {
  readonly config: KbaConfig;
  /** Hashes and checks a user's definitions; throws KbaDefinitionError with a sentence for the person. */
  define(definitions: unknown): Promise<StoredKbaAnswer[]>;
  /** Checks `answers` (in the order of `asked`); one attempt of the account's budget is spent first. */
  verify(
    account: { resource: string; id: string },
    stored: readonly StoredKbaAnswer[],
    asked: readonly KbaQuestionRef[],
    answers: readonly unknown[],
  ): Promise<KbaCheck>;
  /** Spends about the time `verify` would and resolves mismatch: for a request that identified nobody. */
  verifyNobody(answers: readonly unknown[]): Promise<KbaCheck>;
}

export interface KbaServiceDeps {
  config: KbaConfig;
  hasher: PasswordHasher;
  counters: CounterPort;
}

export const kbaAttemptKey = (resource: string, id: string): string => `kba-attempts:${resource}:${id}`;

export function createKbaService(deps: KbaServiceDeps): KbaPort {
  const { config, hasher, counters } = deps;
  const predefined = new Set(Object.values(config.questions).flatMap((q) => Object.values(q).map(questionKey)));

  /** One checked definition, and the key that tells two definitions of the same question apart. */
  function check(d: unknown): { definition: KbaDefinition; key: string } {
    if (!isRecord(d) || typeof d['answer'] !== 'string') throw new KbaDefinitionError('Each security answer must be a text.');
    const answer = d['answer'];
    const normalised = normaliseAnswer(answer);
    if (normalised === '') throw new KbaDefinitionError('A security answer must not be empty.');
    if ([...normalised].length > MAX_ANSWER_LENGTH)
      throw new KbaDefinitionError(`A security answer must be at most ${MAX_ANSWER_LENGTH} characters.`);
    const { questionId, customQuestion } = d;
    if (typeof questionId === 'string' && customQuestion === undefined) {
      if (!Object.hasOwn(config.questions, questionId)) throw new KbaDefinitionError(`There is no security question "${questionId}".`);
      return { definition: { questionId, answer }, key: `id:${questionId}` };
    }
    if (typeof customQuestion === 'string' && questionId === undefined) {
      const question = customQuestion.trim();
      if (question === '' || question.length > MAX_QUESTION_LENGTH)
        throw new KbaDefinitionError(`A question of your own must have 1 to ${MAX_QUESTION_LENGTH} characters.`);
      if (predefined.has(questionKey(question))) throw new KbaDefinitionError('A question of your own must differ from the predefined questions.');
      return { definition: { customQuestion: question, answer }, key: `q:${questionKey(question)}` };
    }
    throw new KbaDefinitionError('Each security answer names either a questionId or a customQuestion.');
  }

  const hashAnswer = async (answer: string): Promise<CryptoValue> => ({
    type: 'salted-hash',
    value: { algorithm: CAIRN_KBA_ALGORITHM, data: await hasher.hash(normaliseAnswer(answer)) },
  });

  return {
    config,

    async define(definitions) {
      if (!Array.isArray(definitions)) throw new KbaDefinitionError('The security answers must be a list.');
      const min = config.minimumAnswersToDefine;
      if (definitions.length < min) throw new KbaDefinitionError(`At least ${min} security question${min === 1 ? '' : 's'} must be answered.`);
      if (definitions.length > 20) throw new KbaDefinitionError('At most 20 security questions can be answered.');
      const checked = (definitions as unknown[]).map(check);
      if (new Set(checked.map((c) => c.key)).size !== checked.length)
        throw new KbaDefinitionError('Each security question can be answered only once.');
      return Promise.all(
        checked.map(async ({ definition: d }) =>
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
        const c = entry && cryptoOf(entry.answer);
        // Every asked answer is evaluated, whatever the previous ones gave.
        const ok =
          c !== undefined &&
          c.algorithm === CAIRN_KBA_ALGORITHM &&
          typeof answer === 'string' &&
          (await hasher.verify(c.data, normaliseAnswer(answer)));
        all = ok && all;
      }
      if (!all) return { result: 'mismatch' };
      await counters.reset(key);
      return { result: 'match' };
    },
  };
}
