/**
 * CORS for configured origins only: credentials allowed, the explicit origin echoed (never `*`),
 * and the headers the ForgeRock SDKs send (Authorization for userinfo and endSession) allowed in preflights. A preflight from any other origin
 * is refused with 403 and no CORS headers.
 */
import type { RequestHandler } from 'express';
import { crestError, sendCrestError } from '../crest/errors.js';

const ALLOWED_HEADERS = 'accept-api-version, authorization, content-type, x-requested-with, x-requested-platform, accept, accept-language';

export function cors(origins: readonly string[], sessionHeader: string): RequestHandler {
  const allowed = new Set(origins.map((o) => o.replace(/\/$/, '')));
  return (req, res, next) => {
    const origin = req.get('origin');
    res.vary('Origin');
    const ok = origin !== undefined && allowed.has(origin);
    if (ok) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Expose-Headers', 'Content-API-Version');
    }
    if (req.method === 'OPTIONS' && req.get('access-control-request-method')) {
      if (!ok) {
        sendCrestError(res, crestError(403, 'Origin not allowed'));
        return;
      }
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', `${ALLOWED_HEADERS}, ${sessionHeader.toLowerCase()}`);
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}
