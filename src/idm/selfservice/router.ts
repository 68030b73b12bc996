/**
 * The anonymous part of /openidm: PingIDM's self-service endpoints and the helpers its End User UI calls,
 * mounted before the administrator-only API, which answers everything else. Requests come as IDM's clients
 * send them — with `X-OpenIDM-Username: anonymous`, `X-OpenIDM-Password: anonymous`, `X-OpenIDM-NoSession`,
 * or with no such headers — and none of them is required or needs a session.
 *
 *   GET  selfservice/{process}                               first requirements
 *   POST selfservice/{process}?_action=submitRequirements    one step (other actions: IDM's 501)
 *   GET  info/uiconfig, info/features?_queryFilter=…          the UI's start-up reads
 *   GET  policy/selfservice/{process}                         password policies
 *   POST policy/selfservice/{process}/?_action=validateObject live checks
 *
 * Bodies are bounded JSON sent as application/json (a cross-site form cannot post them, so no foreign page
 * can make visitors' browsers request e-mails); every error is a CREST body, never a stack trace.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { crestError, internalError, sendCrestError, type CrestErrorBody } from '../../crest/errors.js';
import { requestLocales } from '../../journeys/locale.js';
import type { StepInput } from '../../journeys/runner.js';
import type { RequestInfo } from '../../nodes/types.js';
import { requireNonSimpleRequest } from '../../server/csrf.js';
import type { SelfServiceProcess, SelfServiceSetup } from './config.js';
import { queryFeatures } from './info.js';
import type { PolicyEndpoints } from './policy.js';
import { ACCESS_DENIED, processNotFound, type Answer, type ProcessService } from './process.js';

export interface SelfServiceRouterDeps {
  setup: SelfServiceSetup;
  service: ProcessService;
  policies: PolicyEndpoints;
  onError?: (error: unknown) => void;
}

const MAX_BODY = 64 * 1024;
/** Request headers a node may see (the captcha stage, the client address); never credentials. */
const WITHHELD_HEADERS = new Set(['authorization', 'cookie', 'x-openidm-password', 'x-openidm-username']);

const one = (v: unknown): string | undefined => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined);

function stepInput(req: Request): StepInput {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) if (!WITHHELD_HEADERS.has(k)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const query: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.query as Record<string, unknown>)) query[k] = one(v);
  const request: RequestInfo = { headers, query, ...(req.ip ? { clientIp: req.ip } : {}) };
  return { locales: requestLocales(one(req.query._locale) ?? one(req.query.locale), req.get('accept-language')), request };
}

const send = (res: Response, answer: Answer): void => void res.status(answer.status).json(answer.body);

export function selfServiceRouter(deps: SelfServiceRouterDeps): Router {
  const { setup, service, policies } = deps;
  const router = express.Router();
  const noStore = (_req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
  const noProtoKeys = (key: string, value: unknown): unknown => {
    if (key === '__proto__') throw new SyntaxError('__proto__ is not a property name');
    return value;
  };
  const json = [requireNonSimpleRequest(), express.json({ limit: MAX_BODY, reviver: noProtoKeys, type: () => true })];
  const wrap =
    (fn: (req: Request, res: Response) => Promise<void> | void) =>
    (req: Request, res: Response, next: NextFunction): void => {
      Promise.resolve(fn(req, res)).catch(next);
    };
  const processOr = (res: Response, name: string): SelfServiceProcess | undefined => {
    const process = setup.processes.get(name);
    const refusal: CrestErrorBody | undefined = !process ? processNotFound(name) : !process.enabled ? ACCESS_DENIED() : undefined;
    if (refusal) {
      sendCrestError(res, refusal);
      return undefined;
    }
    return process;
  };

  router.get(
    '/selfservice/:process',
    noStore,
    wrap(async (req, res) => send(res, await service.read(String(req.params.process), stepInput(req)))),
  );
  router.post(
    '/selfservice/:process',
    noStore,
    ...json,
    wrap(async (req, res) => {
      const action = one(req.query._action);
      if (action !== 'submitRequirements') return sendCrestError(res, crestError(501, `Unknown action ${action ?? 'null'}`));
      send(res, await service.submit(String(req.params.process), req.body, stepInput(req)));
    }),
  );
  router.all('/selfservice/:process', noStore, (req, res) =>
    sendCrestError(res, crestError(501, `Operation ${req.method.toLowerCase()} not supported`)),
  );

  router.get('/info/uiconfig', noStore, (_req, res) => void res.json(setup.uiConfiguration));
  router.get('/info/features', noStore, (req, res) => send(res, queryFeatures(setup, one(req.query._queryFilter))));

  router.get('/policy/selfservice/:process', noStore, (req, res) => {
    const process = processOr(res, String(req.params.process));
    if (process) res.json(policies.read(process));
  });
  router.post(
    ['/policy/selfservice/:process', '/policy/selfservice/:process/'],
    noStore,
    ...json,
    wrap(async (req, res) => {
      const action = one(req.query._action);
      if (action !== 'validateObject' && action !== 'validateProperty')
        return sendCrestError(res, crestError(501, `Unknown action ${action ?? 'null'}`));
      const process = processOr(res, String(req.params.process));
      if (process) res.json(await policies.validate(process, req.body));
    }),
  );

  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const { type } = (err !== null && typeof err === 'object' ? err : {}) as { type?: unknown };
    if (type === 'entity.parse.failed')
      return sendCrestError(res, crestError(400, 'The request could not be processed because the provided content is not valid JSON'));
    if (type === 'entity.too.large') return sendCrestError(res, crestError(413, 'The request body is too large.'));
    if (typeof type === 'string') return sendCrestError(res, crestError(400, 'The request body could not be read.'));
    deps.onError?.(err);
    sendCrestError(res, internalError());
  });
  return router;
}
