/**
 * IDM's stage vocabulary on the wire: which node type each IDM stage name runs as, and for each stage how
 * the callbacks its node sends become IDM's requirements (JSON Schema draft-04 objects built as IDM's
 * RequirementsBuilder does, reference §2.2 and §5) and how an IDM `input` fills those callbacks back in.
 * The nodes stay protocol-neutral (AM clients get the callbacks); this table is the IDM renderer.
 * Extra input keys are ignored (the End User UI repeats the token inside `input`).
 */
import { inputSuffix } from '../../callbacks/numbering.js';
import { outputValue } from '../../callbacks/readers.js';
import type { Callback } from '../../callbacks/types.js';
import type { KbaConfig, KbaQuestionRef } from '../../identity/kba.js';
import { stageError } from '../../nodes/helpers/self-service.js';
import type { PolicyFailure } from '../../identity/ports.js';

export const DRAFT_04 = 'http://json-schema.org/draft-04/schema#';

export type Requirements = Record<string, unknown>;

/** What a renderer sees of the waiting step. */
export interface StepView {
  callbacks: readonly Callback[];
  /** The stage node's local state (what it asked: KBA questions). */
  local: Readonly<Record<string, unknown>>;
  kba: KbaConfig;
}

export interface StageWire {
  /** The node type the stage runs as. */
  nodeType: string;
  /** IDM's requirements for the callbacks the node sent. */
  requirements(view: StepView): Requirements;
  /** The callbacks filled from IDM's `input` (a copy; inputs only). Throws a 400 for input of the wrong shape. */
  fill(input: Record<string, unknown>, view: StepView): Callback[];
}

type Property = Record<string, unknown>;

/** RequirementsBuilder: `$schema`, `description`, `type`, `required` (omitted when empty), `properties`, then extras. */
export function requirementsOf(
  description: string,
  properties: Record<string, Property>,
  required: string[],
  extra: Record<string, unknown> = {},
): Requirements {
  return {
    $schema: DRAFT_04,
    description,
    type: 'object',
    ...(required.length > 0 ? { required } : {}),
    properties,
    ...extra,
  };
}

const text = (description: string): Property => ({ description, type: 'string' });

/** A copy of `callbacks` with the main input of callback `i` set by `value(cb, i)` (undefined: unchanged). */
function withInputs(callbacks: readonly Callback[], value: (cb: Callback, i: number) => unknown, suffix = ''): Callback[] {
  return callbacks.map((cb, i) => {
    const v = value(cb, i);
    if (v === undefined) return structuredClone(cb);
    const copy = structuredClone(cb);
    const field = copy.input?.find((f) => inputSuffix(f.name) === suffix);
    if (field) field.value = v;
    return copy;
  });
}

/** A string input, or '' when absent; anything else is the client's mistake. */
function stringInput(input: Record<string, unknown>, name: string): string {
  const v = input[name];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw stageError(`${name} must be a string`);
  return v;
}

/** The failures of a callback's `failedPolicies` output (AM encodes each as JSON text). */
export function failuresOf(cb: Callback): PolicyFailure[] {
  const raw = outputValue(cb, 'failedPolicies');
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((f) => {
    try {
      const parsed: unknown = typeof f === 'string' ? JSON.parse(f) : f;
      return parsed && typeof parsed === 'object' && typeof (parsed as PolicyFailure).policyRequirement === 'string' ? [parsed as PolicyFailure] : [];
    } catch {
      return [];
    }
  });
}

/** PingIDM 7.5's answer to a refused value: the requirements again, with the policy error inside (`requirements.error`). */
function withPolicyError(
  requirements: Requirements,
  failed: { property: string; policyRequirements: PolicyFailure[] }[],
  message: string,
): Requirements {
  if (failed.length === 0) return requirements;
  return {
    ...requirements,
    error: { code: 403, reason: 'Forbidden', message, detail: { result: false, failedPolicyRequirements: failed } },
  };
}

const parameters: StageWire = {
  nodeType: 'IdmParametersNode',
  requirements: ({ callbacks }) => {
    const properties: Record<string, Property> = {};
    for (const cb of callbacks) {
      const id = String(outputValue(cb, 'id'));
      properties[id] = text(`Parameter named '${id}'`);
    }
    return requirementsOf('Parameters', properties, []);
  },
  fill: (input, { callbacks }) =>
    withInputs(callbacks, (cb) => {
      const v = input[String(outputValue(cb, 'id'))];
      return typeof v === 'string' ? v : '';
    }),
};

const captcha: StageWire = {
  nodeType: 'IdmCaptchaNode',
  requirements: ({ callbacks }) =>
    requirementsOf(
      'Captcha stage',
      { response: { recaptchaSiteKey: outputValue(callbacks[0] as Callback, 'recaptchaSiteKey'), description: 'Captcha response', type: 'string' } },
      ['response'],
    ),
  // The End User UI sends both `response` and `g-recaptcha-response`.
  fill: (input, { callbacks }) => withInputs(callbacks, () => stringInput(input, 'response') || stringInput(input, 'g-recaptcha-response')),
};

const userQuery: StageWire = {
  nodeType: 'IdmUserQueryNode',
  requirements: () => requirementsOf('Find your account', { queryFilter: text('filter string to find account') }, ['queryFilter']),
  fill: (input, { callbacks }) => {
    const v = input.queryFilter;
    if (v !== undefined && v !== null && typeof v !== 'string') throw stageError('Invalid query filter: queryFilter must be a string');
    return withInputs(callbacks, () => (typeof v === 'string' ? v : ''));
  },
};

export const VALIDATE_CODE_REQUIREMENTS: Requirements = requirementsOf('Verify emailed code', { code: text('Enter code emailed') }, ['code']);

const emailValidation: StageWire = {
  nodeType: 'IdmEmailValidationNode',
  requirements: () => requirementsOf('Verify your email address', { mail: text('Email address') }, ['mail']),
  fill: (input, { callbacks }) => withInputs(callbacks, () => stringInput(input, 'mail')),
};

function askedOf(local: Readonly<Record<string, unknown>>): KbaQuestionRef[] {
  return Array.isArray(local.asked) ? (local.asked as KbaQuestionRef[]) : [];
}

const kbaVerification: StageWire = {
  nodeType: 'IdmKbaVerificationNode',
  requirements: ({ local, kba }) => {
    const asked = askedOf(local);
    const properties: Record<string, Property> = {};
    asked.forEach((ref, i) => {
      properties[`answer${i + 1}`] =
        'questionId' in ref
          ? { systemQuestion: { ...(kba.questions[ref.questionId] ?? {}) }, type: 'string' }
          : { userQuestion: ref.customQuestion, type: 'string' };
    });
    return requirementsOf('Answer security questions', properties, Object.keys(properties));
  },
  fill: (input, { callbacks }) => withInputs(callbacks, (_cb, i) => stringInput(input, `answer${i + 1}`)),
};

const kbaDefinition: StageWire = {
  nodeType: 'IdmKbaDefinitionNode',
  requirements: ({ kba, callbacks }) =>
    requirementsOf(
      'Knowledge based questions',
      {
        kba: {
          type: 'array',
          minItems: callbacks.length,
          items: { type: 'object', oneOf: [{ $ref: '#/definitions/systemQuestion' }, { $ref: '#/definitions/userQuestion' }] },
          questions: Object.entries(kba.questions).map(([id, question]) => ({ id, question: { ...question } })),
        },
      },
      ['kba'],
      {
        definitions: {
          systemQuestion: {
            description: 'System Question',
            type: 'object',
            required: ['questionId', 'answer'],
            properties: { questionId: text('Id of predefined question'), answer: text('Answer to the referenced question') },
            additionalProperties: false,
          },
          userQuestion: {
            description: 'User Question',
            type: 'object',
            required: ['customQuestion', 'answer'],
            properties: { customQuestion: text('Question defined by the user'), answer: text('Answer to the question') },
            additionalProperties: false,
          },
        },
      },
    ),
  fill: (input, { callbacks, kba }) => {
    const list = input.kba;
    if (!Array.isArray(list)) throw stageError('kba is missing from input');
    if (list.length !== callbacks.length) throw stageError(`${callbacks.length} security answer${callbacks.length === 1 ? ' is' : 's are'} expected`);
    const entries = list.map((e: unknown) => {
      const o = (e && typeof e === 'object' ? e : {}) as Record<string, unknown>;
      if (typeof o.answer !== 'string') throw stageError('Each security answer must be a string');
      if (typeof o.questionId === 'string') {
        const q = kba.questions[o.questionId];
        if (!q) throw stageError(`There is no security question "${o.questionId}".`);
        return { question: Object.values(q)[0] as string, answer: o.answer };
      }
      if (typeof o.customQuestion === 'string') return { question: o.customQuestion, answer: o.answer };
      throw stageError('Each security answer names a questionId or a customQuestion');
    });
    return withInputs(
      withInputs(callbacks, (_cb, i) => entries[i]?.question, 'question'),
      (_cb, i) => entries[i]?.answer,
      'answer',
    );
  },
};

const resetStage: StageWire = {
  nodeType: 'IdmResetNode',
  requirements: ({ callbacks }) => {
    const failed = failuresOf(callbacks[0] as Callback);
    return withPolicyError(
      requirementsOf('Reset password', { password: text('Password') }, ['password']),
      failed.length > 0 ? [{ property: 'password', policyRequirements: failed }] : [],
      'Failed policy validation',
    );
  },
  fill: (input, { callbacks }) => withInputs(callbacks, () => stringInput(input, 'password')),
};

const userDetails: StageWire = {
  nodeType: 'IdmUserDetailsNode',
  requirements: ({ callbacks }) => {
    const failed = callbacks.flatMap((cb) => {
      const f = failuresOf(cb);
      const property = cb.type === 'ValidatedCreatePasswordCallback' ? 'password' : String(outputValue(cb, 'name'));
      return f.length > 0 ? [{ property, policyRequirements: f }] : [];
    });
    return withPolicyError(
      requirementsOf('New user details', { user: { description: 'User details', type: 'object' } }, ['user']),
      failed,
      'Policy validation failed',
    );
  },
  fill: (input, { callbacks }) => {
    const user = input.user;
    if (!user || typeof user !== 'object' || Array.isArray(user)) throw stageError('user is missing from input');
    const u = user as Record<string, unknown>;
    const valueOf = (name: string): string => {
      const v = u[name];
      return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
    };
    return withInputs(callbacks, (cb) =>
      cb.type === 'ValidatedCreatePasswordCallback' ? valueOf('password') : valueOf(String(outputValue(cb, 'name'))),
    );
  },
};

const termsAndConditions: StageWire = {
  nodeType: 'IdmTermsNode',
  requirements: ({ callbacks }) =>
    requirementsOf('Accept Terms and Condition', { accept: text('Accept') }, ['accept'], { terms: outputValue(callbacks[0] as Callback, 'terms') }),
  fill: (input, { callbacks }) =>
    withInputs(callbacks, () => input.accept === true || (typeof input.accept === 'string' && input.accept.toLowerCase() === 'true')),
};

/** Stages that never ask the client anything. */
const silent = (nodeType: string): StageWire => ({
  nodeType,
  requirements: () => ({}),
  fill: (_input, { callbacks }) => callbacks.map((cb) => structuredClone(cb)),
});

/** Every IDM stage Cairn runs, by IDM's name (`stageConfigs[].name`). */
export const STAGES: Readonly<Record<string, StageWire>> = {
  parameters,
  captcha,
  userQuery,
  emailValidation,
  kbaSecurityAnswerVerificationStage: kbaVerification,
  kbaSecurityAnswerDefinitionStage: kbaDefinition,
  resetStage,
  userDetails,
  termsAndConditions,
  selfRegistration: silent('IdmSelfRegistrationNode'),
  emailUsername: silent('IdmEmailUsernameNode'),
  retrieveUsername: silent('IdmRetrieveUsernameNode'),
};
