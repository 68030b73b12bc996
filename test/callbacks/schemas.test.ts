import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import * as b from '../../src/callbacks/builders.js';
import { numberCallbacks } from '../../src/callbacks/numbering.js';
import { CALLBACK_SCHEMAS, callbackSchema } from '../../src/callbacks/schemas.js';
import { CALLBACK_TYPES, type Callback } from '../../src/callbacks/types.js';
import { REF } from './reference-examples.js';

const ajv = new Ajv2020({ allErrors: true, strict: true });
const validate = ajv.compile(callbackSchema);

function check(cb: unknown): string {
  return validate(cb) ? 'valid' : ajv.errorsText(validate.errors);
}

const failure = [{ policyRequirement: 'MIN_LENGTH', params: { minLength: 8 } }];

/** At least one builder output per callback type, with optional parts both present and absent. */
const built: Callback[] = [
  b.nameCallback('User Name', 'alice'),
  b.passwordCallback('Password'),
  b.textInputCallback('Answer'),
  b.textOutputCallback('Hello', b.MESSAGE_ERROR),
  b.confirmationCallback({ options: ['Yes', 'No'], defaultOption: 1 }),
  b.choiceCallback('Pick', ['a', 'b'], 1),
  b.hiddenValueCallback('jwt', 'v'),
  b.stringAttributeInputCallback({ name: 'mail', prompt: 'Email', required: true, value: 'a@b', failedPolicies: failure }),
  b.booleanAttributeInputCallback({ name: 'preferences/marketing', prompt: 'Offers', required: false, value: true, validateOnly: true }),
  b.numberAttributeInputCallback({ name: 'age', prompt: 'Age', required: false, value: null }),
  b.numberAttributeInputCallback({ name: 'age', prompt: 'Age', required: false, value: 42 }),
  b.validatedCreateUsernameCallback({ prompt: 'Username', failedPolicies: [{ policyRequirement: 'UNIQUE' }], value: 'bob' }),
  b.validatedCreatePasswordCallback({ prompt: 'Password', policies: { name: 'password' }, failedPolicies: failure }),
  b.kbaCreateCallback({ prompt: 'Select a security question', predefinedQuestions: ['Pet?'], allowUserDefinedQuestions: false }),
  b.termsAndConditionsCallback({ version: '1.0', terms: 'Be nice', createDate: '2024-01-01T00:00:00.000Z' }),
  b.suspendedTextOutputCallback('Check your email'),
  b.metadataCallback({ stage: 'x' }),
  b.pollingWaitCallback(8000, 'Please wait'),
  b.redirectCallback({ redirectUrl: 'https://idp.example/' }),
  b.redirectCallback({ redirectUrl: 'https://idp.example/', redirectMethod: 'POST', redirectData: { RelayState: 'r' } }),
  b.reCaptchaCallback({ siteKey: 'key', v3: true }),
  b.selectIdPCallback([{ provider: 'google', uiConfig: { buttonDisplayName: 'Google' } }, { provider: 'localAuthentication' }]),
];

describe('callback JSON Schemas (RST-26), derived from the registry', () => {
  it('cover the whole vocabulary', () => {
    expect(Object.keys(CALLBACK_SCHEMAS).sort()).toEqual([...CALLBACK_TYPES].sort());
    expect(new Set(built.map((cb) => cb.type))).toEqual(new Set(CALLBACK_TYPES));
  });

  it("validate every builder's output, before and after numbering, with a Page Node _id", () => {
    for (const cb of built) expect(check(cb), cb.type).toBe('valid');
    numberCallbacks(built).forEach((cb, i) => expect(check({ ...cb, _id: i }), cb.type).toBe('valid'));
  });

  it('validate the reference examples literally', () => {
    const examples: unknown[] = [
      REF.name,
      REF.password,
      REF.textInput,
      REF.textOutput,
      REF.confirmation,
      REF.choice,
      REF.hiddenValue,
      REF.stringAttribute,
      REF.booleanAttribute,
      REF.numberAttribute,
      REF.validatedUsernameTemplate.replace('POLICIES', REF.usernamePolicies),
      REF.validatedPassword,
      REF.kbaCreate,
      REF.terms,
      REF.redirect,
      REF.pollingWait,
      REF.metadata,
      REF.reCaptchaOld,
      REF.selectIdP,
    ].map((s) => JSON.parse(s));
    examples.push(...(JSON.parse(REF.loginStepCallbacks) as unknown[]));
    examples.push(...(JSON.parse(REF.suspendedStep) as { callbacks: unknown[] }).callbacks);
    const failedPolicies = JSON.parse(REF.failedPolicies) as { value: string[] };
    const password = JSON.parse(REF.validatedPassword) as Callback;
    password.output[2] = { name: 'failedPolicies', value: failedPolicies.value };
    examples.push(password);
    for (const example of examples) expect(check(example), JSON.stringify(example).slice(0, 60)).toBe('valid');
  });

  it('reject shapes AM does not send', () => {
    const textOutput = JSON.parse(REF.textOutput) as Callback;
    const numericType = { ...textOutput, output: [textOutput.output[0], { name: 'messageType', value: 1 }] };
    expect(check(numericType)).not.toBe('valid');

    const choice = JSON.parse(REF.choice) as Callback;
    expect(check({ ...choice, output: [...choice.output].reverse() })).not.toBe('valid');
    expect(check({ ...choice, input: [{ name: 'IDToken1', value: 'red' }] })).not.toBe('valid');
    expect(check({ ...choice, input: [{ name: 'token', value: 0 }] })).not.toBe('valid');

    const name = JSON.parse(REF.name) as Callback;
    expect(check({ type: 'NameCallback', output: name.output })).not.toBe('valid');
    expect(check({ ...name, extra: 1 })).not.toBe('valid');
    expect(check({ ...name, type: 'UnknownCallback' })).not.toBe('valid');

    const polling = JSON.parse(REF.pollingWait) as Callback;
    expect(check({ ...polling, output: [{ name: 'waitTime', value: 30000 }, polling.output[1]] })).not.toBe('valid');

    const password = JSON.parse(REF.validatedPassword) as Callback;
    password.output[2] = { name: 'failedPolicies', value: [{ policyRequirement: 'MIN_LENGTH' }] };
    expect(check(password)).not.toBe('valid');

    // A secret is never sent with a value.
    const echoed = JSON.parse(REF.password) as Callback;
    expect(check({ ...echoed, input: [{ name: 'IDToken2', value: 's3cret' }] })).not.toBe('valid');
    const kba = JSON.parse(REF.kbaCreate) as Callback;
    expect(check({ ...kba, input: [kba.input![0], { name: kba.input![1]!.name, value: 'Rex' }] })).not.toBe('valid');
  });
});
