/**
 * The MongoDB store, for several stateless Cairn instances behind a load balancer (replica-set
 * friendly: majority, journaled writes; retryable writes). Every conditional write is one atomic
 * server-side operation (findOneAndUpdate / findOneAndReplace / findOneAndDelete with the condition in
 * the filter, unique indexes on normalised keys, pipeline updates for counters and touches), so nothing
 * in process memory has to agree between instances. Indexes are created at open: unique (partial) on
 * `_cairnKeys.<field>` per declared unique field, TTL on `expiresAt` for records with a lifetime; reads
 * also compare expiry with the injected clock, since the TTL monitor only runs about once a minute.
 * The database is the one named in the URI path (mongodb://host/cairn); the URI never appears in errors.
 */
import { MongoClient, MongoServerError, type Collection, type Db, type Document } from 'mongodb';
import type { FilterNode } from '../crest/query-filter.js';
import { mongoSort, toMongoFilter } from './mongodb/filter.js';
import { StoreError, alreadyExists, invalid, notFound, revMismatch, unavailable, uniqueConstraint } from './errors.js';
import { nextCookie, pagingOf } from './paging.js';
import {
  RESERVED_FIELD,
  checkDuration,
  checkId,
  checkKey,
  checkResource,
  checkTime,
  newId,
  newRev,
  objectFields,
  patchOf,
  toJson,
  toJsonObject,
  uniqueKeyOf,
  uniqueKeysOf,
} from './records.js';
import type {
  CounterStore,
  KeyValueStore,
  KvEntry,
  KvWriteOptions,
  ManagedObjectStore,
  SessionStore,
  Store,
  StoredObject,
  StoredSession,
  SuspendedJourneyStore,
  UniqueKeys,
} from './types.js';

export interface MongoStoreOptions {
  uri: string;
  now: () => number;
  uniqueKeys: UniqueKeys;
}

interface ObjectDoc {
  _id: string;
  _rev: string;
  [RESERVED_FIELD]?: Record<string, string>;
  [field: string]: unknown;
}
interface SessionDoc extends Omit<StoredSession, 'id'> {
  _id: string;
  expiresAt: Date;
}
interface SuspendedDoc {
  _id: string;
  record: Record<string, unknown>;
  expiresAtMs: number;
  expiresAt: Date;
  subject?: string;
  scope?: string;
}
interface CounterDoc {
  _id: string;
  count: number;
  resetsAt: number;
  expiresAt: Date;
}
interface KvDoc {
  _id: string;
  value: unknown;
  version: string;
  expiresAtMs: number | null;
  expiresAt?: Date;
}

const DUPLICATE_KEY = 11000;
const HIDE_KEYS = { projection: { [RESERVED_FIELD]: 0 } } as const;
const TTL = (name: string): { key: { expiresAt: 1 }; name: string; expireAfterSeconds: 0 } => ({
  key: { expiresAt: 1 },
  name,
  expireAfterSeconds: 0,
});

const isDuplicate = (e: unknown): e is MongoServerError => e instanceof MongoServerError && e.code === DUPLICATE_KEY;

/** The unique field a duplicate-key error is about (from keyPattern, else the index name), or `_id`. */
function duplicateField(e: MongoServerError): string {
  const pattern = (e as { keyPattern?: Record<string, unknown> }).keyPattern;
  const key = pattern ? Object.keys(pattern)[0] : undefined;
  if (key === '_id') return '_id';
  if (key?.startsWith(`${RESERVED_FIELD}.`)) return key.slice(RESERVED_FIELD.length + 1);
  const m = /index: unique_([A-Za-z0-9_-]+)/.exec(e.message);
  return m?.[1] ?? (/index: _id_/.test(e.message) ? '_id' : 'unknown');
}

/** Collection of a resource: `managed/user` → `managed.user` (resource names always contain a `/`). */
const collectionName = (resource: string): string => resource.replace(/\//g, '.');

function toObject(doc: ObjectDoc | null): StoredObject | undefined {
  if (!doc) return undefined;
  const { [RESERVED_FIELD]: hidden, ...rest } = doc;
  void hidden;
  return rest as StoredObject;
}

const toSession = (doc: SessionDoc | null): StoredSession | undefined => {
  if (!doc) return undefined;
  const { _id, expiresAt, ...rest } = doc;
  void expiresAt;
  return { id: _id, ...rest };
};

export async function openMongoStore(options: MongoStoreOptions): Promise<Store> {
  const { now, uniqueKeys } = options;
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

  /** Runs a driver call; anything that is not already a StoreError becomes a 503 with its cause kept. */
  const guard = async <T>(fn: () => Promise<T>, onDuplicate?: (e: MongoServerError) => StoreError): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof StoreError) throw e;
      if (onDuplicate && isDuplicate(e)) throw onDuplicate(e);
      throw unavailable('mongodb', e);
    }
  };

  const objectsOf = (resource: string): Collection<ObjectDoc> => db.collection<ObjectDoc>(collectionName(resource));
  const sessions = db.collection<SessionDoc>('sessions');
  const suspended = db.collection<SuspendedDoc>('suspended');
  const counters = db.collection<CounterDoc>('counters');
  const kv = db.collection<KvDoc>('kv');

  try {
    for (const [resource, fields] of Object.entries(uniqueKeys)) {
      if (fields.length === 0) continue;
      await objectsOf(resource).createIndexes(
        fields.map((field) => ({
          key: { [`${RESERVED_FIELD}.${field}`]: 1 },
          name: `unique_${field}`,
          unique: true,
          partialFilterExpression: { [`${RESERVED_FIELD}.${field}`]: { $exists: true } },
        })),
      );
    }
    await sessions.createIndexes([{ key: { subjects: 1 }, name: 'subjects' }, TTL('ttl')]);
    await suspended.createIndexes([{ key: { subject: 1, scope: 1 }, name: 'subject_scope' }, TTL('ttl')]);
    await counters.createIndexes([TTL('ttl')]);
    await kv.createIndexes([TTL('ttl')]);
  } catch (e) {
    await client.close().catch(() => undefined);
    throw unavailable('mongodb', e);
  }

  // ------------------------------------------------------------------------------------------
  // Managed objects

  const declared = (resource: string): readonly string[] => uniqueKeys[resource] ?? [];
  const keysDoc = (resource: string, fields: Record<string, unknown>): Record<string, string> =>
    Object.fromEntries(uniqueKeysOf(fields, declared(resource)));
  const onDuplicate =
    (resource: string, id: string) =>
    (e: MongoServerError): StoreError => {
      const field = duplicateField(e);
      return field === '_id' ? alreadyExists(resource, id) : uniqueConstraint(resource, field);
    };
  /** After a conditional write matched nothing: the object is missing (404) or has another `_rev` (412). */
  const missOrConflict = async (resource: string, id: string): Promise<never> => {
    const exists = await objectsOf(resource).countDocuments({ _id: id }, { limit: 1 });
    throw exists ? revMismatch(resource, id) : notFound(resource, id);
  };

  const objectStore: ManagedObjectStore = {
    async create(resource, object) {
      checkResource(resource);
      const fields = objectFields(object);
      const given = (object as { _id?: unknown })._id;
      const id = given === undefined ? newId() : checkId(given, '_id');
      const record: StoredObject = { _id: id, _rev: newRev(), ...fields };
      const doc: ObjectDoc = { ...record, [RESERVED_FIELD]: keysDoc(resource, fields) };
      await guard(() => objectsOf(resource).insertOne(doc), onDuplicate(resource, id));
      return record;
    },

    async read(resource, id) {
      checkResource(resource);
      checkId(id);
      return toObject(await guard(() => objectsOf(resource).findOne({ _id: id }, HIDE_KEYS)));
    },

    async findUnique(resource, field, value) {
      checkResource(resource);
      if (!declared(resource).includes(field)) throw invalid(`${field} is not a unique field of ${resource}`, { field });
      if (typeof value !== 'string' || value === '') return undefined;
      return toObject(await guard(() => objectsOf(resource).findOne({ [`${RESERVED_FIELD}.${field}`]: uniqueKeyOf(value) }, HIDE_KEYS)));
    },

    async query(resource, filter: FilterNode, options) {
      checkResource(resource);
      const { offset, pageSize, sort, exact } = pagingOf(options);
      const mongoFilter = toMongoFilter(filter);
      const docs = await guard(() =>
        objectsOf(resource)
          .find(mongoFilter, HIDE_KEYS)
          .sort(mongoSort(sort))
          .skip(offset)
          .limit(pageSize > 0 ? pageSize + 1 : 0)
          .toArray(),
      );
      const hasMore = pageSize > 0 && docs.length > pageSize;
      const page = (hasMore ? docs.slice(0, pageSize) : docs).map((d) => toObject(d) as StoredObject);
      const total = exact ? await guard(() => objectsOf(resource).countDocuments(mongoFilter)) : -1;
      return { result: page, pagedResultsCookie: nextCookie(offset, pageSize, page.length, hasMore), totalPagedResults: total };
    },

    async replace(resource, id, object, ifRev) {
      checkResource(resource);
      checkId(id);
      const fields = objectFields(object);
      const given = (object as { _id?: unknown })._id;
      if (given !== undefined && given !== id) throw invalid('The object _id does not match the id it is written to');
      const replacement = { _rev: newRev(), ...fields, [RESERVED_FIELD]: keysDoc(resource, fields) };
      const doc = await guard(
        () =>
          objectsOf(resource).findOneAndReplace({ _id: id, ...(ifRev === undefined ? {} : { _rev: ifRev }) }, replacement, {
            returnDocument: 'after',
            ...HIDE_KEYS,
          }),
        onDuplicate(resource, id),
      );
      return toObject(doc) ?? missOrConflict(resource, id);
    },

    async patch(resource, id, patch, ifRev) {
      checkResource(resource);
      checkId(id);
      const { set, unset } = patchOf(patch);
      const keys = uniqueKeysOf(set, declared(resource));
      const $set: Record<string, unknown> = { ...set, _rev: newRev() };
      const $unset: Record<string, ''> = {};
      for (const name of unset) $unset[name] = '';
      for (const field of declared(resource)) {
        const key = keys.get(field);
        if (key !== undefined) $set[`${RESERVED_FIELD}.${field}`] = key;
        else if (field in set || unset.includes(field)) $unset[`${RESERVED_FIELD}.${field}`] = '';
      }
      const update = Object.keys($unset).length > 0 ? { $set, $unset } : { $set };
      const doc = await guard(
        () =>
          objectsOf(resource).findOneAndUpdate({ _id: id, ...(ifRev === undefined ? {} : { _rev: ifRev }) }, update, {
            returnDocument: 'after',
            ...HIDE_KEYS,
          }),
        onDuplicate(resource, id),
      );
      return toObject(doc) ?? missOrConflict(resource, id);
    },

    async delete(resource, id, ifRev) {
      checkResource(resource);
      checkId(id);
      const doc = await guard(() => objectsOf(resource).findOneAndDelete({ _id: id, ...(ifRev === undefined ? {} : { _rev: ifRev }) }, HIDE_KEYS));
      if (doc) return toObject(doc);
      if (ifRev !== undefined && (await guard(() => objectsOf(resource).countDocuments({ _id: id }, { limit: 1 })))) {
        throw revMismatch(resource, id);
      }
      return undefined;
    },
  };

  // ------------------------------------------------------------------------------------------
  // Sessions

  const sessionStore: SessionStore = {
    async create(id, session) {
      checkId(id, 'session id');
      if (!Array.isArray(session?.subjects)) throw invalid('A session needs a list of subjects');
      const subjects = [...new Set(session.subjects.map((s) => checkKey(s, 'subject')))];
      const data = toJsonObject(session.data ?? {}, 'The session data');
      const idle = checkDuration(session.idleTimeoutMs, 'idle timeout');
      const max = checkDuration(session.maxLifetimeMs, 'maximum lifetime');
      const t = now();
      const s: StoredSession = {
        id,
        subjects,
        data,
        createdAt: t,
        lastAccessAt: t,
        idleTimeoutMs: idle,
        idleExpiresAt: Math.min(t + idle, t + max),
        maxExpiresAt: t + max,
      };
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

  // ------------------------------------------------------------------------------------------
  // Suspended journeys

  const suspendedStore: SuspendedJourneyStore = {
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

  // ------------------------------------------------------------------------------------------
  // Counters

  const counterStore: CounterStore = {
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

  // ------------------------------------------------------------------------------------------
  // Key/value

  const kvDoc = (value: unknown, options: KvWriteOptions | undefined): Omit<KvDoc, '_id'> => {
    const expiresAtMs = options?.expiresAt === undefined ? null : checkTime(options.expiresAt, 'expiry time');
    return {
      value: toJson(value, 'The value'),
      version: newRev(),
      expiresAtMs,
      ...(expiresAtMs === null ? {} : { expiresAt: new Date(expiresAtMs) }),
    };
  };
  const entryOf = <T>(d: Omit<KvDoc, '_id'>): KvEntry<T> => ({ value: d.value as T, version: d.version, expiresAt: d.expiresAtMs });
  const liveFilter = (t: number): Document => ({ $or: [{ expiresAtMs: null }, { expiresAtMs: { $gt: t } }] });

  const kvStore: KeyValueStore = {
    async get<T>(key: string) {
      checkKey(key);
      const doc = await guard(() => kv.findOne({ _id: key, ...liveFilter(now()) }));
      return doc ? entryOf<T>(doc) : undefined;
    },

    async set<T>(key: string, value: T, options?: KvWriteOptions) {
      checkKey(key);
      const doc = kvDoc(value, options);
      await guard(() => kv.replaceOne({ _id: key }, doc, { upsert: true }));
      return entryOf<T>(doc);
    },

    async insertIfAbsent<T>(key: string, value: T, options?: KvWriteOptions) {
      checkKey(key);
      const doc = kvDoc(value, options);
      // Overwrite a lapsed entry the TTL monitor has not removed yet; otherwise insert, and a
      // duplicate-key error means a live entry exists (exactly one concurrent caller wins).
      const replaced = await guard(() => kv.replaceOne({ _id: key, expiresAtMs: { $lte: now() } }, doc));
      if (replaced.matchedCount === 1) return entryOf<T>(doc);
      try {
        await kv.insertOne({ _id: key, ...doc });
        return entryOf<T>(doc);
      } catch (e) {
        if (isDuplicate(e)) return undefined;
        throw unavailable('mongodb', e);
      }
    },

    async compareAndSet<T>(key: string, expectedVersion: string, value: T, options?: KvWriteOptions) {
      checkKey(key);
      const doc = kvDoc(value, options);
      const r = await guard(() => kv.replaceOne({ _id: key, version: expectedVersion, ...liveFilter(now()) }, doc));
      return r.matchedCount === 1 ? entryOf<T>(doc) : undefined;
    },

    async delete(key, ifVersion) {
      checkKey(key);
      const t = now();
      if (ifVersion === undefined) {
        const doc = await guard(() => kv.findOneAndDelete({ _id: key }));
        return doc !== null && (doc.expiresAtMs === null || t < doc.expiresAtMs);
      }
      const r = await guard(() => kv.deleteOne({ _id: key, version: ifVersion, ...liveFilter(t) }));
      if (r.deletedCount === 1) return true;
      await guard(() => kv.deleteOne({ _id: key, expiresAtMs: { $lte: t } }));
      return false;
    },
  };

  let closed = false;
  return {
    backend: 'mongodb',
    objects: objectStore,
    sessions: sessionStore,
    suspended: suspendedStore,
    counters: counterStore,
    kv: kvStore,
    async purgeExpired() {
      const t = now();
      const results = await guard(() =>
        Promise.all([
          sessions.deleteMany({ idleExpiresAt: { $lte: t } }),
          suspended.deleteMany({ expiresAtMs: { $lte: t } }),
          counters.deleteMany({ resetsAt: { $lte: t } }),
          kv.deleteMany({ expiresAtMs: { $lte: t } }),
        ]),
      );
      return results.reduce((n, r) => n + r.deletedCount, 0);
    },
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
