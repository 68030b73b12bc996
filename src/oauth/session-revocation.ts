/**
 * Ending a session revokes what was issued in it: Cairn's SessionService wrapped so that
 * `sessions?_action=logout`, endSession and the provider's own session end also delete the grants
 * (and so every access token, refresh token and code) recorded for that session, and a password
 * reset (`revokeAll`) revokes every grant of the account — offline ones included.
 */
import { isSessionToken, sessionKey, type SessionService } from '../sessions/session-service.js';
import type { SessionStore } from '../stores/types.js';
import type { SessionBridge } from './session-adapter.js';
import type { OidcStorage } from './store-adapter.js';

export interface RevokingSessions extends SessionService {
  /** Ends the session with this store key (e.g. named by an access token) and revokes its grants. */
  endByKey(key: string): Promise<boolean>;
}

export function withTokenRevocation(
  sessions: SessionService,
  deps: { bridge: SessionBridge; storage: OidcStorage; store: Pick<SessionStore, 'delete'> },
): RevokingSessions {
  const { bridge, storage, store } = deps;
  const revokeSessionGrants = async (key: string): Promise<void> => {
    const grants = await bridge.grantsOf(key);
    await Promise.all(grants.map((g) => storage.revokeGrant(g)));
    await bridge.forget(key);
  };
  return {
    ...sessions,
    async logout(tokenId) {
      if (isSessionToken(tokenId)) await revokeSessionGrants(sessionKey(tokenId));
      return sessions.logout(tokenId);
    },
    async revokeAll(subject) {
      const ended = await sessions.revokeAll(subject);
      await storage.revokeAccount(subject);
      return ended;
    },
    async endByKey(key) {
      await revokeSessionGrants(key);
      return store.delete(key);
    },
  };
}
