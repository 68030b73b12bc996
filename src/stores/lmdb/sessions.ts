/**
 * Sessions in lmdb's volatile environment: `sessions` (id → session) and `sessionSubjects` (subject
 * SEP id → 1, for listing and revoke-all). A session is live until its idle deadline, which a touch
 * moves (never past the maximum lifetime); its expiry-index entry moves with it.
 */
import { alreadyExists } from '../errors.js';
import { checkId, checkKey, checkNewSession, sessionStartingAt, toJsonObject } from '../records.js';
import type { NewSession, SessionStore, StoredSession } from '../types.js';
import { SEP, prefixRange, type Expire, type LmdbEnvironment } from './environment.js';

export function lmdbSessions(env: LmdbEnvironment): { store: SessionStore; expire: Expire } {
  const { now, volatileWrite, read, reindex } = env;
  const sessions = env.db<StoredSession>('sessions', 'volatile'); // id → session
  const sessionSubjects = env.db<1>('sessionSubjects', 'volatile'); // subject SEP id → 1

  const sessionLive = (s: StoredSession | undefined): s is StoredSession => s !== undefined && now() < s.idleExpiresAt;
  const removeSession = (s: StoredSession): void => {
    sessions.removeSync(s.id);
    for (const subject of s.subjects) sessionSubjects.removeSync(`${subject}${SEP}${s.id}`);
    reindex('session', s.id, s.idleExpiresAt, null);
  };
  const sessionIdsOf = (subject: string): string[] => [...sessionSubjects.getKeys(prefixRange(subject))].map((k) => k.slice(subject.length + 1));

  const store: SessionStore = {
    async create(id, session: NewSession) {
      checkId(id, 'session id');
      const checked = checkNewSession(session);
      return volatileWrite(() => {
        const existing = sessions.get(id);
        if (sessionLive(existing)) throw alreadyExists('session', id);
        if (existing) removeSession(existing);
        const s = sessionStartingAt(id, checked, now());
        sessions.putSync(id, s);
        for (const subject of s.subjects) sessionSubjects.putSync(`${subject}${SEP}${id}`, 1);
        reindex('session', id, null, s.idleExpiresAt);
        return s;
      });
    },

    async get(id) {
      checkId(id, 'session id');
      const s = read(() => sessions.get(id));
      return sessionLive(s) ? s : undefined;
    },

    async touch(id, data) {
      checkId(id, 'session id');
      const newData = data === undefined ? undefined : toJsonObject(data, 'The session data');
      return volatileWrite(() => {
        const s = sessions.get(id);
        if (!sessionLive(s)) return undefined;
        const t = now();
        const next: StoredSession = {
          ...s,
          ...(newData ? { data: newData } : {}),
          lastAccessAt: t,
          idleExpiresAt: Math.min(t + s.idleTimeoutMs, s.maxExpiresAt),
        };
        sessions.putSync(id, next);
        reindex('session', id, s.idleExpiresAt, next.idleExpiresAt);
        return next;
      });
    },

    async delete(id) {
      checkId(id, 'session id');
      return volatileWrite(() => {
        const s = sessions.get(id);
        if (s === undefined) return false;
        removeSession(s);
        return sessionLive(s);
      });
    },

    async listBySubject(subject) {
      checkKey(subject, 'subject');
      return read(() =>
        sessionIdsOf(subject)
          .map((id) => sessions.get(id))
          .filter(sessionLive),
      );
    },

    async deleteBySubject(subject) {
      checkKey(subject, 'subject');
      return volatileWrite(() => {
        let count = 0;
        for (const id of sessionIdsOf(subject)) {
          const s = sessions.get(id);
          if (s === undefined) {
            sessionSubjects.removeSync(`${subject}${SEP}${id}`);
            continue;
          }
          if (sessionLive(s)) count++;
          removeSession(s);
        }
        return count;
      });
    },
  };

  const expire: Expire = (key) => {
    const s = sessions.get(key);
    if (s === undefined || sessionLive(s)) return false;
    removeSession(s);
    return true;
  };
  return { store, expire };
}
