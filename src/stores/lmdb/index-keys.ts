/**
 * How a field's values become ordered byte keys of the embedded store's secondary index (indexes.ts),
 * so that an index read returns a superset of what the CREST filter matches (src/crest/query-filter.ts);
 * every object it returns is evaluated by `matchesFilter` again, so the index only has to never miss.
 *
 * One value gives one or two entries, each a kind byte and an order-preserving encoding:
 * - `s` + the string case-folded (`fold`): `eq` and `sw` on strings are case-insensitive (a `/^v$/iu`
 *   test), and two strings match so exactly when their folds are equal;
 * - `r` + the raw string, only when it differs from its fold: `lt`…`ge` compare raw strings (JavaScript's
 *   code-unit order), so a string range reads both kinds (a superset: the `s` entry of "B" is "b");
 * - `n` + the number's IEEE 754 bits, sign-flipped so that byte order is numeric order;
 * - `t` / `f` for booleans.
 * Strings are cut at MAX_UNITS code units: a longer value sits in the group of its prefix, so reads
 * include the whole group of a cut bound.
 */

/** Code units of a string kept in a key; lmdb keys are at most 1978 bytes, and 200 units take ≤ 800. */
export const MAX_UNITS = 200;

/**
 * Case classes of code points, as JavaScript's case-insensitive Unicode regexes (`iu`) see them
 * (U+0000–U+1FFFF holds every cased letter), each represented by its smallest member. Built on first
 * use, in some tens of milliseconds.
 */
let representatives: Uint32Array | undefined;

const escapeRegExp = (ch: string): string => ch.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

function caseClasses(): Uint32Array {
  if (representatives) return representatives;
  const size = 0x20000;
  const parent = new Uint32Array(size);
  for (let i = 0; i < size; i++) parent[i] = i;
  const find = (x: number): number => {
    let root = x;
    while (parent[root] !== root) root = parent[root]!;
    while (parent[x] !== root) {
      const next = parent[x]!;
      parent[x] = root;
      x = next;
    }
    return root;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra < rb) parent[rb] = ra;
    else if (rb < ra) parent[ra] = rb;
  };
  // The regexes fold by Unicode's simple case folding, which case mappings only approximate (U+0131 ı
  // upper-cases to I, yet /ı/iu does not match "I"; U+1FD3 maps to no single code point, yet matches
  // U+0390): every code point that folds has a case mapping, so each such one is matched, by the
  // regexes themselves, against all the others.
  const cased: string[] = [];
  for (let cp = 0; cp < size; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const ch = String.fromCodePoint(cp);
    if (ch.toLowerCase() !== ch || ch.toUpperCase() !== ch) cased.push(ch);
  }
  const haystack = cased.join('');
  for (const ch of cased) {
    const cp = ch.codePointAt(0)!;
    for (const [match] of haystack.matchAll(new RegExp(escapeRegExp(ch), 'giu'))) union(cp, match.codePointAt(0)!);
  }
  for (let i = 0; i < size; i++) parent[i] = find(i);
  representatives = parent;
  return parent;
}

/** `value` with each code point replaced by its case class's representative. */
export function fold(value: string): string {
  const reps = caseClasses();
  let out = '';
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    out += cp < reps.length && reps[cp] !== cp ? String.fromCodePoint(reps[cp]!) : ch;
  }
  return out;
}

/**
 * The string's first MAX_UNITS code units as bytes whose order is the strings' code-unit order and which
 * hold no 0x00 (the separator of index keys): each unit u becomes the code point u + 1 below 0xD7FF and
 * u + 0x801 from there (skipping the surrogate range), written as UTF-8, whose byte order is code-point order.
 */
export function encodeString(value: string): Buffer {
  const n = Math.min(value.length, MAX_UNITS);
  let shifted = '';
  for (let i = 0; i < n; i++) {
    const u = value.charCodeAt(i);
    shifted += String.fromCodePoint(u < 0xd7ff ? u + 1 : u + 0x801);
  }
  return Buffer.from(shifted, 'utf8');
}

/** 16 hex digits whose order is numeric order (-0 is 0; NaN and infinities never reach a JSON store). */
export function encodeNumber(value: number): Buffer {
  const bits = Buffer.alloc(8);
  bits.writeDoubleBE(value === 0 ? 0 : value);
  if ((bits[0]! & 0x80) !== 0) for (let i = 0; i < 8; i++) bits[i] = ~bits[i]! & 0xff;
  else bits[0] = bits[0]! | 0x80;
  return Buffer.from(bits.toString('hex'), 'latin1');
}

const S = Buffer.from('s');
const R = Buffer.from('r');
const N = Buffer.from('n');
const T = Buffer.from('t');
const F = Buffer.from('f');

/** The index parts (kind + encoding) of one stored value; none for null, objects and arrays. */
export function valueParts(value: unknown): Buffer[] {
  if (typeof value === 'string') {
    const folded = fold(value);
    const parts = [Buffer.concat([S, encodeString(folded)])];
    if (folded !== value) parts.push(Buffer.concat([R, encodeString(value)]));
    return parts;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return [Buffer.concat([N, encodeNumber(value)])];
  if (typeof value === 'boolean') return [value ? T : F];
  return [];
}

/** The parts p with start ≤ p < end (byte order); a key is `resource SEP field SEP part SEP id`. */
export interface PartRange {
  start: Buffer;
  end: Buffer;
}

/** Exactly `part`: its keys are part + 0x00 + id. */
const only = (part: Buffer): PartRange => ({ start: Buffer.concat([part, Buffer.of(0)]), end: Buffer.concat([part, Buffer.of(1)]) });
/** Every part starting with `part` (no encoding holds 0xFF). */
const startingWith = (part: Buffer): PartRange => ({ start: part, end: Buffer.concat([part, Buffer.of(0xff)]) });

/**
 * The parts an `eq` on a string, number or boolean can match; undefined for anything else. A string's
 * part is its fold cut at MAX_UNITS, which every stored value it can equal shares.
 */
export function eqRange(value: unknown): PartRange | undefined {
  if (typeof value === 'string') return only(Buffer.concat([S, encodeString(fold(value))]));
  const [part] = valueParts(value);
  return part && only(part);
}

/** The parts that an `sw` on string `prefix` can match: every folded string starting with its fold. */
export function prefixRange(prefix: string): PartRange {
  return startingWith(Buffer.concat([S, encodeString(fold(prefix))]));
}

/**
 * The part ranges an `lt`/`le`/`gt`/`ge` against a string or a number can match (strings: the `s` and `r`
 * kinds both, see above); undefined when the value cannot be ranged. A bound cut at MAX_UNITS includes its
 * whole group (a cut value sorts anywhere within it); the filter evaluated afterwards drops the rest.
 */
export function rangesOf(op: 'lt' | 'le' | 'gt' | 'ge', value: unknown): PartRange[] | undefined {
  const kinds = typeof value === 'string' ? [S, R] : typeof value === 'number' && Number.isFinite(value) ? [N] : undefined;
  if (!kinds) return undefined;
  const cut = typeof value === 'string' && value.length >= MAX_UNITS;
  return kinds.map((kind) => {
    const bound = Buffer.concat([kind, typeof value === 'string' ? encodeString(value) : encodeNumber(value as number)]);
    const group = cut ? startingWith(bound) : only(bound);
    const below = op === 'lt' && !cut ? group.start : group.end;
    const above = op === 'gt' && !cut ? group.end : cut ? bound : group.start;
    return op === 'lt' || op === 'le' ? { start: kind, end: below } : { start: above, end: Buffer.of(kind[0]! + 1) };
  });
}
