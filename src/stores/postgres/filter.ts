/**
 * CREST `_queryFilter` and sort keys compiled to SQL over the JSONB `doc` column, with the meaning the
 * in-process evaluator gives them (src/crest/query-filter.ts). The SQL text is assembled only from
 * fixed fragments; every field path and value is a `$n` parameter, so nothing a client sends is ever
 * part of a statement. Leaves call the functions created by migration 1 (src/stores/postgres/
 * migrations.ts): `eq` on a string becomes `cairn_folded(doc, path) @> ARRAY[lower(value)]`, which
 * the GIN index of a searchable field answers; `pr`, `eq null` and the other comparisons go through
 * `cairn_present`, `cairn_missing` and `cairn_compare`.
 *
 * PostgreSQL strings cannot hold NUL, so a stored string never equals, contains or starts with a value
 * that does: those leaves compile to FALSE, and an ordering against such a value compares with the part
 * before the NUL (for NUL-free strings, s < "ab\0…" exactly when s <= "ab").
 */
import type { FilterNode } from '../../crest/query-filter.js';
import type { SortKey } from '../paging.js';
import { jsonParam } from './db.js';

/** Collects parameters and hands out their placeholders. */
export class Params {
  readonly values: unknown[] = [];

  constructor(initial: readonly unknown[] = []) {
    this.values.push(...initial);
  }

  /** The placeholder of a new parameter holding `value`. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

type Range = 'lt' | 'le' | 'gt' | 'ge';

/** An ordering against a string holding NUL, as the equivalent ordering against the part before it. */
function withoutNul(op: Range, value: string): { op: Range; value: string } {
  const cut = value.indexOf('\u0000');
  if (cut < 0) return { op, value };
  const prefix = value.slice(0, cut);
  return { op: op === 'lt' || op === 'le' ? 'le' : 'gt', value: prefix };
}

/** A boolean SQL expression over `doc` (the objects table's column) equivalent to `node`. */
export function compileFilter(node: FilterNode, params: Params): string {
  switch (node.op) {
    case 'true':
      return 'TRUE';
    case 'false':
      return 'FALSE';
    case 'and':
      return `(${node.filters.map((f) => compileFilter(f, params)).join(' AND ')})`;
    case 'or':
      return `(${node.filters.map((f) => compileFilter(f, params)).join(' OR ')})`;
    case 'not':
      return `(NOT ${compileFilter(node.filter, params)})`;
    case 'pr':
      return `cairn_present(doc, ${params.add(node.field)}::text[])`;
    default: {
      const { op, field } = node;
      let value = node.value;
      if (value === null) return op === 'eq' ? `cairn_missing(doc, ${params.add(field)}::text[])` : 'FALSE';
      if (typeof value === 'string' && (op === 'eq' || op === 'co' || op === 'sw')) {
        if (value.includes('\u0000')) return 'FALSE';
        if (op === 'eq') return `cairn_folded(doc, ${params.add(field)}::text[]) @> ARRAY[lower(${params.add(value)}::text)]`;
      }
      let compareOp: string = op;
      if (typeof value === 'string' && op !== 'eq' && op !== 'co' && op !== 'sw') {
        const safe = withoutNul(op, value);
        compareOp = safe.op;
        value = safe.value;
      }
      return `cairn_compare(doc, ${params.add(field)}::text[], ${params.add(compareOp)}::text, ${params.add(jsonParam(value))}::jsonb)`;
    }
  }
}

/**
 * ORDER BY for CREST sort keys with the shared value order (src/stores/paging.ts): missing/null <
 * numbers < strings < objects < arrays < booleans, numbers by value, strings by bytes (COLLATE "C"),
 * then `_id`. Each key's value is `doc #> path`, which indexes arrays by number as the paging code does.
 */
export function compileOrderBy(keys: readonly SortKey[], params: Params): string {
  const terms: string[] = [];
  for (const key of keys) {
    const v = `(doc #> ${params.add(key.path)}::text[])`;
    const dir = key.descending ? 'DESC' : 'ASC';
    terms.push(
      `CASE jsonb_typeof(${v}) WHEN 'number' THEN 1 WHEN 'string' THEN 2 WHEN 'object' THEN 3 WHEN 'array' THEN 4 WHEN 'boolean' THEN 5 ELSE 0 END ${dir}`,
      `CASE WHEN jsonb_typeof(${v}) = 'number' THEN ${v}::numeric END ${dir}`,
      `(CASE WHEN jsonb_typeof(${v}) = 'string' THEN ${v} #>> '{}' END) COLLATE "C" ${dir}`,
      `(CASE WHEN jsonb_typeof(${v}) IN ('object', 'array', 'boolean') THEN ${v}::text END) COLLATE "C" ${dir}`,
    );
  }
  terms.push('id COLLATE "C" ASC');
  return terms.join(', ');
}
