/**
 * The CREST `_queryFilter` language: parsed once into a FilterNode tree, then evaluated in process
 * (`matchesFilter`) or compiled by a store backend to its own query language with the same meaning
 * (MongoDB: src/stores/mongodb/filter.ts). Decides the grammar, the limits (length, nesting) and the
 * comparison semantics below.
 */

/*
 * Grammar (CREST QueryFilterParser, without its "extended operators" and `Pointer[Expr]` forms):
 *   Expr    = AndExpr ('or' AndExpr)*          -- precedence: ! > and > or
 *   AndExpr = NotExpr ('and' NotExpr)*
 *   NotExpr = '!' NotExpr | Primary
 *   Primary = '(' Expr ')' | 'true' | 'false' | Field 'pr' | Field Op Value
 *   Op      = eq | co | sw | lt | le | gt | ge
 *   Field   = JSON pointer (/a/b, ~0 ~1 escapes) | bare name (a or a/b) | quoted string
 *   Value   = "…" | '…' (backslash escapes) | JSON number | true | false | null
 * Keywords and operators are case-insensitive, as in CREST; value literals are JSON (lowercase).
 *
 * Semantics (the same in matchesFilter and every backend's compiler, e.g. toMongoFilter):
 * - `eq`, `co`, `sw` on strings are case-insensitive. IDM's managed users live in DS, where
 *   userName/mail use caseIgnoreMatch, so `userName eq "Alice"` finds "alice". matchesFilter and
 *   toMongoFilter use one regex, `stringPattern` (escaped literal, `i` flag, no collation): `^v$`
 *   for eq, `v` for co, `^v` for sw.
 *   Consequences: a store must treat userName as unique case-insensitively, and Mongo cannot use a
 *   plain index for these (use a normalised field for hot lookups). PCRE's `$` also matches before a
 *   final newline, so a stored value "x\n" would match `eq "x"` in Mongo only.
 * - `lt` `le` `gt` `ge` compare numbers with numbers and strings with strings (binary order, no
 *   collation, like Mongo). Values of another type never match; a filter comparing with a boolean
 *   or null, or using `co`/`sw` with a non-string, is rejected when parsed.
 * - `eq null` matches a missing or null field (Mongo's `$eq: null`); `pr` is its negation, i.e.
 *   present and not null (`$exists: true, $ne: null`).
 * - Arrays: a comparison matches when any element matches; a path through an array of objects
 *   looks into every element (Mongo's implicit traversal); a numeric segment indexes an array.
 * - Evaluation never throws: a type mismatch is simply "no match".
 */

export type ComparisonOp = 'eq' | 'co' | 'sw' | 'lt' | 'le' | 'gt' | 'ge';
export type FilterValue = string | number | boolean | null;

export type FilterNode =
  | { op: 'true' }
  | { op: 'false' }
  | { op: 'and'; filters: FilterNode[] }
  | { op: 'or'; filters: FilterNode[] }
  | { op: 'not'; filter: FilterNode }
  | { op: 'pr'; field: string[] }
  | { op: ComparisonOp; field: string[]; value: FilterValue };

const MAX_FILTER_LENGTH = 4096;
const MAX_FILTER_DEPTH = 32;
const COMPARISON_OPS: ReadonlySet<string> = new Set<ComparisonOp>(['eq', 'co', 'sw', 'lt', 'le', 'gt', 'ge']);
const EXCERPT_RADIUS = 40;

/** A filter that does not parse; `position` is a 0-based character offset into the filter text. */
export class QueryFilterError extends Error {
  readonly position: number;
  /** The filter text around `position` with a caret under it, for error responses and logs. */
  readonly detail: string;

  constructor(problem: string, position: number, text: string) {
    super(`${problem} at position ${position}`);
    this.name = 'QueryFilterError';
    this.position = position;
    this.detail = caretExcerpt(text, position);
  }
}

function caretExcerpt(text: string, position: number): string {
  const start = Math.max(0, position - EXCERPT_RADIUS);
  const end = Math.min(text.length, position + EXCERPT_RADIUS);
  const prefix = start > 0 ? '…' : '';
  const suffix = end < text.length ? '…' : '';
  const shown = text.slice(start, end).replace(/[\r\n\t]/g, ' ');
  return `${prefix}${shown}${suffix}\n${' '.repeat(prefix.length + position - start)}^`;
}

// ---------------------------------------------------------------------------------------------
// Tokens

type Token =
  | { kind: 'lparen'; pos: number }
  | { kind: 'rparen'; pos: number }
  | { kind: 'bang'; pos: number }
  | { kind: 'end'; pos: number }
  | { kind: 'word'; text: string; pos: number }
  | { kind: 'string'; text: string; pos: number };

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "'": "'",
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '(') {
      tokens.push({ kind: 'lparen', pos: i++ });
    } else if (ch === ')') {
      tokens.push({ kind: 'rparen', pos: i++ });
    } else if (ch === '!') {
      tokens.push({ kind: 'bang', pos: i++ });
    } else if (ch === '"' || ch === "'") {
      const start = i;
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new QueryFilterError('Unterminated string', start, text);
        const c = text[i]!;
        if (c === ch) break;
        if (c === '\\') {
          const esc = text[i + 1];
          if (esc === undefined) throw new QueryFilterError('Unterminated string', start, text);
          if (esc === 'u') {
            const hex = text.slice(i + 2, i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
              throw new QueryFilterError("Invalid unicode escape (expected '\\u' and 4 hex digits)", i, text);
            }
            value += String.fromCharCode(parseInt(hex, 16));
            i += 6;
            continue;
          }
          const decoded = SIMPLE_ESCAPES[esc];
          if (decoded === undefined) throw new QueryFilterError(`Invalid escape '\\${esc}' in string`, i, text);
          value += decoded;
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      tokens.push({ kind: 'string', text: value, pos: start });
      i++; // closing quote
    } else {
      const start = i;
      while (i < text.length && !/[\s()"']/.test(text[i]!)) i++;
      tokens.push({ kind: 'word', text: text.slice(start, i), pos: start });
    }
  }
  tokens.push({ kind: 'end', pos: text.length });
  return tokens;
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'end of filter';
    case 'lparen':
      return "'('";
    case 'rparen':
      return "')'";
    case 'bang':
      return "'!'";
    case 'word':
      return `'${token.text}'`;
    case 'string':
      return `string ${JSON.stringify(token.text)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Parser

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Parses a `_queryFilter` string into one syntax tree, or throws a QueryFilterError. */
export function parseQueryFilter(text: string): FilterNode {
  if (typeof text !== 'string') throw new QueryFilterError('The query filter must be a string', 0, '');
  if (text.length > MAX_FILTER_LENGTH) {
    throw new QueryFilterError(`The query filter is longer than ${MAX_FILTER_LENGTH} characters`, MAX_FILTER_LENGTH, text);
  }
  const tokens = tokenize(text);
  let index = 0;
  const peek = (): Token => tokens[index]!;
  const next = (): Token => tokens[index++]!;
  const fail = (problem: string, token: Token): never => {
    throw new QueryFilterError(problem, token.pos, text);
  };
  const isKeyword = (token: Token, keyword: string): boolean => token.kind === 'word' && token.text.toLowerCase() === keyword;
  const checkDepth = (depth: number, token: Token): void => {
    if (depth > MAX_FILTER_DEPTH) fail(`The query filter nests deeper than ${MAX_FILTER_DEPTH} levels`, token);
  };

  function parseOr(depth: number, context: string): FilterNode {
    const filters = [parseAnd(depth, context)];
    while (isKeyword(peek(), 'or')) {
      next();
      filters.push(parseAnd(depth, "after 'or'"));
    }
    return filters.length === 1 ? filters[0]! : { op: 'or', filters };
  }

  function parseAnd(depth: number, context: string): FilterNode {
    const filters = [parseNot(depth, context)];
    while (isKeyword(peek(), 'and')) {
      next();
      filters.push(parseNot(depth, "after 'and'"));
    }
    return filters.length === 1 ? filters[0]! : { op: 'and', filters };
  }

  function parseNot(depth: number, context: string): FilterNode {
    const token = peek();
    if (token.kind !== 'bang') return parsePrimary(depth, context);
    next();
    checkDepth(depth + 1, token);
    return { op: 'not', filter: parseNot(depth + 1, "after '!'") };
  }

  function parsePrimary(depth: number, context: string): FilterNode {
    const token = next();
    if (token.kind === 'lparen') {
      checkDepth(depth + 1, token);
      const inner = parseOr(depth + 1, "after '('");
      const close = next();
      if (close.kind !== 'rparen') {
        fail(`Expected ')' to close the '(' at position ${token.pos}, found ${describe(close)}`, close);
      }
      return inner;
    }
    const where = context === '' ? '' : ` ${context}`;
    if (token.kind === 'end' || token.kind === 'rparen' || token.kind === 'bang') {
      return fail(`Expected a filter expression${where}, found ${describe(token)}`, token);
    }
    if (token.kind === 'word') {
      const lower = token.text.toLowerCase();
      if (lower === 'true' || lower === 'false') return { op: lower };
      if (lower === 'and' || lower === 'or') {
        return fail(`Expected a filter expression${where}, found ${describe(token)}`, token);
      }
    }
    const field = parseField(token.text, token.pos);
    const opToken = next();
    if (opToken.kind !== 'word') {
      return fail(`Expected an operator after field '${token.text}', found ${describe(opToken)}`, opToken);
    }
    const op = opToken.text.toLowerCase();
    if (op === 'pr') return { op: 'pr', field };
    if (!COMPARISON_OPS.has(op)) {
      return fail(`Unknown operator '${opToken.text}' (expected eq, co, sw, lt, le, gt, ge or pr)`, opToken);
    }
    const value = parseValue(op);
    return { op: op as ComparisonOp, field, value };
  }

  function parseValue(op: string): FilterValue {
    const token = next();
    let value: FilterValue;
    if (token.kind === 'string') {
      value = token.text;
    } else if (token.kind === 'word' && (token.text === 'true' || token.text === 'false')) {
      value = token.text === 'true';
    } else if (token.kind === 'word' && token.text === 'null') {
      value = null;
    } else if (token.kind === 'word' && JSON_NUMBER.test(token.text)) {
      value = Number(token.text);
      if (!Number.isFinite(value)) fail(`Number ${token.text} is out of range`, token);
    } else {
      const hint = token.kind === 'word' ? ' (strings must be quoted)' : '';
      return fail(`Expected a value after '${op}', found ${describe(token)}${hint}`, token);
    }
    if ((op === 'co' || op === 'sw') && typeof value !== 'string') {
      fail(`Operator '${op}' needs a string value, found ${describe(token)}`, token);
    }
    if ((op === 'lt' || op === 'le' || op === 'gt' || op === 'ge') && typeof value !== 'string' && typeof value !== 'number') {
      fail(`Operator '${op}' needs a number or string value, found ${describe(token)}`, token);
    }
    return value;
  }

  function parseField(raw: string, pos: number): string[] {
    const problem = fieldProblem(raw);
    if (problem !== undefined) fail(`Invalid field '${raw}': ${problem}`, { kind: 'end', pos });
    return splitPointer(raw);
  }

  const root = parseOr(0, '');
  const rest = peek();
  if (rest.kind !== 'end') {
    fail(`Unexpected ${describe(rest)} (expected 'and', 'or' or end of filter)`, rest);
  }
  return root;
}

function splitPointer(raw: string): string[] {
  const body = raw.startsWith('/') ? raw.slice(1) : raw;
  return body.split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Why a field path is unusable, or undefined if it is fine. Shared limits keep Mongo paths safe. */
function fieldProblem(raw: string): string | undefined {
  if (raw === '' || raw === '/') return 'the path is empty';
  const body = raw.startsWith('/') ? raw.slice(1) : raw;
  for (const segment of body.split('/')) {
    if (segment === '') return 'a path segment is empty';
    if (/~(?![01])/.test(segment)) return "'~' must be escaped as '~0' ('/' as '~1')";
    const decoded = segment.replace(/~1/g, '/').replace(/~0/g, '~');
    if (decoded.includes('.')) return "a path segment may not contain '.'";
    if (decoded.startsWith('$')) return "a path segment may not start with '$'";
    if (decoded.includes('\0')) return 'a path segment may not contain a NUL character';
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// In-process evaluation

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;

/**
 * Every value the path reaches: through arrays of objects it fans out (a missing field in one
 * element counts as `undefined`, like Mongo treats it as null), a numeric segment indexes an array.
 */
function resolve(obj: unknown, path: readonly string[]): unknown[] {
  let current: unknown[] = [obj];
  for (const segment of path) {
    const next: unknown[] = [];
    for (const value of current) {
      if (Array.isArray(value)) {
        if (ARRAY_INDEX.test(segment)) {
          const i = Number(segment);
          if (i < value.length) next.push(value[i]);
        } else {
          for (const element of value) {
            if (isRecord(element)) next.push(Object.hasOwn(element, segment) ? element[segment] : undefined);
          }
        }
      } else if (isRecord(value) && Object.hasOwn(value, segment)) {
        next.push(value[segment]);
      }
    }
    current = next;
  }
  return current;
}

/** The reached values and, for arrays, their elements: a comparison matches if any candidate does. */
export function candidates(obj: unknown, path: readonly string[]): unknown[] {
  return resolve(obj, path).flatMap((v) => (Array.isArray(v) ? [v, ...(v as unknown[])] : [v]));
}

const isNullish = (v: unknown): boolean => v === null || v === undefined;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The one regex source used for eq/co/sw on strings, in process and by the backends' compilers. */
export function stringPattern(op: 'eq' | 'co' | 'sw', value: string): string {
  const escaped = escapeRegex(value);
  return op === 'eq' ? `^${escaped}$` : op === 'sw' ? `^${escaped}` : escaped;
}

function compare(op: ComparisonOp, candidate: unknown, value: FilterValue, regex: RegExp | undefined): boolean {
  if (regex !== undefined) return typeof candidate === 'string' && regex.test(candidate);
  if (op === 'eq') return candidate === value;
  const sameType = (typeof candidate === 'number' && typeof value === 'number') || (typeof candidate === 'string' && typeof value === 'string');
  if (!sameType) return false;
  const a = candidate;
  const b = value;
  switch (op) {
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    default:
      return false;
  }
}

/** Evaluates a parsed filter against one object, with the same meaning as the backends' compilers. */
export function matchesFilter(node: FilterNode, obj: Record<string, unknown>): boolean {
  switch (node.op) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'and':
      return node.filters.every((f) => matchesFilter(f, obj));
    case 'or':
      return node.filters.some((f) => matchesFilter(f, obj));
    case 'not':
      return !matchesFilter(node.filter, obj);
    case 'pr': {
      const values = candidates(obj, node.field);
      return values.length > 0 && !values.some(isNullish);
    }
    default: {
      const values = candidates(obj, node.field);
      if (node.value === null) {
        return node.op === 'eq' && (values.length === 0 || values.some(isNullish));
      }
      const regex =
        typeof node.value === 'string' && (node.op === 'eq' || node.op === 'co' || node.op === 'sw')
          ? new RegExp(stringPattern(node.op, node.value), 'iu')
          : undefined;
      return values.some((c) => compare(node.op, c, node.value, regex));
    }
  }
}

/** The distinct fields a filter reads, in order of first use (for allow-listing query fields). */
export function fieldsOf(node: FilterNode): string[][] {
  const seen = new Map<string, string[]>();
  const visit = (n: FilterNode): void => {
    switch (n.op) {
      case 'true':
      case 'false':
        return;
      case 'and':
      case 'or':
        n.filters.forEach(visit);
        return;
      case 'not':
        visit(n.filter);
        return;
      default: {
        const key = JSON.stringify(n.field);
        if (!seen.has(key)) seen.set(key, [...n.field]);
      }
    }
  };
  visit(node);
  return [...seen.values()];
}
