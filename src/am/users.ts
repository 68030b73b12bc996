/**
 * AM's `POST {base}/json/realms/root/users?_action=idFromSession`: who the session (cookie, or the
 * header of the same name) belongs to, in AM's shape. The SDK's sample apps and AM's own UI call it
 * to find the signed-in user; `id` is the managed object's `_id` (as PingOne AIC answers), falling
 * back to the user name for a session that has none.
 *
 * And `GET {base}/json/realms/root/users/<id or name>`: the session's own profile in AM's shape (every
 * attribute a list: `givenName: ["Barbara"]`), which the hosted success page reads to greet the person
 * by name. Only the session's own user can be read (no session: 401; anyone else: 403, as AM answers
 * a user reading another); the password and other attributes never leave.
 */
import type { RequestHandler } from 'express';
import type { Settings } from '../config/settings.js';
import type { ManagedObject } from '../identity/ports.js';
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

/** What the profile read needs of the identity service. */
export interface ProfilePort {
  read(resource: string, id: string): Promise<ManagedObject | undefined>;
}

/** The profile attributes shown, in AM's names (the identity's own names where they agree). */
const PROFILE_ATTRIBUTES = ['givenName', 'sn', 'mail'] as const;

/** `GET users/<id or name>`: the session's own profile. */
export function readUserHandler(deps: {
  settings: Readonly<Settings>;
  sessions: SessionService;
  /** The realm's users (`managed/user` for root). */
  resource: string;
  profiles?: ProfilePort;
}): RequestHandler {
  return async (req, res) => {
    try {
      const session = await deps.sessions.validate(readSessionToken(req, deps.settings.cookieName));
      if (!session) {
        sendAmError(res, amError(401, 'Access Denied'));
        return;
      }
      const name = String(req.params.name ?? '');
      if (name !== session.uid && name !== session.userId) {
        sendAmError(res, amError(403, 'Forbidden'));
        return;
      }
      const user = session.userId && deps.profiles ? await deps.profiles.read(deps.resource, session.userId) : undefined;
      const profile: Record<string, unknown> = { username: session.uid, realm: session.realm, uid: [session.uid] };
      for (const attribute of PROFILE_ATTRIBUTES) {
        const value = user?.[attribute];
        if (typeof value === 'string' && value !== '') profile[attribute] = [value];
      }
      const cn = [user?.givenName, user?.sn].filter((v): v is string => typeof v === 'string' && v !== '').join(' ');
      profile.cn = [cn || session.uid];
      res.json(profile);
    } catch {
      sendAmError(res, amError(500, 'Internal Server Error'));
    }
  };
}
