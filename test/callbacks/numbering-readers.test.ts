import { describe, expect, it } from 'vitest';
import * as b from '../../src/callbacks/builders.js';
import { inputSuffix, numberCallbacks } from '../../src/callbacks/numbering.js';
import { inputValue, outputValue, readBoolean, readIndex, readNumber, readString, readValidateOnly } from '../../src/callbacks/readers.js';
import type { Callback } from '../../src/callbacks/types.js';

describe('numberCallbacks', () => {
  it('names every input IDToken<position><suffix> and leaves the original untouched', () => {
    const sent = [
      b.textOutputCallback('hello'),
      b.stringAttributeInputCallback({ name: 'mail', prompt: 'Email', required: true, value: '' }),
      b.kbaCreateCallback({ prompt: 'q', predefinedQuestions: [] }),
      b.nameCallback('User Name'),
    ];
    const numbered = numberCallbacks(sent);
    expect(numbered.map((cb) => cb.input?.map((f) => f.name))).toEqual([
      undefined,
      ['IDToken2', 'IDToken2validateOnly'],
      ['IDToken3question', 'IDToken3answer'],
      ['IDToken4'],
    ]);
    expect(sent[3]?.input?.[0]?.name).toBe('IDToken1');
    expect(numbered).not.toBe(sent);
    expect(numbered[0]).not.toHaveProperty('input');
  });

  it('renumbering an already numbered step starts again from its positions', () => {
    const once = numberCallbacks([b.nameCallback('a'), b.passwordCallback('b')]);
    const twice = numberCallbacks([once[1] as Callback, once[0] as Callback]);
    expect(twice.map((cb) => cb.input?.[0]?.name)).toEqual(['IDToken1', 'IDToken2']);
  });

  it('keeps _id and values', () => {
    const [cb] = numberCallbacks([{ ...b.nameCallback('a', 'alice'), _id: 3 }]);
    expect(cb).toEqual({ ...b.nameCallback('a', 'alice'), _id: 3 });
  });

  it('inputSuffix', () => {
    expect(inputSuffix('IDToken12validateOnly')).toBe('validateOnly');
    expect(inputSuffix('IDToken1')).toBe('');
    expect(inputSuffix('password')).toBeUndefined();
  });
});

describe('readers', () => {
  const withInputs = (type: string, inputs: [string, unknown][]): Callback => ({
    type,
    output: [{ name: 'prompt', value: 'p' }],
    input: inputs.map(([name, value]) => ({ name, value })),
  });

  it('find inputs by suffix, before or after numbering', () => {
    const cb = withInputs('ValidatedCreateUsernameCallback', [
      ['IDToken7', 'bob'],
      ['IDToken7validateOnly', true],
    ]);
    expect(inputValue(cb, '')).toBe('bob');
    expect(inputValue(cb, 'validateOnly')).toBe(true);
    expect(inputValue(cb, 'answer')).toBeUndefined();
    expect(readString(cb)).toBe('bob');
    expect(readValidateOnly(cb)).toBe(true);
    expect(outputValue(cb, 'prompt')).toBe('p');
    expect(outputValue(cb, 'missing')).toBeUndefined();
  });

  it('coerce AM legacy forms', () => {
    expect(readIndex(withInputs('ChoiceCallback', [['IDToken1', '2']]))).toBe(2);
    expect(readIndex(withInputs('ChoiceCallback', [['IDToken1', 1]]))).toBe(1);
    expect(readIndex(withInputs('ChoiceCallback', [['IDToken1', 1.5]]))).toBeUndefined();
    expect(readIndex(withInputs('ChoiceCallback', [['IDToken1', 'two']]))).toBeUndefined();
    expect(readNumber(withInputs('NumberAttributeInputCallback', [['IDToken1', '42.5']]))).toBe(42.5);
    expect(readNumber(withInputs('NumberAttributeInputCallback', [['IDToken1', '']]))).toBeNull();
    expect(readNumber(withInputs('NumberAttributeInputCallback', [['IDToken1', null]]))).toBeNull();
    expect(readBoolean(withInputs('BooleanAttributeInputCallback', [['IDToken1', 'true']]))).toBe(true);
    expect(readBoolean(withInputs('BooleanAttributeInputCallback', [['IDToken1', 1]]))).toBe(false);
    expect(readString(withInputs('NameCallback', [['IDToken1', null]]))).toBe('');
  });
});
