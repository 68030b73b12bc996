/**
 * Managed objects in lmdb: `objects` (resource SEP id → object), `uniques` (resource SEP field SEP
 * normalised value → id) and the secondary indexes of the unique and searchable fields (indexes.ts).
 * Every write checks `_rev` and the unique keys and writes the object with its unique and index entries
 * in one durable transaction, so two processes can never both take a userName and an index never misses
 * a committed object. Unique lookups are index reads; a query reads the index entries its plan names
 * (query-plan.ts) and evaluates the filter on those objects only, or scans the resource's objects when no
 * indexed field can answer it. `stats` counts both kinds and the objects each examined.
 */
import { matchesFilter, type FilterNode } from '../../crest/query-filter.js';
import { alreadyExists, invalid, notFound, revMismatch, uniqueConstraint } from '../errors.js';
import { compareBy, nextCookie, pagingOf } from '../paging.js';
import { checkId, checkResource, newObjectOf, newRev, patchOf, replacementOf, uniqueKeyOf, uniqueKeysOf } from '../records.js';
import type { ManagedObjectStore, QueryStats, StoredObject, UniqueKeys } from '../types.js';
import { SEP, prefixRange, type LmdbEnvironment } from './environment.js';
import type { SecondaryIndexes } from './indexes.js';
import { planQuery } from './query-plan.js';

export function lmdbObjects(
  env: LmdbEnvironment,
  uniqueKeys: UniqueKeys,
  indexes: SecondaryIndexes,
): { store: ManagedObjectStore; stats: QueryStats } {
  const { commit, read } = env;
  const stats: QueryStats = { index: { queries: 0, examined: 0 }, scan: { queries: 0, examined: 0 } };
  const objects = env.db<StoredObject>('objects'); // resource SEP id → object
  const uniques = env.db<string>('uniques'); // resource SEP field SEP normalised value → id

  const declared = (resource: string): readonly string[] => uniqueKeys[resource] ?? [];
  const objKey = (resource: string, id: string): string => `${resource}${SEP}${id}`;
  const uniqKey = (resource: string, field: string, key: string): string => `${resource}${SEP}${field}${SEP}${key}`;

  /** Writes `fields` as the new state of `resource/id` (inside a write transaction), keeping unique keys. */
  const putObject = (resource: string, id: string, current: StoredObject | undefined, fields: Record<string, unknown>): StoredObject => {
    const next = uniqueKeysOf(fields, declared(resource));
    const prev = current ? uniqueKeysOf(current, declared(resource)) : new Map<string, string>();
    for (const [field, key] of next) {
      if (prev.get(field) === key) continue;
      const owner = uniques.get(uniqKey(resource, field, key));
      if (owner !== undefined && owner !== id && objects.get(objKey(resource, owner)) !== undefined) {
        throw uniqueConstraint(resource, field);
      }
    }
    for (const [field, key] of prev) {
      if (next.get(field) !== key) uniques.removeSync(uniqKey(resource, field, key));
    }
    for (const [field, key] of next) {
      if (prev.get(field) !== key) uniques.putSync(uniqKey(resource, field, key), id);
    }
    const record: StoredObject = { _id: id, _rev: newRev(), ...fields };
    indexes.update(resource, id, current, fields);
    objects.putSync(objKey(resource, id), record);
    return record;
  };

  const store: ManagedObjectStore = {
    async create(resource, object) {
      checkResource(resource);
      const { id, fields } = newObjectOf(object);
      return commit(() => {
        if (objects.get(objKey(resource, id)) !== undefined) throw alreadyExists(resource, id);
        return putObject(resource, id, undefined, fields);
      });
    },

    async read(resource, id) {
      checkResource(resource);
      checkId(id);
      return read(() => objects.get(objKey(resource, id)));
    },

    async findUnique(resource, field, value) {
      checkResource(resource);
      if (!declared(resource).includes(field)) throw invalid(`${field} is not a unique field of ${resource}`, { field });
      if (typeof value !== 'string' || value === '') return undefined;
      return read(() => {
        const id = uniques.get(uniqKey(resource, field, uniqueKeyOf(value)));
        return id === undefined ? undefined : objects.get(objKey(resource, id));
      });
    },

    async query(resource, filter: FilterNode, options) {
      checkResource(resource);
      const { offset, pageSize, sort, exact } = pagingOf(options);
      const matches = read(() => {
        const out: StoredObject[] = [];
        const plan = planQuery(filter, indexes.ready(resource));
        if (plan) {
          const ids = indexes.ids(resource, plan);
          stats.index.queries++;
          stats.index.examined += ids.length;
          for (const id of ids) {
            const value = objects.get(objKey(resource, id));
            if (value !== undefined && matchesFilter(filter, value)) out.push(value);
          }
          return out;
        }
        stats.scan.queries++;
        for (const { value } of objects.getRange(prefixRange(resource))) {
          stats.scan.examined++;
          if (matchesFilter(filter, value)) out.push(value);
        }
        return out;
      });
      matches.sort(compareBy(sort));
      const page = pageSize > 0 ? matches.slice(offset, offset + pageSize) : matches.slice(offset);
      return {
        result: page,
        pagedResultsCookie: nextCookie(offset, pageSize, page.length, offset + page.length < matches.length),
        totalPagedResults: exact ? matches.length : -1,
      };
    },

    async replace(resource, id, object, ifRev) {
      checkResource(resource);
      checkId(id);
      const fields = replacementOf(object, id);
      return commit(() => {
        const current = objects.get(objKey(resource, id));
        if (current === undefined) throw notFound(resource, id);
        if (ifRev !== undefined && current._rev !== ifRev) throw revMismatch(resource, id);
        return putObject(resource, id, current, fields);
      });
    },

    async patch(resource, id, patch, ifRev) {
      checkResource(resource);
      checkId(id);
      const { set, unset } = patchOf(patch);
      return commit(() => {
        const current = objects.get(objKey(resource, id));
        if (current === undefined) throw notFound(resource, id);
        if (ifRev !== undefined && current._rev !== ifRev) throw revMismatch(resource, id);
        const { _id, _rev, ...rest } = current;
        void _id;
        void _rev;
        const fields: Record<string, unknown> = { ...rest, ...set };
        for (const name of unset) delete fields[name];
        return putObject(resource, id, current, fields);
      });
    },

    async delete(resource, id, ifRev) {
      checkResource(resource);
      checkId(id);
      return commit(() => {
        const current = objects.get(objKey(resource, id));
        if (current === undefined) return undefined;
        if (ifRev !== undefined && current._rev !== ifRev) throw revMismatch(resource, id);
        for (const [field, key] of uniqueKeysOf(current, declared(resource))) {
          if (uniques.get(uniqKey(resource, field, key)) === id) uniques.removeSync(uniqKey(resource, field, key));
        }
        indexes.update(resource, id, current, undefined);
        objects.removeSync(objKey(resource, id));
        return current;
      });
    },
  };
  return { store, stats };
}
