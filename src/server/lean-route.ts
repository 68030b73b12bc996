/**
 * The authenticate route without express's router. A journey step is the request Cairn answers most,
 * and the router's work for it (matching every layer of the app and of the AM API against the path,
 * its `next` machinery) was a tenth of a step's CPU. `leanRoute` takes only POST and OPTIONS on
 * `{base}/json[/realms/root[/realms/<name>]…]/authenticate` (the path exactly, an optional trailing
 * slash and any query) and runs for them the very steps the router would run, in the same order and
 * on express's own request and response (same prototypes: `res.json`, `req.ip`, `req.query` are
 * express's), with the same error handlers; so the answer is the same, byte for byte
 * (test/server/lean-route.test.ts holds it to the router's). Every other request goes to express.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, Express, NextFunction, Request, RequestHandler, Response } from 'express';

/** A group of steps as a router runs them: in order, an error goes to `onError`, running off the end to the caller's next. */
export interface StepGroup {
  steps: readonly (RequestHandler | StepGroup)[];
  onError?: ErrorRequestHandler;
  /** The path the group is mounted at (express's `app.use(path, …)`): `req.url` is relative to it inside. */
  mount?: string;
}

export interface LeanRouteOptions {
  /** The AM base path (`/am`, or empty). */
  basePath: string;
  /** The app's steps an authenticate request goes through, as the app's router would run them. */
  route: StepGroup;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Runs `group` as a router would; `done` is what comes after it (the caller's next). */
function runGroup(group: StepGroup, req: Request, res: Response, done: NextFunction): void {
  const { url, baseUrl } = req;
  if (group.mount) {
    req.baseUrl = baseUrl + group.mount;
    req.url = url.slice(group.mount.length);
  }
  const leave = (err?: unknown): void => {
    if (group.mount) {
      req.baseUrl = baseUrl;
      req.url = url;
    }
    done(err);
  };
  let i = 0;
  const next = (err?: unknown): void => {
    if (err !== undefined && err !== null) {
      if (!group.onError || i > group.steps.length) return leave(err);
      i = group.steps.length + 1; // the error handler comes last, once
      call(() => group.onError?.(err, req, res, leave), leave);
      return;
    }
    const step = group.steps[i++];
    if (step === undefined) return leave();
    if (typeof step === 'function') call(() => step(req, res, next), next);
    else runGroup(step, req, res, next);
  };
  next();
}

/** Calls a step as express's router does: a throw or a rejected promise is the step's error. */
function call(fn: () => unknown, next: (err?: unknown) => void): void {
  try {
    const r = fn();
    if (r instanceof Promise) r.then(undefined, (e: unknown) => next(e ?? new Error('Rejected promise')));
  } catch (e) {
    next(e);
  }
}

export function leanRoute(app: Express, options: LeanRouteOptions): RequestListener {
  const path = new RegExp(`^${escape(options.basePath)}/json(?:/realms/root(?:/realms/[^/?]+)*)?/authenticate/?$`);
  return (request: IncomingMessage, response: ServerResponse) => {
    const url = request.url ?? '';
    const q = url.indexOf('?');
    if ((request.method !== 'POST' && request.method !== 'OPTIONS') || !path.test(q < 0 ? url : url.slice(0, q))) {
      app(request, response);
      return;
    }
    // What express's app.handle and router.handle set up before the first layer runs.
    const req = request as Request;
    const res = response as Response;
    req.res = res;
    res.req = req;
    Object.setPrototypeOf(req, app.request);
    Object.setPrototypeOf(res, app.response);
    res.locals = Object.create(null) as Response['locals'];
    req.originalUrl = url;
    req.baseUrl = '';
    req.params = {};
    // express 5 parses the query string and walks X-Forwarded-For again at every read of `req.query` and
    // `req.ip`; a step reads each several times. Read once, kept as the request's own values.
    Object.defineProperty(req, 'query', { value: req.query, configurable: true, enumerable: true, writable: true });
    Object.defineProperty(req, 'ip', { value: req.ip, configurable: true, enumerable: true, writable: true });
    runGroup(options.route, req, res, (err?: unknown) => {
      // Reached only when the route's own last-resort handler threw (its answer had already started):
      // as express's final handler does then, the connection is closed.
      if (err !== undefined) req.socket.destroy();
    });
  };
}
