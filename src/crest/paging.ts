/**
 * CREST query paging on the wire: the request parameters `_pageSize`, `_pagedResultsCookie`,
 * `_sortKeys` and `_totalPagedResultsPolicy`, read and checked once (a bad one is a 400 naming it),
 * and the envelope of a query answer. The cookie stays opaque here: the store that issued it checks it.
 */
import { badRequest } from '../errors/cairn-error.js';

export type TotalPagedResultsPolicy = 'NONE' | 'EXACT';

export interface CrestPaging {
  /** Results per page; absent when every match is asked for (`_pageSize` absent or 0). */
  pageSize?: number;
  pagedResultsCookie?: string;
  /** `field`, `+field` or `-field`, as sent in the comma-separated `_sortKeys`. */
  sortKeys?: string[];
  totalPagedResultsPolicy: TotalPagedResultsPolicy;
}

/** The paging parameters of a query string (express's `req.query`); throws a 400 CairnError for a bad one. */
export function readPaging(query: Readonly<Record<string, unknown>>, maxPageSize: number): CrestPaging {
  const pageSize = query._pageSize === undefined ? undefined : Number(query._pageSize);
  if (pageSize !== undefined && (!Number.isInteger(pageSize) || pageSize < 0 || pageSize > maxPageSize)) {
    throw badRequest('crest.paging', `_pageSize must be a whole number from 0 to ${maxPageSize}.`);
  }
  const policy = query._totalPagedResultsPolicy ?? 'NONE';
  if (policy !== 'NONE' && policy !== 'EXACT') throw badRequest('crest.paging', '_totalPagedResultsPolicy must be NONE or EXACT.');
  const sortKeys = typeof query._sortKeys === 'string' && query._sortKeys ? query._sortKeys.split(',') : undefined;
  const cookie = typeof query._pagedResultsCookie === 'string' && query._pagedResultsCookie ? query._pagedResultsCookie : undefined;
  return {
    ...(pageSize ? { pageSize } : {}),
    ...(cookie ? { pagedResultsCookie: cookie } : {}),
    ...(sortKeys ? { sortKeys } : {}),
    totalPagedResultsPolicy: policy,
  };
}

export interface CrestQueryResult<T> {
  result: T[];
  resultCount: number;
  pagedResultsCookie: string | null;
  totalPagedResultsPolicy: TotalPagedResultsPolicy;
  /** The number of matches under `EXACT`, else -1 (CREST's "unknown"). */
  totalPagedResults: number;
  remainingPagedResults: -1;
}

/** The answer to a query: one page of (already shaped) results and the paging state. */
export function queryResult<T>(
  result: T[],
  page: { pagedResultsCookie: string | null; totalPagedResults: number },
  policy: TotalPagedResultsPolicy,
): CrestQueryResult<T> {
  return {
    result,
    resultCount: result.length,
    pagedResultsCookie: page.pagedResultsCookie,
    totalPagedResultsPolicy: policy,
    totalPagedResults: policy === 'EXACT' ? page.totalPagedResults : -1,
    remainingPagedResults: -1,
  };
}
