/**
 * One session: oidc-provider's Session model is a view of Cairn's journey session, never a second
 * one. The provider's session cookie *is* Cairn's session cookie (same name), so `find(tokenId)`
 * validates the Cairn session and answers with its account, login time and journey (`acr`); what
 * the provider adds (per-client `sid` and grant ids) is kept beside it in the key/value store under
 * the session's store key, expiring with the session. The provider's session `uid` is that store key
 * (a hash, never the token), so tokens bound to the session (`expiresWithSession`) stop working the
 * moment the Cairn session ends, whoever ended it (logout, endSession, password reset, expiry).
 */
import { createHash } from 'node:crypto';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { isSessionToken, sessionKey, type SessionService } from '../sessions/session-service.js';
import type { KeyValueStore, SessionStore, StoredSession } from '../stores/types.js';

interface SessionExtension {
  authorizations?: Record<string, { sid?: string; grantId?: string }>;
  state?: unknown;
}

const extensionKey = (key: string): string => `oidc:session:${key}`;
const sidKey = (sid: string): string => `oidc:sid:${createHash('sha256').update(sid).digest('base64url')}`;
const seconds = (ms: number): number => Math.floor(ms / 1000);

export interface SessionBridge {
  /** The adapter oidc-provider uses for its Session model. */
  adapter: Adapter;
  /** The grant ids the provider recorded for a session (its store key). */
  grantsOf(key: string): Promise<string[]>;
  /** Forgets what the provider recorded for a session. */
  forget(key: string): Promise<void>;
  /** The store key of the session an ID token's `sid` names, while it lives. */
  sessionOfSid(sid: string): Promise<string | undefined>;
}

export interface SessionBridgeOptions {
  sessions: Pick<SessionService, 'validate' | 'logout'>;
  store: Pick<SessionStore, 'get'>;
  kv: KeyValueStore;
  /** Ends a session and revokes what was issued in it (called when the provider destroys a session). */
  end(tokenId: string): Promise<void>;
}

function payloadOf(key: string, jti: string | undefined, s: StoredSession, ext: SessionExtension | undefined): AdapterPayload {
  const d = s.data as { uid?: string; userId?: string; journey?: string };
  return {
    ...(jti ? { jti } : {}),
    kind: 'Session',
    uid: key,
    accountId: d.userId ?? d.uid ?? '',
    loginTs: seconds(s.createdAt),
    ...(d.journey ? { acr: d.journey } : {}),
    iat: seconds(s.createdAt),
    exp: seconds(s.maxExpiresAt),
    ...(ext?.authorizations ? { authorizations: ext.authorizations } : {}),
    ...(ext?.state !== undefined ? { state: ext.state } : {}),
  } as AdapterPayload;
}

export function createSessionBridge(options: SessionBridgeOptions): SessionBridge {
  const { sessions, store, kv } = options;
  const extension = async (key: string): Promise<SessionExtension | undefined> => (await kv.get<SessionExtension>(extensionKey(key)))?.value;

  const adapter: Adapter = {
    async find(tokenId) {
      if (!isSessionToken(tokenId)) return undefined;
      if (!(await sessions.validate(tokenId))) return undefined;
      const key = sessionKey(tokenId);
      const stored = await store.get(key);
      return stored ? payloadOf(key, tokenId, stored, await extension(key)) : undefined;
    },
    async findByUid(key) {
      if (typeof key !== 'string' || key.length > 64) return undefined;
      const stored = await store.get(key);
      return stored ? payloadOf(key, undefined, stored, await extension(key)) : undefined;
    },
    async upsert(tokenId, payload) {
      // Only what the provider adds is written, and only for a live Cairn session: the provider
      // cannot create a session of its own (logins happen in journeys).
      if (!isSessionToken(tokenId)) return;
      const key = sessionKey(tokenId);
      const stored = await store.get(key);
      if (!stored) return;
      const p = payload as { authorizations?: SessionExtension['authorizations']; state?: unknown };
      const ext: SessionExtension = {
        ...(p.authorizations ? { authorizations: p.authorizations } : {}),
        ...(p.state !== undefined ? { state: p.state } : {}),
      };
      // The provider saves its session on every authorize; most of the time nothing changed.
      const previous = await extension(key);
      if (JSON.stringify(previous ?? {}) === JSON.stringify(ext)) return;
      await kv.set(extensionKey(key), ext, { expiresAt: stored.maxExpiresAt });
      // ID tokens name the session by `sid` (one per client): endSession finds the session from it.
      const known = new Set(Object.values(previous?.authorizations ?? {}).map((a) => a.sid));
      for (const a of Object.values(ext.authorizations ?? {})) {
        if (typeof a.sid === 'string' && !known.has(a.sid)) await kv.insertIfAbsent(sidKey(a.sid), key, { expiresAt: stored.maxExpiresAt });
      }
    },
    async destroy(tokenId) {
      if (isSessionToken(tokenId)) await options.end(tokenId);
    },
    async consume() {},
    async findByUserCode() {
      return undefined;
    },
    async revokeByGrantId() {},
  };

  return {
    adapter,
    async grantsOf(key) {
      const ext = await extension(key);
      return Object.values(ext?.authorizations ?? {})
        .map((a) => a.grantId)
        .filter((g): g is string => typeof g === 'string');
    },
    forget: async (key) => {
      await kv.delete(extensionKey(key));
    },
    async sessionOfSid(sid) {
      if (typeof sid !== 'string' || sid.length > 256) return undefined;
      const key = (await kv.get<string>(sidKey(sid)))?.value;
      return key && (await store.get(key)) ? key : undefined;
    },
  };
}
