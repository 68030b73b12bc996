/**
 * AM's OAuth 2.0 / OIDC endpoints under `{base}/oauth2`, in the realm-less form (`/am/oauth2/authorize`)
 * and the realm form (`/am/oauth2/realms/root/authorize`; `/realms/root/realms/alpha/…` is realm
 * alpha's provider, with its own issuer, session cookie and people). Per request, in order:
 * credentialed CORS for the configured origins → realm from the path → the request presented to the
 * provider as reaching CAIRN_PUBLIC_URL (never the Host header) → the session token header as a
 * cookie (AM accepts both) → Cairn's own endpoints (resume, endSession) → oidc-provider, whose
 * cookies get the session cookie's Secure rule.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Provider } from 'oidc-provider';
import type { Settings } from '../config/settings.js';
import { cookieAttributes } from '../am/cookies.js';
import { cors } from '../server/cors.js';
import { isSessionToken } from '../sessions/session-service.js';
import { endSession } from './end-session.js';
import { sendOAuthError } from './oauth-error.js';
import { isOAuthUnavailable } from './provider.js';
import { resumeAuthorize } from './resume.js';
import { ROOT_REALM, type OAuth } from './service.js';

const REALM_PREFIX = /^\/realms\/root((?:\/realms\/[A-Za-z0-9_-]{1,64})*)(?=\/|$)/;

interface Located {
  realm: string;
  /** The path the realm's endpoints hang off, as the client addressed them (`/am/oauth2/realms/root`). */
  mount: string;
}

const callbacks = new WeakMap<Provider, ReturnType<Provider['callback']>>();

/**
 * Adds Secure to the provider's cookies when the session cookie has it (SameSite=None, or Partitioned,
 * on a loopback http URL, which browsers accept): rewritten when the headers are written, because the
 * provider's cookie library sets them through the prototype's setHeader.
 */
function secureCookies(res: Response): void {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => Response;
  res.writeHead = ((...args: unknown[]) => {
    const value = res.getHeader('set-cookie');
    if (value !== undefined) {
      const list = Array.isArray(value) ? value.map(String) : [String(value)];
      res.setHeader(
        'set-cookie',
        list.map((c) => (/;\s*secure(;|$)/i.test(c) ? c : `${c}; secure`)),
      );
    }
    return writeHead(...args);
  }) as Response['writeHead'];
}

export function oauthRouter(deps: { oauth: OAuth; settings: Readonly<Settings>; onError?: (error: unknown, req: Request) => void }): Router {
  const { oauth, settings } = deps;
  const publicUrl = new URL(settings.publicUrl);
  const secure = cookieAttributes(settings).secure;
  const router = express.Router();

  router.use(cors(settings.corsOrigins, settings.cookieName));
  router.use((req, res, next) => {
    const m = REALM_PREFIX.exec(req.path);
    const located: Located = { realm: m ? m[1]!.replace(/\/realms\//g, '/') || ROOT_REALM : ROOT_REALM, mount: `${req.baseUrl}${m?.[0] ?? ''}` };
    if (m) req.url = req.url.slice(m[0].length) || '/';
    res.locals.oauth = located;
    req.headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
    req.headers['x-forwarded-host'] = publicUrl.host;
    // The realm's session cookie (its own name), also accepted as a header of that name.
    const cookieName = oauth.realm(located.realm)?.settings.cookieName ?? settings.cookieName;
    const headerToken = req.headers[cookieName.toLowerCase()];
    if (typeof headerToken === 'string' && isSessionToken(headerToken.trim()) && !(req.headers.cookie ?? '').includes(`${cookieName}=`)) {
      req.headers.cookie = [req.headers.cookie, `${cookieName}=${headerToken.trim()}`].filter(Boolean).join('; ');
    }
    next();
  });

  const withProvider =
    (handle: (req: Request, res: Response, provider: Provider, at: Located) => Promise<void>) =>
    async (req: Request, res: Response): Promise<void> => {
      const at = res.locals.oauth as Located;
      try {
        const provider = await oauth.provider(at.realm);
        if (!provider) {
          sendOAuthError(res, 404, 'invalid_request', `Invalid realm, ${at.realm}`);
          return;
        }
        await handle(req, res, provider, at);
      } catch (error) {
        deps.onError?.(error, req);
        if (res.headersSent) return;
        // A store that cannot serve now: OAuth's own word for it (RFC 6749 §4.1.2.1), retryable.
        if (isOAuthUnavailable(error)) sendOAuthError(res, 503, 'temporarily_unavailable', 'The server cannot answer this request now; try again.');
        else sendOAuthError(res, 500, 'server_error', 'The server could not answer this request.');
      }
    };

  router.get(
    '/authorize/:uid',
    withProvider((req, res, provider, at) => {
      const realm = oauth.realm(at.realm);
      return resumeAuthorize(req, res, {
        provider,
        settings: realm?.settings ?? settings,
        sessions: realm?.sessions ?? oauth.sessions,
        mount: at.mount,
      });
    }),
  );
  router.all(
    '/connect/endSession',
    withProvider(async (req, res, provider, at) => {
      if (req.method !== 'GET' && req.method !== 'POST') {
        sendOAuthError(res, 405, 'invalid_request', 'Use GET or POST.');
        return;
      }
      const realm = oauth.realm(at.realm);
      await endSession(req, res, {
        provider,
        settings: realm?.settings ?? settings,
        sessions: realm?.sessions ?? oauth.sessions,
        sessionOfSid: oauth.sessionOfSid,
      });
    }),
  );
  router.use(
    withProvider(async (req, res, provider) => {
      let callback = callbacks.get(provider);
      if (!callback) callbacks.set(provider, (callback = provider.callback()));
      if (secure) secureCookies(res);
      await callback(req, res);
    }),
  );
  return router;
}
