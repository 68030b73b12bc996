/**
 * The MongoDB store, for several stateless Cairn instances behind a load balancer (replica-set
 * friendly: majority, journaled writes; retryable writes). Every conditional write is one atomic
 * server-side operation (findOneAndUpdate / findOneAndReplace / findOneAndDelete with the condition
 * in the filter, unique indexes on normalised keys, pipeline updates for counters and touches,
 * inserts on a unique `_id` for claims), so nothing in process memory has to agree between
 * instances. One module per record family (objects, sessions, suspensions, counters, claims, kv)
 * creates its indexes at open: unique (partial) on `_cairnKeys.<field>` per declared unique field,
 * TTL on `expiresAt` for records with a lifetime; reads also compare expiry with the injected
 * clock, since the TTL monitor only runs about once a minute (sweep.ts).
 * The database is the one named in the URI path (mongodb://host/cairn); the URI never appears in errors.
 */
import { MongoClient, type Db } from 'mongodb';
import { unavailable } from '../errors.js';
import type { Store, UniqueKeys } from '../types.js';
import { mongoContext } from './connection.js';
import { mongoClaims } from './claims.js';
import { mongoCounters } from './counters.js';
import { mongoKv } from './kv.js';
import { mongoObjects } from './objects.js';
import { mongoSessions } from './sessions.js';
import { mongoSuspensions } from './suspensions.js';
import { mongoPurge } from './sweep.js';

export interface MongoStoreOptions {
  uri: string;
  now: () => number;
  uniqueKeys: UniqueKeys;
}

export async function openMongoStore(options: MongoStoreOptions): Promise<Store> {
  const client = new MongoClient(options.uri, {
    appName: 'cairn',
    retryWrites: true,
    writeConcern: { w: 'majority', journal: true },
    serverSelectionTimeoutMS: 10_000,
  });
  let db: Db;
  try {
    await client.connect();
    db = client.db();
  } catch (e) {
    await client.close().catch(() => undefined);
    throw unavailable('mongodb', e);
  }

  const ctx = mongoContext(db, options.now);
  const objects = mongoObjects(ctx, options.uniqueKeys);
  const sessions = mongoSessions(ctx);
  const suspended = mongoSuspensions(ctx);
  const counters = mongoCounters(ctx);
  const claims = mongoClaims(ctx);
  const kv = mongoKv(ctx);
  const families = [objects, sessions, suspended, counters, claims, kv] as const;

  try {
    for (const family of families) await family.createIndexes();
  } catch (e) {
    await client.close().catch(() => undefined);
    throw unavailable('mongodb', e);
  }

  let closed = false;
  return {
    backend: 'mongodb',
    objects: objects.store,
    sessions: sessions.store,
    suspended: suspended.store,
    counters: counters.store,
    claims: claims.store,
    kv: kv.store,
    purgeExpired: mongoPurge(ctx, families),
    async health() {
      if (closed) return { backend: 'mongodb', ok: false };
      try {
        await db.command({ ping: 1 });
        return { backend: 'mongodb', ok: true };
      } catch {
        return { backend: 'mongodb', ok: false };
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}
