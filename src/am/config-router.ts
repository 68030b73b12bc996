/**
 * AM's configuration REST API (reference §5.1), what frodo and AM's own admin tools call: trees
 * (query, read, PUT create/replace, DELETE), nodes by type and id (read, PUT, DELETE, the node types
 * and their schemas, listOutcomes), scripts (query, read, create, update, delete; bodies in base64)
 * and the realms (`global-config/realms`). Every route needs an administrator's session
 * (src/admin/guard.ts); every write goes through the configuration store (src/config-store/), so it
 * is validated like files, audited, and run by every instance within a second. Answers carry
 * `_rev` and `ETag`; errors are CREST's, a refused write listing each problem with its pointer.
 */
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { actorOf, requireRole } from '../admin/guard.js';
import type { AmConfig } from '../config-store/am-config.js';
import { ConfigRefused } from '../config-store/live.js';
import { crestError, internalError, sendCrestError } from '../crest/errors.js';
import { queryResult } from '../crest/paging.js';
import { matchesFilter, parseQueryFilter, QueryFilterError } from '../crest/query-filter.js';
import { isCairnError } from '../errors/cairn-error.js';
import type { NodeRegistry } from '../nodes/index.js';
import type { SessionService } from '../sessions/session-service.js';
import { requireNonSimpleRequest } from '../server/csrf.js';

/** Journeys with their scripts' bodies fit well within this. */
const MAX_BODY = '2mb';
const TREES = '/json/realms/root/realm-config/authentication/authenticationtrees/trees';
const NODES = '/json/realms/root/realm-config/authentication/authenticationtrees/nodes';
const SCRIPTS = '/json/realms/root/scripts';
const REALMS = ['/json/global-config/realms'];

export interface ConfigRouterDeps {
  config: AmConfig;
  registry: NodeRegistry;
  sessions: SessionService;
  cookieName: string;
  now: () => number;
  onError?: (e: unknown, req: Request) => void;
}

type Json = Record<string, unknown>;
type Handler = (req: Request, res: Response) => Promise<void> | void;

/** The root realm as AM lists it (its `_id` is the base64 of its path). */
const ROOT_REALM = { _id: 'Lw', _rev: '1', parentPath: null, active: true, name: '/', aliases: [] };

function query(req: Request, items: Json[]): Json {
  const q = req.query as Record<string, unknown>;
  const text = typeof q._queryFilter === 'string' ? q._queryFilter : 'true';
  const filter = parseQueryFilter(text);
  const matched = items.filter((i) => matchesFilter(filter, i));
  const exact = q._totalPagedResultsPolicy === 'EXACT';
  const shown = q._pageSize === '0' ? [] : matched;
  return queryResult(shown, { pagedResultsCookie: null, totalPagedResults: matched.length }, exact ? 'EXACT' : 'NONE') as unknown as Json;
}

function send(res: Response, value: Json, status = 200): void {
  if (typeof value._rev === 'string') res.setHeader('ETag', `"${value._rev}"`);
  res.status(status).json(value);
}

const param = (req: Request, name: string): string => String(req.params[name] ?? '');
const action = (req: Request): string | undefined => (typeof req.query._action === 'string' ? req.query._action : undefined);

export function configRouter(deps: ConfigRouterDeps): Router {
  const { config, registry } = deps;
  const router = express.Router();
  const guard = requireRole({ sessions: deps.sessions, cookieName: deps.cookieName }, 'admin');
  const paths = [TREES, `${TREES}/:id`, NODES, `${NODES}/:type`, `${NODES}/:type/:id`, SCRIPTS, `${SCRIPTS}/:id`, ...REALMS];
  router.use(paths, (_req, res, next) => {
    res.setHeader('Content-API-Version', 'resource=1.0');
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  router.use(paths, guard, requireNonSimpleRequest(), express.json({ limit: MAX_BODY, type: ['application/json', 'application/*+json'] }));

  const route =
    (h: Handler): RequestHandler =>
    (req, res, next) => {
      Promise.resolve(h(req, res)).catch(next);
    };
  const found = (value: Json | undefined): Json => {
    if (!value) throw Object.assign(new Error('Not Found'), { status: 404 });
    return value;
  };

  // Trees
  router.get(
    TREES,
    route((req, res) => void res.json(query(req, config.trees()))),
  );
  router.get(
    `${TREES}/:id`,
    route((req, res) => send(res, found(config.tree(param(req, 'id'))))),
  );
  router.put(
    `${TREES}/:id`,
    route(async (req, res) => {
      const { value, created } = await config.putTree(param(req, 'id'), req.body, actorOf(res));
      send(res, value, created ? 201 : 200);
    }),
  );
  router.delete(
    `${TREES}/:id`,
    route(async (req, res) => send(res, await config.deleteTree(param(req, 'id'), actorOf(res)))),
  );

  // Node types
  const typeInfo = (type: string): Json => {
    const d = registry.get(type);
    if (!d) throw Object.assign(new Error('Not Found'), { status: 404 });
    return { _id: d.type, name: d.displayName, collection: true, tags: [], metadata: { tags: [] }, help: '', version: '1.0' };
  };
  router.post(
    NODES,
    route((req, res) => {
      switch (action(req)) {
        case 'getAllTypes':
          res.json({ result: [...registry.keys()].sort().map(typeInfo) });
          return;
        case 'nextdescendents':
          res.json({ result: [...config.trees()].flatMap((t) => Object.keys(t.nodes as Json)).flatMap((id) => nodeById(id)) });
          return;
        default:
          sendCrestError(res, crestError(400, `Action ${String(action(req))} not supported; use getAllTypes or nextdescendents.`));
      }
    }),
  );
  const nodeById = (id: string): Json[] => {
    for (const type of registry.keys()) {
      const n = config.node(type, id);
      if (n) return [n];
    }
    return [];
  };
  router.get(
    `${NODES}/:type`,
    route((req, res) => void res.json(query(req, config.nodesOfType(param(req, 'type'))))),
  );
  router.post(
    `${NODES}/:type`,
    route(async (req, res) => {
      const type = param(req, 'type');
      const d = registry.get(type);
      if (!d) throw Object.assign(new Error('Not Found'), { status: 404 });
      switch (action(req)) {
        case 'getType':
          res.json(typeInfo(type));
          return;
        case 'schema':
          res.json(d.configSchema);
          return;
        case 'template':
        case 'getTemplate': {
          const defaults: Json = {};
          for (const [k, p] of Object.entries((d.configSchema.properties ?? {}) as Record<string, Json>))
            if (p.default !== undefined) defaults[k] = p.default;
          res.json(defaults);
          return;
        }
        case 'listOutcomes':
          res.json({ result: d.children ? [] : config.listOutcomes(type, req.body) });
          return;
        case 'create': {
          const { value } = await config.putNode(type, randomUUID(), req.body, actorOf(res));
          send(res, value, 201);
          return;
        }
        default:
          sendCrestError(res, crestError(400, `Action ${String(action(req))} not supported.`));
      }
    }),
  );
  router.get(
    `${NODES}/:type/:id`,
    route((req, res) => send(res, found(config.node(param(req, 'type'), param(req, 'id'))))),
  );
  router.put(
    `${NODES}/:type/:id`,
    route(async (req, res) => {
      const { value, created } = await config.putNode(param(req, 'type'), param(req, 'id'), req.body, actorOf(res));
      if (created) res.setHeader('Location', `${req.baseUrl}${req.path}`);
      send(res, value, created ? 201 : 200);
    }),
  );
  router.delete(
    `${NODES}/:type/:id`,
    route(async (req, res) => send(res, await config.deleteNode(param(req, 'type'), param(req, 'id'), actorOf(res)))),
  );

  // Scripts
  router.get(
    SCRIPTS,
    route((req, res) => void res.json(query(req, config.scripts()))),
  );
  router.post(
    SCRIPTS,
    route(async (req, res) => {
      if (action(req) !== 'create') return sendCrestError(res, crestError(400, `Action ${String(action(req))} not supported; use create.`));
      send(res, (await config.putScript(undefined, req.body, actorOf(res), deps.now())).value, 201);
    }),
  );
  router.get(
    `${SCRIPTS}/:id`,
    route((req, res) => send(res, found(config.script(param(req, 'id'))))),
  );
  router.put(
    `${SCRIPTS}/:id`,
    route(async (req, res) => {
      const { value, created } = await config.putScript(param(req, 'id'), req.body, actorOf(res), deps.now());
      send(res, value, created ? 201 : 200);
    }),
  );
  router.delete(
    `${SCRIPTS}/:id`,
    route(async (req, res) => send(res, await config.deleteScript(param(req, 'id'), actorOf(res)))),
  );

  // Realms: Cairn serves the root realm.
  router.get(
    REALMS,
    route((req, res) => void res.json(query(req, [ROOT_REALM]))),
  );
  router.get(
    '/json/global-config/realms/:id',
    route((req, res) => send(res, found(param(req, 'id') === 'Lw' ? ROOT_REALM : undefined))),
  );

  router.all(paths, (_req, res) => sendCrestError(res, crestError(405, 'Method not allowed')));
  router.use(paths, (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    void _next;
    sendCrestError(res, errorBody(err, req, deps.onError));
  });
  return router;
}

function errorBody(err: unknown, req: Request, onError: ConfigRouterDeps['onError']) {
  if (err instanceof ConfigRefused) {
    return crestError(400, err.message, { problems: err.problems.map((p) => ({ file: p.file, pointer: p.pointer, message: p.message })) });
  }
  if (err instanceof QueryFilterError) return crestError(400, `Invalid _queryFilter: ${err.message}`);
  if (isCairnError(err) && err.expose) return crestError(err.status, err.message);
  const e = err as { type?: string; status?: number };
  if (e.type === 'entity.parse.failed') return crestError(400, 'The request could not be processed because the provided content is not valid JSON');
  if (e.type === 'entity.too.large') return crestError(413, `The request body is too large (at most ${MAX_BODY}).`);
  if (e.status === 404) return crestError(404, 'Not Found');
  if (typeof e.status === 'number' && e.status < 500) return crestError(400, 'The request could not be processed.');
  onError?.(err, req);
  return internalError();
}
