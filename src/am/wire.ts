/**
 * AM's JSON answers, exactly (reference §1.7): steps, success, failure and the CREST error body
 * `{code, reason, message, detail?}` (built and written by src/crest/errors.ts). `toAmError` is AM's
 * mapping of thrown errors: a CairnError that may be exposed keeps its status and message (a changed
 * journey or a refused authId answers AM's timeout); a store that cannot serve is a generic 503 (the
 * client may retry); anything else is a generic 500.
 */
import type { Response } from 'express';
import type { Callback } from '../callbacks/types.js';
import { crestError, sendCrestError, serverErrorOf, type CrestErrorBody } from '../crest/errors.js';
import { isCairnError } from '../errors/cairn-error.js';
import { sessionTimedOutBody } from './authid.js';

/** AM answers errors in CREST's shape: the body and its writer are CREST's (src/crest/errors.ts). */
export type AmErrorBody = CrestErrorBody;
export const amError = crestError;
export const sendAmError = sendCrestError;

/**
 * What `res.status(status).json(body)` writes for the authenticate endpoint's answers (POSTs, with no
 * Content-Type set yet), without express's general work: parsing and re-writing the Content-Type,
 * the ETag and freshness checks (ETags are off, and a POST is never fresh), the copy of the JSON into
 * a Buffer. The same status, headers, in the same order, and bytes.
 */
export function sendJson(res: Response, status: number, body: unknown): void {
  if (res.req.method !== 'POST' || res.getHeader('Content-Type') !== undefined) {
    res.status(status).json(body);
    return;
  }
  const json = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', String(Buffer.byteLength(json)));
  res.end(json);
}

/** Maps any thrown value to the AM error body; internal errors never show their message. */
export function toAmError(error: unknown): AmErrorBody {
  if (isCairnError(error) && error.expose) {
    if (error.code === 'journey.changed' || error.code === 'authid.invalid') return sessionTimedOutBody();
    const detail = error.detail && error.status !== 400 ? error.detail : undefined;
    return amError(error.status, error.message, error.code === 'journey.not_found' ? undefined : detail);
  }
  return serverErrorOf(error);
}

export interface StepBody {
  authId: string;
  callbacks: Callback[];
  header?: string;
  description?: string;
  stage?: string;
}

export interface SuccessBody {
  tokenId?: string;
  successUrl: string;
  realm: string;
}

export function failureBody(message: string, failureUrl: string): AmErrorBody {
  return amError(401, message, { failureUrl });
}
