import { describe, expect, it } from 'vitest';
import * as b from '../../src/callbacks/builders.js';
import { numberCallbacks } from '../../src/callbacks/numbering.js';
import type { Callback } from '../../src/callbacks/types.js';
import { REF } from './reference-examples.js';

/** The callback at 1-based `position` of a numbered step, with an optional Page Node `_id`. */
function at(position: number, cb: Callback, id?: number): Callback {
  const fillers = Array.from({ length: position - 1 }, () => b.textOutputCallback('filler'));
  const numbered = numberCallbacks([...fillers, cb]);
  const out = numbered[position - 1] as Callback;
  return id === undefined ? out : { ...out, _id: id };
}

const json = (v: unknown) => JSON.stringify(v);

describe('callback builders emit the reference JSON exactly (key and output order included)', () => {
  it('NameCallback and PasswordCallback', () => {
    expect(json(b.nameCallback('User Name'))).toBe(REF.name);
    expect(json(at(2, b.passwordCallback('Password')))).toBe(REF.password);
  });

  it('a Page Node login step (numbered, with _id)', () => {
    const step = numberCallbacks([b.nameCallback('User Name'), b.passwordCallback('Password')]).map((cb, i) => ({ ...cb, _id: i }));
    expect(json(step)).toBe(REF.loginStepCallbacks);
  });

  it('TextInputCallback, TextOutputCallback (messageType is a string)', () => {
    expect(json(b.textInputCallback('Security answer'))).toBe(REF.textInput);
    expect(json(b.textOutputCallback('This is a Message Node', b.MESSAGE_WARNING))).toBe(REF.textOutput);
    expect(b.textOutputCallback('x').output[1]).toEqual({ name: 'messageType', value: '0' });
  });

  it('ConfirmationCallback and ChoiceCallback', () => {
    expect(json(b.confirmationCallback({ options: ['Submit', 'Start Over', 'Cancel'], defaultOption: 1 }))).toBe(REF.confirmation);
    expect(json(b.choiceCallback('Choose your color', ['red', 'green', 'blue'], 0))).toBe(REF.choice);
    // Choice Collector pre-selects the default: the input starts at the default index.
    expect(b.choiceCallback('p', ['a', 'b', 'c'], 2).input).toEqual([{ name: 'IDToken1', value: 2 }]);
  });

  it('HiddenValueCallback: input starts as the id', () => {
    expect(json(b.hiddenValueCallback('jwt', '6186c911-b3be-4dbc-8192-bdf251392072'))).toBe(REF.hiddenValue);
  });

  it('String/Boolean/NumberAttributeInputCallback', () => {
    expect(json(at(1, b.stringAttributeInputCallback({ name: 'mail', prompt: 'Email Address', required: true, value: '' }), 0))).toBe(
      REF.stringAttribute,
    );
    expect(
      json(
        b.booleanAttributeInputCallback({
          name: 'preferences/marketing',
          prompt: 'Send me special offers and services',
          required: true,
          value: false,
        }),
      ),
    ).toBe(REF.booleanAttribute);
    const agePolicies = {
      policyRequirements: ['VALID_TYPE'],
      fallbackPolicies: null,
      name: 'age',
      policies: [{ policyRequirements: ['VALID_TYPE'], policyId: 'valid-type', params: { types: ['number'] } }],
      conditionalPolicies: null,
    };
    const age = b.numberAttributeInputCallback({ name: 'age', prompt: 'Age', required: true, policies: agePolicies, value: null });
    expect(json(at(4, age))).toBe(REF.numberAttribute);
  });

  it('ValidatedCreateUsernameCallback and ValidatedCreatePasswordCallback', () => {
    const policies = JSON.parse(REF.usernamePolicies) as Record<string, unknown>;
    const username = b.validatedCreateUsernameCallback({ prompt: 'Username', policies });
    expect(json(at(1, username, 0))).toBe(REF.validatedUsernameTemplate.replace('POLICIES', REF.usernamePolicies));

    const expected = JSON.parse(REF.validatedPassword) as Callback;
    const passwordPolicies = expected.output[1]?.value as Record<string, unknown>;
    expect(json(b.validatedCreatePasswordCallback({ prompt: 'Password', policies: passwordPolicies }))).toBe(REF.validatedPassword);
  });

  it('failedPolicies are JSON strings that parse to the reference failures', () => {
    const failures = [
      { policyRequirement: 'MIN_LENGTH', params: { minLength: 8 } },
      { policyRequirement: 'AT_LEAST_X_CAPITAL_LETTERS', params: { numCaps: 1 } },
      { policyRequirement: 'AT_LEAST_X_NUMBERS', params: { numNums: 1 } },
    ];
    const cb = b.validatedCreatePasswordCallback({ prompt: 'Password', failedPolicies: failures });
    const emitted = cb.output.find((f) => f.name === 'failedPolicies')?.value as string[];
    const reference = (JSON.parse(REF.failedPolicies) as { value: string[] }).value;
    expect(emitted.every((s) => typeof s === 'string')).toBe(true);
    expect(emitted.map((s) => JSON.parse(s))).toEqual(reference.map((s) => JSON.parse(s)));
    expect(b.encodePolicyFailure({ policyRequirement: 'UNIQUE' })).toBe('{"policyRequirement":"UNIQUE"}');
  });

  it('KbaCreateCallback (question/answer suffixes) and TermsAndConditionsCallback', () => {
    const kba = b.kbaCreateCallback({ prompt: 'Select a security question', predefinedQuestions: ["What's your favorite color?"] });
    expect(json(at(8, kba, 7))).toBe(REF.kbaCreate);
    const terms = b.termsAndConditionsCallback({ version: '0.0', terms: 'Lorem ipsum …', createDate: '2019-10-28T04:20:11.320Z' });
    expect(json(at(9, terms, 8))).toBe(REF.terms);
  });

  it('display-only callbacks have no input', () => {
    const suspended = b.suspendedTextOutputCallback('An email has been sent to the address you entered. Click the link in that email to proceed.');
    expect(json({ authId: 'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.…', callbacks: [suspended] })).toBe(REF.suspendedStep);
    expect(json(b.redirectCallback({ redirectUrl: 'https://accounts.google.com/o/oauth2/v2/auth?nonce=…' }))).toBe(REF.redirect);
    expect(json(b.pollingWaitCallback(30000, 'Please Wait. Processing ...'))).toBe(REF.pollingWait);
    expect(json({ ...b.metadataCallback({ stage: 'UsernamePassword' }), _id: 2 })).toBe(REF.metadata);
    for (const cb of [suspended, b.textOutputCallback('m'), b.metadataCallback({})]) expect(cb).not.toHaveProperty('input');
  });

  it('RedirectCallback appends redirectData only for form posts', () => {
    const post = b.redirectCallback({ redirectUrl: 'https://idp.example/sso', redirectMethod: 'POST', redirectData: { SAMLRequest: 'abc' } });
    expect(post.output.map((f) => f.name)).toEqual(['redirectUrl', 'redirectMethod', 'trackingCookie', 'redirectData']);
    expect(post.output[3]?.value).toEqual({ SAMLRequest: 'abc' });
  });

  it('PollingWaitCallback refuses a bad wait time', () => {
    expect(() => b.pollingWaitCallback(-1, 'x')).toThrow(RangeError);
    expect(() => b.pollingWaitCallback(1.5, 'x')).toThrow(RangeError);
  });

  it('ReCaptchaCallback starts with the site key, then the AM 7/8 extras', () => {
    const cb = b.reCaptchaCallback({ siteKey: '6Lf3tbYUAAAAAEm78fAOFRKb-n1M67FDtmpczIBK' });
    const old = JSON.parse(REF.reCaptchaOld) as Callback;
    expect(cb.output[0]).toEqual(old.output[0]);
    expect(cb.input).toEqual(old.input);
    expect(Object.fromEntries(cb.output.map((f) => [f.name, f.value]))).toMatchObject({
      captchaApiUri: 'https://www.google.com/recaptcha/api.js',
      captchaDivClass: 'g-recaptcha',
      reCaptchaV3: false,
      disableSubmission: false,
    });
  });

  it('secret inputs are blank in builders: passwords never carry a value', () => {
    expect(b.passwordCallback('Password').input?.[0]?.value).toBe('');
    expect(b.validatedCreatePasswordCallback({ prompt: 'Password' }).input?.[0]?.value).toBe('');
    expect(b.kbaCreateCallback({ prompt: 'q', predefinedQuestions: [], question: 'Pet?' }).input).toEqual([
      { name: 'IDToken1question', value: 'Pet?' },
      { name: 'IDToken1answer', value: '' },
    ]);
  });
});
