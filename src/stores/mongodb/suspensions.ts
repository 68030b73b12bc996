/**
 * Suspended journeys in MongoDB (`suspended`: the record under the hash of its id, with its owner's
 * subject and scope, TTL on its expiry). `take` is one findOneAndDelete: of any number of concurrent
 * takes, on any instance, exactly one gets the record.
 */
import { checkKey, checkTime, toJsonObject } from '../records.js';
import type { SuspendedJourneyStore } from '../types.js';
import { TTL, type MongoContext, type MongoFamily } from './connection.js';

interface SuspendedDoc {
  _id: string;
  record: Record<string, unknown>;
  expiresAtMs: number;
  expiresAt: Date;
  subject?: string;
  scope?: string;
}

export function mongoSuspensions(ctx: MongoContext): MongoFamily<SuspendedJourneyStore> {
  const { now, guard } = ctx;
  const suspended = ctx.db.collection<SuspendedDoc>('suspended');

  const store: SuspendedJourneyStore = {
    async put(idHash, record, expiresAt, owner) {
      checkKey(idHash, 'suspension id');
      const at = checkTime(expiresAt, 'expiry time');
      const doc: Omit<SuspendedDoc, '_id'> = { record: toJsonObject(record, 'The suspended record'), expiresAtMs: at, expiresAt: new Date(at) };
      if (owner !== undefined) {
        doc.subject = checkKey(owner.subject, 'subject');
        if (owner.scope !== undefined) doc.scope = checkKey(owner.scope, 'scope');
      }
      await guard(() => suspended.replaceOne({ _id: idHash }, doc, { upsert: true }));
    },

    async take<T>(idHash: string) {
      checkKey(idHash, 'suspension id');
      const t = now();
      const doc = await guard(() => suspended.findOneAndDelete({ _id: idHash }));
      return doc !== null && t < doc.expiresAtMs ? (doc.record as T) : undefined;
    },

    async deleteBySubject(subject, scope) {
      checkKey(subject, 'subject');
      const filter = { subject, ...(scope === undefined ? {} : { scope: checkKey(scope, 'scope') }) };
      const live = await guard(() => suspended.deleteMany({ ...filter, expiresAtMs: { $gt: now() } }));
      await guard(() => suspended.deleteMany(filter));
      return live.deletedCount;
    },
  };

  return {
    store,
    async createIndexes() {
      await suspended.createIndexes([{ key: { subject: 1, scope: 1 }, name: 'subject_scope' }, TTL('ttl')]);
    },
    async purge(t) {
      return (await suspended.deleteMany({ expiresAtMs: { $lte: t } })).deletedCount;
    },
  };
}
