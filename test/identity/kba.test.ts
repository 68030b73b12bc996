/**
 * The shared KBA module (src/identity/kba.ts) on the real password hasher and the embedded store's
 * counters: selfservice.kba.json checked with every problem named; definitions checked and hashed with
 * argon2id; answers compared after Unicode normalisation (IDM's non-ASCII truncation not copied); IDM's
 * SHA-256 salted hashes verified and upgraded; failures reserved before evaluation, so concurrent guesses
 * cannot exceed the budget, and lapsing with the window.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKbaService,
  KbaDefinitionError,
  legacySaltedHash,
  normaliseAnswer,
  parseKbaConfig,
  pickQuestions,
  storedAnswersOf,
  type KbaPort,
  type StoredKbaAnswer,
} from '../../src/identity/kba.js';
import { createPasswordHasher } from '../../src/identity/passwords.js';
import { openStore } from '../../src/stores/index.js';
import type { Store } from '../../src/stores/types.js';

const QUESTIONS = {
  '1': { en: "What's your favorite color?", fr: 'Quelle est votre couleur préférée ?' },
  '2': { en: 'Who was your first employer?' },
};

let dataDir: string;
let store: Store;
let clock = Date.UTC(2026, 0, 1);
let kba: KbaPort;
const account = { resource: 'managed/user', id: 'user-1' };

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cairn-kba-'));
  store = await openStore({ dataDir, now: () => clock, sweepIntervalMs: 0 });
  const { config, problems } = parseKbaConfig({
    questions: QUESTIONS,
    minimumAnswersToDefine: 2,
    minimumAnswersToVerify: 2,
    numberOfAttemptsAllowed: 3,
    lockoutMinutes: 10,
  });
  expect(problems).toEqual([]);
  kba = createKbaService({ config, hasher: createPasswordHasher(), counters: store.counters });
});
afterAll(async () => {
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('selfservice.kba.json', () => {
  it("reads IDM's file with defaults, numbers given as strings included", () => {
    const { config, problems } = parseKbaConfig({ kbaPropertyName: 'kbaInfo', questions: QUESTIONS, minimumAnswersToVerify: '1' });
    expect(problems).toEqual([]);
    expect(config).toMatchObject({
      kbaPropertyName: 'kbaInfo',
      minimumAnswersToDefine: 1,
      minimumAnswersToVerify: 1,
      numberOfAttemptsAllowed: 3,
      lockoutMinutes: 15,
    });
  });

  it('names every problem with its pointer', () => {
    const { problems } = parseKbaConfig({
      questions: { '1': {}, 'a b': { en: 'x' }, '3': { 'en us': 'x', fr: '' } },
      minimumAnswersToVerify: 0,
      numberOfAttemptsAllowed: 'many',
      kbaPropertyName: 'kba info',
      extra: true,
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        { pointer: '/extra', message: 'unknown key "extra"' },
        { pointer: '/questions/1', message: expect.stringContaining('at least one locale') },
        { pointer: '/questions/a b', message: expect.stringContaining('question id') },
        { pointer: '/questions/3/en us', message: expect.stringContaining('not a locale tag') },
        { pointer: '/questions/3/fr', message: expect.stringContaining('must be a question') },
        { pointer: '/minimumAnswersToVerify', message: 'must be a whole number from 1 to 20' },
        { pointer: '/numberOfAttemptsAllowed', message: 'must be a whole number from 1 to 100' },
        { pointer: '/kbaPropertyName', message: 'must be an attribute name' },
      ]),
    );
    expect(parseKbaConfig([]).problems).toEqual([{ pointer: '', message: 'must be a JSON object' }]);
  });
});

describe('defining answers', () => {
  it("hashes each answer with argon2id in IDM's salted-hash value; the plaintext is kept nowhere", async () => {
    const stored = await kba.define([
      { questionId: '1', answer: 'Bleu' },
      { customQuestion: '  My first cat? ', answer: 'Tom' },
    ]);
    expect(stored).toEqual([
      { questionId: '1', answer: { type: 'salted-hash', value: { algorithm: 'ARGON2ID', data: expect.stringMatching(/^\$argon2id\$v=19\$/) } } },
      { customQuestion: 'My first cat?', answer: { type: 'salted-hash', value: { algorithm: 'ARGON2ID', data: expect.any(String) } } },
    ]);
    expect(JSON.stringify(stored)).not.toMatch(/Bleu|"Tom"/);
  });

  it('refuses, with a sentence, what IDM would take or fail on', async () => {
    const refused = async (definitions: unknown): Promise<string> => {
      try {
        await kba.define(definitions);
        return 'accepted';
      } catch (e) {
        expect(e).toBeInstanceOf(KbaDefinitionError);
        return (e as Error).message;
      }
    };
    expect(await refused([{ questionId: '1', answer: 'x' }])).toBe('At least 2 security questions must be answered.');
    expect(
      await refused([
        { questionId: '1', answer: 'x' },
        { questionId: '1', answer: 'y' },
      ]),
    ).toBe('Each security question can be answered only once.');
    expect(
      await refused([
        { questionId: '9', answer: 'x' },
        { questionId: '1', answer: 'y' },
      ]),
    ).toBe('There is no security question "9".');
    expect(
      await refused([
        { questionId: '1', answer: '   ' },
        { questionId: '2', answer: 'y' },
      ]),
    ).toBe('A security answer must not be empty.');
    // IDM 7: a question of one's own that is a predefined one, punctuation and case aside.
    expect(
      await refused([
        { customQuestion: 'WHAT’S YOUR FAVORITE COLOR', answer: 'x' },
        { questionId: '2', answer: 'y' },
      ]),
    ).toBe('A question of your own must differ from the predefined questions.');
    // IDM stores a client's `$crypto` value as it is; Cairn takes plaintext only.
    expect(
      await refused([
        { questionId: '1', answer: { $crypto: { type: 'salted-hash', value: {} } } },
        { questionId: '2', answer: 'y' },
      ]),
    ).toBe('Each security answer must be a text.');
    expect(await refused('nope')).toBe('The security answers must be a list.');
  });
});

describe('verifying answers', () => {
  let stored: StoredKbaAnswer[];
  beforeAll(async () => {
    stored = await kba.define([
      { questionId: '1', answer: 'Élan  Vert' },
      { customQuestion: 'Straße?', answer: 'Straße' },
    ]);
  });

  it('compares after Unicode normalisation: case, accents composed or not, spacing', async () => {
    expect(normaliseAnswer('  E\u0301LAN\tvert ')).toBe(normaliseAnswer('élan vert'));
    const asked = stored.map((s) => ('questionId' in s ? { questionId: s.questionId } : { customQuestion: s.customQuestion }));
    expect((await kba.verify(account, stored, asked, ['e\u0301lan vert', 'STRAßE'])).result).toBe('match');
    expect((await kba.verify(account, stored, asked, ['élan vert', 'Strasse'])).result).toBe('mismatch');
  });

  it("verifies IDM's SHA-256 salted hashes (non-ASCII read as UTF-8), in or out of the $crypto wrapper, and upgrades them", async () => {
    const salt = randomBytes(16);
    const imported = {
      kbaInfo: [
        { questionId: '1', answer: { $crypto: legacySaltedHash('crème brûlée', salt) } },
        { questionId: '2', answer: legacySaltedHash('ACME', salt) },
      ],
    };
    const legacy = storedAnswersOf(imported, 'kbaInfo');
    expect(legacy).toHaveLength(2);
    const asked = [{ questionId: '1' }, { questionId: '2' }];
    const check = await kba.verify({ ...account, id: 'legacy' }, legacy, asked, ['Crème Brûlée', 'acme']);
    expect(check.result).toBe('match');
    expect(check.result === 'match' && check.upgraded?.map((s) => s.answer.value.algorithm)).toEqual(['ARGON2ID', 'ARGON2ID']);
    expect((await kba.verify({ ...account, id: 'legacy' }, legacy, asked, ['creme brulee', 'acme'])).result).toBe('mismatch');
  });

  it('reserves an attempt before evaluating: of ten concurrent wrong guesses only the budget is evaluated; the count lapses', async () => {
    const who = { ...account, id: 'guessed' };
    const asked = stored.map((s) => ('questionId' in s ? { questionId: s.questionId } : { customQuestion: s.customQuestion }));
    const results = await Promise.all(Array.from({ length: 10 }, () => kba.verify(who, stored, asked, ['wrong', 'wrong'])));
    expect(results.filter((r) => r.result === 'mismatch')).toHaveLength(3);
    expect(results.filter((r) => r.result === 'locked')).toHaveLength(7);
    // Locked: even the right answers are not evaluated.
    expect((await kba.verify(who, stored, asked, ['élan vert', 'straße'])).result).toBe('locked');
    clock += 10 * 60_000 + 1;
    expect((await kba.verify(who, stored, asked, ['élan vert', 'straße'])).result).toBe('match');
    // A match clears the count.
    expect((await kba.verify(who, stored, asked, ['x', 'y'])).result).toBe('mismatch');
    expect((await kba.verify(who, stored, asked, ['élan vert', 'straße'])).result).toBe('match');
  });

  it('picks questions at random from what the user stored, or none when too few', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) seen.add(JSON.stringify(pickQuestions(stored, 1)));
    expect(seen.size).toBe(2);
    expect(pickQuestions(stored, 3)).toBeUndefined();
    expect(storedAnswersOf({ kbaInfo: [{ questionId: '1' }, 'x', { customQuestion: '', answer: stored[0]?.answer }] }, 'kbaInfo')).toEqual([]);
  });
});
