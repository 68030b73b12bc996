/**
 * Sessions in MongoDB (`sessions`: the session under its id, indexed by subject, TTL on the idle
 * deadline). A touch is one pipeline update that moves the idle deadline (never past the maximum)
 * only while the session is live; reads also compare the deadline with the injected clock, since
 * the TTL monitor runs only about once a minute.
 */
import { alreadyExists } from '../errors.js';
import { checkId, checkKey, checkNewSession, sessionStartingAt, toJsonObject } from '../records.js';
import type { SessionStore, StoredSession } from '../types.js';
import { TTL, type MongoContext, type MongoFamily } from './connection.js';

interface SessionDoc extends Omit<StoredSession, 'id'> {
  _id: string;
  expiresAt: Date;
}

const toSession = (doc: SessionDoc | null): StoredSession | undefined => {
  if (!doc) return undefined;
  const { _id, expiresAt, ...rest } = doc;
  void expiresAt;
  return { id: _id, ...rest };
};

export function mongoSessions(ctx: MongoContext): MongoFamily<SessionStore> {
  const { now, guard } = ctx;
  const sessions = ctx.db.collection<SessionDoc>('sessions');

  const store: SessionStore = {
    async create(id, session) {
      checkId(id, 'session id');
      const checked = checkNewSession(session);
      const t = now();
      const s = sessionStartingAt(id, checked, t);
      const { id: _id, ...fields } = s;
      const body: Omit<SessionDoc, '_id'> = { ...fields, expiresAt: new Date(s.idleExpiresAt) };
      // A lapsed session the TTL monitor has not removed yet may be overwritten; a live one may not.
      const replaced = await guard(() => sessions.replaceOne({ _id, idleExpiresAt: { $lte: t } }, body));
      if (replaced.matchedCount === 0) {
        await guard(
          () => sessions.insertOne({ _id, ...body }),
          () => alreadyExists('session', id),
        );
      }
      return s;
    },

    async get(id) {
      checkId(id, 'session id');
      return toSession(await guard(() => sessions.findOne({ _id: id, idleExpiresAt: { $gt: now() } })));
    },

    async touch(id, data) {
      checkId(id, 'session id');
      const newData = data === undefined ? undefined : toJsonObject(data, 'The session data');
      const t = now();
      const idleExpiresAt = { $min: [{ $add: [t, '$idleTimeoutMs'] }, '$maxExpiresAt'] };
      const doc = await guard(() =>
        sessions.findOneAndUpdate(
          { _id: id, idleExpiresAt: { $gt: t } },
          [
            {
              $set: {
                lastAccessAt: t,
                idleExpiresAt,
                expiresAt: { $toDate: idleExpiresAt },
                ...(newData ? { data: { $literal: newData } } : {}),
              },
            },
          ],
          { returnDocument: 'after' },
        ),
      );
      return toSession(doc);
    },

    async delete(id) {
      checkId(id, 'session id');
      const t = now();
      const doc = await guard(() => sessions.findOneAndDelete({ _id: id }));
      return doc !== null && t < doc.idleExpiresAt;
    },

    async listBySubject(subject) {
      checkKey(subject, 'subject');
      const docs = await guard(() => sessions.find({ subjects: subject, idleExpiresAt: { $gt: now() } }).toArray());
      return docs.map((d) => toSession(d) as StoredSession);
    },

    async deleteBySubject(subject) {
      checkKey(subject, 'subject');
      const live = await guard(() => sessions.deleteMany({ subjects: subject, idleExpiresAt: { $gt: now() } }));
      await guard(() => sessions.deleteMany({ subjects: subject }));
      return live.deletedCount;
    },
  };

  return {
    store,
    async createIndexes() {
      await sessions.createIndexes([{ key: { subjects: 1 }, name: 'subjects' }, TTL('ttl')]);
    },
    async purge(t) {
      return (await sessions.deleteMany({ idleExpiresAt: { $lte: t } })).deletedCount;
    },
  };
}
