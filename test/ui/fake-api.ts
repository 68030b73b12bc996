// A fake AM authenticate API for the hosted-page browser tests: an express router (mounted at /am on
// the same origin as the pages, as in production) running small journeys that together emit every
// callback type the pages render. authIds are single-use and rotate on every answer, as with AM's JWT
// auth state, so a page that reuses an old authId fails. Not a model of AM beyond what the pages see.
import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';

type Json = Record<string, unknown>;
interface Callback {
  type: string;
  output: { name: string; value: unknown }[];
  input?: { name: string; value: unknown }[];
  _id?: number;
}

export interface FakeApiOptions {
  /** username → password for Login; ResetPassword changes them. */
  users?: Record<string, string>;
  /** e-mail → username, for ResetPassword. */
  mails?: Record<string, string>;
  /** Usernames the ValidatedCreateUsernameCallback reports as taken (UNIQUE). */
  takenUsernames?: string[];
}

export interface FakeApiCall {
  query: Record<string, string>;
  body: Json | undefined;
  status: number;
}

export interface FakeApi {
  router: Router;
  users: Map<string, string>;
  /** E-mailed links by address, newest last: `/login/?suspendedId=…&authIndexType=service&authIndexValue=ResetPassword`. */
  links: Map<string, string[]>;
  calls: FakeApiCall[];
  /** The step bodies submitted on the AllCallbacks journey's first page. */
  submissions: Json[];
}

type Flow = { journey: string; page: string; data: Json };

const prompt = (value: string) => ({ name: 'prompt', value });
const policy = (policyRequirement: string, params?: Json): string => JSON.stringify(params ? { params, policyRequirement } : { policyRequirement });

const PASSWORD_POLICIES = {
  policyRequirements: ['VALID_TYPE', 'MIN_LENGTH', 'AT_LEAST_X_CAPITAL_LETTERS', 'AT_LEAST_X_NUMBERS', 'CANNOT_CONTAIN_OTHERS'],
  name: 'password',
  policies: [
    { policyRequirements: ['VALID_TYPE'], policyId: 'valid-type', params: { types: ['string'] } },
    { policyId: 'minimum-length', params: { minLength: 8 }, policyRequirements: ['MIN_LENGTH'] },
    { policyId: 'at-least-X-capitals', params: { numCaps: 1 }, policyRequirements: ['AT_LEAST_X_CAPITAL_LETTERS'] },
    { policyId: 'at-least-X-numbers', params: { numNums: 1 }, policyRequirements: ['AT_LEAST_X_NUMBERS'] },
    { policyId: 'cannot-contain-others', params: { disallowedFields: ['userName'] }, policyRequirements: ['CANNOT_CONTAIN_OTHERS'] },
  ],
};

function passwordFailures(password: string, username: string): string[] {
  const failed: string[] = [];
  if (password.length < 8) failed.push(policy('MIN_LENGTH', { minLength: 8 }));
  if (!/[A-Z]/.test(password)) failed.push(policy('AT_LEAST_X_CAPITAL_LETTERS', { numCaps: 1 }));
  if (!/[0-9]/.test(password)) failed.push(policy('AT_LEAST_X_NUMBERS', { numNums: 1 }));
  if (username && password.toLowerCase().includes(username.toLowerCase()))
    failed.push(policy('CANNOT_CONTAIN_OTHERS', { disallowedFields: ['userName'] }));
  return failed;
}

const loginPage = (fr: boolean): Json => ({
  callbacks: [
    { type: 'NameCallback', output: [prompt(fr ? "Nom d'utilisateur" : 'User Name')], input: [{ name: 'IDToken1', value: '' }], _id: 0 },
    { type: 'PasswordCallback', output: [prompt(fr ? 'Mot de passe' : 'Password')], input: [{ name: 'IDToken2', value: '' }], _id: 1 },
  ],
  header: fr ? 'Connexion' : 'Sign In',
  description: fr
    ? 'Nouveau ? <a href="#/service/Registration">Créer un compte</a><br><a href="#/service/ForgottenUsername">Identifiant oublié ?</a> <a href="#/service/ResetPassword">Mot de passe oublié ?</a>'
    : 'New here? <a href="#/service/Registration">Create an account</a><br><a href="#/service/ForgottenUsername">Forgot username?</a> <a href="#/service/ResetPassword">Forgot password?</a>',
  stage: '',
});

const mailPage = (failedPolicies: string[] = [], value = ''): Json => ({
  callbacks: [
    {
      type: 'StringAttributeInputCallback',
      output: [
        { name: 'name', value: 'mail' },
        prompt('Email Address'),
        { name: 'required', value: true },
        { name: 'policies', value: {} },
        { name: 'failedPolicies', value: failedPolicies },
        { name: 'validateOnly', value: false },
        { name: 'value', value },
      ],
      input: [
        { name: 'IDToken1', value },
        { name: 'IDToken1validateOnly', value: false },
      ],
      _id: 0,
    },
  ],
  header: 'Reset Password',
  description: 'Enter your email address or <a href="#/service/Login">Sign in</a>',
});

const changePasswordPage = (failedPolicies: string[] = []): Json => ({
  callbacks: [
    {
      type: 'ValidatedCreatePasswordCallback',
      output: [
        { name: 'echoOn', value: false },
        { name: 'policies', value: PASSWORD_POLICIES },
        { name: 'failedPolicies', value: failedPolicies },
        { name: 'validateOnly', value: false },
        prompt('Password'),
      ],
      input: [
        { name: 'IDToken1', value: '' },
        { name: 'IDToken1validateOnly', value: false },
      ],
      _id: 0,
    },
  ],
  header: 'Change Password',
  description: 'Change password',
  stage: JSON.stringify({ ValidatedCreatePasswordCallback: [{ id: 'db09cd18', confirmPassword: true }] }),
});

const XSS_DESCRIPTION =
  'Everything <strong>at once</strong>. <img src=x onerror="window.__xss=1"><script>window.__xss=2</script><a href="javascript:window.__xss=3">bad link</a> <a href="#/service/Login">Sign in instead</a>';

const allCallbacksPage = (usernameFailures: string[] = [], username = ''): Json => ({
  callbacks: [
    {
      type: 'TextOutputCallback',
      output: [
        { name: 'message', value: 'Information message' },
        { name: 'messageType', value: '0' },
      ],
    },
    {
      type: 'TextOutputCallback',
      output: [
        { name: 'message', value: 'Warning message' },
        { name: 'messageType', value: '1' },
      ],
    },
    {
      type: 'TextOutputCallback',
      output: [
        { name: 'message', value: 'Error message' },
        { name: 'messageType', value: '2' },
      ],
    },
    {
      type: 'TextOutputCallback',
      output: [
        { name: 'message', value: 'window.__xss=4; document.title="pwned"' },
        { name: 'messageType', value: '4' },
      ],
    },
    {
      type: 'ValidatedCreateUsernameCallback',
      output: [
        { name: 'policies', value: {} },
        { name: 'failedPolicies', value: usernameFailures },
        { name: 'validateOnly', value: false },
        prompt('Username'),
      ],
      input: [
        { name: 'IDToken5', value: username },
        { name: 'IDToken5validateOnly', value: false },
      ],
    },
    { type: 'TextInputCallback', output: [prompt('Nickname')], input: [{ name: 'IDToken6', value: '' }] },
    {
      type: 'StringAttributeInputCallback',
      output: [
        { name: 'name', value: 'givenName' },
        prompt('First Name'),
        { name: 'required', value: true },
        { name: 'policies', value: {} },
        { name: 'failedPolicies', value: [] },
        { name: 'validateOnly', value: false },
        { name: 'value', value: '' },
      ],
      input: [
        { name: 'IDToken7', value: '' },
        { name: 'IDToken7validateOnly', value: false },
      ],
    },
    {
      type: 'NumberAttributeInputCallback',
      output: [
        { name: 'name', value: 'age' },
        prompt('Age'),
        { name: 'required', value: false },
        { name: 'policies', value: {} },
        { name: 'failedPolicies', value: [] },
        { name: 'validateOnly', value: false },
        { name: 'value', value: null },
      ],
      input: [
        { name: 'IDToken8', value: null },
        { name: 'IDToken8validateOnly', value: false },
      ],
    },
    {
      type: 'BooleanAttributeInputCallback',
      output: [
        { name: 'name', value: 'preferences/marketing' },
        prompt('Send me special offers'),
        { name: 'required', value: true },
        { name: 'policies', value: {} },
        { name: 'failedPolicies', value: [] },
        { name: 'validateOnly', value: false },
        { name: 'value', value: false },
      ],
      input: [
        { name: 'IDToken9', value: false },
        { name: 'IDToken9validateOnly', value: false },
      ],
    },
    {
      type: 'ChoiceCallback',
      output: [prompt('Choose your color'), { name: 'choices', value: ['red', 'green', 'blue'] }, { name: 'defaultChoice', value: 0 }],
      input: [{ name: 'IDToken10', value: 0 }],
    },
    {
      type: 'ChoiceCallback',
      output: [
        prompt('Country'),
        { name: 'choices', value: ['France', 'Germany', 'Italy', 'Spain', 'Portugal', 'Belgium', 'Netherlands'] },
        { name: 'defaultChoice', value: 0 },
      ],
      input: [{ name: 'IDToken11', value: 0 }],
    },
    {
      type: 'KbaCreateCallback',
      output: [
        prompt('Select a security question'),
        { name: 'predefinedQuestions', value: ["What's your favorite color?", 'What was the name of your first pet?'] },
        { name: 'allowUserDefinedQuestions', value: true },
      ],
      input: [
        { name: 'IDToken12question', value: '' },
        { name: 'IDToken12answer', value: '' },
      ],
    },
    {
      type: 'TermsAndConditionsCallback',
      output: [
        { name: 'version', value: '2.1' },
        { name: 'terms', value: 'You agree to <strong>be nice</strong>.<script>window.__xss=5</script>' },
        { name: 'createDate', value: '2019-10-28T04:20:11.320Z' },
      ],
      input: [{ name: 'IDToken13', value: false }],
    },
    {
      type: 'HiddenValueCallback',
      output: [
        { name: 'value', value: 'hidden-value' },
        { name: 'id', value: 'clientData' },
      ],
      input: [{ name: 'IDToken14', value: 'clientData' }],
    },
    { type: 'MetadataCallback', output: [{ name: 'data', value: { stage: 'Everything' } }] },
    {
      type: 'ReCaptchaCallback',
      output: [{ name: 'recaptchaSiteKey', value: '6Lf3tbYUAAAAAEm78fAOFRKb-n1M67FDtmpczIBK' }],
      input: [{ name: 'IDToken16', value: '' }],
    },
  ],
  header: 'Everything',
  description: XSS_DESCRIPTION,
});

const confirmPage: Json = {
  callbacks: [
    {
      type: 'TextOutputCallback',
      output: [
        { name: 'message', value: 'Do you want to continue?' },
        { name: 'messageType', value: '0' },
      ],
    },
    {
      type: 'ConfirmationCallback',
      output: [
        prompt(''),
        { name: 'messageType', value: 0 },
        { name: 'options', value: ['Yes', 'No'] },
        { name: 'optionType', value: -1 },
        { name: 'defaultOption', value: 1 },
      ],
      input: [{ name: 'IDToken2', value: 1 }],
    },
  ],
};

const pollingPage: Json = {
  callbacks: [
    {
      type: 'PollingWaitCallback',
      output: [
        { name: 'waitTime', value: '300' },
        { name: 'message', value: 'Processing, please wait…' },
      ],
    },
  ],
};

const inputOf = (body: Json, name: string): unknown => {
  const callbacks = Array.isArray(body.callbacks) ? (body.callbacks as Callback[]) : [];
  for (const cb of callbacks) for (const input of cb.input ?? []) if (input.name === name) return input.value;
  return undefined;
};
const validateOnly = (body: Json): boolean => {
  const callbacks = Array.isArray(body.callbacks) ? (body.callbacks as Callback[]) : [];
  return callbacks.some((cb) => (cb.input ?? []).some((i) => i.name.endsWith('validateOnly') && i.value === true));
};

const error = (code: number, message: string, detail?: Json): Json => ({
  code,
  reason: code === 400 ? 'Bad Request' : 'Unauthorized',
  message,
  ...(detail ? { detail } : {}),
});

export function createFakeApi(options: FakeApiOptions = {}): FakeApi {
  const users = new Map(Object.entries(options.users ?? { demo: 'Ch4ng3it!' }));
  const mails = new Map(Object.entries(options.mails ?? { 'demo@example.com': 'demo' }));
  const taken = new Set(options.takenUsernames ?? ['taken']);
  const flows = new Map<string, Flow>();
  const suspended = new Map<string, Flow>();
  const links = new Map<string, string[]>();
  const calls: FakeApiCall[] = [];
  const submissions: Json[] = [];

  const newId = (): string => randomBytes(18).toString('base64url');

  const authenticate = (req: Request, res: Response): void => {
    const query = Object.fromEntries(Object.entries(req.query).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const body = req.body && typeof req.body === 'object' && Object.keys(req.body as Json).length > 0 ? (req.body as Json) : undefined;
    const reply = (status: number, payload: Json): void => {
      calls.push({ query, body, status });
      res.status(status).set('Content-API-Version', 'resource=2.1').json(payload);
    };
    const step = (flow: Flow, page: Json): void => {
      const authId = newId();
      flows.set(authId, flow);
      reply(200, { authId, ...page });
    };
    const success = (successUrl: string): void => reply(200, { tokenId: newId(), successUrl, realm: '/' });
    const fr = query.locale === 'fr';
    const goto = query.goto && query.goto.startsWith('/') && !query.goto.startsWith('//') ? query.goto : '/login/#/success';

    if (req.get('accept-api-version') !== 'protocol=1.0,resource=2.1') return reply(400, error(400, 'Unsupported API version'));

    if (!body) {
      if (query.suspendedId !== undefined) {
        const flow = suspended.get(query.suspendedId);
        suspended.delete(query.suspendedId);
        if (!flow)
          return reply(
            401,
            error(401, 'org.forgerock.openam.auth.nodes.framework.token.SuspendedAuthSessionException: Token not found. It may have expired.'),
          );
        return step({ ...flow, page: 'change' }, changePasswordPage());
      }
      const journey = query.authIndexValue ?? 'Login';
      switch (journey) {
        case 'Login':
          return step({ journey, page: 'login', data: {} }, loginPage(fr));
        case 'ResetPassword':
          return step({ journey, page: 'mail', data: {} }, mailPage());
        case 'AllCallbacks':
          return step({ journey, page: 'all', data: {} }, allCallbacksPage());
        case 'Weird':
          return step(
            { journey, page: 'weird', data: {} },
            { callbacks: [{ type: 'DeviceProfileCallback', output: [{ name: 'metadata', value: true }], input: [{ name: 'IDToken1', value: '' }] }] },
          );
        case 'Timeout':
        case 'Unreachable':
          return step(
            { journey, page: 'one', data: {} },
            { callbacks: [{ type: 'NameCallback', output: [prompt('User Name')], input: [{ name: 'IDToken1', value: '' }] }] },
          );
        default:
          return reply(400, error(400, 'No Configuration found'));
      }
    }

    const authId = typeof body.authId === 'string' ? body.authId : '';
    const flow = flows.get(authId);
    flows.delete(authId); // single-use: every answer carries a new authId
    if (!flow) return reply(401, error(401, 'Session has timed out', { errorCode: '110' }));

    switch (`${flow.journey}/${flow.page}`) {
      case 'Login/login': {
        const username = String(inputOf(body, 'IDToken1') ?? '');
        const password = String(inputOf(body, 'IDToken2') ?? '');
        if (users.get(username) === password && password !== '') return success(goto);
        return reply(401, error(401, 'Login failure', { failureUrl: '' }));
      }
      case 'ResetPassword/mail': {
        const mail = String(inputOf(body, 'IDToken1') ?? '').trim();
        if (mail === '') return step(flow, mailPage([policy('REQUIRED')]));
        if (!/^[^@\s]+@[^@\s]+$/.test(mail)) return step(flow, mailPage([policy('VALID_EMAIL_ADDRESS_FORMAT')], mail));
        const username = mails.get(mail);
        if (username !== undefined) {
          const id = newId();
          suspended.set(id, { journey: 'ResetPassword', page: 'change', data: { username } });
          links.set(mail, [...(links.get(mail) ?? []), `/login/?suspendedId=${id}&authIndexType=service&authIndexValue=ResetPassword`]);
        }
        // Same answer whether or not the address is known (no account enumeration).
        return step(
          { ...flow, page: 'sent' },
          {
            callbacks: [
              {
                type: 'SuspendedTextOutputCallback',
                output: [
                  { name: 'message', value: 'An email has been sent to the address you entered. Click the link in that email to proceed.' },
                  { name: 'messageType', value: '0' },
                ],
              },
            ],
          },
        );
      }
      case 'ResetPassword/change': {
        const password = String(inputOf(body, 'IDToken1') ?? '');
        const username = String(flow.data.username ?? '');
        const failed = password === '' ? [policy('REQUIRED')] : passwordFailures(password, username);
        if (validateOnly(body) || failed.length > 0) return step(flow, changePasswordPage(failed));
        users.set(username, password);
        return success('/login/#/success');
      }
      case 'AllCallbacks/all': {
        const username = String(inputOf(body, 'IDToken5') ?? '');
        const failed = username === '' ? [policy('REQUIRED')] : taken.has(username) ? [policy('UNIQUE')] : [];
        if (validateOnly(body) || failed.length > 0) return step(flow, allCallbacksPage(failed, username));
        submissions.push(body);
        return step({ ...flow, page: 'confirm' }, confirmPage);
      }
      case 'AllCallbacks/confirm':
        if (inputOf(body, 'IDToken2') !== 0) return reply(401, error(401, 'Login failure', { failureUrl: '' }));
        return step({ ...flow, page: 'poll', data: { polls: 0 } }, pollingPage);
      case 'AllCallbacks/poll': {
        const polls = Number(flow.data.polls ?? 0) + 1;
        if (polls < 2) return step({ ...flow, data: { polls } }, pollingPage);
        return success('');
      }
      case 'Timeout/one':
        return reply(401, error(401, 'Session has timed out', { errorCode: '110' }));
      case 'Unreachable/one':
        // Chromium retries a POST whose connection was reset; every attempt must fail the same way.
        flows.set(authId, flow);
        calls.push({ query, body, status: 0 });
        req.socket.destroy();
        return;
      default:
        return reply(401, error(401, 'Login failure', { failureUrl: '' }));
    }
  };

  const router = express.Router();
  router.post('/json/realms/root/authenticate', express.json({ limit: '100kb', type: () => true }), authenticate);
  // No sessions here (the real server's are tested against it): AM's answer without one.
  router.post('/json/realms/root/sessions', (_req, res) => {
    res.status(401).json(error(401, 'Access Denied'));
  });
  return { router, users, links, calls, submissions };
}
