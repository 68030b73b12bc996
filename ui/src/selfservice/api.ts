/**
 * The self-service requests of the hosted pages, as PingIDM's End User UI makes them: under `/openidm`,
 * with the anonymous headers, JSON bodies. Every answer becomes a StageAnswer or an error message (the
 * CREST body's `message`, or a network failure), never an exception.
 */
import { isRecord } from '../core/types.js';
import type { StageAnswer } from './form.js';

export type ApiResult = { ok: true; answer: StageAnswer } | { ok: false; status: number; message: string | undefined };

export interface SelfServiceApi {
  start(process: string): Promise<ApiResult>;
  submit(process: string, token: string | undefined, input: Record<string, unknown>): Promise<ApiResult>;
  /** `GET /openidm/policy/selfservice/{process}`; undefined when it fails. */
  policies(process: string): Promise<Record<string, unknown> | undefined>;
  /** `POST …/?_action=validateObject`; undefined when it fails. */
  validate(process: string, object: Record<string, unknown>): Promise<Record<string, unknown> | undefined>;
}

const HEADERS: Readonly<Record<string, string>> = {
  'X-OpenIDM-Username': 'anonymous',
  'X-OpenIDM-Password': 'anonymous',
  'X-OpenIDM-NoSession': 'true',
  Accept: 'application/json',
};

export function createSelfServiceApi(fetchFn: (url: string, init: RequestInit) => Promise<Response>, base = '/openidm'): SelfServiceApi {
  const call = async (path: string, body?: unknown): Promise<{ status: number; json: unknown } | undefined> => {
    try {
      const res = await fetchFn(`${base}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: body === undefined ? HEADERS : { ...HEADERS, 'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
        credentials: 'same-origin',
        cache: 'no-store',
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, json: await res.json().catch(() => undefined) };
    } catch {
      return undefined;
    }
  };
  const result = (r: { status: number; json: unknown } | undefined): ApiResult => {
    if (!r) return { ok: false, status: 0, message: undefined };
    if (r.status === 200 && isRecord(r.json) && typeof r.json.type === 'string') return { ok: true, answer: r.json as unknown as StageAnswer };
    return { ok: false, status: r.status, message: isRecord(r.json) && typeof r.json.message === 'string' ? r.json.message : undefined };
  };
  const record = (r: { status: number; json: unknown } | undefined): Record<string, unknown> | undefined =>
    r && r.status === 200 && isRecord(r.json) ? r.json : undefined;
  const enc = encodeURIComponent;
  return {
    start: async (process) => result(await call(`/selfservice/${enc(process)}`)),
    submit: async (process, token, input) =>
      result(await call(`/selfservice/${enc(process)}?_action=submitRequirements`, token === undefined ? { input } : { token, input })),
    policies: async (process) => record(await call(`/policy/selfservice/${enc(process)}`)),
    validate: async (process, object) => record(await call(`/policy/selfservice/${enc(process)}/?_action=validateObject`, object)),
  };
}
