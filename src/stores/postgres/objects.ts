/**
 * Managed objects in `cairn_objects`: one row per object, the whole object (with `_id` and `_rev`) as
 * JSONB in `doc`, the normalised values of its unique fields in `unique_keys`. Every conditional write
 * is one statement: the `_rev` check sits in the UPDATE's or DELETE's WHERE (PostgreSQL re-checks it on
 * the newest row version when writers race), a unique clash is the unique index refusing the row, and
 * a CTE reads the row as it was before the write in the same statement, so a write that matched
 * nothing says at once whether the object is missing (404) or has another revision (412).
 */
import type { FilterNode } from '../../crest/query-filter.js';
import { alreadyExists, invalid, notFound, revMismatch, uniqueConstraint, type StoreError } from '../errors.js';
import { nextCookie, pagingOf } from '../paging.js';
import { checkId, checkResource, newObjectOf, newRev, patchOf, replacementOf, uniqueKeyOf, uniqueKeysOf } from '../records.js';
import type { ManagedObjectStore, StoredObject, UniqueKeys } from '../types.js';
import { jsonParam, sqlStateOf, type Db } from './db.js';
import { Params, compileFilter, compileOrderBy } from './filter.js';
import { uniqueFieldOf } from './migrations.js';

/** The lookup by a unique field, which the partial unique index on (unique_keys ->> field) of the resource answers. */
export const FIND_UNIQUE_SQL = 'SELECT doc FROM cairn_objects WHERE resource = $1 AND unique_keys ->> $2::text = $3::text';

interface Statement {
  sql: string;
  values: unknown[];
}

/**
 * The statements a query runs: its page (one row more than `pageSize`, to know whether more follow; all rows
 * when 0) and, for an exact total, the count. Exported so that a plan can be asked of the very statement.
 */
export function queryStatements(
  resource: string,
  filter: FilterNode,
  { offset, pageSize, sort }: Pick<ReturnType<typeof pagingOf>, 'offset' | 'pageSize' | 'sort'>,
): { page: Statement; count: Statement } {
  const where = new Params([resource]);
  const condition = `resource = $1 AND ${compileFilter(filter, where)}`;
  const page = new Params(where.values);
  const order = compileOrderBy(sort, page);
  const limit = page.add(pageSize > 0 ? pageSize + 1 : null);
  const skip = page.add(offset);
  return {
    page: { sql: `SELECT doc FROM cairn_objects WHERE ${condition} ORDER BY ${order} LIMIT ${limit} OFFSET ${skip}`, values: page.values },
    count: { sql: `SELECT count(*)::bigint AS n FROM cairn_objects WHERE ${condition}`, values: where.values },
  };
}

interface WriteResult {
  doc: StoredObject | null;
  before: string | null;
}

/** `_id` and `_rev` first, as the other backends return them (JSONB keeps keys in its own order). */
function objectOf(doc: Record<string, unknown>): StoredObject {
  const { _id, _rev, ...fields } = doc;
  return { _id, _rev, ...fields } as StoredObject;
}

export function postgresObjects(db: Db, uniqueKeys: UniqueKeys): ManagedObjectStore {
  const declared = (resource: string): readonly string[] => uniqueKeys[resource] ?? [];

  /** A failed write as the contract's error: the primary key (412), a unique index (409, naming the field), else the store's. */
  const writeError = async (e: unknown, resource: string, id: string): Promise<StoreError> => {
    const { code, constraint } = sqlStateOf(e);
    if (code !== '23505') return db.fail(e);
    if (constraint === 'cairn_objects_pkey') return alreadyExists(resource, id);
    const field = await uniqueFieldOf(db.rows, constraint).catch(() => null);
    return uniqueConstraint(resource, field ?? 'unknown');
  };

  /** Runs a conditional write; none matched → 404 when there was no row before it, 412 when its revision differed. */
  const conditional = async (resource: string, id: string, sql: string, params: unknown[]): Promise<StoredObject> => {
    let result: WriteResult | undefined;
    try {
      [result] = await db.rows<WriteResult>(sql, params);
    } catch (e) {
      throw await writeError(e, resource, id);
    }
    if (result?.doc) return objectOf(result.doc);
    throw result?.before ? revMismatch(resource, id) : notFound(resource, id);
  };

  const revCondition = (p: Params, ifRev: string | undefined): string => (ifRev === undefined ? '' : ` AND rev = ${p.add(ifRev)}`);

  return {
    async create(resource, object) {
      checkResource(resource);
      const { id, fields } = newObjectOf(object);
      const record: StoredObject = { _id: id, _rev: newRev(), ...fields };
      const keys = Object.fromEntries(uniqueKeysOf(fields, declared(resource)));
      try {
        await db.rows('INSERT INTO cairn_objects (resource, id, rev, doc, unique_keys) VALUES ($1, $2, $3, $4::jsonb, $5::jsonb)', [
          resource,
          id,
          record._rev,
          jsonParam(record),
          jsonParam(keys),
        ]);
      } catch (e) {
        throw await writeError(e, resource, id);
      }
      return record;
    },

    async read(resource, id) {
      checkResource(resource);
      checkId(id);
      const [row] = await db.rows<{ doc: Record<string, unknown> }>('SELECT doc FROM cairn_objects WHERE resource = $1 AND id = $2', [resource, id]);
      return row ? objectOf(row.doc) : undefined;
    },

    async findUnique(resource, field, value) {
      checkResource(resource);
      if (!declared(resource).includes(field)) throw invalid(`${field} is not a unique field of ${resource}`, { field });
      if (typeof value !== 'string' || value === '') return undefined;
      const [row] = await db.rows<{ doc: Record<string, unknown> }>(FIND_UNIQUE_SQL, [resource, field, uniqueKeyOf(value)]);
      return row ? objectOf(row.doc) : undefined;
    },

    async query(resource, filter: FilterNode, options) {
      checkResource(resource);
      const paging = pagingOf(options);
      const { offset, pageSize, exact } = paging;
      const statements = queryStatements(resource, filter, paging);
      const rows = await db.rows<{ doc: Record<string, unknown> }>(statements.page.sql, statements.page.values);
      const hasMore = pageSize > 0 && rows.length > pageSize;
      const result = (hasMore ? rows.slice(0, pageSize) : rows).map((r) => objectOf(r.doc));
      let total = -1;
      if (exact) {
        const [counted] = await db.rows<{ n: number }>(statements.count.sql, statements.count.values);
        total = counted?.n ?? 0;
      }
      return { result, pagedResultsCookie: nextCookie(offset, pageSize, result.length, hasMore), totalPagedResults: total };
    },

    async replace(resource, id, object, ifRev) {
      checkResource(resource);
      checkId(id);
      const fields = replacementOf(object, id);
      const record: StoredObject = { _id: id, _rev: newRev(), ...fields };
      const keys = Object.fromEntries(uniqueKeysOf(fields, declared(resource)));
      const p = new Params([resource, id, record._rev, jsonParam(record), jsonParam(keys)]);
      return conditional(
        resource,
        id,
        `WITH before AS (SELECT rev FROM cairn_objects WHERE resource = $1 AND id = $2),
         written AS (
           UPDATE cairn_objects SET rev = $3, doc = $4::jsonb, unique_keys = $5::jsonb
           WHERE resource = $1 AND id = $2${revCondition(p, ifRev)} RETURNING doc)
         SELECT (SELECT doc FROM written) AS doc, (SELECT rev FROM before) AS before`,
        p.values,
      );
    },

    async patch(resource, id, patch, ifRev) {
      checkResource(resource);
      checkId(id);
      const { set, unset } = patchOf(patch);
      const keys = uniqueKeysOf(set, declared(resource));
      // Unique keys of fields set to a value are replaced; of fields set to null or removed, dropped.
      const dropKeys = declared(resource).filter((f) => !keys.has(f) && (f in set || unset.includes(f)));
      const rev = newRev();
      const p = new Params([resource, id, rev, jsonParam({ ...set, _rev: rev }), unset, jsonParam(Object.fromEntries(keys)), dropKeys]);
      return conditional(
        resource,
        id,
        `WITH before AS (SELECT rev FROM cairn_objects WHERE resource = $1 AND id = $2),
         written AS (
           UPDATE cairn_objects SET rev = $3, doc = (doc - $5::text[]) || $4::jsonb, unique_keys = (unique_keys - $7::text[]) || $6::jsonb
           WHERE resource = $1 AND id = $2${revCondition(p, ifRev)} RETURNING doc)
         SELECT (SELECT doc FROM written) AS doc, (SELECT rev FROM before) AS before`,
        p.values,
      );
    },

    async delete(resource, id, ifRev) {
      checkResource(resource);
      checkId(id);
      const p = new Params([resource, id]);
      const [result] = await db.rows<WriteResult>(
        `WITH before AS (SELECT rev FROM cairn_objects WHERE resource = $1 AND id = $2),
         removed AS (DELETE FROM cairn_objects WHERE resource = $1 AND id = $2${revCondition(p, ifRev)} RETURNING doc)
         SELECT (SELECT doc FROM removed) AS doc, (SELECT rev FROM before) AS before`,
        p.values,
      );
      if (result?.doc) return objectOf(result.doc);
      if (result?.before && ifRev !== undefined) throw revMismatch(resource, id);
      return undefined;
    },
  };
}
