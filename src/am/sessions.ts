/**
 * AM's sessions endpoint: `POST {base}/json/realms/root/sessions?_action=validate|logout|getSessionInfo`.
 * The token travels as the session cookie, as a header of the same name, or (validate only) as
 * `tokenId` in the body.
 */
import type { RequestHandler } from 'express';
import type { Settings } from '../config/settings.js';
import type { SessionService } from '../sessions/session-service.js';
import { clearedSessionCookie, readSessionToken } from './cookies.js';
import { amError, sendAmError, toAmError } from './wire.js';

export function sessionsHandler(deps: { settings: Readonly<Settings>; sessions: SessionService }): RequestHandler {
  const { settings, sessions } = deps;
  return async (req, res) => {
    const action = typeof req.query._action === 'string' ? req.query._action : undefined;
    const bodyToken =
      typeof (req.body as { tokenId?: unknown } | undefined)?.tokenId === 'string' ? (req.body as { tokenId: string }).tokenId : undefined;
    const token = readSessionToken(req, settings.cookieName);
    try {
      switch (action) {
        case 'validate': {
          const s = await sessions.validate(bodyToken ?? token);
          res.json(s ? { valid: true, sessionUid: s.userId ?? s.uid, uid: s.uid, realm: s.realm } : { valid: false });
          return;
        }
        case 'logout': {
          if (!(await sessions.logout(bodyToken ?? token))) {
            sendAmError(res, amError(401, 'Access Denied'));
            return;
          }
          res.setHeader('Set-Cookie', clearedSessionCookie(settings));
          res.json({ result: 'Successfully logged out' });
          return;
        }
        case 'getSessionInfo': {
          const s = await sessions.validate(bodyToken ?? token);
          if (!s) {
            sendAmError(res, amError(401, 'Access Denied'));
            return;
          }
          res.json({
            username: s.uid,
            universalId: s.userId ?? s.uid,
            realm: s.realm,
            latestAccessTime: new Date(s.lastAccessAt).toISOString(),
            maxIdleExpirationTime: new Date(s.idleExpiresAt).toISOString(),
            maxSessionExpirationTime: new Date(s.maxExpiresAt).toISOString(),
            properties: { AMCtxId: '', journey: s.journey },
          });
          return;
        }
        default:
          sendAmError(
            res,
            amError(400, `Action ${action === undefined ? '(none)' : JSON.stringify(action)} not supported; use validate, logout or getSessionInfo.`),
          );
      }
    } catch (e) {
      sendAmError(res, toAmError(e));
    }
  };
}
