/**
 * CREST query → MongoDB: a parsed `_queryFilter` (src/crest/query-filter.ts) compiled to the query
 * document with the same meaning as `matchesFilter` (case-insensitive eq/co/sw through the one
 * shared regex, same-type range comparisons, `eq null` / `pr` on missing fields, implicit array
 * traversal), and parsed sort keys to the sort document with the `_id` tie-break.
 */
import { stringPattern, type FilterNode } from '../../crest/query-filter.js';
import type { SortKey } from '../paging.js';

const MONGO_RANGE = { lt: '$lt', le: '$lte', gt: '$gt', ge: '$gte' } as const;

/** Compiles a parsed filter to the equivalent MongoDB query document. */
export function toMongoFilter(node: FilterNode): Record<string, unknown> {
  switch (node.op) {
    case 'true':
      return {};
    case 'false':
      return { $expr: false };
    case 'and':
      return { $and: node.filters.map(toMongoFilter) };
    case 'or':
      return { $or: node.filters.map(toMongoFilter) };
    case 'not':
      return { $nor: [toMongoFilter(node.filter)] };
    case 'pr':
      return { [node.field.join('.')]: { $exists: true, $ne: null } };
    case 'eq':
    case 'co':
    case 'sw': {
      const path = node.field.join('.');
      if (typeof node.value === 'string') {
        return { [path]: { $regex: stringPattern(node.op, node.value), $options: 'i' } };
      }
      return { [path]: { $eq: node.value } };
    }
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge':
      return { [node.field.join('.')]: { [MONGO_RANGE[node.op]]: node.value } };
  }
}

/** The MongoDB sort document for the keys, ending with the `_id` tie-break. */
export function mongoSort(keys: readonly SortKey[]): Record<string, 1 | -1> {
  const sort: Record<string, 1 | -1> = {};
  for (const k of keys) {
    const name = k.path.join('.');
    if (!(name in sort)) sort[name] = k.descending ? -1 : 1;
  }
  if (!('_id' in sort)) sort._id = 1;
  return sort;
}
