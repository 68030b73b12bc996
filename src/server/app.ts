/**
 * The server's composition: `createApp(deps)` builds the express application from injected parts
 * (settings, journeys, runner, keys, sessions, stores, clock). No module-level state: two apps in
 * one process are independent, which is how the tests run several servers at once.
 */
import type { RequestListener, ServerOptions } from 'node:http';
import express, { type ErrorRequestHandler, type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { AuthenticateDeps } from '../am/authenticate.js';
import { amApi, type AmRealm } from '../am/router.js';
import type { ProfilePort } from '../am/users.js';
import { crestError, sendCrestError, serverErrorOf } from '../crest/errors.js';
import type { JourneyCatalog } from '../journeys/catalog.js';
import { cors } from './cors.js';
import { expressMessages } from './express-messages.js';
import { leanRoute } from './lean-route.js';

export interface AppDeps extends AuthenticateDeps {
  /** The users' profiles, for AM's own-profile read (the success page greets the person by name). */
  profiles?: ProfilePort;
  catalog: () => JourneyCatalog;
  /** Every realm served (root first); default: root alone, from the deps above. */
  realms?: readonly AmRealm[];
  /** The first middleware of every request (the request id and the access log). */
  requestLog?: RequestHandler;
  /** Routes that come before everything else but the request log (metrics). */
  before?: (app: Express) => void;
  /** The OAuth 2.0 / OIDC endpoints, mounted at `{base}/oauth2` ahead of the rest of the AM API. */
  oauth?: RequestHandler;
  /** AM's configuration REST API (src/am/config-router.ts), mounted under the AM base path ahead of the rest of the AM API. */
  configApi?: RequestHandler;
  /** Extra routers mounted by later composition steps (hosted pages, admin API). */
  mount?: (app: Express) => void;
  ready?: () => Promise<{ ok: boolean; checks: Record<string, boolean> }>;
}

/**
 * The express application, the listener to serve (the lean authenticate route in front of it,
 * lean-route.ts) and the HTTP server options to serve it with (express-messages.ts).
 */
export interface CairnApp {
  app: Express;
  listener: RequestListener;
  serverOptions: Pick<ServerOptions, 'IncomingMessage' | 'ServerResponse'>;
}

export function createApp(deps: AppDeps): CairnApp {
  const app = express();
  app.disable('x-powered-by');
  // X-Forwarded-For is believed only from the configured proxies (req.ip is then the client's address).
  app.set('trust proxy', deps.settings.trustedProxies.length ? deps.settings.trustedProxies : false);
  app.set('query parser', 'simple');
  // No content-hash ETags: API answers are no-store, and a hash of a random authId would only differ per answer.
  app.set('etag', false);

  if (deps.requestLog) app.use(deps.requestLog);
  deps.before?.(app);
  app.get('/health/live', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ status: 'UP' });
  });
  app.get('/health/ready', async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const r = deps.ready ? await deps.ready().catch(() => ({ ok: false, checks: {} })) : { ok: deps.catalog().ids().length > 0, checks: {} };
    res.status(r.ok ? 200 : 503).json({ status: r.ok ? 'UP' : 'DOWN', checks: r.checks });
  });

  if (deps.oauth) app.use(`${deps.settings.amBasePath}/oauth2`, deps.oauth);
  if (deps.configApi) app.use(deps.settings.amBasePath || '/', deps.configApi);
  const corsRule = cors(deps.settings.corsOrigins, deps.settings.cookieName);
  const am = amApi({ ...deps, journeys: () => deps.catalog().ids(), ...(deps.realms ? { realms: deps.realms } : {}) });
  app.use(deps.settings.amBasePath || '/', corsRule, am.router);
  deps.mount?.(app);

  const notFound: RequestHandler = (_req, res) => {
    sendCrestError(res, crestError(404, 'Not Found'));
  };
  // Last resort: never a stack trace or an internal message on the wire.
  const lastResort: ErrorRequestHandler = (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    void _next;
    deps.onError?.(err, req);
    sendCrestError(res, serverErrorOf(err));
  };
  app.use(notFound);
  app.use(lastResort);

  // What the app's router runs for an authenticate request, without the router (nothing in between
  // matches those paths: the metrics and health routes are GETs, OAuth and the config API have paths of their own).
  const listener = leanRoute(app, {
    basePath: deps.settings.amBasePath,
    route: {
      steps: [
        ...(deps.requestLog ? [deps.requestLog] : []),
        { mount: deps.settings.amBasePath, steps: [corsRule, { steps: am.steps, onError: am.onError }] },
        notFound,
      ],
      onError: lastResort,
    },
  });
  return { app, listener, serverOptions: expressMessages(app) };
}
