/**
 * The AM-compatible API under its base path (default /am): AM's headers on every answer, the CSRF
 * rule, a bounded JSON body, the authenticate, sessions, users (idFromSession, the session's own
 * profile) and serverinfo endpoints of every realm served (`/json/realms/root/realms/alpha/…`, or
 * `?realm=/alpha` on authenticate), each realm with its own cookie and sessions, and AM-shaped errors
 * for everything else (bad JSON, oversized bodies, realms not served, unknown paths, wrong methods).
 */
import express, { type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { realmNameOf, realmPathOf } from '../realms/realms.js';
import { realmSessions } from '../realms/sessions.js';
import { requireNonSimpleRequest } from '../server/csrf.js';
import { authenticateHandler, invalidRealm, type AuthenticateDeps } from './authenticate.js';
import { serverinfoHandler } from './serverinfo.js';
import { sessionsHandler } from './sessions.js';
import { readUserHandler, usersHandler, type ProfilePort } from './users.js';
import { amError, sendAmError, toAmError } from './wire.js';

/** Largest request body accepted (a Page Node step with many callbacks is a few KB). */
export const MAX_BODY_BYTES = 64 * 1024;

/** `/json[/realms/root[/realms/<name>]…]/<endpoint>`: the realm segments and the endpoint. */
const ENDPOINT = /^\/json(?:\/realms\/root((?:\/realms\/[^/]+)*))?\/(authenticate|sessions|users|users\/[^/]+|serverinfo\/[^/]+)\/?$/;

/** What a realm brings to the AM API besides what all realms share. */
export interface AmRealm {
  /** `/`, `/alpha`. */
  path: string;
  cookieName: string;
  runner: AuthenticateDeps['runner'];
  suspensions?: AuthenticateDeps['suspensions'];
  mail: AuthenticateDeps['mail'];
  journeys: () => readonly string[];
  /** The realm's users (`managed/user` for root), for the session's own profile. */
  identityResource?: string;
}

interface RealmHandlers {
  authenticate: RequestHandler;
  sessions: RequestHandler;
  users: RequestHandler;
  user: RequestHandler;
  serverinfo: RequestHandler;
}

/** `/alpha`, `alpha`, `/root/alpha` → `/alpha`; `/`, `root`, `` → `/`. */
function realmOfQuery(value: string): string | undefined {
  const name = realmNameOf(value);
  return name === undefined ? undefined : realmPathOf(name);
}

/**
 * The AM API as the router runs it: its steps in order (the last answers 404) and its error handler.
 * `src/server/lean-route.ts` runs the same steps for the authenticate requests it takes.
 */
export interface AmApi {
  router: Router;
  steps: readonly RequestHandler[];
  onError: ErrorRequestHandler;
}

type AmApiDeps = AuthenticateDeps & { journeys?: () => readonly string[]; realms?: readonly AmRealm[]; profiles?: ProfilePort };

export function amApi(deps: AmApiDeps): AmApi {
  const realms = new Map<string, RealmHandlers>();
  const root: AmRealm = {
    path: '/',
    cookieName: deps.settings.cookieName,
    runner: deps.runner,
    ...(deps.suspensions ? { suspensions: deps.suspensions } : {}),
    mail: deps.mail,
    journeys: deps.journeys ?? (() => []),
  };
  for (const realm of deps.realms ?? [root]) {
    // Each realm answers with its own cookie, and sees only its own sessions.
    const settings = Object.freeze({ ...deps.settings, cookieName: realm.cookieName });
    const sessions = realmSessions(deps.sessions, realm.path);
    const own = { ...deps, settings, sessions, realm: realm.path, runner: realm.runner, mail: realm.mail };
    if (realm.suspensions) own.suspensions = realm.suspensions;
    else delete own.suspensions;
    realms.set(realm.path, {
      authenticate: authenticateHandler(own),
      sessions: sessionsHandler({ settings, sessions }),
      users: usersHandler({ settings, sessions }),
      user: readUserHandler({
        settings,
        sessions,
        resource: realm.identityResource ?? 'managed/user',
        ...(deps.profiles ? { profiles: deps.profiles } : {}),
      }),
      serverinfo: serverinfoHandler({ settings, journeys: realm.journeys }),
    });
  }
  const amHeaders: RequestHandler = (_req, res, next) => {
    res.setHeader('Content-API-Version', 'resource=2.1');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    next();
  };
  const unsupportedMedia: RequestHandler = (req, res, next) => {
    // A non-empty body that is not JSON (AM answers 415).
    const length = Number(req.get('content-length') ?? 0);
    if (req.method === 'POST' && length > 0 && req.body === undefined) {
      sendAmError(res, amError(415, 'Unsupported Media Type: send application/json.'));
      return;
    }
    next();
  };
  const endpoints: RequestHandler = (req, res, next) => {
    const m = ENDPOINT.exec(req.path);
    if (!m) {
      next();
      return;
    }
    const endpoint = m[2]?.startsWith('serverinfo/')
      ? 'serverinfo'
      : m[2]?.startsWith('users/')
        ? 'user'
        : (m[2] as 'authenticate' | 'sessions' | 'users');
    if (req.method !== (endpoint === 'serverinfo' || endpoint === 'user' ? 'GET' : 'POST')) {
      sendAmError(res, amError(405, 'Method not allowed'));
      return;
    }
    // AM's `realm` query parameter names the realm as well (and wins over the path, AM's legacy rule).
    const query = typeof req.query.realm === 'string' && endpoint === 'authenticate' ? req.query.realm : undefined;
    const realm = query !== undefined ? realmOfQuery(query) : (m[1] ?? '').replace(/\/realms\//g, '/') || '/';
    const handlers = realm === undefined ? undefined : realms.get(realm);
    if (!handlers) {
      sendAmError(res, toAmError(invalidRealm(realm ?? query ?? '')));
      return;
    }
    if (endpoint === 'serverinfo') req.params = { id: m[2]?.slice('serverinfo/'.length) ?? '' };
    if (endpoint === 'user') req.params = { name: decodeURIComponent(m[2]?.slice('users/'.length) ?? '') };
    void handlers[endpoint](req, res, next);
  };
  const notFound: RequestHandler = (_req, res) => sendAmError(res, amError(404, 'Not Found'));
  const onError: ErrorRequestHandler = (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    void _next;
    const type = (err as { type?: string }).type;
    if (type === 'entity.parse.failed') {
      sendAmError(res, amError(400, 'The request could not be processed because the provided content is not valid JSON'));
    } else if (type === 'entity.too.large') {
      sendAmError(res, amError(400, `The request body is too large (at most ${MAX_BODY_BYTES} bytes).`));
    } else if (typeof (err as { status?: unknown }).status === 'number' && (err as { status: number }).status < 500) {
      sendAmError(res, amError(400, 'The request could not be processed.'));
    } else {
      deps.onError?.(err, req);
      sendAmError(res, toAmError(err));
    }
  };
  const steps = [
    amHeaders,
    requireNonSimpleRequest(),
    express.json({ limit: MAX_BODY_BYTES, type: ['application/json', 'application/*+json'] }),
    unsupportedMedia,
    endpoints,
    notFound,
  ];
  const router = express.Router();
  router.use(...steps);
  router.use(onError);
  return { router, steps, onError };
}
