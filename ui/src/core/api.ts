/**
 * The authenticate API client: one POST per step with AM's headers, and the answer classified into
 * what the pages act on — a step, a success, or a failure a person can understand (wrong details,
 * timed-out journey, used/expired e-mail link, unknown journey, server error, server unreachable).
 * `fetch` is injected so the same code runs in the browser and in Node tests.
 */
import { isRecord, type ErrorBody, type Step, type SuccessBody } from './types.js';

export interface FetchResponseLike {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; credentials?: 'same-origin'; signal?: AbortSignal; cache?: 'no-store' },
) => Promise<FetchResponseLike>;

export type FailureReason = 'failed' | 'timeout' | 'link-expired' | 'unknown-journey' | 'server' | 'unreachable';

export type ApiOutcome =
  | { kind: 'step'; step: Step }
  | { kind: 'success'; successUrl: string; realm?: string }
  | { kind: 'failure'; reason: FailureReason; status: number; message: string };

export const AM_HEADERS: Readonly<Record<string, string>> = {
  Accept: 'application/json',
  'Accept-API-Version': 'protocol=1.0,resource=2.1',
  'Content-Type': 'application/json',
  'X-Requested-With': 'forgerock-sdk',
};

/** AM's error code for a journey whose authentication session timed out (protocol §1.7). */
export const TIMED_OUT_ERROR_CODE = '110';

function isStep(body: unknown): body is Step {
  return (
    isRecord(body) &&
    typeof body.authId === 'string' &&
    Array.isArray(body.callbacks) &&
    body.callbacks.every((cb) => isRecord(cb) && typeof cb.type === 'string')
  );
}

/**
 * Classifies an answer. `resumed` says the request carried a `suspendedId`: a 401 then means the
 * e-mailed link was already used or has expired (AM answers a plain 401, protocol §3.5).
 */
export function classify(status: number, body: unknown, resumed: boolean): ApiOutcome {
  if (isStep(body)) return { kind: 'step', step: body };
  const error: ErrorBody = isRecord(body) ? body : {};
  const message = typeof error.message === 'string' ? error.message.slice(0, 500) : '';
  if (status >= 200 && status < 300) {
    if (!isRecord(body)) return { kind: 'failure', reason: 'server', status, message: '' };
    const success = body as SuccessBody;
    return {
      kind: 'success',
      successUrl: typeof success.successUrl === 'string' ? success.successUrl : '',
      ...(typeof success.realm === 'string' ? { realm: success.realm } : {}),
    };
  }
  if (status === 401) {
    const code = isRecord(error.detail) ? error.detail.errorCode : undefined;
    if (code === TIMED_OUT_ERROR_CODE || code === Number(TIMED_OUT_ERROR_CODE)) return { kind: 'failure', reason: 'timeout', status, message };
    if (resumed) return { kind: 'failure', reason: 'link-expired', status, message };
    return { kind: 'failure', reason: 'failed', status, message };
  }
  if (status === 400 && /no configuration found/i.test(message)) return { kind: 'failure', reason: 'unknown-journey', status, message };
  return { kind: 'failure', reason: 'server', status, message };
}

export interface ApiClientOptions {
  fetch: FetchLike;
  /** Give up on an answer after this long (then "cannot reach the server"); default 30 s. */
  timeoutMs?: number;
}

export interface ApiClient {
  /** POST `body` (undefined to start or resume) to `url`; `resumed` when the URL carries a suspendedId. */
  send(url: string, body: Step | undefined, resumed: boolean): Promise<ApiOutcome>;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return {
    async send(url, body, resumed) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      try {
        const init: Parameters<FetchLike>[1] = {
          method: 'POST',
          headers: { ...AM_HEADERS },
          credentials: 'same-origin',
          cache: 'no-store',
          signal: controller.signal,
        };
        if (body !== undefined) init.body = JSON.stringify(body);
        const response = await options.fetch(url, init);
        const text = await response.text();
        let parsed: unknown;
        try {
          parsed = (response.headers.get('content-type') ?? '').includes('json') && text !== '' ? JSON.parse(text) : undefined;
        } catch {
          parsed = undefined;
        }
        return classify(response.status, parsed, resumed);
      } catch {
        return { kind: 'failure', reason: 'unreachable', status: 0, message: '' };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
