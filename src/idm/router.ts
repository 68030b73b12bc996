/**
 * The IDM-compatible admin API for managed users under /openidm/managed/<object>: create
 * (`POST ?_action=create`, `PUT` with `If-None-Match: *`), read, query (`_queryFilter`, paging,
 * `_fields`, `_sortKeys`), patch, replace and delete with `_rev` / `If-Match` concurrency. Only the
 * configured administrator gets in (X-OpenIDM-Username/-Password or a bearer token); answers and
 * errors use CREST's shapes; a password or hash never leaves.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Settings } from '../config/settings.js';
import { CairnError, isCairnError } from '../errors/cairn-error.js';
import type { IdentityService } from '../identity/identity-service.js';
import { crestError, internalError, sendCrestError as send, type CrestErrorBody } from '../crest/errors.js';
import { queryResult, readPaging } from '../crest/paging.js';
import { applyPatch, parsePatch, PatchError } from '../crest/patch.js';
import { parseQueryFilter, QueryFilterError } from '../crest/query-filter.js';
import type { ManagedObject } from '../identity/ports.js';
import { requireNonSimpleRequest } from '../server/csrf.js';

const MAX_PAGE = 1000;

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
const same = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));

function authenticate(settings: Readonly<Settings>) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    const user = req.get('x-openidm-username');
    const password = req.get('x-openidm-password');
    let ok = false;
    if (bearer !== undefined) ok = !!settings.adminToken && same(bearer, settings.adminToken);
    else if (user !== undefined && password !== undefined) {
      ok = !!settings.adminPassword && same(user, settings.adminUsername) && same(password, settings.adminPassword);
    }
    if (!ok) {
      send(res, crestError(401, 'Access Denied'));
      return;
    }
    next();
  };
}

/** Own properties only: a `_fields` path such as `constructor/name` must not walk into prototypes. */
const ownChild = (v: unknown, key: string): unknown =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, key) ? (v as Record<string, unknown>)[key] : undefined;

function pickFields(o: ManagedObject, fields: string[] | undefined): Record<string, unknown> {
  if (!fields || fields.length === 0 || fields.includes('*')) return o;
  const out: Record<string, unknown> = { _id: o._id, _rev: o._rev };
  for (const f of fields) {
    const path = f.replace(/^\//, '').split('/');
    let v: unknown = o;
    for (const p of path) v = ownChild(v, p);
    if (v === undefined) continue;
    let target = out;
    for (const p of path.slice(0, -1)) {
      const next = ownChild(target, p);
      target = (next ?? (target[p] = {})) as Record<string, unknown>;
    }
    target[path[path.length - 1] as string] = v;
  }
  return out;
}

const fieldsOf = (req: Request): string[] | undefined =>
  typeof req.query._fields === 'string' && req.query._fields
    ? req.query._fields
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean)
    : undefined;

function writeObject(res: Response, status: number, o: ManagedObject, fields?: string[]): void {
  if (o._rev) res.setHeader('ETag', `"${o._rev}"`);
  res.status(status).json(pickFields(o, fields));
}

const ifMatch = (req: Request): string | undefined =>
  req
    .get('if-match')
    ?.replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1');

/** `passwordSet` is computed on read (publicView); a client echoing it back must not store it. */
function withoutComputed(o: Record<string, unknown>): Record<string, unknown> {
  const { passwordSet, ...rest } = o;
  void passwordSet;
  return rest;
}

function body(req: Request): Record<string, unknown> {
  const b: unknown = req.body;
  if (!b || typeof b !== 'object' || Array.isArray(b))
    throw new CairnError({ status: 400, code: 'idm.body', message: 'The request body must be a JSON object.' });
  return withoutComputed(b as Record<string, unknown>);
}

/**
 * CSRF: a request with a body must be sent as JSON (or with a non-simple header), since a foreign
 * page's form can POST form-encoded or text/plain bodies. A bodyless DELETE passes: the credentials
 * themselves are headers (X-OpenIDM-*, Authorization) that no cross-site page can set unpreflighted.
 */
function requireJsonWhenBody() {
  const guard = requireNonSimpleRequest();
  return (req: Request, res: Response, next: NextFunction): void => {
    const length = req.get('content-length');
    const hasBody = req.get('transfer-encoding') !== undefined || (length !== undefined && length !== '0');
    if (!hasBody) return next();
    guard(req, res, next);
  };
}

export function idmRouter(deps: { settings: Readonly<Settings>; identity: IdentityService; onError?: (e: unknown) => void }): Router {
  const { identity } = deps;
  const router = express.Router();
  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  router.use(authenticate(deps.settings));
  router.use(requireJsonWhenBody());
  // A `__proto__` key would become an own property that later spreads and merges treat specially: refuse it.
  const noProtoKeys = (key: string, value: unknown): unknown => {
    if (key === '__proto__') throw new SyntaxError('__proto__ is not an attribute name');
    return value;
  };
  router.use(express.json({ limit: 256 * 1024, reviver: noProtoKeys }));

  const resourceOf = (req: Request): string => `managed/${String(req.params.object)}`;
  const wrap =
    (fn: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: NextFunction): void => {
      fn(req, res).catch(next);
    };

  const notFound = (resource: string, id: string): CrestErrorBody => crestError(404, `Object ${id} not found in ${resource}`);

  /**
   * The object a PATCH or DELETE acts on, after its preconditions: answers 404 when it is missing and
   * 412 when `If-Match` names another revision (then resolves to undefined).
   */
  async function existingFor(
    req: Request,
    res: Response,
  ): Promise<{ resource: string; id: string; existing: ManagedObject; rev: string | undefined } | undefined> {
    const resource = resourceOf(req);
    const id = String(req.params.id);
    const existing = await identity.readObject(resource, id);
    if (!existing) {
      send(res, notFound(resource, id));
      return undefined;
    }
    const rev = ifMatch(req);
    if (rev !== undefined && rev !== '*' && rev !== existing._rev) {
      send(res, crestError(412, 'Precondition Failed'));
      return undefined;
    }
    return { resource, id, existing, rev };
  }

  const locationOf = (req: Request, id: string): string => `${req.baseUrl}/managed/${String(req.params.object)}/${encodeURIComponent(id)}`;
  /** Creates the object (under `id` when given, else a generated one) and answers 201 with its Location. */
  async function createAt(req: Request, res: Response, resource: string, id: string | undefined, attrs: Record<string, unknown>): Promise<void> {
    const created = await identity.createObject(resource, id === undefined ? attrs : { ...attrs, _id: id });
    res.setHeader('Location', locationOf(req, created._id));
    writeObject(res, 201, created, fieldsOf(req));
  }

  router.post(
    '/managed/:object',
    wrap(async (req, res) => {
      const action = req.query._action;
      if (action !== 'create') {
        send(res, crestError(400, `Unsupported action ${JSON.stringify(action ?? null)}; use _action=create.`));
        return;
      }
      await createAt(req, res, resourceOf(req), undefined, body(req));
    }),
  );

  router.get(
    '/managed/:object',
    wrap(async (req, res) => {
      const text = req.query._queryFilter;
      if (typeof text !== 'string') {
        send(res, crestError(400, 'A query needs _queryFilter (e.g. _queryFilter=true).'));
        return;
      }
      const filter = parseQueryFilter(text);
      // The service hands these options to the store as they are; the store counts matches on EXACT.
      const paging = readPaging(req.query, MAX_PAGE);
      const page = await identity.queryObjects(resourceOf(req), filter, paging);
      const fields = fieldsOf(req);
      res.json(
        queryResult(
          page.result.map((o) => pickFields(o, fields)),
          page,
          paging.totalPagedResultsPolicy,
        ),
      );
    }),
  );

  router.get(
    '/managed/:object/:id',
    wrap(async (req, res) => {
      const o = await identity.readObject(resourceOf(req), String(req.params.id));
      if (!o) return send(res, notFound(resourceOf(req), String(req.params.id)));
      writeObject(res, 200, o, fieldsOf(req));
    }),
  );

  router.put(
    '/managed/:object/:id',
    wrap(async (req, res) => {
      const resource = resourceOf(req);
      const id = String(req.params.id);
      const attrs = body(req);
      const existing = await identity.readObject(resource, id);
      if (req.get('if-none-match') === '*') {
        if (existing) return send(res, crestError(412, 'The resource already exists'));
        return createAt(req, res, resource, id, attrs);
      }
      if (!existing) {
        if (ifMatch(req) !== undefined) return send(res, notFound(resource, id));
        return createAt(req, res, resource, id, attrs);
      }
      writeObject(res, 200, await identity.replaceObject(resource, id, attrs, ifMatch(req)), fieldsOf(req));
    }),
  );

  const patch = wrap(async (req, res) => {
    const operations = parsePatch(req.body);
    const target = await existingFor(req, res);
    if (!target) return;
    const next = withoutComputed(applyPatch(target.existing, operations));
    writeObject(res, 200, await identity.replaceObject(target.resource, target.id, next, target.existing._rev), fieldsOf(req));
  });
  router.patch('/managed/:object/:id', patch);
  router.post('/managed/:object/:id', (req, res, next) => {
    if (req.query._action === 'patch') return patch(req, res, next);
    send(res, crestError(400, `Unsupported action ${JSON.stringify(req.query._action ?? null)}; use _action=patch.`));
  });

  router.delete(
    '/managed/:object/:id',
    wrap(async (req, res) => {
      const target = await existingFor(req, res);
      if (!target) return;
      const gone = await identity.deleteObject(target.resource, target.id, target.rev === '*' ? undefined : target.rev);
      if (!gone) return send(res, notFound(target.resource, target.id));
      writeObject(res, 200, gone);
    }),
  );

  router.use((_req, res) => send(res, crestError(404, 'Resource not found')));
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    void _next;
    const { type, status } = (err !== null && typeof err === 'object' ? err : {}) as { type?: unknown; status?: unknown };
    if (type === 'entity.parse.failed')
      return send(res, crestError(400, 'The request could not be processed because the provided content is not valid JSON'));
    if (type === 'entity.too.large') return send(res, crestError(413, 'The request body is too large.'));
    // Other body-reading failures (unsupported charset or encoding, aborted upload): their status, our words.
    if (typeof type === 'string' && typeof status === 'number' && status >= 400 && status < 500) {
      return send(res, crestError(status, 'The request body could not be read.'));
    }
    if (err instanceof QueryFilterError) {
      return send(res, crestError(400, `Invalid _queryFilter: ${err.message}`, { position: err.position, excerpt: err.detail }));
    }
    if (err instanceof PatchError)
      return send(res, crestError(400, `Invalid patch: ${err.message}`, err.index === undefined ? undefined : { index: err.index }));
    if (isCairnError(err) && err.expose) return send(res, crestError(err.status, err.message, err.detail));
    deps.onError?.(err);
    send(res, internalError());
  });
  return router;
}
