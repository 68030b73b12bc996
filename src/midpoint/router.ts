/**
 * The midPoint-compatible REST façade, mounted at /ws/rest and /midpoint/ws/rest (midPoint's default
 * context path): `POST /users/{oid}/credential` (executeCredentialResetRequest: resetMethod, userEntry),
 * `POST /users/{oid}/generate` (a policy-generated password, applied when `execute` is true and
 * returned to the caller: midPoint's "screen" delivery), `POST /rpc/validate` and
 * `POST /users/{oid}/validate` (check values against the password policy, storing nothing). `{oid}` is
 * the managed user's `_id`. Callers authenticate as midPoint's REST clients do (requester.ts); end
 * users are refused. Every reset goes through the reset guard (protected targets refused with
 * `execute.reset.credential.not.allowed`), then identityService.resetPassword (policy, sessions revoked,
 * "password changed" mail, audit naming requester and target). Answers are no-store JSON; bad input is
 * a 400 in midPoint's OperationResult shape, never a 500 with internals.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { AdminService } from '../admin/admins.js';
import type { Settings } from '../config/settings.js';
import type { IdentityService } from '../identity/identity-service.js';
import type { PolicyPort } from '../identity/ports.js';
import { mayUse, PASSWORD_CREDENTIAL, USER_RESOURCE, type CredentialResetService, type Requester } from '../credential-reset/service.js';
import type { ResetGuard } from '../credential-reset/protection.js';
import { NS_API, NS_TYPES, operationError, resetResponse, type MessageKey } from './messages.js';
import type { CredentialResetPolicy } from './policy.js';
import { basicUser, requesterRoles } from './requester.js';
import type { AuditPort } from '../audit/audit-log.js';
import { pseudonym } from '../audit/pseudonym.js';
import { createAttemptBudgets, type Budget } from '../identity/attempt-budgets.js';
import { addressGroup } from '../identity/login-guard.js';
import type { CounterPort } from '../identity/ports.js';
import { ADMIN_AUTH_WINDOW_MS } from '../idm/router.js';

const PASSWORD_PATH = 'credentials/password/value';

export interface MidpointRouterDeps {
  settings: Readonly<Settings>;
  identity: IdentityService;
  policy: PolicyPort;
  resetPolicy: CredentialResetPolicy;
  /** The administrator identities HTTP Basic credentials are checked against (none: only the bearer token). */
  admins?: Pick<AdminService, 'verify'>;
  resets: CredentialResetService;
  /** Protected targets and the one save path of a reset (src/credential-reset/protection.ts). */
  guard: ResetGuard;
  /** Where the failed-authentication budgets are counted (the store: exact across instances). */
  counters: CounterPort;
  audit: AuditPort;
  now: () => number;
  onError?: (e: unknown) => void;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** midPoint sends `"execute":"true"` in its own example and `true` in its answers: both mean yes. */
const truthy = (v: unknown): boolean => v === true || v === 'true';

/** One `policyItemDefinition` or a list of them, as prism JSON allows. */
const listOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

const pathOf = (item: Record<string, unknown>): string | undefined => {
  const target = item['target'];
  const path = isRecord(target) ? target['path'] : undefined;
  return typeof path === 'string' ? path.replace(/^c:/, '').replace(/\/c:/g, '/') : undefined;
};

/** A `value` as prism JSON carries it: a plain string or `{"@type":"xsd:string","@value":"…"}`. */
const valueOf = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : isRecord(v) && typeof v['@value'] === 'string' ? v['@value'] : undefined;

export function midpointRouter(deps: MidpointRouterDeps): Router {
  const { identity, policy, resetPolicy, resets } = deps;
  const router = express.Router();
  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  const fail = (res: Response, status: number, operation: string, text: string, key?: MessageKey): void => {
    res.status(status).json(operationError(operation, text, key));
  };

  // Authentication first: no caller learns whether a user exists before proving who they are. Each
  // credential check spends the attempt budgets of the client address and, for Basic, of the name
  // (the admin API's limits): once either is spent, 429 with Retry-After, nothing checked.
  const budgets = createAttemptBudgets({ counters: deps.counters, windowMs: ADMIN_AUTH_WINDOW_MS, now: deps.now });
  const max = deps.settings.adminAuthAttempts;
  router.use((req, res, next) => {
    void (async () => {
      const header = req.get('authorization') ?? '';
      if (header === '') {
        res.setHeader('WWW-Authenticate', 'Basic realm="midPoint"');
        return fail(res, 401, 'rest', 'Authentication failed');
      }
      const name = basicUser(header);
      const limits: Budget[] = [{ key: `midpoint:client:${pseudonym(addressGroup(req.ip) ?? 'unknown')}`, max }];
      if (name !== undefined) limits.push({ key: `midpoint:name:${pseudonym(name)}`, max });
      const fields = { clientIp: req.ip, method: name === undefined ? 'bearer' : 'basic', ...(name !== undefined ? { user: pseudonym(name) } : {}) };
      const ticket = await budgets.take(limits);
      if (!ticket.admitted) {
        await ticket.settle('failure').catch(() => 0);
        deps.audit.record('admin.auth.throttled', { ...fields, api: 'midpoint' });
        res.setHeader('Retry-After', String(Math.max(1, Math.ceil(ticket.retryAfterMs / 1000))));
        return fail(res, 429, 'rest', 'Too many failed authentications; try again later.');
      }
      const requester = await requesterRoles(req, deps.settings, deps.admins);
      const failures = await ticket.settle(requester ? 'success' : 'failure');
      if (!requester) {
        deps.audit.record('admin.auth.failed', { ...fields, api: 'midpoint', attempt: failures });
        res.setHeader('WWW-Authenticate', 'Basic realm="midPoint"');
        return fail(res, 401, 'rest', 'Authentication failed');
      }
      res.locals['requester'] = requester;
      next();
    })().catch(next);
  });
  // CSRF: Basic credentials are replayed by browsers, so a state change must come as JSON, which no foreign form can send.
  router.use((req, res, next) => {
    const type = (req.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') return fail(res, 415, 'rest', 'Requests must be sent as application/json.');
    next();
  });
  router.use(express.json({ limit: 64 * 1024 }));

  const requesterOf = (res: Response): Requester => res.locals['requester'] as Requester;
  const wrap =
    (fn: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: NextFunction): void => {
      fn(req, res).catch(next);
    };
  const context = async (id: string | undefined): Promise<{ objectId?: string; attributes: Record<string, unknown> }> => {
    const user = id === undefined ? undefined : await identity.read(USER_RESOURCE, id);
    return { ...(user ? { objectId: user._id } : {}), attributes: user ?? {} };
  };

  router.post(
    '/users/:oid/credential',
    wrap(async (req, res) => {
      const op = 'executeCredentialResetRequest';
      const body: unknown = req.body;
      const request = isRecord(body) ? body['executeCredentialResetRequest'] : undefined;
      const method = isRecord(request) ? request['resetMethod'] : undefined;
      if (!isRecord(request) || typeof method !== 'string' || method.trim() === '') {
        return fail(res, 400, op, 'Bad request', 'execute.reset.credential.bad.request');
      }
      const oid = String(req.params['oid']);
      if (!resets.method(method)) return fail(res, 400, op, 'Bad method', 'execute.reset.credential.bad.method');
      if (!(await identity.read(USER_RESOURCE, oid))) return fail(res, 404, op, `Object of type UserType with oid ${oid} was not found`);
      const entry = request['userEntry'];
      const value = valueOf(entry);
      if (entry !== undefined && value === undefined) return fail(res, 400, op, 'Bad request', 'execute.reset.credential.bad.request');
      const result = await resets.execute(oid, PASSWORD_CREDENTIAL, method, value, requesterOf(res));
      if (result.status !== 200) return fail(res, result.status, op, result.message.fallbackMessage, result.message.key);
      // A generated value shown on the caller's screen (a method with source `generated`, delivery `screen`).
      const answer = resetResponse(result.message.key);
      if (result.generatedValue !== undefined) (answer['object'] as Record<string, unknown>)['generatedValue'] = result.generatedValue;
      res.status(200).json(answer);
    }),
  );

  router.post(
    '/users/:oid/generate',
    wrap(async (req, res) => {
      const op = 'generateValue';
      const body: unknown = req.body;
      const definition = isRecord(body) ? body['policyItemsDefinition'] : undefined;
      const items = isRecord(definition) ? listOf(definition['policyItemDefinition']) : [];
      if (items.length === 0 || !items.every(isRecord)) return fail(res, 400, op, 'policyItemsDefinition/policyItemDefinition is required');
      const requester = requesterOf(res);
      const execute = items.some((i) => truthy(i['execute']));
      if (execute && !mayUse(requester.roles, resetPolicy.generate.allowedRoles)) {
        return fail(res, 403, op, 'Not allowed', 'execute.reset.credential.not.allowed');
      }
      const oid = String(req.params['oid']);
      const user = await identity.read(USER_RESOURCE, oid);
      if (!user) return fail(res, 404, op, `Object of type UserType with oid ${oid} was not found`);
      if (execute && (await deps.guard.refusal(requester, USER_RESOURCE, user, 'generate'))) {
        return fail(res, 403, op, 'Not allowed', 'execute.reset.credential.not.allowed');
      }
      const out: Record<string, unknown>[] = [];
      for (const item of items) {
        const path = pathOf(item) ?? PASSWORD_PATH;
        if (path !== PASSWORD_PATH) return fail(res, 400, op, `Cannot generate a value for ${path}: only ${PASSWORD_PATH} is supported`);
        const generated = await resets.generate(oid);
        if (generated === undefined) return fail(res, 409, op, 'The password policy cannot be satisfied by a generated value');
        if (truthy(item['execute'])) {
          const result = await deps.guard.reset(requester, USER_RESOURCE, oid, generated, {
            method: 'generate',
            forceChange: resetPolicy.generate.forceChange,
          });
          if (result.type === 'protected') return fail(res, 403, op, 'Not allowed', 'execute.reset.credential.not.allowed');
          if (result.type !== 'reset') return fail(res, 409, op, 'Validation failed', 'execute.reset.credential.validation.failed');
        }
        out.push({ target: { path: PASSWORD_PATH }, value: { '@type': 'xsd:string', '@value': generated }, execute: truthy(item['execute']) });
      }
      res.status(200).json({ '@ns': NS_TYPES, object: { '@type': `${NS_API}#PolicyItemsDefinitionType`, policyItemDefinition: out } });
    }),
  );

  const validate = (oidOf: (req: Request) => string | undefined) =>
    wrap(async (req, res) => {
      const op = 'validateValue';
      const body: unknown = req.body;
      const definition = isRecord(body) ? body['policyItemsDefinition'] : undefined;
      const items = isRecord(definition) ? listOf(definition['policyItemDefinition']) : [];
      if (items.length === 0 || !items.every(isRecord)) return fail(res, 400, op, 'policyItemsDefinition/policyItemDefinition is required');
      const oid = oidOf(req);
      if (oid !== undefined && !(await identity.read(USER_RESOURCE, oid))) {
        return fail(res, 404, op, `Object of type UserType with oid ${oid} was not found`);
      }
      const ctx = await context(oid);
      const out: Record<string, unknown>[] = [];
      for (const item of items) {
        const value = valueOf(item['value']);
        if (value === undefined) return fail(res, 400, op, 'Each policyItemDefinition needs a string value');
        const failures = await policy.check(USER_RESOURCE, 'password', value, ctx);
        // The value is not echoed back: the caller has it, and answers are not a place for secrets.
        out.push({
          target: { path: pathOf(item) ?? PASSWORD_PATH },
          result: {
            operation: op,
            status: failures.length === 0 ? 'success' : 'fatal_error',
            ...(failures.length === 0 ? {} : { message: 'Provided value does not satisfy the policy', partialResults: failures }),
          },
        });
      }
      const ok = out.every((o) => (o['result'] as { status: string }).status === 'success');
      res.status(ok ? 200 : 409).json({ '@ns': NS_TYPES, object: { '@type': `${NS_API}#PolicyItemsDefinitionType`, policyItemDefinition: out } });
    });
  router.post(
    '/rpc/validate',
    validate(() => undefined),
  );
  router.post(
    '/users/:oid/validate',
    validate((req) => String(req.params['oid'])),
  );

  router.use((_req: Request, res: Response) => fail(res, 404, 'rest', 'Not Found'));
  // Malformed JSON is the client's mistake; anything else is logged and answered without detail.
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (isRecord(err) && err['type'] === 'entity.parse.failed') return fail(res, 400, 'rest', 'The body is not valid JSON.');
    if (isRecord(err) && err['type'] === 'entity.too.large') return fail(res, 413, 'rest', 'The body is too large.');
    deps.onError?.(err);
    fail(res, 500, 'rest', 'Internal error');
  });
  return router;
}
