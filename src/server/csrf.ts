/**
 * CSRF defence for state-changing requests: a browser form cannot send `Content-Type:
 * application/json` nor custom headers without a CORS preflight, so a POST/PUT/PATCH/DELETE must
 * carry one of them (AM's `X-Requested-With` / `Accept-API-Version`) or it is refused.
 */
import type { RequestHandler } from 'express';
import { crestError, sendCrestError } from '../crest/errors.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function requireNonSimpleRequest(): RequestHandler {
  return (req, res, next) => {
    if (SAFE.has(req.method)) return next();
    const type = (req.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (type === 'application/json' || req.get('x-requested-with') || req.get('accept-api-version')) return next();
    sendCrestError(
      res,
      crestError(403, 'State-changing requests must be sent as application/json (or with X-Requested-With or Accept-API-Version).'),
    );
  };
}
