/**
 * The IDM-compatible admin API for managed users under /openidm/managed/<object>: create
 * (`POST ?_action=create`, `PUT` with `If-None-Match: *`), read, query (`_queryFilter`, paging,
 * `_fields`, `_sortKeys`), patch, replace and delete with `_rev` / `If-Match` concurrency. Only
 * administrators get in (X-OpenIDM-Username/-Password, their session, or the operator's bearer token),
 * and failed authentications are limited per client address and per administrator name (429 with
 * Retry-After, audited). Answers and errors use CREST's shapes; a password or hash never leaves, nor
 * can a query filter, sort or select on it; a query answers at most MAX_PAGE objects at a time.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { AdminService } from '../admin/admins.js';
import { requireRole } from '../admin/guard.js';
import { grants } from '../admin/roles.js';
import type { AuditPort } from '../audit/audit-log.js';
import { pseudonym } from '../audit/pseudonym.js';
import type { Settings } from '../config/settings.js';
import type { SessionService } from '../sessions/session-service.js';
import { CairnError, isCairnError } from '../errors/cairn-error.js';
import { createAttemptBudgets, type Budget } from '../identity/attempt-budgets.js';
import type { IdentityService } from '../identity/identity-service.js';
import { addressGroup } from '../identity/login-guard.js';
import type { CounterPort } from '../identity/ports.js';
import { crestError, sendCrestError as send, serverErrorOf, type CrestErrorBody } from '../crest/errors.js';
import { queryResult, readPaging } from '../crest/paging.js';
import { applyPatch, parsePatch, PatchError } from '../crest/patch.js';
import { matchesFilter, parseQueryFilter, QueryFilterError } from '../crest/query-filter.js';
import type { TemplateConfig } from '../config-store/am-config.js';
import type { ManagedObject } from '../identity/ports.js';
import { requireNonSimpleRequest } from '../server/csrf.js';
import { PASSWORD_CREDENTIAL, type CredentialResetService, type Requester } from '../credential-reset/service.js';
import { MESSAGES } from '../midpoint/messages.js';

/** The most objects one query answer holds, whatever `_pageSize` says (absent or 0 included). */
export const MAX_PAGE = 1000;
/** The window of the failed-authentication limits. */
export const ADMIN_AUTH_WINDOW_MS = 5 * 60_000;

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
const same = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));

export interface IdmRouterDeps {
  settings: Readonly<Settings>;
  identity: IdentityService;
  audit: AuditPort;
  /** Where the failed-authentication limits are counted (the store: exact across instances). */
  counters: CounterPort;
  now: () => number;
  /** The administrator identities X-OpenIDM-Username / -Password are checked against. */
  admins?: Pick<AdminService, 'verify'>;
  /** Sessions, so that an administrator signed in through the administrators' journey gets in. */
  sessions?: SessionService;
  /** The e-mail templates of the configuration store, for `/config/emailTemplate/<name>`. */
  templates?: TemplateConfig;
  /** midPoint's credential-reset interface as actions on users (requestCredentialReset, executeCredentialReset). */
  credentialResets?: CredentialResetService;
  onError?: (e: unknown) => void;
}

/**
 * Who may call: an administrator with the admin role, by X-OpenIDM-Username / -Password or by the
 * session of the administrators' journey; or the operator's bearer token (CAIRN_ADMIN_TOKEN).
 *
 * Credentials sent with the request are checked under two attempt budgets of this API
 * (src/identity/attempt-budgets.ts): the client address's and, for X-OpenIDM-Username, that name's;
 * a name and password are then checked as an administrator's sign-in (AdminService.verify, which
 * spends the account's and address's sign-in budgets as the administrators' journey does). Correct
 * credentials never count; once either budget's failures are spent, requests get 429 with
 * Retry-After without being checked. A request without credentials gets in only by a session
 * (no guess was made: 401 without one, 403 for a session without the role).
 */
function authenticate(deps: IdmRouterDeps) {
  const { settings, audit } = deps;
  const budgets = createAttemptBudgets({ counters: deps.counters, windowMs: ADMIN_AUTH_WINDOW_MS, now: deps.now });
  const max = settings.adminAuthAttempts;
  const session = deps.sessions ? requireRole({ sessions: deps.sessions, cookieName: settings.cookieName }, 'admin') : undefined;
  const byName = async (user: string, password: string, clientIp: string | undefined): Promise<boolean> => {
    const admin = deps.admins ? await deps.admins.verify(user, password, clientIp ? { clientIp } : {}) : undefined;
    return !!admin && grants(admin.roles, 'admin');
  };
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    const user = req.get('x-openidm-username');
    const password = req.get('x-openidm-password');
    const byHeaders = bearer === undefined && user !== undefined && password !== undefined;
    if (bearer === undefined && !byHeaders) {
      if (session) session(req, res, next);
      else send(res, crestError(401, 'Access Denied'));
      return;
    }
    const source = addressGroup(req.ip) ?? 'unknown';
    const limits: Budget[] = [{ key: `admin:client:${pseudonym(source)}`, max }];
    if (byHeaders) limits.push({ key: `admin:name:${pseudonym(user ?? '')}`, max });
    const fields = { clientIp: req.ip, method: bearer !== undefined ? 'bearer' : 'password', ...(byHeaders ? { user: pseudonym(user ?? '') } : {}) };
    let ticket;
    try {
      ticket = await budgets.take(limits);
    } catch (e) {
      next(e);
      return;
    }
    if (!ticket.admitted) {
      await ticket.settle('failure').catch(() => 0);
      audit.record('admin.auth.throttled', fields);
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(ticket.retryAfterMs / 1000))));
      send(res, crestError(429, 'Too many failed authentications; try again later.'));
      return;
    }
    let ok: boolean;
    try {
      ok = bearer !== undefined ? !!settings.adminToken && same(bearer, settings.adminToken) : await byName(user ?? '', password ?? '', req.ip);
      const failures = await ticket.settle(ok ? 'success' : 'failure');
      if (!ok) audit.record('admin.auth.failed', { ...fields, attempt: failures });
    } catch (e) {
      await ticket.settle('failure').catch(() => 0);
      next(e);
      return;
    }
    if (!ok) {
      send(res, crestError(401, 'Access Denied'));
      return;
    }
    res.locals['requester'] = { name: bearer !== undefined ? 'token:admin' : `admin:${user ?? ''}`, roles: ['admin'] } satisfies Requester;
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

/**
 * IDM's config objects for e-mail templates: `GET /config?_queryFilter=…` (e.g. `_id sw "emailTemplate"`),
 * and `GET`, `PUT`, `DELETE /config/emailTemplate/<name>`. Writes go through the configuration store.
 */
function templateRoutes(router: Router, templates: TemplateConfig): void {
  const wrap =
    (fn: (req: Request, res: Response) => Promise<void> | void) =>
    (req: Request, res: Response, next: NextFunction): void => {
      Promise.resolve(fn(req, res)).catch(next);
    };
  const name = (req: Request): string => String(req.params.name);
  const actor = (req: Request): string => `admin:${req.get('x-openidm-username') ?? 'session'}`;
  router.get(
    '/config',
    wrap((req, res) => {
      const text = typeof req.query._queryFilter === 'string' ? req.query._queryFilter : undefined;
      if (text === undefined) return send(res, crestError(400, 'The _queryFilter parameter is required.'));
      const filter = parseQueryFilter(text);
      const result = templates.templates().filter((t) => matchesFilter(filter, t));
      res.json(queryResult(result, { pagedResultsCookie: null, totalPagedResults: result.length }, 'NONE'));
    }),
  );
  router.get(
    '/config/emailTemplate/:name',
    wrap((req, res) => {
      const t = templates.template(name(req));
      if (!t) return send(res, crestError(404, `Config emailTemplate/${name(req)} not found`));
      res.json(t);
    }),
  );
  router.put(
    '/config/emailTemplate/:name',
    wrap(async (req, res) => {
      const { value, created } = await templates.putTemplate(name(req), req.body, actor(req));
      res.status(created ? 201 : 200).json(value);
    }),
  );
  router.delete(
    '/config/emailTemplate/:name',
    wrap(async (req, res) => {
      res.json(await templates.deleteTemplate(name(req), actor(req)));
    }),
  );
}

export function idmRouter(deps: IdmRouterDeps): Router {
  const { identity } = deps;
  const router = express.Router();
  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  const admin = authenticate(deps);
  router.use((req, res, next) => void admin(req, res, next));
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
      const fields = fieldsOf(req);
      identity.checkReadable(resourceOf(req), fields ?? [], '_fields');
      // The service hands these options to the store as they are (it refuses unreadable filter and
      // sort fields); the store counts matches on EXACT. No `_pageSize` (or 0) is a full page, not all.
      const paging = readPaging(req.query, MAX_PAGE);
      const page = await identity.queryObjects(resourceOf(req), filter, { ...paging, pageSize: paging.pageSize ?? MAX_PAGE });
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
      identity.checkReadable(resourceOf(req), fieldsOf(req) ?? [], '_fields');
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
  const resets = deps.credentialResets;
  const resetAction = wrap(async (req, res) => {
    if (!resets || req.params['object'] !== 'user') return send(res, crestError(400, 'Credential resets are actions on managed/user.'));
    const b = body(req);
    const methodId = b['resetMethodId'];
    const credentialId = b['credentialId'] ?? PASSWORD_CREDENTIAL;
    const value = b['newCredentialValue'];
    if (typeof methodId !== 'string' || typeof credentialId !== 'string' || (value !== undefined && typeof value !== 'string')) {
      return send(res, crestError(400, 'resetMethodId (and credentialId, newCredentialValue when given) must be strings.'));
    }
    const id = String(req.params['id']);
    const requester = res.locals['requester'] as Requester;
    if (req.query._action === 'executeCredentialReset') {
      const result = await resets.execute(id, credentialId, methodId, value, requester);
      if (result.status !== 200) return send(res, crestError(result.status, result.message.fallbackMessage, { key: result.message.key }));
      res.status(200).json({
        status: 'SUCCESS',
        message: result.message,
        ...(result.generatedValue !== undefined ? { generatedValue: result.generatedValue } : {}),
      });
      return;
    }
    const answer = await resets.request(id, credentialId, methodId, requester);
    if (answer.ok) {
      res.status(200).json(answer.context);
      return;
    }
    const text =
      answer.key === 'busy'
        ? 'A credential reset of this user is already in progress.'
        : answer.key === 'not.found'
          ? 'Resource not found'
          : MESSAGES[answer.key];
    send(res, crestError(answer.status, text, answer.key === 'not.found' ? undefined : { key: answer.key }));
  });
  router.post('/managed/:object/:id', (req, res, next) => {
    if (req.query._action === 'patch') return patch(req, res, next);
    if (req.query._action === 'requestCredentialReset' || req.query._action === 'executeCredentialReset') return resetAction(req, res, next);
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

  if (deps.templates) templateRoutes(router, deps.templates);

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
    send(res, serverErrorOf(err));
  });
  return router;
}
