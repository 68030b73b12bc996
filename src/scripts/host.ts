/**
 * What scripts may reach outside their realm, answered on the server's side: managed objects through
 * the identity service (so its policies, hashing and audit apply: `openidm`, `idRepository`), and
 * HTTP to the hosts the operator allows, with a timeout and a size cap (`httpClient`). Nothing else.
 */
import { isCairnError } from '../errors/cairn-error.js';
import type { IdentityService } from '../identity/identity-service.js';
import { applyPatch, parsePatch } from '../crest/patch.js';
import { parseQueryFilter } from '../crest/query-filter.js';
import type { ManagedObject } from '../identity/ports.js';

export interface HttpPolicy {
  /** URL prefixes (scheme://host[:port][/path]) a script may call. */
  allowlist: readonly string[];
  timeoutMs: number;
  maxResponseBytes: number;
}

export interface HostDeps {
  identity: IdentityService;
  /** Managed object types Cairn has (`managed/user`, …). */
  resources: () => readonly string[];
  http: HttpPolicy;
  fetch?: typeof fetch;
}

export interface HostContext {
  /** The journey's identity resource, e.g. `managed/user`. */
  identityResource: string;
  /** Milliseconds left in the execution's wall-clock budget. */
  remainingMs: () => number;
}

export type HostHandler = (op: string, args: unknown, ctx: HostContext) => Promise<string | null>;

const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));
const asArgs = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Turns an identity-service error into the message the script's exception carries. */
function scriptError(e: unknown): Error {
  if (isCairnError(e)) {
    const failed = (e.detail as { failedPolicyRequirements?: unknown } | undefined)?.failedPolicyRequirements;
    return new Error(failed ? `${e.message}: ${JSON.stringify(failed)}` : e.message);
  }
  return e instanceof Error ? e : new Error(String(e));
}

/** `https://a.example/v1` allows `https://a.example/v1/...` (same scheme, host and port; path prefix). */
export function allowedBy(allowlist: readonly string[], target: URL): boolean {
  for (const entry of allowlist) {
    let allowed: URL;
    try {
      allowed = new URL(entry);
    } catch {
      continue;
    }
    if (allowed.protocol !== target.protocol || allowed.host !== target.host) continue;
    const prefix = allowed.pathname.endsWith('/') ? allowed.pathname : `${allowed.pathname}/`;
    if (allowed.pathname === '/' || target.pathname === allowed.pathname || target.pathname.startsWith(prefix)) return true;
  }
  return false;
}

export function createScriptHost(deps: HostDeps): HostHandler {
  const { identity } = deps;
  const doFetch = deps.fetch ?? fetch;

  /** `managed/alpha_user` → `managed/user` when Cairn has no such realm-specific type. */
  const resourceOf = (name: string, fallback: string): string => {
    const known = deps.resources();
    if (known.includes(name)) return name;
    const m = /^managed\/[a-z0-9]+_(\w+)$/i.exec(name);
    if (m && known.includes(`managed/${m[1]}`)) return `managed/${m[1]}`;
    if (name === 'managed/user' || /^managed\/[a-z0-9]+_user$/i.test(name)) return fallback;
    throw new Error(`openidm: ${name} is not a managed object type Cairn has (${known.join(', ')}).`);
  };
  /** `managed/user/<id>` → [resource, id]. */
  const objectPath = (path: unknown, fallback: string, needId: boolean): [string, string | undefined] => {
    const p = String(path ?? '').replace(/^\/+/, '');
    if (!p.startsWith('managed/')) throw new Error(`openidm: only managed objects are available in Cairn, not ${p || 'an empty path'}.`);
    const parts = p.split('/');
    const resource = resourceOf(parts.slice(0, 2).join('/'), fallback);
    const id = parts.length > 2 ? decodeURIComponent(parts.slice(2).join('/')) : undefined;
    if (needId && !id) throw new Error(`openidm: ${p} names no object (managed/<type>/<id>).`);
    return [resource, id];
  };
  const project = (o: ManagedObject | undefined, fields: unknown, params: unknown): Record<string, unknown> | null => {
    if (!o) return null;
    const { passwordSet: _p, ...rest } = o;
    let list: string[] | undefined = Array.isArray(fields) ? fields.map(String) : undefined;
    if (!list && isRecord(params) && typeof params._fields === 'string') list = params._fields.split(',').map((f) => f.trim());
    if (!list || list.length === 0 || list.includes('*')) return rest;
    const out: Record<string, unknown> = { _id: rest._id, _rev: rest._rev };
    for (const f of list) {
      const top = f.split('/')[0] as string;
      out[top] = rest[top] ?? null;
    }
    return out;
  };

  /** The user an idRepository call names: by `_id`, else by userName. */
  const findIdentity = async (resource: string, ref: string): Promise<ManagedObject | undefined> =>
    (await identity.readObject(resource, ref)) ?? (await identity.findByAttribute(resource, 'userName', ref));

  const asValues = (v: unknown): string[] => {
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) return v.flatMap(asValues);
    return [typeof v === 'object' ? JSON.stringify(v) : String(v)];
  };

  async function http(args: Record<string, unknown>, ctx: HostContext): Promise<string> {
    let url: URL;
    try {
      url = new URL(String(args.url));
    } catch {
      throw new Error(`httpClient: ${String(args.url)} is not a URL.`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error(`httpClient: only http and https URLs can be called, not ${url.protocol}.`);
    if (!allowedBy(deps.http.allowlist, url)) {
      throw new Error(`httpClient: ${url.origin} is not on the operator's allow-list (CAIRN_SCRIPT_HTTP_ALLOWLIST); the request was not sent.`);
    }
    const method = String(args.method ?? 'GET').toUpperCase();
    const headers = new Headers();
    if (isRecord(args.headers)) {
      for (const [name, values] of Object.entries(args.headers)) for (const v of asValues(values)) headers.append(name, v);
    }
    const timeout = Math.max(1, Math.min(deps.http.timeoutMs, ctx.remainingMs()));
    let response: Response;
    try {
      response = await doFetch(url, {
        method,
        headers,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeout),
        ...(typeof args.body === 'string' && method !== 'GET' && method !== 'HEAD' ? { body: args.body } : {}),
      });
    } catch (e) {
      const name = (e as Error)?.name;
      throw new Error(
        name === 'TimeoutError' || name === 'AbortError'
          ? `httpClient: ${url.origin} did not answer within ${timeout} ms.`
          : `httpClient: ${url.origin} could not be reached.`,
        { cause: e },
      );
    }
    const body = await readCapped(response, deps.http.maxResponseBytes, url.origin);
    const out: Record<string, string[]> = {};
    response.headers.forEach((v, k) => (out[k] ??= []).push(v));
    return JSON.stringify({ status: response.status, statusText: response.statusText, headers: out, body, url: url.href });
  }

  return async (op, args, ctx) => {
    const a = asArgs(args);
    try {
      switch (op) {
        case 'identity.get': {
          const ref = String((args as { id?: unknown })?.id ?? '');
          const o = ref ? await findIdentity(ctx.identityResource, ref) : undefined;
          if (!o) return null;
          const attributes: Record<string, string[]> = {};
          for (const [k, v] of Object.entries(o)) if (k !== 'passwordSet' && k !== '_rev') attributes[k] = asValues(v);
          attributes.uid = asValues(o.userName);
          attributes['fr-idm-uuid'] = [o._id];
          attributes.inetUserStatus = [o.accountStatus === 'inactive' ? 'Inactive' : 'Active'];
          return json({ id: o._id, name: typeof o.userName === 'string' ? o.userName : o._id, active: o.accountStatus !== 'inactive', attributes });
        }
        case 'identity.set': {
          const { id, attributes } = (args ?? {}) as { id?: unknown; attributes?: unknown };
          if (typeof id !== 'string' || !isRecord(attributes)) throw new Error('idRepository: nothing to store.');
          const changes: Record<string, unknown> = {};
          const existing = await identity.readObject(ctx.identityResource, id);
          if (!existing) throw new Error(`idRepository: no identity ${id}.`);
          for (const [name, raw] of Object.entries(attributes)) {
            const values = asValues(raw);
            const field = name === 'uid' ? 'userName' : name === 'inetUserStatus' ? 'accountStatus' : name;
            if (field === '_id' || field === 'fr-idm-uuid') continue;
            const cur = existing[field];
            changes[field] =
              field === 'accountStatus'
                ? (values[0] ?? 'active').toLowerCase()
                : Array.isArray(cur)
                  ? values
                  : typeof cur === 'number'
                    ? Number(values[0])
                    : typeof cur === 'boolean'
                      ? values[0] === 'true'
                      : values.length > 1
                        ? values
                        : (values[0] ?? null);
          }
          const r = await identity.update(ctx.identityResource, id, changes);
          if ('message' in r && !('_id' in r)) throw new Error(`idRepository: ${r.message}`);
          return null;
        }
        case 'openidm.read': {
          const [resource, id] = objectPath(a[0], ctx.identityResource, true);
          return json(project(await identity.readObject(resource, id!), a[2], a[1]));
        }
        case 'openidm.query': {
          const [resource] = objectPath(a[0], ctx.identityResource, false);
          const params = isRecord(a[1]) ? a[1] : {};
          const filterText = typeof params._queryFilter === 'string' ? params._queryFilter : params._queryId === 'query-all-ids' ? 'true' : undefined;
          if (filterText === undefined) throw new Error('openidm.query: give a _queryFilter.');
          const page = await identity.queryObjects(resource, parseQueryFilter(filterText), {
            ...(params._pageSize !== undefined ? { pageSize: Number(params._pageSize) } : {}),
            ...(typeof params._pagedResultsCookie === 'string' ? { pagedResultsCookie: params._pagedResultsCookie } : {}),
            ...(typeof params._sortKeys === 'string' ? { sortKeys: params._sortKeys.split(',') } : {}),
          });
          const result = page.result.map((o) => project(o, a[2], params));
          return json({
            result,
            resultCount: result.length,
            pagedResultsCookie: page.pagedResultsCookie,
            totalPagedResultsPolicy: 'NONE',
            totalPagedResults: -1,
            remainingPagedResults: -1,
          });
        }
        case 'openidm.create': {
          const [resource] = objectPath(a[0], ctx.identityResource, false);
          if (!isRecord(a[2])) throw new Error('openidm.create: the content must be an object.');
          const content = { ...a[2], ...(typeof a[1] === 'string' && a[1] ? { _id: a[1] } : {}) };
          return json(project(await identity.createObject(resource, content), a[4], a[3]));
        }
        case 'openidm.update': {
          const [resource, id] = objectPath(a[0], ctx.identityResource, true);
          if (!isRecord(a[2])) throw new Error('openidm.update: the value must be an object.');
          return json(project(await identity.replaceObject(resource, id!, a[2], typeof a[1] === 'string' ? a[1] : undefined), a[4], a[3]));
        }
        case 'openidm.patch': {
          const [resource, id] = objectPath(a[0], ctx.identityResource, true);
          const existing = await identity.readObject(resource, id!);
          if (!existing) throw new Error(`openidm.patch: ${String(a[0])} does not exist.`);
          const { passwordSet: _p, ...current } = existing;
          const next = applyPatch(current, parsePatch(a[2]));
          return json(project(await identity.replaceObject(resource, id!, next, typeof a[1] === 'string' ? a[1] : existing._rev), a[4], a[3]));
        }
        case 'openidm.delete': {
          const [resource, id] = objectPath(a[0], ctx.identityResource, true);
          return json(project(await identity.deleteObject(resource, id!, typeof a[1] === 'string' ? a[1] : undefined), undefined, a[2]));
        }
        case 'http':
          return await http(isRecord(args) ? args : {}, ctx);
        default:
          throw new Error(`The binding call ${op} is not available in Cairn.`);
      }
    } catch (e) {
      throw scriptError(e);
    }
  };
}

async function readCapped(response: Response, max: number, origin: string): Promise<string> {
  if (!response.body) return '';
  // fetch's body is a stream of bytes, though its type leaves the chunk type open.
  const reader: ReadableStreamDefaultReader<unknown> = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!(value instanceof Uint8Array)) throw new Error(`httpClient: the answer of ${origin} is not a byte stream.`);
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`httpClient: the answer of ${origin} is larger than ${max} bytes.`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
