/**
 * The PostgreSQL schema, created and migrated when the store opens. Migrations are numbered and
 * applied in order inside one transaction that first takes a transaction-level advisory lock, so
 * when several instances start at once exactly one migrates and the others wait, then find nothing
 * to do; DDL is transactional, so a failed migration leaves the schema as it was. A database already
 * migrated by a newer Cairn is refused (roll instances forward, not back).
 *
 * In the same locked transaction the per-resource indexes are made to match the managed-object schema:
 * a unique index on each declared unique field's case-folded key (`unique_keys ->> field`, computed by
 * the store in JavaScript exactly as the other backends do, so lmdb, MongoDB and PostgreSQL agree on
 * what clashes), and a GIN index on the case-folded values of each searchable field, which `eq`
 * filters use. Declaring a field unique backfills the keys of existing objects first and fails with a
 * sentence when they already clash; undeclaring it drops the index. Index DDL cannot take parameters:
 * its names are hashes and its literals are checked resource and field names, quoted by pg.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { uniqueKeysOf } from '../records.js';
import type { UniqueKeys } from '../types.js';
import { jsonParam, sqlStateOf, type Tx } from './db.js';

/** Advisory lock keys: (space, id) pairs of int4, the space spelling "Cair". */
export const LOCK_SPACE = 0x43616972;
export const MIGRATION_LOCK = 1;
export const SWEEP_LOCK = 2;

interface Migration {
  version: number;
  name: string;
  statements: readonly string[];
}

/**
 * `cairn_candidates(doc, path)` is the SQL twin of the in-process filter evaluator's value
 * resolution (src/crest/query-filter.ts): every value `path` reaches, fanning out through arrays
 * of objects (a missing field in an element is SQL NULL, JSON null is 'null'), a numeric segment
 * indexing an array, then each reached array followed by its elements. The comparison functions build
 * on it, so `_queryFilter` means the same on every backend.
 */
const FILTER_FUNCTIONS = [
  `CREATE FUNCTION cairn_candidates(doc jsonb, path text[]) RETURNS jsonb[]
   LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
   DECLARE
     cur jsonb[] := ARRAY[doc];
     nxt jsonb[];
     seg text;
     v jsonb;
     e jsonb;
     result jsonb[] := '{}';
   BEGIN
     FOREACH seg IN ARRAY path LOOP
       nxt := '{}';
       FOREACH v IN ARRAY cur LOOP
         CONTINUE WHEN v IS NULL;
         IF jsonb_typeof(v) = 'array' THEN
           IF seg ~ '^(0|[1-9][0-9]*)$' THEN
             IF length(seg) <= 9 AND seg::integer < jsonb_array_length(v) THEN
               nxt := array_append(nxt, v -> seg::integer);
             END IF;
           ELSE
             FOR e IN SELECT x FROM jsonb_array_elements(v) AS t(x) LOOP
               IF jsonb_typeof(e) = 'object' THEN nxt := array_append(nxt, e -> seg); END IF;
             END LOOP;
           END IF;
         ELSIF jsonb_typeof(v) = 'object' AND v ? seg THEN
           nxt := array_append(nxt, v -> seg);
         END IF;
       END LOOP;
       cur := nxt;
     END LOOP;
     FOREACH v IN ARRAY cur LOOP
       result := array_append(result, v);
       IF v IS NOT NULL AND jsonb_typeof(v) = 'array' THEN
         result := result || ARRAY(SELECT x FROM jsonb_array_elements(v) AS t(x));
       END IF;
     END LOOP;
     RETURN result;
   END
   $fn$`,
  // The lower-cased strings among the candidates: what eq/co/sw compare with (case-insensitively,
  // like DS's caseIgnoreMatch), and what the searchable-field GIN indexes hold.
  `CREATE FUNCTION cairn_folded(doc jsonb, path text[]) RETURNS text[]
   LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $fn$
     SELECT coalesce(array_agg(lower(c #>> '{}')), '{}') FROM unnest(cairn_candidates(doc, path)) AS t(c) WHERE jsonb_typeof(c) = 'string'
   $fn$`,
  // `pr`: reached, and no reached value is missing or null.
  `CREATE FUNCTION cairn_present(doc jsonb, path text[]) RETURNS boolean
   LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $fn$
     SELECT count(*) > 0 AND coalesce(bool_and(c IS NOT NULL AND c <> 'null'::jsonb), false) FROM unnest(cairn_candidates(doc, path)) AS t(c)
   $fn$`,
  // `eq null`: nothing reached, or some reached value is missing or null.
  `CREATE FUNCTION cairn_missing(doc jsonb, path text[]) RETURNS boolean
   LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $fn$
     SELECT count(*) = 0 OR coalesce(bool_or(c IS NULL OR c = 'null'::jsonb), false) FROM unnest(cairn_candidates(doc, path)) AS t(c)
   $fn$`,
  // Every other comparison: co/sw on folded strings, lt..ge on numbers (numeric) or strings (binary
  // order, COLLATE "C", like MongoDB), eq on numbers and booleans. Values of another type never match.
  `CREATE FUNCTION cairn_compare(doc jsonb, path text[], op text, value jsonb) RETURNS boolean
   LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $fn$
   DECLARE
     c jsonb;
     s text;
     v text;
   BEGIN
     IF jsonb_typeof(value) = 'string' AND op IN ('eq', 'co', 'sw') THEN
       v := lower(value #>> '{}');
       FOREACH s IN ARRAY cairn_folded(doc, path) LOOP
         IF (op = 'eq' AND s = v) OR (op = 'co' AND strpos(s, v) > 0) OR (op = 'sw' AND starts_with(s, v)) THEN RETURN true; END IF;
       END LOOP;
       RETURN false;
     END IF;
     FOREACH c IN ARRAY cairn_candidates(doc, path) LOOP
       CONTINUE WHEN c IS NULL;
       IF op = 'eq' THEN
         IF c = value THEN RETURN true; END IF;
       ELSIF jsonb_typeof(value) = 'number' AND jsonb_typeof(c) = 'number' THEN
         IF (op = 'lt' AND c::numeric < value::numeric) OR (op = 'le' AND c::numeric <= value::numeric)
           OR (op = 'gt' AND c::numeric > value::numeric) OR (op = 'ge' AND c::numeric >= value::numeric) THEN RETURN true; END IF;
       ELSIF jsonb_typeof(value) = 'string' AND jsonb_typeof(c) = 'string' THEN
         s := c #>> '{}';
         v := value #>> '{}';
         IF (op = 'lt' AND s COLLATE "C" < v COLLATE "C") OR (op = 'le' AND s COLLATE "C" <= v COLLATE "C")
           OR (op = 'gt' AND s COLLATE "C" > v COLLATE "C") OR (op = 'ge' AND s COLLATE "C" >= v COLLATE "C") THEN RETURN true; END IF;
       END IF;
     END LOOP;
     RETURN false;
   END
   $fn$`,
];

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'objects, sessions, suspended journeys, counters, key/value; expiry indexes; filter functions',
    statements: [
      `CREATE TABLE cairn_objects (
         resource text NOT NULL,
         id text NOT NULL,
         rev text NOT NULL,
         doc jsonb NOT NULL,
         unique_keys jsonb NOT NULL DEFAULT '{}'::jsonb,
         PRIMARY KEY (resource, id)
       )`,
      `CREATE TABLE cairn_object_indexes (
         name text PRIMARY KEY,
         resource text NOT NULL,
         kind text NOT NULL CHECK (kind IN ('unique', 'search')),
         field text NOT NULL,
         UNIQUE (resource, kind, field)
       )`,
      `CREATE TABLE cairn_sessions (
         id text PRIMARY KEY,
         subjects jsonb NOT NULL,
         subject_keys text[] NOT NULL,
         data jsonb NOT NULL,
         created_at bigint NOT NULL,
         last_access_at bigint NOT NULL,
         idle_timeout_ms bigint NOT NULL,
         idle_expires_at bigint NOT NULL,
         max_expires_at bigint NOT NULL
       )`,
      'CREATE INDEX cairn_sessions_subjects ON cairn_sessions USING gin (subject_keys)',
      'CREATE INDEX cairn_sessions_expiry ON cairn_sessions (idle_expires_at)',
      `CREATE TABLE cairn_suspended (
         id_hash text PRIMARY KEY,
         record jsonb NOT NULL,
         expires_at bigint NOT NULL,
         subject_key text,
         scope_key text
       )`,
      'CREATE INDEX cairn_suspended_subject ON cairn_suspended (subject_key, scope_key) WHERE subject_key IS NOT NULL',
      'CREATE INDEX cairn_suspended_expiry ON cairn_suspended (expires_at)',
      'CREATE TABLE cairn_counters (key text PRIMARY KEY, count bigint NOT NULL, resets_at bigint NOT NULL)',
      'CREATE INDEX cairn_counters_expiry ON cairn_counters (resets_at)',
      'CREATE TABLE cairn_kv (key text PRIMARY KEY, value jsonb NOT NULL, version text NOT NULL, expires_at bigint)',
      'CREATE INDEX cairn_kv_expiry ON cairn_kv (expires_at) WHERE expires_at IS NOT NULL',
      ...FILTER_FUNCTIONS,
    ],
  },
  {
    version: 2,
    name: 'single-use claims',
    // The key leads with the expiry, so the primary key's B-tree is also the sweep's index.
    statements: ['CREATE TABLE cairn_claims (expires_at bigint NOT NULL, key text NOT NULL, PRIMARY KEY (expires_at, key))'],
  },
];

export const LATEST_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

/** Fields of managed objects that get an index: unique ones (declared by the schema) and searchable ones. */
export interface IndexedFields {
  uniqueKeys: UniqueKeys;
  /** Per resource, the fields (`name` or `parent/child`) `eq` filters should find through an index. */
  searchable: Readonly<Record<string, readonly string[]>>;
}

interface ObjectIndex {
  name: string;
  resource: string;
  kind: 'unique' | 'search';
  field: string;
}

/** The index name for a resource field: short, stable, and free of any character needing care. */
export function objectIndexName(kind: 'unique' | 'search', resource: string, field: string): string {
  const hash = createHash('sha256').update(`${resource}\u0000${field}`).digest('hex').slice(0, 16);
  return `cairn_${kind === 'unique' ? 'uq' : 'ix'}_${hash}`;
}

function desiredIndexes(fields: IndexedFields): ObjectIndex[] {
  const out: ObjectIndex[] = [];
  for (const [resource, names] of Object.entries(fields.uniqueKeys)) {
    for (const field of names) out.push({ name: objectIndexName('unique', resource, field), resource, kind: 'unique', field });
  }
  for (const [resource, names] of Object.entries(fields.searchable)) {
    for (const field of names) out.push({ name: objectIndexName('search', resource, field), resource, kind: 'search', field });
  }
  return out;
}

const BACKFILL_BATCH = 1000;

/** Recomputes `field`'s unique key on every object of `resource`, in batches (inside the migration transaction). */
async function backfillUniqueKeys(tx: Tx, resource: string, field: string): Promise<void> {
  let after = '';
  for (;;) {
    const batch = await tx.rows<{ id: string; doc: Record<string, unknown> }>(
      'SELECT id, doc FROM cairn_objects WHERE resource = $1 AND id > $2 ORDER BY id COLLATE "C" LIMIT $3',
      [resource, after, BACKFILL_BATCH],
    );
    if (batch.length === 0) return;
    const ids: string[] = [];
    const keys: string[] = [];
    for (const { id, doc } of batch) {
      ids.push(id);
      let key: string | undefined;
      try {
        key = uniqueKeysOf(doc, [field]).get(field);
      } catch {
        throw new Error(`${resource}/${id} holds more than one value in ${field}, which cannot be declared unique until it is changed.`);
      }
      keys.push(jsonParam(key === undefined ? {} : { [field]: key }));
    }
    await tx.rows(
      `UPDATE cairn_objects AS o SET unique_keys = (o.unique_keys - $2::text) || k.keys::jsonb
       FROM unnest($3::text[], $4::text[]) AS k(id, keys)
       WHERE o.resource = $1 AND o.id = k.id`,
      [resource, field, ids, keys],
    );
    after = ids[ids.length - 1] as string;
  }
}

async function createObjectIndex(tx: Tx, index: ObjectIndex): Promise<void> {
  const name = pg.escapeIdentifier(index.name);
  const where = `WHERE resource = ${pg.escapeLiteral(index.resource)}`;
  if (index.kind === 'unique') {
    await backfillUniqueKeys(tx, index.resource, index.field);
    try {
      await tx.rows(`CREATE UNIQUE INDEX ${name} ON cairn_objects ((unique_keys ->> ${pg.escapeLiteral(index.field)})) ${where}`);
    } catch (e) {
      if (sqlStateOf(e).code !== '23505') throw e;
      throw new Error(
        `Objects of ${index.resource} already share a ${index.field} value (compared case-insensitively), so ${index.field} cannot be declared unique until they differ.`,
        { cause: e },
      );
    }
  } else {
    const path = `ARRAY[${index.field
      .split('/')
      .map((s) => pg.escapeLiteral(s))
      .join(', ')}]::text[]`;
    await tx.rows(`CREATE INDEX ${name} ON cairn_objects USING gin (cairn_folded(doc, ${path})) ${where}`);
  }
  await tx.rows('INSERT INTO cairn_object_indexes (name, resource, kind, field) VALUES ($1, $2, $3, $4)', [
    index.name,
    index.resource,
    index.kind,
    index.field,
  ]);
}

async function dropObjectIndex(tx: Tx, index: ObjectIndex): Promise<void> {
  await tx.rows(`DROP INDEX IF EXISTS ${pg.escapeIdentifier(index.name)}`);
  await tx.rows('DELETE FROM cairn_object_indexes WHERE name = $1', [index.name]);
  if (index.kind === 'unique') {
    await tx.rows('UPDATE cairn_objects SET unique_keys = unique_keys - $2::text WHERE resource = $1 AND unique_keys ? $2', [
      index.resource,
      index.field,
    ]);
  }
}

export interface MigrationReport {
  applied: number[];
  created: string[];
  dropped: string[];
}

/** Brings the schema to LATEST_VERSION and the object indexes to `fields`, once across all instances. */
export async function migrate(transaction: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>, fields: IndexedFields): Promise<MigrationReport> {
  return transaction(async (tx) => {
    await tx.rows('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_SPACE, MIGRATION_LOCK]);
    await tx.rows(
      `CREATE TABLE IF NOT EXISTS cairn_schema_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const done = new Set((await tx.rows<{ version: number }>('SELECT version FROM cairn_schema_migrations')).map((r) => r.version));
    const newest = Math.max(0, ...done);
    if (newest > LATEST_VERSION) {
      throw new Error(
        `The database schema is at version ${newest}, newer than this Cairn knows (${LATEST_VERSION}); run the newer Cairn (instances roll forward, not back).`,
      );
    }
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      for (const statement of m.statements) await tx.rows(statement);
      await tx.rows('INSERT INTO cairn_schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }

    const existing = await tx.rows<ObjectIndex>('SELECT name, resource, kind, field FROM cairn_object_indexes');
    const wanted = desiredIndexes(fields);
    const created: string[] = [];
    const dropped: string[] = [];
    for (const index of existing) {
      if (wanted.some((w) => w.name === index.name)) continue;
      await dropObjectIndex(tx, index);
      dropped.push(`${index.kind} ${index.resource} ${index.field}`);
    }
    for (const index of wanted) {
      if (existing.some((x) => x.name === index.name)) continue;
      await createObjectIndex(tx, index);
      created.push(`${index.kind} ${index.resource} ${index.field}`);
    }
    return { applied, created, dropped };
  });
}

/** The unique field a constraint name stands for (null for the primary key or an unknown name). */
export async function uniqueFieldOf(rows: Tx['rows'], constraint: string | undefined): Promise<string | null> {
  if (constraint === undefined || !constraint.startsWith('cairn_uq_')) return null;
  const found = await rows<{ field: string }>('SELECT field FROM cairn_object_indexes WHERE name = $1', [constraint]);
  return found[0]?.field ?? null;
}
