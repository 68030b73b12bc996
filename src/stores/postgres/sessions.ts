/**
 * Sessions in `cairn_sessions`, each operation one statement with the injected clock's "now" as a
 * parameter: create is an INSERT whose ON CONFLICT branch only overwrites a lapsed session (a live id
 * is refused), touch extends the idle deadline in SQL (never past the maximum), and the subject
 * lookups use a GIN index over the sessions' subjects.
 */
import { alreadyExists } from '../errors.js';
import { checkId, checkKey, checkNewSession, sessionStartingAt, toJsonObject } from '../records.js';
import type { NewSession, SessionStore, StoredSession } from '../types.js';
import { jsonParam, storageKey, type Db } from './db.js';

interface SessionRow {
  id: string;
  subjects: string[];
  data: Record<string, unknown>;
  created_at: number;
  last_access_at: number;
  idle_timeout_ms: number;
  idle_expires_at: number;
  max_expires_at: number;
}

const COLUMNS = 'id, subjects, data, created_at, last_access_at, idle_timeout_ms, idle_expires_at, max_expires_at';

const sessionOf = (r: SessionRow): StoredSession => ({
  id: r.id,
  subjects: r.subjects,
  data: r.data,
  createdAt: r.created_at,
  lastAccessAt: r.last_access_at,
  idleTimeoutMs: r.idle_timeout_ms,
  idleExpiresAt: r.idle_expires_at,
  maxExpiresAt: r.max_expires_at,
});

export function postgresSessions(db: Db, now: () => number): SessionStore {
  return {
    async create(id, session: NewSession) {
      checkId(id, 'session id');
      const s = sessionStartingAt(id, checkNewSession(session), now());
      // A lapsed session the sweeper has not removed yet may be overwritten; a live one may not.
      const written = await db.rows(
        `INSERT INTO cairn_sessions (${COLUMNS}, subject_keys) VALUES ($1, $2::jsonb, $3::jsonb, $4, $4, $5, $6, $7, $8)
         ON CONFLICT (id) DO UPDATE SET
           subjects = EXCLUDED.subjects, subject_keys = EXCLUDED.subject_keys, data = EXCLUDED.data,
           created_at = EXCLUDED.created_at, last_access_at = EXCLUDED.last_access_at, idle_timeout_ms = EXCLUDED.idle_timeout_ms,
           idle_expires_at = EXCLUDED.idle_expires_at, max_expires_at = EXCLUDED.max_expires_at
         WHERE cairn_sessions.idle_expires_at <= $4
         RETURNING id`,
        [id, jsonParam(s.subjects), jsonParam(s.data), s.createdAt, s.idleTimeoutMs, s.idleExpiresAt, s.maxExpiresAt, s.subjects.map(storageKey)],
      );
      if (written.length === 0) throw alreadyExists('session', id);
      return s;
    },

    async get(id) {
      checkId(id, 'session id');
      const [row] = await db.rows<SessionRow>(`SELECT ${COLUMNS} FROM cairn_sessions WHERE id = $1 AND idle_expires_at > $2`, [id, now()]);
      return row ? sessionOf(row) : undefined;
    },

    async touch(id, data) {
      checkId(id, 'session id');
      const newData = data === undefined ? null : jsonParam(toJsonObject(data, 'The session data'));
      const [row] = await db.rows<SessionRow>(
        `UPDATE cairn_sessions SET last_access_at = $2, idle_expires_at = LEAST($2 + idle_timeout_ms, max_expires_at), data = COALESCE($3::jsonb, data)
         WHERE id = $1 AND idle_expires_at > $2
         RETURNING ${COLUMNS}`,
        [id, now(), newData],
      );
      return row ? sessionOf(row) : undefined;
    },

    async delete(id) {
      checkId(id, 'session id');
      const t = now();
      const [row] = await db.rows<{ idle_expires_at: number }>('DELETE FROM cairn_sessions WHERE id = $1 RETURNING idle_expires_at', [id]);
      return row !== undefined && t < row.idle_expires_at;
    },

    async listBySubject(subject) {
      checkKey(subject, 'subject');
      const rows = await db.rows<SessionRow>(
        `SELECT ${COLUMNS} FROM cairn_sessions WHERE subject_keys @> ARRAY[$1::text] AND idle_expires_at > $2 ORDER BY created_at, id`,
        [storageKey(subject), now()],
      );
      return rows.map(sessionOf);
    },

    async deleteBySubject(subject) {
      checkKey(subject, 'subject');
      const [row] = await db.rows<{ live: number }>(
        `WITH removed AS (DELETE FROM cairn_sessions WHERE subject_keys @> ARRAY[$1::text] RETURNING idle_expires_at)
         SELECT count(*) FILTER (WHERE idle_expires_at > $2)::bigint AS live FROM removed`,
        [storageKey(subject), now()],
      );
      return row?.live ?? 0;
    },
  };
}
