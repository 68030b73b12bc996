/**
 * The MongoDB backend's filter compiler: each CREST filter becomes the expected query document, and
 * its string regexes match exactly what the in-process evaluator matches.
 */
import { describe, it, expect } from 'vitest';
import { matchesFilter, parseQueryFilter } from '../../src/crest/query-filter.js';
import { mongoSort, toMongoFilter } from '../../src/stores/mongodb/filter.js';
import { parseSortKeys } from '../../src/stores/paging.js';

const PROGRESSIVE_PROFILE = '!(/preferences pr) or /preferences/marketing eq false or /preferences/updates eq false';

describe('toMongoFilter', () => {
  it.each<[string, Record<string, unknown>]>([
    ['true', {}],
    ['false', { $expr: false }],
    ['userName eq "Alice"', { userName: { $regex: '^Alice$', $options: 'i' } }],
    ['/mail eq "a.b+c@x.io"', { mail: { $regex: '^a\\.b\\+c@x\\.io$', $options: 'i' } }],
    ['/mail co "(x)"', { mail: { $regex: '\\(x\\)', $options: 'i' } }],
    ['/mail sw "a$"', { mail: { $regex: '^a\\$', $options: 'i' } }],
    ['/v eq "[a]{1}|^\\\\"', { v: { $regex: '^\\[a\\]\\{1\\}\\|\\^\\\\$', $options: 'i' } }],
    ['/age eq 30', { age: { $eq: 30 } }],
    ['/active eq true', { active: { $eq: true } }],
    ['/manager eq null', { manager: { $eq: null } }],
    ['/age lt 18', { age: { $lt: 18 } }],
    ['/age le 18', { age: { $lte: 18 } }],
    ['/age gt 18', { age: { $gt: 18 } }],
    ['/createDate ge "2024-01-01"', { createDate: { $gte: '2024-01-01' } }],
    ['/preferences/marketing pr', { 'preferences.marketing': { $exists: true, $ne: null } }],
    ['/a~1b/c pr', { 'a/b.c': { $exists: true, $ne: null } }],
    ['/addresses/0/city eq "Lyon"', { 'addresses.0.city': { $regex: '^Lyon$', $options: 'i' } }],
    ['!(/a pr)', { $nor: [{ a: { $exists: true, $ne: null } }] }],
    ['/a eq 1 and /b eq 2', { $and: [{ a: { $eq: 1 } }, { b: { $eq: 2 } }] }],
    ['/a eq 1 or /b eq 2 and /c eq 3', { $or: [{ a: { $eq: 1 } }, { $and: [{ b: { $eq: 2 } }, { c: { $eq: 3 } }] }] }],
    [
      PROGRESSIVE_PROFILE,
      {
        $or: [
          { $nor: [{ preferences: { $exists: true, $ne: null } }] },
          { 'preferences.marketing': { $eq: false } },
          { 'preferences.updates': { $eq: false } },
        ],
      },
    ],
  ])('%s', (filter, expected) => {
    expect(toMongoFilter(parseQueryFilter(filter))).toEqual(expected);
  });

  it('produces regexes that match exactly what matchesFilter matches', () => {
    const values = ['alice', 'ALICE', 'xalice', 'alicex', 'Al.ce', 'al.ce', 'a+b', 'AB'];
    for (const [op, literal] of [
      ['eq', 'alice'],
      ['co', 'LIC'],
      ['sw', 'al'],
      ['eq', 'al.ce'],
      ['co', '+b'],
    ] as const) {
      const node = parseQueryFilter(`/v ${op} ${JSON.stringify(literal)}`);
      const compiled = toMongoFilter(node) as { v: { $regex: string; $options: string } };
      const regex = new RegExp(compiled.v.$regex, compiled.v.$options);
      for (const value of values) {
        expect(regex.test(value), `${op} ${literal} on ${value}`).toBe(matchesFilter(node, { v: value }));
      }
    }
  });
});

describe('mongoSort', () => {
  it('keeps the keys in order with their direction, first one wins, and ends with the _id tie-break', () => {
    expect(Object.entries(mongoSort(parseSortKeys(['-mail', '+/name/given', 'mail'])))).toEqual([
      ['mail', -1],
      ['name.given', 1],
      ['_id', 1],
    ]);
    expect(mongoSort(parseSortKeys(['-_id']))).toEqual({ _id: -1 });
    expect(mongoSort([])).toEqual({ _id: 1 });
  });
});
