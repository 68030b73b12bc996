/**
 * AM's JSON answers, exactly (reference §1.7): steps, success, failure and the CREST error body
 * `{code, reason, message, detail?}`. The only place that writes an error on the AM wire: a
 * CairnError that may be exposed keeps its status and message; anything else is a generic 500.
 */
import type { Response } from 'express';
import type { Callback } from '../callbacks/types.js';
import { isCairnError } from '../errors/cairn-error.js';
import { sessionTimedOutBody } from './authid.js';

const REASONS: Record<number, string> = {
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
  503: 'Service Unavailable',
};

export const reasonOf = (status: number): string => REASONS[status] ?? 'Error';

export interface AmErrorBody {
  code: number;
  reason: string;
  message: string;
  detail?: Record<string, unknown>;
}

export function amError(status: number, message: string, detail?: Record<string, unknown>): AmErrorBody {
  return { code: status, reason: reasonOf(status), message, ...(detail ? { detail } : {}) };
}

/** Writes a CREST error body with AM's headers. */
export function sendAmError(res: Response, body: AmErrorBody): void {
  res.status(body.code).json(body);
}

/** Maps any thrown value to the AM error body; internal errors never show their message. */
export function toAmError(error: unknown): AmErrorBody {
  if (isCairnError(error) && error.expose) {
    if (error.code === 'journey.changed' || error.code === 'authid.invalid') return sessionTimedOutBody();
    const detail = error.detail && error.status !== 400 ? error.detail : undefined;
    return amError(error.status, error.message, error.code === 'journey.not_found' ? undefined : detail);
  }
  return amError(500, 'Internal Server Error');
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
