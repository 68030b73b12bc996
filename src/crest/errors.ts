/**
 * CREST's error body `{code, reason, message, detail?}` and the one function that writes it. Every
 * CREST answer uses them: the IDM admin API, AM's JSON API (src/am/wire.ts adds AM's own mapping of
 * thrown errors), and the server's own answers (CSRF and CORS refusals, unknown paths, metrics, the
 * last-resort handler). `reason` is the HTTP reason phrase of `code`; `message` is for people.
 */
import type { Response } from 'express';
import { isUnavailable } from '../errors/cairn-error.js';

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

export const reasonOf = (status: number): string => REASONS[status] ?? 'Error';

export interface CrestErrorBody {
  code: number;
  reason: string;
  message: string;
  detail?: Record<string, unknown>;
}

/** The body for `status`, e.g. `crestError(404, 'Not Found')` → `{code: 404, reason: 'Not Found', message: 'Not Found'}`. */
export function crestError(status: number, message: string, detail?: Record<string, unknown>): CrestErrorBody {
  return { code: status, reason: reasonOf(status), message, ...(detail ? { detail } : {}) };
}

/** The generic 500: what the wire shows for anything internal (its cause stays in the logs). */
export const internalError = (): CrestErrorBody => crestError(500, 'Internal Server Error');

/**
 * The body for an error that is not shown: the generic 503 when a dependency (the store) cannot serve
 * now — the client may retry, nothing advanced — and the generic 500 for anything else.
 */
export const serverErrorOf = (error: unknown): CrestErrorBody => (isUnavailable(error) ? crestError(503, 'Service Unavailable') : internalError());

/** Writes the body with its `code` as the HTTP status. */
export function sendCrestError(res: Response, body: CrestErrorBody): void {
  res.status(body.code).json(body);
}
