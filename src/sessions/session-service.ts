/**
 * Server-side sessions: created when a journey succeeds, identified by a random 256-bit token
 * (AM's tokenId, also the session cookie) of which the store keeps only a SHA-256 hash. The store
 * enforces idle and maximum lifetimes; all sessions of a user can be revoked at once.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { SessionStore, StoredSession } from '../stores/types.js';

export interface SessionServiceOptions {
  store: Pick<SessionStore, 'create' | 'get' | 'touch' | 'delete' | 'deleteBySubject'>;
  idleMs: number;
  maxMs: number;
  now: () => number;
}

export interface Session {
  tokenId: string;
  /** The user's name as AM reports it (`uid`). */
  uid: string;
  /** The managed object's `_id`, when the journey identified one. */
  userId?: string;
  realm: string;
  journey: string;
  /** Properties the journey set (Set Session Properties). */
  properties: Record<string, string>;
  /** The roles of the administrator it signed in (src/admin/roles.ts); empty for an end user. */
  roles: string[];
  createdAt: number;
  lastAccessAt: number;
  idleExpiresAt: number;
  maxExpiresAt: number;
}

/** Who a new session is for, and what its journey asked it to hold. */
export interface NewSessionSubject {
  uid: string;
  userId?: string;
  realm: string;
  journey: string;
  properties?: Record<string, string>;
  /** The roles of an administrator (src/admin/roles.ts); only the admin journey gives any. */
  roles?: readonly string[];
  /** Lifetimes the journey chose (Set Session Properties), instead of the server's. */
  idleMs?: number;
  maxMs?: number;
}

export interface SessionService {
  create(subject: NewSessionSubject): Promise<Session>;
  /** The live session for a token (refreshing its idle deadline), or undefined. */
  validate(tokenId: string | undefined): Promise<Session | undefined>;
  /** Ends one session; false when there was none. */
  logout(tokenId: string | undefined): Promise<boolean>;
  /** Ends every session of a user (by `_id` or name) after a password reset; returns how many. */
  revokeAll(subject: string): Promise<number>;
}

/** Refresh the idle deadline at most this often, so validating a session is not a write each time. */
const TOUCH_INTERVAL_MS = 60_000;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The store key of a session: the SHA-256 of its token (the token itself is never stored). */
export const sessionKey = (tokenId: string): string => createHash('sha256').update(tokenId).digest('base64url');
const keyOf = sessionKey;
/** Whether a string has the shape of a session token. */
export const isSessionToken = (tokenId: string | undefined): tokenId is string => typeof tokenId === 'string' && TOKEN.test(tokenId);

function view(tokenId: string, s: StoredSession): Session {
  const d = s.data as { uid?: string; userId?: string; realm?: string; journey?: string; properties?: Record<string, string>; roles?: unknown };
  return {
    tokenId,
    uid: d.uid ?? '',
    ...(d.userId ? { userId: d.userId } : {}),
    realm: d.realm ?? '/',
    journey: d.journey ?? '',
    properties: { ...d.properties },
    roles: Array.isArray(d.roles) ? d.roles.filter((r): r is string => typeof r === 'string') : [],
    createdAt: s.createdAt,
    lastAccessAt: s.lastAccessAt,
    idleExpiresAt: s.idleExpiresAt,
    maxExpiresAt: s.maxExpiresAt,
  };
}

export function createSessionService(options: SessionServiceOptions): SessionService {
  const { store, idleMs, maxMs, now } = options;
  return {
    async create(subject) {
      const tokenId = randomBytes(32).toString('base64url');
      const properties = subject.properties && Object.keys(subject.properties).length > 0 ? { properties: { ...subject.properties } } : {};
      const stored = await store.create(keyOf(tokenId), {
        subjects: [subject.uid, ...(subject.userId ? [subject.userId] : [])],
        data: {
          uid: subject.uid,
          ...(subject.userId ? { userId: subject.userId } : {}),
          realm: subject.realm,
          journey: subject.journey,
          ...properties,
          ...(subject.roles?.length ? { roles: [...subject.roles] } : {}),
        },
        idleTimeoutMs: subject.idleMs ?? idleMs,
        maxLifetimeMs: subject.maxMs ?? maxMs,
      });
      return view(tokenId, stored);
    },
    async validate(tokenId) {
      if (!tokenId || !TOKEN.test(tokenId)) return undefined;
      const key = keyOf(tokenId);
      let s = await store.get(key);
      if (s && now() - s.lastAccessAt >= TOUCH_INTERVAL_MS) s = await store.touch(key);
      return s ? view(tokenId, s) : undefined;
    },
    async logout(tokenId) {
      if (!tokenId || !TOKEN.test(tokenId)) return false;
      return store.delete(keyOf(tokenId));
    },
    revokeAll: (subject) => store.deleteBySubject(subject),
  };
}

/**
 * A session's properties under AM's names, as Get Session Data reads them: `UserToken` (the username),
 * `UserId` (the user's `_id`, as PingOne AIC has it), `Principal`, `Service` (the journey),
 * `AuthLevel`, `authInstant`, then the properties its journey set.
 */
export function amSessionProperties(s: Session): Record<string, string> {
  return {
    ...s.properties,
    UserToken: s.uid,
    UserId: s.userId ?? s.uid,
    Principal: s.uid,
    Service: s.journey,
    AuthLevel: '0',
    authInstant: new Date(s.createdAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

/** AM's system session properties, which a journey may neither set nor remove. */
export const SYSTEM_SESSION_PROPERTIES: ReadonlySet<string> = new Set([
  'AMCtxId',
  'AuthLevel',
  'AuthType',
  'CharSet',
  'clientType',
  'FullLoginURL',
  'Host',
  'HostName',
  'IndexType',
  'Locale',
  'loginURL',
  'Organization',
  'Principal',
  'Principals',
  'Service',
  'SessionHandle',
  'successURL',
  'sun.am.UniversalIdentifier',
  'UserId',
  'UserProfile',
  'UserToken',
  'authInstant',
  'webhooks',
]);
