// Callback → form model mapping (the wire shapes of protocol §2.2), page plans, and the posted-back step.
import { describe, expect, it } from 'vitest';
import { buildSubmission, confirmPasswordFlags, fieldModel, initialValues, planPage } from '../../ui/src/core/form-model.js';
import type { Step, WireCallback } from '../../ui/src/core/types.js';

const cb = {
  name: { type: 'NameCallback', output: [{ name: 'prompt', value: 'User Name' }], input: [{ name: 'IDToken1', value: '' }], _id: 0 },
  password: { type: 'PasswordCallback', output: [{ name: 'prompt', value: 'Password' }], input: [{ name: 'IDToken2', value: '' }], _id: 1 },
  otp: { type: 'PasswordCallback', output: [{ name: 'prompt', value: 'One Time Password' }], input: [{ name: 'IDToken1', value: '' }] },
  textOutput: (messageType: string, message = 'Hello'): WireCallback => ({
    type: 'TextOutputCallback',
    output: [
      { name: 'message', value: message },
      { name: 'messageType', value: messageType },
    ],
  }),
  confirmation: {
    type: 'ConfirmationCallback',
    output: [
      { name: 'prompt', value: '' },
      { name: 'messageType', value: 0 },
      { name: 'options', value: ['Submit', 'Start Over', 'Cancel'] },
      { name: 'optionType', value: -1 },
      { name: 'defaultOption', value: 1 },
    ],
    input: [{ name: 'IDToken1', value: 0 }],
  },
  choice: {
    type: 'ChoiceCallback',
    output: [
      { name: 'prompt', value: 'Choose your color' },
      { name: 'choices', value: ['red', 'green', 'blue'] },
      { name: 'defaultChoice', value: 2 },
    ],
    input: [{ name: 'IDToken1', value: 2 }],
  },
  hidden: {
    type: 'HiddenValueCallback',
    output: [
      { name: 'value', value: '6186c911' },
      { name: 'id', value: 'jwt' },
    ],
    input: [{ name: 'IDToken1', value: 'jwt' }],
  },
  mail: {
    type: 'StringAttributeInputCallback',
    output: [
      { name: 'name', value: 'mail' },
      { name: 'prompt', value: 'Email Address' },
      { name: 'required', value: true },
      { name: 'policies', value: {} },
      { name: 'failedPolicies', value: ['{ "policyRequirement": "VALID_EMAIL_ADDRESS_FORMAT" }'] },
      { name: 'validateOnly', value: false },
      { name: 'value', value: 'a@' },
    ],
    input: [
      { name: 'IDToken1', value: 'a@' },
      { name: 'IDToken1validateOnly', value: false },
    ],
    _id: 0,
  },
  age: {
    type: 'NumberAttributeInputCallback',
    output: [
      { name: 'name', value: 'age' },
      { name: 'prompt', value: 'Age' },
      { name: 'required', value: true },
      { name: 'policies', value: {} },
      { name: 'failedPolicies', value: [] },
      { name: 'validateOnly', value: false },
      { name: 'value', value: null },
    ],
    input: [
      { name: 'IDToken4', value: null },
      { name: 'IDToken4validateOnly', value: false },
    ],
  },
  marketing: {
    type: 'BooleanAttributeInputCallback',
    output: [
      { name: 'name', value: 'preferences/marketing' },
      { name: 'prompt', value: 'Send me special offers' },
      { name: 'required', value: true },
      { name: 'policies', value: {} },
      { name: 'failedPolicies', value: [] },
      { name: 'validateOnly', value: false },
      { name: 'value', value: false },
    ],
    input: [
      { name: 'IDToken1', value: false },
      { name: 'IDToken1validateOnly', value: false },
    ],
  },
  newPassword: {
    type: 'ValidatedCreatePasswordCallback',
    output: [
      { name: 'echoOn', value: false },
      { name: 'policies', value: { policies: [{ policyId: 'minimum-length', params: { minLength: 8 }, policyRequirements: ['MIN_LENGTH'] }] } },
      { name: 'failedPolicies', value: [] },
      { name: 'validateOnly', value: false },
      { name: 'prompt', value: 'Password' },
    ],
    input: [
      { name: 'IDToken2', value: '' },
      { name: 'IDToken2validateOnly', value: false },
    ],
  },
  newUsername: {
    type: 'ValidatedCreateUsernameCallback',
    output: [
      { name: 'policies', value: {} },
      { name: 'failedPolicies', value: ['{"policyRequirement":"UNIQUE"}'] },
      { name: 'validateOnly', value: false },
      { name: 'prompt', value: 'Username' },
    ],
    input: [
      { name: 'IDToken1', value: 'taken' },
      { name: 'IDToken1validateOnly', value: false },
    ],
  },
  kba: {
    type: 'KbaCreateCallback',
    output: [
      { name: 'prompt', value: 'Select a security question' },
      { name: 'predefinedQuestions', value: ["What's your favorite color?"] },
      { name: 'allowUserDefinedQuestions', value: true },
    ],
    input: [
      { name: 'IDToken8question', value: '' },
      { name: 'IDToken8answer', value: '' },
    ],
  },
  terms: {
    type: 'TermsAndConditionsCallback',
    output: [
      { name: 'version', value: '0.0' },
      { name: 'terms', value: 'Lorem ipsum' },
      { name: 'createDate', value: '2019-10-28T04:20:11.320Z' },
    ],
    input: [{ name: 'IDToken9', value: false }],
  },
  suspended: {
    type: 'SuspendedTextOutputCallback',
    output: [
      { name: 'message', value: 'An email has been sent.' },
      { name: 'messageType', value: '0' },
    ],
  },
  polling: {
    type: 'PollingWaitCallback',
    output: [
      { name: 'waitTime', value: '30000' },
      { name: 'message', value: 'Please Wait. Processing ...' },
    ],
  },
  redirect: (url: string): WireCallback => ({
    type: 'RedirectCallback',
    output: [
      { name: 'redirectUrl', value: url },
      { name: 'redirectMethod', value: 'GET' },
      { name: 'trackingCookie', value: true },
    ],
  }),
  metadata: { type: 'MetadataCallback', output: [{ name: 'data', value: { stage: 'UsernamePassword' } }], _id: 2 },
  recaptcha: { type: 'ReCaptchaCallback', output: [{ name: 'recaptchaSiteKey', value: '6Lf3' }], input: [{ name: 'IDToken1', value: '' }] },
} satisfies Record<string, WireCallback | ((...args: string[]) => WireCallback)>;

const step = (callbacks: WireCallback[], extra: Partial<Step> = {}): Step => ({ authId: 'eyJ.a.b', callbacks, ...extra });

describe('fieldModel', () => {
  it('maps name and password callbacks to labelled inputs with the right autocomplete', () => {
    expect(fieldModel(cb.name, 0)).toMatchObject({
      kind: 'text',
      inputName: 'IDToken1',
      label: 'User Name',
      autocomplete: 'username',
      required: true,
    });
    expect(fieldModel(cb.password, 1)).toMatchObject({
      kind: 'password',
      inputName: 'IDToken2',
      autocomplete: 'current-password',
      confirm: false,
      id: 'cb1',
    });
    expect(fieldModel(cb.otp, 0)).toMatchObject({ kind: 'password', autocomplete: 'one-time-code' });
  });

  it('maps TextOutputCallback by message type and never passes a script on', () => {
    expect(fieldModel(cb.textOutput('0'), 0)).toMatchObject({ kind: 'message', level: 'info', text: 'Hello' });
    expect(fieldModel(cb.textOutput('1'), 0)).toMatchObject({ kind: 'message', level: 'warning' });
    expect(fieldModel(cb.textOutput('2'), 0)).toMatchObject({ kind: 'message', level: 'error' });
    const script = fieldModel(cb.textOutput('4', 'alert(document.cookie)'), 0);
    expect(script).toEqual({ type: 'TextOutputCallback', index: 0, id: 'cb0', kind: 'notice', key: 'script.notice' });
  });

  it('maps attribute inputs: type and autocomplete from the IDM name, required, failed policies', () => {
    expect(fieldModel(cb.mail, 0)).toMatchObject({
      kind: 'text',
      inputType: 'email',
      autocomplete: 'email',
      required: true,
      failures: [{ policyRequirement: 'VALID_EMAIL_ADDRESS_FORMAT' }],
      liveValidation: false,
    });
    expect(fieldModel(cb.age, 3)).toMatchObject({ kind: 'text', inputType: 'number', valueType: 'number', inputName: 'IDToken4' });
    expect(fieldModel(cb.marketing, 0)).toMatchObject({ kind: 'checkbox', label: 'Send me special offers' });
  });

  it('maps Validated* callbacks with live checks, requirements and failures', () => {
    expect(fieldModel(cb.newPassword, 1)).toMatchObject({
      kind: 'password',
      inputName: 'IDToken2',
      autocomplete: 'new-password',
      confirm: true,
      liveValidation: true,
      requirements: [{ policyRequirement: 'MIN_LENGTH', params: { minLength: 8 } }],
    });
    expect(fieldModel(cb.newUsername, 0)).toMatchObject({
      kind: 'text',
      autocomplete: 'username',
      liveValidation: true,
      failures: [{ policyRequirement: 'UNIQUE' }],
    });
  });

  it('maps choices, confirmations (custom and standard option types), KBA and terms', () => {
    expect(fieldModel(cb.choice, 0)).toMatchObject({ kind: 'choice', choices: ['red', 'green', 'blue'], defaultChoice: 2, display: 'radio' });
    expect(fieldModel(cb.confirmation, 0)).toMatchObject({
      kind: 'confirmation',
      defaultOption: 1,
      options: [
        { value: 0, text: 'Submit' },
        { value: 1, text: 'Start Over' },
        { value: 2, text: 'Cancel' },
      ],
    });
    const okCancel: WireCallback = {
      type: 'ConfirmationCallback',
      output: [
        { name: 'prompt', value: 'Sure?' },
        { name: 'optionType', value: 2 },
        { name: 'defaultOption', value: 3 },
      ],
      input: [{ name: 'IDToken1', value: 3 }],
    };
    expect(fieldModel(okCancel, 0)).toMatchObject({
      options: [
        { value: 3, key: 'confirm.ok' },
        { value: 2, key: 'confirm.cancel' },
      ],
      defaultOption: 3,
    });
    expect(fieldModel(cb.kba, 7)).toMatchObject({
      kind: 'kba',
      questionInput: 'IDToken8question',
      answerInput: 'IDToken8answer',
      allowCustom: true,
      questions: ["What's your favorite color?"],
    });
    expect(fieldModel(cb.terms, 8)).toMatchObject({ kind: 'terms', inputName: 'IDToken9', version: '0.0', terms: 'Lorem ipsum' });
  });

  it('maps display-only and navigation callbacks, and bounds the polling wait', () => {
    expect(fieldModel(cb.suspended, 0)).toMatchObject({ kind: 'suspended', text: 'An email has been sent.' });
    expect(fieldModel(cb.polling, 0)).toMatchObject({ kind: 'polling', waitMs: 30000 });
    expect(fieldModel({ type: 'PollingWaitCallback', output: [{ name: 'waitTime', value: '1' }] }, 0)).toMatchObject({ waitMs: 250 });
    expect(fieldModel({ type: 'PollingWaitCallback', output: [{ name: 'waitTime', value: 'soon' }] }, 0)).toMatchObject({ waitMs: 8000 });
    expect(fieldModel(cb.redirect('https://idp.example/auth?x=1'), 0)).toMatchObject({
      kind: 'redirect',
      url: 'https://idp.example/auth?x=1',
      method: 'GET',
    });
    expect(fieldModel(cb.redirect('javascript:alert(1)'), 0)).toMatchObject({ kind: 'redirect', url: null });
    expect(fieldModel(cb.metadata, 0).kind).toBe('ignored');
    expect(fieldModel(cb.hidden, 0).kind).toBe('hidden');
    expect(fieldModel(cb.recaptcha, 0)).toMatchObject({ kind: 'notice', key: 'recaptcha.notice' });
  });

  it('turns unknown or malformed callbacks into "unknown", never a crash', () => {
    expect(fieldModel({ type: 'WebAuthnCallback', output: [] }, 0)).toMatchObject({ kind: 'unknown', type: 'WebAuthnCallback' });
    expect(fieldModel({ type: 'NameCallback', output: [] }, 0)).toMatchObject({ kind: 'unknown', type: 'NameCallback' });
    expect(fieldModel({ type: 'ChoiceCallback', output: [{ name: 'choices', value: [] }], input: [{ name: 'IDToken1', value: 0 }] }, 0).kind).toBe(
      'unknown',
    );
  });
});

describe('confirm password from the page stage', () => {
  it('confirms by default and follows the stage JSON per ValidatedCreatePasswordCallback', () => {
    expect(
      confirmPasswordFlags('{"ValidatedCreatePasswordCallback":[{"id":"db09","confirmPassword":true},{"id":"x","confirmPassword":false}]}'),
    ).toEqual([true, false]);
    expect(confirmPasswordFlags('UsernamePassword')).toEqual([]);
    expect(confirmPasswordFlags('{broken')).toEqual([]);
    const plan = planPage(step([cb.newPassword], { stage: '{"ValidatedCreatePasswordCallback":[{"id":"a","confirmPassword":false}]}' }));
    expect(plan.fields[0]).toMatchObject({ kind: 'password', confirm: false });
    expect(planPage(step([cb.newPassword])).fields[0]).toMatchObject({ confirm: true });
  });
});

describe('planPage', () => {
  it('offers a submit button on an ordinary page', () => {
    expect(planPage(step([cb.name, cb.password]))).toMatchObject({ submit: true, suspended: false, unknownTypes: [] });
  });
  it('uses the confirmation buttons instead of a submit button', () => {
    const plan = planPage(step([cb.textOutput('0'), cb.confirmation]));
    expect(plan.submit).toBe(false);
    expect(plan.confirmation?.inputName).toBe('IDToken1');
  });
  it('has nothing to submit on a "check your e-mail" page', () => {
    expect(planPage(step([cb.suspended]))).toMatchObject({ submit: false, suspended: true });
  });
  it('re-submits after a polling wait and follows redirects', () => {
    expect(planPage(step([cb.polling]))).toMatchObject({ submit: false, pollAfterMs: 30000 });
    expect(planPage(step([cb.redirect('/next')])).redirect).toMatchObject({ url: '/next' });
  });
  it('names the callback types it cannot show and offers no submit', () => {
    expect(planPage(step([cb.name, { type: 'DeviceProfileCallback', output: [], input: [{ name: 'IDToken2', value: '' }] }]))).toMatchObject({
      submit: false,
      unknownTypes: ['DeviceProfileCallback'],
    });
  });
});

describe('values posted back', () => {
  it('starts from the values the server pre-filled, validateOnly inputs excluded', () => {
    expect([...initialValues(step([cb.mail, cb.hidden, cb.choice]))]).toEqual([['IDToken1', 2]]);
    expect([...initialValues(step([cb.name, cb.password]))]).toEqual([
      ['IDToken1', ''],
      ['IDToken2', ''],
    ]);
  });

  it('writes the entered values into the same step, leaving everything else as sent', () => {
    const original = step([cb.name, cb.password], { header: 'Sign In' });
    const values = new Map<string, unknown>([
      ['IDToken1', 'demo'],
      ['IDToken2', 'secret'],
    ]);
    const body = buildSubmission(original, values);
    expect(body).toEqual({
      ...original,
      callbacks: [
        { ...cb.name, input: [{ name: 'IDToken1', value: 'demo' }] },
        { ...cb.password, input: [{ name: 'IDToken2', value: 'secret' }] },
      ],
    });
    expect(original.callbacks[0]?.input?.[0]?.value).toBe('');
  });

  it('sets every validateOnly input for a live check, and clears them for a real submission', () => {
    const page = step([cb.newUsername, cb.newPassword]);
    const values = new Map<string, unknown>([
      ['IDToken1', 'alice'],
      ['IDToken2', 'short'],
    ]);
    const check = buildSubmission(page, values, { validateOnly: true });
    expect(check.callbacks.map((c) => c.input)).toEqual([
      [
        { name: 'IDToken1', value: 'alice' },
        { name: 'IDToken1validateOnly', value: true },
      ],
      [
        { name: 'IDToken2', value: 'short' },
        { name: 'IDToken2validateOnly', value: true },
      ],
    ]);
    expect(
      buildSubmission(check, values)
        .callbacks.flatMap((c) => c.input ?? [])
        .filter((i) => i.name.endsWith('validateOnly'))
        .map((i) => i.value),
    ).toEqual([false, false]);
  });

  it('keeps a KBA question and answer on their own inputs', () => {
    const values = new Map<string, unknown>([
      ['IDToken8question', 'Custom?'],
      ['IDToken8answer', 'blue'],
    ]);
    expect(buildSubmission(step([cb.kba]), values).callbacks[0]?.input).toEqual([
      { name: 'IDToken8question', value: 'Custom?' },
      { name: 'IDToken8answer', value: 'blue' },
    ]);
  });
});
