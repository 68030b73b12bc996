import { describe, expect, it } from 'vitest';
import * as b from '../../src/callbacks/builders.js';
import { numberCallbacks } from '../../src/callbacks/numbering.js';
import { CALLBACKS, callbackDescriptor, inputDescriptor, type CallbackDescriptor } from '../../src/callbacks/registry.js';
import { CALLBACK_TYPES, type Callback, type CallbackType } from '../../src/callbacks/types.js';
import { verifyReturned } from '../../src/callbacks/verify.js';

const filled = (cb: Callback, values: unknown[]): Callback =>
  cb.input === undefined ? cb : { ...cb, input: cb.input.map((f, i) => ({ name: f.name, value: values[i] })) };

describe('the callback registry', () => {
  it('has one descriptor per type of the vocabulary, and nothing else', () => {
    expect(Object.keys(CALLBACKS).sort()).toEqual([...CALLBACK_TYPES].sort());
    expect(callbackDescriptor('DeviceProfileCallback')).toBeUndefined();
    expect(callbackDescriptor('toString')).toBeUndefined();
  });

  it('is exhaustive by type: a registry missing a type does not compile', () => {
    const { ReCaptchaCallback: _left, ...partial } = CALLBACKS;
    // @ts-expect-error ReCaptchaCallback has no descriptor
    const checked: Record<CallbackType, CallbackDescriptor> = partial;
    expect(Object.keys(checked)).toHaveLength(CALLBACK_TYPES.length - 1);
  });

  it('declares the secret inputs: passwords and KBA answers', () => {
    const secrets = Object.entries<CallbackDescriptor>(CALLBACKS).flatMap(([type, d]) =>
      d.inputs.filter((i) => i.secret).map((i) => `${type}/${i.suffix}`),
    );
    expect(secrets.sort()).toEqual(['KbaCreateCallback/answer', 'PasswordCallback/', 'ValidatedCreatePasswordCallback/']);
    expect(inputDescriptor('KbaCreateCallback', 'question')?.secret).toBeUndefined();
    expect(inputDescriptor('ValidatedCreatePasswordCallback', 'validateOnly')).toEqual({ suffix: 'validateOnly', kind: 'boolean' });
  });
});

describe('a sent step never carries a secret', () => {
  it('numberCallbacks blanks passwords and KBA answers, keeps every other value, and leaves the originals alone', () => {
    const built = [
      filled(b.nameCallback('User Name'), ['alice']),
      filled(b.passwordCallback('Password'), ['s3cret!!']),
      filled(b.validatedCreatePasswordCallback({ prompt: 'Password' }), ['N3wSecret', true]),
      filled(b.kbaCreateCallback({ prompt: 'q', predefinedQuestions: ['Pet?'] }), ['Pet?', 'Rex']),
      b.textOutputCallback('hi'),
    ];
    const step = numberCallbacks(built);
    expect(step.map((cb) => cb.input?.map((f) => f.value))).toEqual([['alice'], [''], ['', true], ['Pet?', ''], undefined]);
    expect(step.map((cb) => cb.input?.map((f) => f.name))).toEqual([
      ['IDToken1'],
      ['IDToken2'],
      ['IDToken3', 'IDToken3validateOnly'],
      ['IDToken4question', 'IDToken4answer'],
      undefined,
    ]);
    expect(built[1]?.input?.[0]?.value).toBe('s3cret!!');
  });

  it('what the client typed reaches the node, and is gone again when the step is re-sent', () => {
    const sent = numberCallbacks([b.passwordCallback('Password')]);
    const returned = JSON.parse(JSON.stringify(sent)) as Callback[];
    returned[0]!.input![0]!.value = 'typed by the user';
    const verified = verifyReturned(sent, returned);
    expect(verified[0]?.input?.[0]?.value).toBe('typed by the user');
    expect(numberCallbacks(verified)[0]?.input?.[0]?.value).toBe('');
  });
});
