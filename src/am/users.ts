/**
 * AM's `POST {base}/json/realms/root/users?_action=idFromSession`: who the session (cookie, or the
 * header of the same name) belongs to, in AM's shape. The SDK's sample apps and AM's own UI call it
 * to find the signed-in user; `id` is the managed object's `_id` (as PingOne AIC answers), falling
 * back to the user name for a session that has none.
 */
import type { RequestHandler } from 'express';
import type { Settings } from '../config/settings.js';
import type { SessionService } from '../sessions/session-service.js';
import { readSessionToken } from './cookies.js';
import { amError, sendAmError } from './wire.js';

export function usersHandler(deps: { settings: Readonly<Settings>; sessions: SessionService }): RequestHandler {
  const { settings, sessions } = deps;
  return async (req, res) => {
    const action = typeof req.query._action === 'string' ? req.query._action : undefined;
    if (action !== 'idFromSession') {
      sendAmError(res, amError(400, `Action ${action === undefined ? '(none)' : JSON.stringify(action)} not supported; use idFromSession.`));
      return;
    }
    try {
      const s = await sessions.validate(readSessionToken(req, settings.cookieName));
      if (!s) {
        sendAmError(res, amError(401, 'Access Denied'));
        return;
      }
      const base = settings.amBasePath;
      res.json({
        id: s.userId ?? s.uid,
        realm: s.realm,
        dn: `id=${s.uid},ou=user,o=root,ou=services,dc=cairn`,
        successURL: settings.successUrl,
        fullLoginURL: `${base}/UI/Login?realm=${encodeURIComponent(s.realm)}`,
      });
    } catch {
      sendAmError(res, amError(500, 'Internal Server Error'));
    }
  };
}
