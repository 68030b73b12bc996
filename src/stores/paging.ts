/**
 * Sorting and paging shared by the backends: CREST sort keys parsed once, one value order that
 * matches MongoDB's (missing/null < numbers < strings < objects < arrays < booleans; strings in binary
 * order), `_id` as the final tie-break, and an opaque cookie that carries the offset of the next page.
 * (MongoDB's own sort document is built in src/stores/mongodb/filter.ts.)
 */
import { invalid } from './errors.js';
import type { QueryOptions } from './types.js';

export interface SortKey {
  path: string[];
  descending: boolean;
}

const MAX_SORT_KEYS = 8;
const MAX_PAGE_SIZE = 100_000;

/** `userName`, `-mail`, `+/name/given`: a JSON pointer (`~1`, `~0` escapes) or a `/`-separated name. */
export function parseSortKeys(keys: readonly string[] | undefined): SortKey[] {
  if (keys === undefined) return [];
  if (!Array.isArray(keys) || keys.length > MAX_SORT_KEYS) throw invalid(`At most ${MAX_SORT_KEYS} sort keys are allowed`);
  return keys.map((raw) => {
    if (typeof raw !== 'string') throw invalid('A sort key must be a string');
    const descending = raw.startsWith('-');
    const field = raw.startsWith('-') || raw.startsWith('+') ? raw.slice(1) : raw;
    const body = field.startsWith('/') ? field.slice(1) : field;
    const path = body.split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (body === '' || path.some((s) => s === '' || s.startsWith('$') || s.includes('.') || s.includes('\u0000'))) {
      throw invalid(`The sort key ${JSON.stringify(raw)} does not name a field`, { sortKey: raw });
    }
    return { path, descending };
  });
}

function valueAt(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? (/^\d+$/.test(seg) ? cur[Number(seg)] : undefined) : (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

function rank(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return 1;
  if (typeof v === 'string') return 2;
  if (Array.isArray(v)) return 4;
  if (typeof v === 'object') return 3;
  return 5; // boolean
}

/** Total order on JSON values, close to MongoDB's BSON order. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return (a as number) - (b as number);
    case 2:
      return Buffer.compare(Buffer.from(a as string), Buffer.from(b as string));
    case 5:
      return Number(a) - Number(b);
    default:
      return Buffer.compare(Buffer.from(JSON.stringify(a)), Buffer.from(JSON.stringify(b)));
  }
}

export function compareBy(keys: readonly SortKey[]): (a: { _id: string }, b: { _id: string }) => number {
  return (a, b) => {
    for (const k of keys) {
      const c = compareValues(valueAt(a, k.path), valueAt(b, k.path));
      if (c !== 0) return k.descending ? -c : c;
    }
    return compareValues(a._id, b._id);
  };
}

export function encodeCookie(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

export function decodeCookie(cookie: string | undefined): number {
  if (cookie === undefined || cookie === '') return 0;
  try {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(cookie)) throw new Error('shape');
    const o = (JSON.parse(Buffer.from(cookie, 'base64url').toString('utf8')) as { o?: unknown }).o;
    if (typeof o === 'number' && Number.isSafeInteger(o) && o >= 0) return o;
  } catch {
    // fall through to the one error below
  }
  throw invalid('The pagedResultsCookie is not one this server issued');
}

/** The checked paging options: offset from the cookie, page size (0 = all), sort keys. */
export function pagingOf(options: QueryOptions | undefined): { offset: number; pageSize: number; sort: SortKey[]; exact: boolean } {
  const pageSize = options?.pageSize ?? 0;
  if (typeof pageSize !== 'number' || !Number.isSafeInteger(pageSize) || pageSize < 0 || pageSize > MAX_PAGE_SIZE) {
    throw invalid(`The page size must be a whole number from 0 to ${MAX_PAGE_SIZE}`);
  }
  const policy = options?.totalPagedResultsPolicy ?? 'NONE';
  if (policy !== 'NONE' && policy !== 'EXACT') throw invalid('The totalPagedResultsPolicy must be NONE or EXACT');
  return { offset: decodeCookie(options?.pagedResultsCookie), pageSize, sort: parseSortKeys(options?.sortKeys), exact: policy === 'EXACT' };
}

/** The cookie for the page after one that started at `offset` and held `count` of `pageSize` results. */
export function nextCookie(offset: number, pageSize: number, count: number, hasMore: boolean): string | null {
  return pageSize > 0 && count === pageSize && hasMore ? encodeCookie(offset + count) : null;
}
