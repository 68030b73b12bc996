import { describe, expect, it } from 'vitest';
import * as b from '../../src/callbacks/builders.js';
import { numberCallbacks } from '../../src/callbacks/numbering.js';
import type { Callback } from '../../src/callbacks/types.js';
import { ERR_CALLBACK_COUNT, ERR_CALLBACK_MISMATCH, ERR_CALLBACK_VALUE, MAX_INPUT_LENGTH, verifyReturned } from '../../src/callbacks/verify.js';
import { CairnError } from '../../src/errors/cairn-error.js';

/** A Page Node step: username + password + attribute + choice + message, with _ids. */
const sent: Callback[] = numberCallbacks([
  b.nameCallback('User Name'),
  b.passwordCallback('Password'),
  b.numberAttributeInputCallback({ name: 'age', prompt: 'Age', required: false, policies: { name: 'age' }, value: null }),
  b.choiceCallback('Colour', ['red', 'green', 'blue'], 1),
  b.textOutputCallback('Continue?'),
  b.confirmationCallback({ options: ['Yes', 'No'], defaultOption: 1 }),
  b.booleanAttributeInputCallback({ name: 'preferences/marketing', prompt: 'Offers', required: false, value: false }),
]).map((cb, i) => ({ ...cb, _id: i }));

/** What the client posts back: the step through JSON, with some inputs set. */
function wire(values: Record<string, unknown> = {}): Record<string, unknown>[] {
  const copy = JSON.parse(JSON.stringify(sent)) as Callback[];
  for (const cb of copy) for (const f of cb.input ?? []) if (Object.hasOwn(values, f.name)) f.value = values[f.name];
  return copy as unknown as Record<string, unknown>[];
}

function rejection(returned: unknown, against: Callback[] = sent): CairnError {
  try {
    verifyReturned(against, returned);
  } catch (e) {
    expect(e).toBeInstanceOf(CairnError);
    return e as CairnError;
  }
  throw new Error('expected verifyReturned to throw');
}

describe('verifyReturned accepts', () => {
  it('the step as sent with values changed, returning the sent callbacks with the client values', () => {
    const out = verifyReturned(
      sent,
      wire({ IDToken1: 'alice', IDToken2: 'pw', IDToken3: 42, IDToken4: 2, IDToken6: 0, IDToken7: true, IDToken7validateOnly: true }),
    );
    expect(out.map((cb) => cb.input?.map((f) => f.value))).toEqual([['alice'], ['pw'], [42, false], [2], undefined, [0], [true, true]]);
    expect(out.map((cb) => cb._id)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(out[0]?.output).toEqual(sent[0]?.output);
  });

  it("AM's legacy numeric-string index, normalised to a number", () => {
    const out = verifyReturned(sent, wire({ IDToken4: '0', IDToken6: '1' }));
    expect(out[3]?.input?.[0]?.value).toBe(0);
    expect(out[5]?.input?.[0]?.value).toBe(1);
  });

  it('outputs re-ordered inside objects (key order is not significant), null numbers', () => {
    const returned = wire({ IDToken3: null });
    const age = returned[2] as unknown as Callback;
    age.output = age.output.map((f) => (f.name === 'policies' ? { value: f.value, name: f.name } : f));
    expect(verifyReturned(sent, returned)[2]?.input?.[0]?.value).toBeNull();
  });

  it('ignores extra top-level keys the client adds and takes nothing from them', () => {
    const returned = wire({ IDToken1: 'bob' });
    (returned[0] as Record<string, unknown>)['extra'] = 'x';
    const out = verifyReturned(sent, returned);
    expect(out[0]).not.toHaveProperty('extra');
  });

  it('display-only callbacks returned without input or with an empty one', () => {
    const returned = wire();
    (returned[4] as Record<string, unknown>)['input'] = [];
    expect(() => verifyReturned(sent, returned)).not.toThrow();
  });
});

describe('verifyReturned rejects', () => {
  it('a wrong number of callbacks', () => {
    const e = rejection(wire().slice(0, 6));
    expect(e.status).toBe(400);
    expect(e.code).toBe(ERR_CALLBACK_COUNT);
    expect(e.message).toBe('Incorrect number of callbacks: expected 7, got 6');
    expect(rejection({ callbacks: [] }).code).toBe(ERR_CALLBACK_COUNT);
    expect(rejection(undefined).message).toMatch(/expected a list of callbacks/);
  });

  it('a changed type', () => {
    const returned = wire();
    (returned[1] as Record<string, unknown>)['type'] = 'NameCallback';
    const e = rejection(returned);
    expect(e.code).toBe(ERR_CALLBACK_MISMATCH);
    expect(e.message).toBe('Callback 2 has type NameCallback, expected PasswordCallback');
    expect(e.detail).toEqual({ callback: 2 });
  });

  it('swapped callbacks', () => {
    const returned = wire();
    [returned[0], returned[1]] = [returned[1] as Record<string, unknown>, returned[0] as Record<string, unknown>];
    expect(rejection(returned).message).toBe('Callback 1 has type PasswordCallback, expected NameCallback');
  });

  it('a tampered or missing _id', () => {
    const returned = wire();
    (returned[2] as Record<string, unknown>)['_id'] = 5;
    expect(rejection(returned).message).toBe('Callback 3 has _id 5, expected 2');
    const noId = wire();
    delete (noId[0] as Record<string, unknown>)['_id'];
    expect(rejection(noId).message).toBe('Callback 1 has _id undefined, expected 0');
  });

  it('a changed output (prompt, choices, policies, missing output)', () => {
    const prompt = wire();
    ((prompt[0] as unknown as Callback).output[0] as { value: unknown }).value = 'Admin';
    expect(rejection(prompt).message).toBe('Callback 1 has a changed output');
    const choices = wire();
    ((choices[3] as unknown as Callback).output[1] as { value: unknown }).value = ['red', 'green', 'blue', 'admin'];
    expect(rejection(choices).message).toBe('Callback 4 has a changed output');
    const policies = wire();
    ((policies[2] as unknown as Callback).output[3] as { value: unknown }).value = {};
    expect(rejection(policies).message).toBe('Callback 3 has a changed output');
    const missing = wire();
    delete (missing[4] as Record<string, unknown>)['output'];
    expect(rejection(missing).message).toBe('Callback 5 has a changed output');
  });

  it('renamed, missing or extra inputs', () => {
    const renamed = wire();
    ((renamed[0] as unknown as Callback).input?.[0] as { name: string }).name = 'IDToken9';
    expect(rejection(renamed).message).toBe('Callback 1 has input IDToken9, expected IDToken1');
    const missing = wire();
    (missing[2] as unknown as Callback).input?.pop();
    expect(rejection(missing).message).toBe('Callback 3 has 1 inputs, expected 2');
    const extra = wire();
    (extra[4] as Record<string, unknown>)['input'] = [{ name: 'IDToken5', value: 'x' }];
    expect(rejection(extra).message).toBe('Callback 5 has 1 inputs, expected 0');
    const notList = wire();
    (notList[0] as Record<string, unknown>)['input'] = { name: 'IDToken1', value: 'x' };
    expect(rejection(notList).message).toBe('Callback 1 has an input that is not a list');
  });

  it('a value of the wrong JSON type', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ IDToken1: 42 }, 'Callback 1 input IDToken1 must be a string'],
      [{ IDToken1: null }, 'Callback 1 input IDToken1 must be a string'],
      [{ IDToken2: { $ne: '' } }, 'Callback 2 input IDToken2 must be a string'],
      [{ IDToken3: '42' }, 'Callback 3 input IDToken3 must be a number or null'],
      [{ IDToken3validateOnly: 'true' }, 'Callback 3 input IDToken3validateOnly must be a boolean'],
      [{ IDToken4: 3 }, 'Callback 4 input IDToken4 must be an option index from 0 to 2'],
      [{ IDToken4: -1 }, 'Callback 4 input IDToken4 must be an option index from 0 to 2'],
      [{ IDToken4: 1.5 }, 'Callback 4 input IDToken4 must be an option index from 0 to 2'],
      [{ IDToken4: 'red' }, 'Callback 4 input IDToken4 must be an option index from 0 to 2'],
      [{ IDToken6: 2 }, 'Callback 6 input IDToken6 must be an option index from 0 to 1'],
      [{ IDToken7: 'yes' }, 'Callback 7 input IDToken7 must be a boolean'],
    ];
    for (const [values, message] of cases) {
      const e = rejection(wire(values));
      expect(e.code).toBe(ERR_CALLBACK_VALUE);
      expect(e.message).toBe(message);
    }
  });

  it('an oversized string', () => {
    expect(() => verifyReturned(sent, wire({ IDToken1: 'a'.repeat(MAX_INPUT_LENGTH) }))).not.toThrow();
    const e = rejection(wire({ IDToken2: 'a'.repeat(MAX_INPUT_LENGTH + 1) }));
    expect(e.code).toBe(ERR_CALLBACK_VALUE);
    expect(e.message).toBe(`Callback 2 input IDToken2 is too long (at most ${MAX_INPUT_LENGTH} characters)`);
  });

  it('a callback that is not an object', () => {
    const returned: unknown[] = wire();
    returned[0] = 'NameCallback';
    expect(rejection(returned).message).toBe('Callback 1 is not an object');
  });

  it('_id added to a stand-alone callback', () => {
    const standalone = numberCallbacks([b.nameCallback('User Name')]);
    const returned = JSON.parse(JSON.stringify(standalone)) as Record<string, unknown>[];
    (returned[0] as Record<string, unknown>)['_id'] = 0;
    expect(rejection(returned, standalone).message).toBe('Callback 1 has _id 0, expected undefined');
  });
});
