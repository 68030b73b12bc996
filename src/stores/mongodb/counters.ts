/**
 * Fixed-window counters in MongoDB (`counters`: count and window end under the key, TTL on the
 * window end). An increment is one upserting pipeline update, so increments from every instance add
 * up exactly; the window opens at the first increment.
 */
import { StoreError, unavailable } from '../errors.js';
import { checkDuration, checkKey } from '../records.js';
import type { CounterStore } from '../types.js';
import { TTL, isDuplicate, type MongoContext, type MongoFamily } from './connection.js';

interface CounterDoc {
  _id: string;
  count: number;
  resetsAt: number;
  expiresAt: Date;
}

export function mongoCounters(ctx: MongoContext): MongoFamily<CounterStore> {
  const { now, guard } = ctx;
  const counters = ctx.db.collection<CounterDoc>('counters');

  const store: CounterStore = {
    async increment(key, windowMs) {
      checkKey(key, 'counter key');
      const w = checkDuration(windowMs, 'counter window');
      const t = now();
      // One $set stage: every expression sees the document as it was, so `fresh` is evaluated once.
      const fresh = { $or: [{ $eq: [{ $type: '$resetsAt' }, 'missing'] }, { $lte: ['$resetsAt', t] }] };
      const pipeline = [
        {
          $set: {
            count: { $cond: [fresh, 1, { $add: ['$count', 1] }] },
            resetsAt: { $cond: [fresh, t + w, '$resetsAt'] },
            expiresAt: { $cond: [fresh, new Date(t + w), '$expiresAt'] },
          },
        },
      ];
      // Two first increments can race on the upsert; the loser's duplicate-key error means the
      // document now exists, so the retry is a plain atomic update.
      for (let attempt = 0; ; attempt++) {
        try {
          const doc = await counters.findOneAndUpdate({ _id: key }, pipeline, { upsert: true, returnDocument: 'after' });
          if (!doc) throw new Error('upsert returned no document');
          return doc.count;
        } catch (e) {
          if (isDuplicate(e) && attempt < 3) continue;
          throw e instanceof StoreError ? e : unavailable('mongodb', e);
        }
      }
    },

    async get(key) {
      checkKey(key, 'counter key');
      const doc = await guard(() => counters.findOne({ _id: key }));
      return doc !== null && now() < doc.resetsAt ? doc.count : 0;
    },

    async reset(key) {
      checkKey(key, 'counter key');
      await guard(() => counters.deleteOne({ _id: key }));
    },
  };

  return {
    store,
    async createIndexes() {
      await counters.createIndexes([TTL('ttl')]);
    },
    async purge(t) {
      return (await counters.deleteMany({ resetsAt: { $lte: t } })).deletedCount;
    },
  };
}
