import { describe, it, expect } from 'vitest';
import { parseQueryFilter, matchesFilter, fieldsOf, QueryFilterError, type FilterNode } from '../../src/crest/query-filter.js';

const PROGRESSIVE_PROFILE = '!(/preferences pr) or /preferences/marketing eq false or /preferences/updates eq false';

function parseError(text: string): QueryFilterError {
  try {
    parseQueryFilter(text);
  } catch (e) {
    if (e instanceof QueryFilterError) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(text)} not to parse`);
}

describe('parseQueryFilter: syntax tree', () => {
  const cases: Array<[string, FilterNode]> = [
    ['true', { op: 'true' }],
    ['false', { op: 'false' }],
    ['TRUE', { op: 'true' }],
    ['/givenName eq "Alice"', { op: 'eq', field: ['givenName'], value: 'Alice' }],
    ["userName sw 'al'", { op: 'sw', field: ['userName'], value: 'al' }],
    ['mail co "example"', { op: 'co', field: ['mail'], value: 'example' }],
    ['/preferences/marketing eq false', { op: 'eq', field: ['preferences', 'marketing'], value: false }],
    ['/active eq true', { op: 'eq', field: ['active'], value: true }],
    ['/manager eq null', { op: 'eq', field: ['manager'], value: null }],
    ['/age ge 18', { op: 'ge', field: ['age'], value: 18 }],
    ['/age gt 17', { op: 'gt', field: ['age'], value: 17 }],
    ['/age le 65', { op: 'le', field: ['age'], value: 65 }],
    ['/score lt -1.5e2', { op: 'lt', field: ['score'], value: -150 }],
    ['/createDate ge "2024-01-01"', { op: 'ge', field: ['createDate'], value: '2024-01-01' }],
    ['/telephoneNumber pr', { op: 'pr', field: ['telephoneNumber'] }],
    ['preferences/updates pr', { op: 'pr', field: ['preferences', 'updates'] }],
    ['"/given name" co "x"', { op: 'co', field: ['given name'], value: 'x' }],
    ["'sn' eq 'Smith'", { op: 'eq', field: ['sn'], value: 'Smith' }],
    ['/a~1b/c~0d pr', { op: 'pr', field: ['a/b', 'c~d'] }],
    ['/n eq "a\\"b\\\\c\\u00e9\\n"', { op: 'eq', field: ['n'], value: 'a"b\\cé\n' }],
    ["/n eq 'it\\'s'", { op: 'eq', field: ['n'], value: "it's" }],
    ['/n eq "it\'s"', { op: 'eq', field: ['n'], value: "it's" }],
    ['/n eq "a (b) and !c"', { op: 'eq', field: ['n'], value: 'a (b) and !c' }],
    [
      '/a EQ "x" AND /b PR',
      {
        op: 'and',
        filters: [
          { op: 'eq', field: ['a'], value: 'x' },
          { op: 'pr', field: ['b'] },
        ],
      },
    ],
    [
      '\t/a pr\n  and\r\n/b pr ',
      {
        op: 'and',
        filters: [
          { op: 'pr', field: ['a'] },
          { op: 'pr', field: ['b'] },
        ],
      },
    ],
    ['(/a pr)', { op: 'pr', field: ['a'] }],
    ['((/a eq 1))', { op: 'eq', field: ['a'], value: 1 }],
    [
      '/a pr and /b pr and /c pr',
      {
        op: 'and',
        filters: [
          { op: 'pr', field: ['a'] },
          { op: 'pr', field: ['b'] },
          { op: 'pr', field: ['c'] },
        ],
      },
    ],
    [
      '/a pr or /b pr and /c pr',
      {
        op: 'or',
        filters: [
          { op: 'pr', field: ['a'] },
          {
            op: 'and',
            filters: [
              { op: 'pr', field: ['b'] },
              { op: 'pr', field: ['c'] },
            ],
          },
        ],
      },
    ],
    [
      '(/a pr or /b pr) and /c pr',
      {
        op: 'and',
        filters: [
          {
            op: 'or',
            filters: [
              { op: 'pr', field: ['a'] },
              { op: 'pr', field: ['b'] },
            ],
          },
          { op: 'pr', field: ['c'] },
        ],
      },
    ],
    [
      '!/a pr and /b pr',
      {
        op: 'and',
        filters: [
          { op: 'not', filter: { op: 'pr', field: ['a'] } },
          { op: 'pr', field: ['b'] },
        ],
      },
    ],
    [
      '!(/a pr or /b pr)',
      {
        op: 'not',
        filter: {
          op: 'or',
          filters: [
            { op: 'pr', field: ['a'] },
            { op: 'pr', field: ['b'] },
          ],
        },
      },
    ],
    ['!!true', { op: 'not', filter: { op: 'not', filter: { op: 'true' } } }],
    [
      PROGRESSIVE_PROFILE,
      {
        op: 'or',
        filters: [
          { op: 'not', filter: { op: 'pr', field: ['preferences'] } },
          { op: 'eq', field: ['preferences', 'marketing'], value: false },
          { op: 'eq', field: ['preferences', 'updates'], value: false },
        ],
      },
    ],
  ];
  it.each(cases)('%s', (text, expected) => {
    expect(parseQueryFilter(text)).toEqual(expected);
  });
});

describe('parseQueryFilter: errors name the problem and the position', () => {
  const cases: Array<[string, number, RegExp]> = [
    ['', 0, /^Expected a filter expression, found end of filter at position 0$/],
    ['   ', 3, /^Expected a filter expression, found end of filter at position 3$/],
    ['/name eq "abc', 9, /^Unterminated string at position 9$/],
    ["/name eq 'abc\\'", 9, /^Unterminated string at position 9$/],
    ['/name foo "x"', 6, /^Unknown operator 'foo' \(expected eq, co, sw, lt, le, gt, ge or pr\) at position 6$/],
    ['/name eq', 8, /^Expected a value after 'eq', found end of filter at position 8$/],
    ['/name eq alice', 9, /^Expected a value after 'eq', found 'alice' \(strings must be quoted\) at position 9$/],
    ['/name eq )', 9, /^Expected a value after 'eq', found '\)' at position 9$/],
    ['/name', 5, /^Expected an operator after field '\/name', found end of filter at position 5$/],
    ['/name pr xyz', 9, /^Unexpected 'xyz' \(expected 'and', 'or' or end of filter\) at position 9$/],
    ['/name pr "x"', 9, /^Unexpected string "x" .* at position 9$/],
    ['(/name pr', 9, /^Expected '\)' to close the '\(' at position 0, found end of filter at position 9$/],
    ['((/a pr) or /b pr', 17, /close the '\(' at position 0/],
    ['/name pr)', 8, /^Unexpected '\)' .* at position 8$/],
    ['()', 1, /^Expected a filter expression after '\(', found '\)' at position 1$/],
    ['/a pr and', 9, /^Expected a filter expression after 'and', found end of filter at position 9$/],
    ['/a pr or or /b pr', 9, /^Expected a filter expression after 'or', found 'or' at position 9$/],
    ['!', 1, /^Expected a filter expression after '!', found end of filter at position 1$/],
    ['and /a pr', 0, /^Expected a filter expression, found 'and' at position 0$/],
    ['/a co 5', 6, /^Operator 'co' needs a string value, found '5' at position 6$/],
    ['/a sw true', 6, /^Operator 'sw' needs a string value/],
    ['/a gt true', 6, /^Operator 'gt' needs a number or string value, found 'true' at position 6$/],
    ['/a le null', 6, /^Operator 'le' needs a number or string value/],
    ['/a eq "x\\q"', 8, /^Invalid escape '\\q' in string at position 8$/],
    ['/a eq "\\u12"', 7, /^Invalid unicode escape/],
    ['/a eq 1e999', 6, /^Number 1e999 is out of range at position 6$/],
    ['/a eq 01', 6, /^Expected a value after 'eq', found '01'/],
    ['/a eq TRUE', 6, /strings must be quoted/],
    ['/ pr', 0, /^Invalid field '\/': the path is empty at position 0$/],
    ['/a//b pr', 0, /a path segment is empty/],
    ['/a~2 pr', 0, /'~' must be escaped/],
    ['/a.b eq 1', 0, /may not contain '\.'/],
    ['/$where eq 1', 0, /may not start with '\$'/],
    ['/a pr and /b.c pr', 10, /^Invalid field '\/b\.c'/],
  ];
  it.each(cases)('%j → position %i', (text, position, message) => {
    const error = parseError(text);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('QueryFilterError');
    expect(error.position).toBe(position);
    expect(error.message).toMatch(message);
  });

  it('puts a caret under the position in detail', () => {
    expect(parseError('/name foo "x"').detail).toBe('/name foo "x"\n      ^');
    expect(parseError('/name eq').detail).toBe('/name eq\n        ^');
  });

  it('keeps the excerpt short around the position of a long filter', () => {
    const text = `${'/a pr and '.repeat(20)}/b bad 1`;
    const error = parseError(text);
    expect(error.position).toBe(text.indexOf('bad'));
    const [line, caret] = error.detail.split('\n');
    expect(line!.length).toBeLessThanOrEqual(82);
    expect(line!.startsWith('…')).toBe(true);
    expect(line![caret!.indexOf('^')]).toBe('b');
    expect(line!.slice(caret!.indexOf('^'), caret!.indexOf('^') + 3)).toBe('bad');
  });

  it('rejects a filter longer than 4096 characters', () => {
    const text = `/a eq "${'x'.repeat(4100)}"`;
    const error = parseError(text);
    expect(error.message).toBe('The query filter is longer than 4096 characters at position 4096');
    expect(() => parseQueryFilter(`/a eq "${'x'.repeat(4000)}"`)).not.toThrow();
  });

  it('rejects nesting deeper than 32 levels, of parentheses or negations', () => {
    const nested = (n: number): string => `${'('.repeat(n)}/a pr${')'.repeat(n)}`;
    expect(parseQueryFilter(nested(32))).toEqual({ op: 'pr', field: ['a'] });
    const error = parseError(nested(33));
    expect(error.message).toBe('The query filter nests deeper than 32 levels at position 32');
    expect(parseError(`${'!'.repeat(40)}/a pr`).message).toMatch(/nests deeper than 32 levels at position 32$/);
    expect(parseError(`${'!('.repeat(17)}/a pr${')'.repeat(17)}`).message).toMatch(/nests deeper than 32 levels/);
  });

  it('rejects a non-string filter with a QueryFilterError rather than a crash', () => {
    const error = (() => {
      try {
        parseQueryFilter(['/a pr'] as unknown as string);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(QueryFilterError);
    expect((error as QueryFilterError).message).toBe('The query filter must be a string at position 0');
  });
});

describe('matchesFilter', () => {
  const alice = {
    _id: 'u1',
    userName: 'alice',
    givenName: 'Alice',
    mail: 'alice@example.com',
    age: 30,
    preferences: { marketing: true, updates: true },
    roles: ['admin', 'user'],
    addresses: [{ city: 'Paris' }, { city: 'Lyon', zip: '69001' }],
  };
  const bob = {
    _id: 'u2',
    userName: 'Bob',
    mail: 'a.b+c@x.io',
    age: 17,
    preferences: { marketing: false, updates: true },
    roles: ['user'],
    manager: null,
  };
  const carol = { _id: 'u3', userName: 'carol', givenName: 'Carol', age: '42', preferences: { updates: false } };
  const dave = { _id: 'u4', userName: 'dave', createDate: new Date(0), preferences: null };
  const users = { alice, bob, carol, dave };

  const matching = (filter: string): string[] =>
    Object.entries(users)
      .filter(([, user]) => matchesFilter(parseQueryFilter(filter), user))
      .map(([name]) => name);

  it.each<[string, string[]]>([
    [PROGRESSIVE_PROFILE, ['bob', 'carol', 'dave']],
    ['true', ['alice', 'bob', 'carol', 'dave']],
    ['false', []],
    ['!true', []],
    ['userName eq "ALICE"', ['alice']],
    ['userName eq "bob"', ['bob']],
    ['userName eq "ali"', []],
    ['givenName eq "alice" and userName eq "alice"', ['alice']],
    ['mail co "EXAMPLE"', ['alice']],
    ['mail co ".b+"', ['bob']],
    ['mail co "a*"', []],
    ['mail sw "Alice@"', ['alice']],
    ['mail sw "example"', []],
    ['/age ge 18', ['alice']],
    ['/age lt 18', ['bob']],
    ['/age le 30 and /age gt 17', ['alice']],
    ['/age eq 30', ['alice']],
    ['/age eq "30"', []],
    ['/age eq "42"', ['carol']],
    ['/age gt "4"', ['carol']],
    ['userName lt "b"', ['alice', 'bob']],
    ['/preferences/marketing eq false', ['bob']],
    ['/preferences/marketing eq "false"', []],
    ['/preferences pr', ['alice', 'bob', 'carol']],
    ['/preferences/marketing pr', ['alice', 'bob']],
    ['!(/preferences/marketing pr)', ['carol', 'dave']],
    ['/manager eq null', ['alice', 'bob', 'carol', 'dave']],
    ['/manager pr', []],
    ['/givenName eq null', ['bob', 'dave']],
    ['roles eq "ADMIN"', ['alice']],
    ['roles eq "user"', ['alice', 'bob']],
    ['roles sw "adm"', ['alice']],
    ['/roles/1 eq "user"', ['alice']],
    ['/addresses/city eq "lyon"', ['alice']],
    ['/addresses/city co "ari"', ['alice']],
    ['/addresses/0/city eq "Lyon"', []],
    ['/addresses/1/city eq "Lyon"', ['alice']],
    ['/addresses/zip pr', []],
    ['/addresses/zip eq null', ['alice', 'bob', 'carol', 'dave']],
    ['/addresses pr', ['alice']],
    ['/userName/first eq "a"', []],
    ['/createDate eq "1970-01-01T00:00:00.000Z"', []],
    ['/createDate pr', ['dave']],
    ['"__proto__" pr or constructor pr or toString pr', []],
    ['userName eq "alice" or userName eq "carol" and /age eq "42"', ['alice', 'carol']],
    ['(userName eq "alice" or userName eq "carol") and /age eq "42"', ['carol']],
  ])('%s → %j', (filter, expected) => {
    expect(matching(filter)).toEqual(expected);
  });

  it('compares strings case-insensitively beyond ASCII', () => {
    expect(matchesFilter(parseQueryFilter('/sn eq "émile"'), { sn: 'ÉMILE' })).toBe(true);
    expect(matchesFilter(parseQueryFilter('/sn co "STRASSE"'), { sn: 'Hauptstrasse' })).toBe(true);
  });

  it('matches regex metacharacters literally', () => {
    const special = 'a.b*c+d?e^f$g{h}i(j)k|l[m]n\\o';
    const user = { v: special };
    expect(matchesFilter(parseQueryFilter(`/v eq ${JSON.stringify(special)}`), user)).toBe(true);
    expect(matchesFilter(parseQueryFilter('/v co "*c+d?"'), user)).toBe(true);
    expect(matchesFilter(parseQueryFilter('/v eq "a.b"'), { v: 'axb' })).toBe(false);
  });

  it('never throws on odd data', () => {
    const odd = { a: [null, [1, [2]], { b: undefined }], s: 'x', n: Number.NaN, d: new Map([['k', 'v']]) } as Record<string, unknown>;
    for (const filter of ['/a/b eq 1', '/a/0 pr', '/a gt 0', '/s/0 eq "x"', '/n eq 0', '/n lt 1', '/d/k eq "v"', '/a co "1"']) {
      expect(() => matchesFilter(parseQueryFilter(filter), odd)).not.toThrow();
    }
    // Like Mongo, only one level of array is unwrapped: [[1]] does not match `eq 1`, /a/1/0 does.
    expect(matchesFilter(parseQueryFilter('/a eq 1'), odd)).toBe(false);
    expect(matchesFilter(parseQueryFilter('/a/1/0 eq 1'), odd)).toBe(true);
    expect(matchesFilter(parseQueryFilter('/a/b eq null'), odd)).toBe(true);
    expect(matchesFilter(parseQueryFilter('/d/k eq "v"'), odd)).toBe(false);
  });
});

describe('fieldsOf', () => {
  it('lists each field once, in order of first use', () => {
    expect(fieldsOf(parseQueryFilter(PROGRESSIVE_PROFILE))).toEqual([['preferences'], ['preferences', 'marketing'], ['preferences', 'updates']]);
    expect(fieldsOf(parseQueryFilter('/a eq 1 or (!(b pr) and /a gt 0) or /c/d sw "x"'))).toEqual([['a'], ['b'], ['c', 'd']]);
    expect(fieldsOf(parseQueryFilter('true or !false'))).toEqual([]);
  });

  it('returns copies, so callers cannot alter the tree', () => {
    const node = parseQueryFilter('/a pr');
    fieldsOf(node)[0]!.push('x');
    expect(node).toEqual({ op: 'pr', field: ['a'] });
  });
});
