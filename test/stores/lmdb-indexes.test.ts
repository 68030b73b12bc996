/**
 * The embedded store's secondary indexes: a filter on an indexed field is answered from the index (the
 * objects it examines are counted by `queryStats`, as /metrics publishes them), answers exactly what a
 * scan would (a property over random objects and filters, with Unicode, case, long and array values), the
 * case folding agrees with the filter's `iu` regexes for every cased code point, and indexes are built for
 * existing objects when a field becomes indexed and dropped when it stops being indexed.
 */
import { rm } from 'node:fs/promises';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { matchesFilter, parseQueryFilter, type FilterNode } from '../../src/crest/query-filter.js';
import { openStore, type QueryStats, type Store, type StoredObject } from '../../src/stores/index.js';
import { fold } from '../../src/stores/lmdb/index-keys.js';
import { scratchDir } from '../support/scratch.js';

const USER = 'managed/user';
const UNIQUE = { [USER]: ['userName', 'mail'] };
const SEARCHABLE = { [USER]: ['givenName', 'age', 'tags', 'credentialReset/expiresAt'] };

const open: { store: Store; dir: string }[] = [];
afterEach(async () => {
  for (const { store, dir } of open.splice(0)) {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});

async function embedded(searchable: Record<string, string[]> = SEARCHABLE, dir?: string): Promise<Store> {
  const dataDir = dir ?? (await scratchDir('cairn-index-'));
  const store = await openStore({ dataDir, sweepIntervalMs: 0, uniqueKeys: UNIQUE, searchableFields: searchable });
  if (!dir) open.push({ store, dir: dataDir });
  return store;
}

/** The stats a query added. */
async function measured(store: Store, filter: string): Promise<{ ids: string[]; delta: QueryStats }> {
  const before = store.queryStats!();
  const { result } = await store.objects.query(USER, parseQueryFilter(filter), {});
  const after = store.queryStats!();
  const delta = {
    index: { queries: after.index.queries - before.index.queries, examined: after.index.examined - before.index.examined },
    scan: { queries: after.scan.queries - before.scan.queries, examined: after.scan.examined - before.scan.examined },
  };
  return { ids: result.map((o) => o._id).sort(), delta };
}

async function createAll(store: Store, objects: Record<string, unknown>[]): Promise<StoredObject[]> {
  const out: StoredObject[] = [];
  for (let i = 0; i < objects.length; i += 500) out.push(...(await Promise.all(objects.slice(i, i + 500).map((o) => store.objects.create(USER, o)))));
  return out;
}

describe('embedded store secondary indexes', () => {
  it('answers filters on indexed fields from the index, examining only the objects that can match', async () => {
    const store = await embedded();
    const N = 3000;
    const users = await createAll(
      store,
      Array.from({ length: N }, (_, i) => ({
        userName: `user${i}`,
        mail: `User${i}@Example.com`,
        givenName: i % 3 === 0 ? 'Ada' : 'Grace',
        sn: `Surname${i}`,
        age: i % 100,
        ...(i < 5 ? { credentialReset: { expiresAt: `2026-01-0${i + 1}T00:00:00Z` } } : {}),
      })),
    );
    await store.indexesBuilt!();

    const byMail = await measured(store, 'mail eq "user1234@example.COM"');
    expect(byMail.ids).toEqual([users[1234]!._id]);
    expect(byMail.delta).toEqual({ index: { queries: 1, examined: 1 }, scan: { queries: 0, examined: 0 } });

    const both = await measured(store, 'givenName eq "ada" and userName eq "USER9"');
    expect(both.ids).toEqual([users[9]!._id]);
    expect(both.delta.index.examined).toBe(1); // the cheaper operand's entries
    // The operand with the fewest entries is counted at run time, whatever its kind or place.
    const narrow = await measured(store, 'givenName eq "Ada" and age lt 1');
    expect(narrow.ids).toHaveLength(10);
    expect(narrow.delta.index.examined).toBe(30);

    const young = await measured(store, 'age lt 2');
    expect(young.ids).toHaveLength(60);
    expect(young.delta.index.examined).toBe(60);

    const prefix = await measured(store, 'userName sw "USER299"');
    expect(prefix.ids).toEqual([2990, 2991, 2992, 2993, 2994, 2995, 2996, 2997, 2998, 2999, 299].map((i) => users[i]!._id).sort());
    expect(prefix.delta.index.examined).toBe(11);

    const expired = await measured(store, 'credentialReset/expiresAt lt "2026-01-03"');
    expect(expired.ids).toEqual([users[0]!._id, users[1]!._id].sort());
    expect(expired.delta.index.examined).toBe(2);

    const either = await measured(store, 'mail eq "user7@example.com" or age eq 99.0');
    expect(either.ids).toHaveLength(31);
    expect(either.delta.index).toEqual({ queries: 1, examined: 31 });

    // sn is not indexed; co never uses the index: both scan every user.
    for (const filter of ['sn eq "Surname5"', 'userName co "ser12"']) {
      const scanned = await measured(store, filter);
      expect(scanned.delta).toEqual({ index: { queries: 0, examined: 0 }, scan: { queries: 1, examined: N } });
    }

    // Writes move the entries: a renamed user is found under its new value only, a deleted one not at all.
    await store.objects.patch(USER, users[5]!._id, { set: { mail: 'renamed@example.com' } });
    await store.objects.delete(USER, users[6]!._id);
    expect((await measured(store, 'mail eq "user5@example.com"')).ids).toEqual([]);
    expect((await measured(store, 'mail eq "RENAMED@example.com"')).ids).toEqual([users[5]!._id]);
    const gone = await measured(store, 'mail eq "user6@example.com"');
    expect(gone.ids).toEqual([]);
    expect(gone.delta.index.examined).toBe(0);
  });

  it('answers every filter exactly as a scan does (property over random objects and filters)', async () => {
    const store = await embedded();
    // Values that stress the encoding: case pairs beyond ASCII, astral characters, long strings (cut in
    // the index), numbers of both signs and -0, booleans, arrays, nulls, missing fields.
    const letters = ['a', 'A', 'ß', 'ẞ', 'ſ', 's', 'S', 'K', 'k', 'K', 'Σ', 'σ', 'ς', 'İ', 'i', 'ı', '😀', '𐐀', '𐐨', 'é', 'É', '\u00a0', '~'];
    const str = fc.oneof(
      fc.array(fc.constantFrom(...letters), { maxLength: 4 }).map((a) => a.join('')),
      fc.array(fc.constantFrom('x', 'X', 'y'), { minLength: 198, maxLength: 203 }).map((a) => a.join('')),
    );
    const num = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(-0, 0.5, -2.25, 1e300, -1e-300));
    const value = fc.oneof(str, num, fc.boolean(), fc.constant(null), fc.array(fc.oneof(str, num), { maxLength: 3 }));
    const objects = fc.sample(
      fc.record(
        { givenName: value, age: value, tags: value, mail: fc.option(str, { nil: undefined }) },
        { requiredKeys: ['givenName', 'age', 'tags'] },
      ),
      { numRuns: 300, seed: 21 },
    );
    const stored: StoredObject[] = [];
    for (const o of objects) {
      try {
        stored.push(await store.objects.create(USER, o)); // an array or a clash in `mail` is refused
      } catch {
        stored.push(await store.objects.create(USER, { ...o, mail: undefined }));
      }
    }
    await store.indexesBuilt!();

    const literal = (v: string | number | boolean): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));
    const comparison = fc
      .tuple(
        fc.constantFrom('givenName', 'age', 'tags', 'mail'),
        fc.constantFrom('eq', 'sw', 'lt', 'le', 'gt', 'ge'),
        fc.oneof(str, num, fc.boolean()),
      )
      .filter(([, op, v]) => op === 'eq' || (op === 'sw' ? typeof v === 'string' : typeof v !== 'boolean'))
      .map(([field, op, v]) => `${field} ${op} ${literal(v)}`);
    const filter = fc.letrec<{ f: string }>((tie) => ({
      f: fc.oneof(
        { depthSize: 'small' },
        comparison,
        fc.tuple(tie('f'), tie('f')).map(([a, b]) => `(${a} and ${b})`),
        fc.tuple(tie('f'), tie('f')).map(([a, b]) => `(${a} or ${b})`),
      ),
    })).f;

    let planned = 0;
    for (const text of fc.sample(filter, { numRuns: 400, seed: 7 })) {
      const node: FilterNode = parseQueryFilter(text);
      const { ids, delta } = await measured(store, text);
      if (delta.index.queries === 1) planned++;
      const expected = stored
        .filter((o) => matchesFilter(node, o))
        .map((o) => o._id)
        .sort();
      expect(ids, text).toEqual(expected);
    }
    expect(planned).toBeGreaterThan(200);
  });

  it('folds case as the filters’ case-insensitive Unicode regexes compare, for every cased code point', () => {
    const all: string[] = [];
    for (let cp = 0; cp < 0x20000; cp++) if (cp < 0xd800 || cp > 0xdfff) all.push(String.fromCodePoint(cp));
    const haystack = all.join('');
    const cased = all.filter((ch) => ch.toLowerCase() !== ch || ch.toUpperCase() !== ch || fold(ch) !== ch);
    expect(cased.length).toBeGreaterThan(2500);
    const classes = new Map<string, string[]>();
    for (const ch of all) {
      const rep = fold(ch);
      if (rep !== ch || classes.has(rep)) classes.set(rep, [...(classes.get(rep) ?? [rep]), ...(rep === ch ? [] : [ch])]);
    }
    for (const ch of cased) {
      // Everything `/^ch$/iu` matches is in ch's fold class, and its whole class matches.
      const escaped = ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const matched = [...haystack.matchAll(new RegExp(escaped, 'giu'))].map((m) => m[0]).sort();
      const members = (classes.get(fold(ch)) ?? [ch]).slice().sort();
      expect(matched, `U+${ch.codePointAt(0)!.toString(16)}`).toEqual(members);
    }
    expect(fold('Stra\u00dfe \u1e9e \u017f \u212a \u03a3\u03c2 \u{10400}')).toBe(fold('STRA\u00dfE \u00df s k \u03c3\u03c3 \u{10428}'));
    expect(fold('İ')).not.toBe(fold('i'));
  });

  it('builds the index of a newly indexed field for the objects already stored, and drops a field no longer indexed', async () => {
    const dir = await scratchDir('cairn-index-');
    let store = await embedded({ [USER]: [] }, dir);
    try {
      await createAll(
        store,
        Array.from({ length: 2500 }, (_, i) => ({ userName: `u${i}`, givenName: i % 2 ? 'Odd' : 'Even' })),
      );
      expect((await measured(store, 'givenName eq "odd"')).delta.scan).toEqual({ queries: 1, examined: 2500 });
      await store.close();

      store = await embedded({ [USER]: ['givenName'] }, dir);
      await store.indexesBuilt!();
      const odd = await measured(store, 'givenName eq "odd"');
      expect(odd.ids).toHaveLength(1250);
      expect(odd.delta.index).toEqual({ queries: 1, examined: 1250 });
      await store.close();

      store = await embedded({ [USER]: [] }, dir);
      await store.indexesBuilt!();
      expect((await measured(store, 'givenName eq "odd"')).delta.scan.examined).toBe(2500);
      await store.close();

      // Indexed again: the entries dropped above are built anew, none left over from before.
      store = await embedded({ [USER]: ['givenName'] }, dir);
      await store.indexesBuilt!();
      await store.objects.patch(USER, (await store.objects.findUnique(USER, 'userName', 'u1'))!._id, { set: { givenName: 'Even' } });
      const odd2 = await measured(store, 'givenName eq "odd"');
      expect(odd2.ids).toHaveLength(1249);
      expect(odd2.delta.index.examined).toBe(1249);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
