// The self-service pages' pure core: PingIDM's End User UI routes, and IDM requirements → fields → input.
import { describe, expect, it } from 'vitest';
import { failuresIn, inputOf, planOf, type StageAnswer } from '../../ui/src/selfservice/form.js';
import { parseSelfServiceRoute, routeWithoutParams } from '../../ui/src/selfservice/route.js';

const answer = (type: string, requirements: Record<string, unknown>, tag = 'initial'): StageAnswer => ({ type, tag, requirements, token: 'T' });

describe("IDM's routes", () => {
  it('reads the Vue UI and the IDM 4/5 routes with their parameters', () => {
    expect(parseSelfServiceRoute('#/passwordreset/&token=a.b-c_d&code=XyZ')).toEqual({
      process: 'reset',
      routeName: 'passwordreset',
      params: { token: 'a.b-c_d', code: 'XyZ' },
    });
    expect(parseSelfServiceRoute('#passwordReset/&token=t&code=c')).toMatchObject({ process: 'reset', params: { token: 't', code: 'c' } });
    expect(parseSelfServiceRoute('#/passwordreset')).toEqual({ process: 'reset', routeName: 'passwordreset', params: {} });
    expect(parseSelfServiceRoute('#/registration/&token=t&code=c')?.process).toBe('registration');
    expect(parseSelfServiceRoute('#register/')?.process).toBe('registration');
    expect(parseSelfServiceRoute('#/forgotusername')?.process).toBe('username');
    expect(parseSelfServiceRoute('#/passwordreset/&returnParams=goto%3D%2Fapp')?.params).toEqual({ returnParams: 'goto=/app' });
  });

  it('leaves other addresses to the journeys, and drops what it cannot read', () => {
    for (const hash of ['', '#/service/Login', '#/success', '#/login', '#passwordresetx']) expect(parseSelfServiceRoute(hash)).toBeUndefined();
    expect(parseSelfServiceRoute('#/passwordreset/&token=%E0%A4%A&bad name=1&code=ok')?.params).toEqual({ code: 'ok' });
    expect(routeWithoutParams(parseSelfServiceRoute('#passwordReset/&code=c')!)).toBe('#/passwordreset/');
  });
});

describe('requirements → fields → input', () => {
  it('asks userQuery for an e-mail address and sends a quoted eq filter', () => {
    const a = answer('userQuery', {
      required: ['queryFilter'],
      properties: { queryFilter: { description: 'filter string to find account', type: 'string' } },
    });
    const plan = planOf(a, 'en');
    expect(plan.fields).toEqual([
      { kind: 'text', name: 'mail', label: 'userQuery.label', required: true, inputType: 'email', autocomplete: 'email' },
    ]);
    expect(inputOf(a, plan, new Map([['mail', ' a"b\\c@example.com ']]))).toEqual({ queryFilter: 'mail eq "a\\"b\\\\c@example.com"' });
  });

  it('posts parameters at once, and shows "check your e-mail" for validateCode', () => {
    expect(planOf(answer('parameters', { properties: { returnParams: { type: 'string' } } }), 'en').auto).toBe(true);
    expect(planOf(answer('emailValidation', { required: ['code'], properties: { code: { type: 'string' } } }, 'validateCode'), 'en')).toMatchObject({
      checkMail: true,
      fields: [],
    });
  });

  it("shows a system question in the page's language, a user's own as written", () => {
    const a = answer('kbaSecurityAnswerVerificationStage', {
      required: ['answer1', 'answer2'],
      properties: {
        answer1: { systemQuestion: { en: 'Colour?', fr: 'Couleur ?' }, type: 'string' },
        answer2: { userQuestion: 'My cat?', type: 'string' },
      },
    });
    expect(planOf(a, 'fr').fields).toEqual([
      { kind: 'answer', name: 'answer1', question: 'Couleur ?' },
      { kind: 'answer', name: 'answer2', question: 'My cat?' },
    ]);
    expect(planOf(a, 'de').fields[0]).toMatchObject({ question: 'Colour?' });
    expect(
      inputOf(
        a,
        planOf(a, 'en'),
        new Map([
          ['answer1', 'blue'],
          ['answer2', 'Tom'],
        ]),
      ),
    ).toEqual({ answer1: 'blue', answer2: 'Tom' });
  });

  it("offers the predefined questions for each answer to define, or a question of one's own", () => {
    const a = answer('kbaSecurityAnswerDefinitionStage', {
      required: ['kba'],
      properties: { kba: { type: 'array', minItems: 2, questions: [{ id: '1', question: { en: 'Colour?' } }] } },
    });
    const plan = planOf(a, 'en');
    expect(plan.fields).toEqual([
      { kind: 'define', index: 0, questions: [{ id: '1', text: 'Colour?' }] },
      { kind: 'define', index: 1, questions: [{ id: '1', text: 'Colour?' }] },
    ]);
    const values = new Map<string, string | boolean>([
      ['kba.0.question', '1'],
      ['kba.0.answer', 'blue'],
      ['kba.1.question', '__custom__'],
      ['kba.1.custom', ' My cat? '],
      ['kba.1.answer', 'Tom'],
    ]);
    expect(inputOf(a, plan, values)).toEqual({
      kba: [
        { questionId: '1', answer: 'blue' },
        { customQuestion: 'My cat?', answer: 'Tom' },
      ],
    });
  });

  it('collects the user object for userDetails, terms acceptance, and reads 7.5 policy errors', () => {
    const details = answer('userDetails', {
      required: ['user'],
      properties: { user: { description: 'User details', type: 'object' } },
      error: {
        code: 403,
        detail: {
          failedPolicyRequirements: [{ property: 'password', policyRequirements: [{ policyRequirement: 'MIN_LENGTH', params: { minLength: 8 } }] }],
        },
      },
    });
    const plan = planOf(details, 'en', ['userName', 'mail', 'password']);
    expect(plan.fields.map((f) => (f.kind === 'text' || f.kind === 'password' ? f.name : f.kind))).toEqual([
      'user.userName',
      'user.mail',
      'user.password',
    ]);
    expect(
      inputOf(
        details,
        plan,
        new Map([
          ['user.userName', ' ann '],
          ['user.mail', 'a@example.com'],
          ['user.password', 'secret pass'],
        ]),
      ),
    ).toEqual({
      user: { userName: 'ann', mail: 'a@example.com', password: 'secret pass' },
    });
    expect(failuresIn(details).get('password')).toEqual([{ policyRequirement: 'MIN_LENGTH', params: { minLength: 8 } }]);

    const terms = answer('termsAndConditions', { required: ['accept'], properties: { accept: { type: 'string' } }, terms: 'Be nice.' });
    const termsPlan = planOf(terms, 'en');
    expect(termsPlan.fields).toEqual([{ kind: 'terms', terms: 'Be nice.' }]);
    expect(inputOf(terms, termsPlan, new Map([['accept', true]]))).toEqual({ accept: 'true' });
    expect(inputOf(terms, termsPlan, new Map())).toEqual({ accept: 'false' });
  });

  it('renders an unknown stage generically, a text field per property', () => {
    const a = answer('mathProblem', { required: ['answer'], properties: { answer: { description: 'What is 2 + 2?', type: 'string' } } });
    const plan = planOf(a, 'en');
    expect(plan.fields).toEqual([{ kind: 'text', name: 'answer', label: 'What is 2 + 2?', required: true, inputType: 'text' }]);
    expect(inputOf(a, plan, new Map([['answer', '4']]))).toEqual({ answer: '4' });
  });
});
