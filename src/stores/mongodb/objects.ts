/**
 * Managed objects in MongoDB: one collection per resource (`managed/user` → `managed.user`), the
 * normalised unique keys kept in a hidden `_cairnKeys` sub-document under unique partial indexes, and
 * every conditional write one atomic findOneAnd* with the `_rev` condition in its filter. Queries
 * run as compiled CREST filters (filter.ts) with server-side sort, skip and limit.
 */
import type { Collection, MongoServerError } from 'mongodb';
import type { FilterNode } from '../../crest/query-filter.js';
import { alreadyExists, invalid, notFound, revMismatch, uniqueConstraint, type StoreError } from '../errors.js';
import { nextCookie, pagingOf } from '../paging.js';
import { RESERVED_FIELD, checkId, checkResource, newObjectOf, newRev, patchOf, replacementOf, uniqueKeyOf, uniqueKeysOf } from '../records.js';
import type { ManagedObjectStore, StoredObject, UniqueKeys } from '../types.js';
import type { MongoContext, MongoFamily } from './connection.js';
import { mongoSort, toMongoFilter } from './filter.js';

interface ObjectDoc {
  _id: string;
  _rev: string;
  [RESERVED_FIELD]?: Record<string, string>;
  [field: string]: unknown;
}

const HIDE_KEYS = { projection: { [RESERVED_FIELD]: 0 } } as const;

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
  return rest;
}

export function mongoObjects(ctx: MongoContext, uniqueKeys: UniqueKeys): MongoFamily<ManagedObjectStore> {
  const { db, guard } = ctx;
  const objectsOf = (resource: string): Collection<ObjectDoc> => db.collection<ObjectDoc>(collectionName(resource));

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

  const store: ManagedObjectStore = {
    async create(resource, object) {
      checkResource(resource);
      const { id, fields } = newObjectOf(object);
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
      const fields = replacementOf(object, id);
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

  return {
    store,
    async createIndexes() {
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
    },
  };
}
