/**
 * Which index reads answer a CREST filter in the embedded store: a plan names part ranges of indexed
 * fields whose objects include every object the filter matches (then `matchesFilter` decides), or is
 * undefined when only a scan can answer. `eq`, `sw` and `lt`…`ge` on an indexed field read the index;
 * `or` reads all of its operands when each is readable; `and` reads one readable operand, the one with
 * the fewest entries, which indexes.ts counts when the query runs (each count stops at the smallest so
 * far, so a selective operand keeps a broad one cheap). `pr`, `co`, `eq null`, `!`, `true` and `false`
 * need a scan (they match objects without an entry).
 */
import type { FilterNode } from '../../crest/query-filter.js';
import { eqRange, prefixRange, rangesOf, type PartRange } from './index-keys.js';

export type QueryPlan =
  /** The entries of `field` (path segments joined with "/") within `ranges`. */
  | { read: string; ranges: PartRange[] }
  /** Every plan's entries. */
  | { union: QueryPlan[] }
  /** The entries of whichever plan has the fewest. */
  | { fewest: QueryPlan[] };

/** The plan for `filter` over the `indexed` fields (`name` or `parent/child`), or undefined (scan). */
export function planQuery(filter: FilterNode, indexed: ReadonlySet<string>): QueryPlan | undefined {
  switch (filter.op) {
    case 'and': {
      const plans = filter.filters.map((operand) => planQuery(operand, indexed)).filter((p) => p !== undefined);
      return plans.length > 1 ? { fewest: plans } : plans[0];
    }
    case 'or': {
      const plans: QueryPlan[] = [];
      for (const operand of filter.filters) {
        const plan = planQuery(operand, indexed);
        if (!plan) return undefined;
        plans.push(plan);
      }
      return plans.length > 1 ? { union: plans } : plans[0];
    }
    case 'eq':
    case 'sw':
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge': {
      // A segment holding "/" names a property no schema can declare (and so index).
      if (filter.field.some((segment) => segment.includes('/'))) return undefined;
      const field = filter.field.join('/');
      if (!indexed.has(field)) return undefined;
      const ranges =
        filter.op === 'eq'
          ? [eqRange(filter.value)].filter((r) => r !== undefined)
          : filter.op === 'sw'
            ? typeof filter.value === 'string'
              ? [prefixRange(filter.value)]
              : undefined
            : rangesOf(filter.op, filter.value);
      return ranges && ranges.length > 0 ? { read: field, ranges } : undefined;
    }
    default:
      return undefined;
  }
}
