/**
 * A realm's view of the sessions: it creates sessions of its realm only, and a session of another
 * realm is, for it, no session at all (not valid, not ended by its logout, not its user). AM's rule:
 * a session token is bound to the realm it was authenticated in.
 */
import type { SessionService } from '../sessions/session-service.js';

export function realmSessions(sessions: SessionService, realm: string): SessionService {
  const validate: SessionService['validate'] = async (tokenId) => {
    const s = await sessions.validate(tokenId);
    return s && s.realm === realm ? s : undefined;
  };
  return {
    create: (subject) => sessions.create({ ...subject, realm }),
    validate,
    logout: async (tokenId) => ((await validate(tokenId)) ? sessions.logout(tokenId) : false),
    revokeAll: (subject) => sessions.revokeAll(subject),
  };
}
