/**
 * The AM-compatible API under its base path (default /am): AM's headers on every answer, the CSRF
 * rule, a bounded JSON body, the authenticate, sessions, users (idFromSession) and serverinfo
 * endpoints, and AM-shaped errors for
 * everything else (bad JSON, oversized bodies, other realms, unknown paths, wrong methods).
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { requireNonSimpleRequest } from '../server/csrf.js';
import { authenticateHandler, invalidRealm, type AuthenticateDeps } from './authenticate.js';
import { serverinfoHandler } from './serverinfo.js';
import { sessionsHandler } from './sessions.js';
import { usersHandler } from './users.js';
import { amError, sendAmError, toAmError } from './wire.js';

/** Largest request body accepted (a Page Node step with many callbacks is a few KB). */
export const MAX_BODY_BYTES = 64 * 1024;

const AUTHENTICATE = ['/json/authenticate', '/json/realms/root/authenticate'];
const SESSIONS = ['/json/sessions', '/json/realms/root/sessions'];
const USERS = ['/json/users', '/json/realms/root/users'];
const SERVERINFO = ['/json/serverinfo/:id', '/json/realms/root/serverinfo/:id'];
const SUB_REALM = /^\/json\/realms\/root\/realms\/(.+?)\/(authenticate|sessions)$/;

export function amRouter(deps: AuthenticateDeps & { journeys?: () => readonly string[] }): Router {
  const router = express.Router();
  router.use((_req, res, next) => {
    res.setHeader('Content-API-Version', 'resource=2.1');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    next();
  });
  router.use(requireNonSimpleRequest());
  router.use(express.json({ limit: MAX_BODY_BYTES, type: ['application/json', 'application/*+json'] }));
  router.use((req, res, next) => {
    // A non-empty body that is not JSON (AM answers 415).
    const length = Number(req.get('content-length') ?? 0);
    if (req.method === 'POST' && length > 0 && req.body === undefined) {
      sendAmError(res, amError(415, 'Unsupported Media Type: send application/json.'));
      return;
    }
    next();
  });

  router.post(AUTHENTICATE, authenticateHandler(deps));
  router.post(SESSIONS, sessionsHandler(deps));
  router.post(USERS, usersHandler(deps));
  router.get(SERVERINFO, serverinfoHandler({ settings: deps.settings, journeys: deps.journeys ?? (() => []) }));
  router.all(SUB_REALM, (req, res) => {
    const realm = '/' + (SUB_REALM.exec(req.path)?.[1] ?? '').replace(/\/realms\//g, '/');
    sendAmError(res, toAmError(invalidRealm(realm)));
  });
  router.all([...AUTHENTICATE, ...SESSIONS, ...USERS, ...SERVERINFO], (_req, res) => sendAmError(res, amError(405, 'Method not allowed')));
  router.use((_req, res) => sendAmError(res, amError(404, 'Not Found')));
  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
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
  });
  return router;
}
