import { describe, it, expect } from 'vitest';
import { applyPatch, parsePatch, PatchError, type PatchOperation } from '../../src/crest/patch.js';

const user = (): Record<string, unknown> => ({
  _id: 'u1',
  _rev: '3',
  userName: 'alice',
  mail: 'alice@example.com',
  loginCount: 4,
  scores: [1, 2],
  roles: ['user'],
  preferences: { marketing: false, updates: true },
  addresses: [{ city: 'Paris' }],
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

function patchError(run: () => unknown): PatchError {
  try {
    run();
  } catch (e) {
    if (e instanceof PatchError) return e;
    throw e;
  }
  throw new Error('expected a PatchError');
}

const apply = (ops: unknown[], base = user()): Record<string, unknown> => applyPatch(base, ops as PatchOperation[]);

describe('applyPatch: add', () => {
  it('sets a new field and replaces a single-valued one', () => {
    expect(apply([{ operation: 'add', field: '/telephoneNumber', value: '+33 1' }]).telephoneNumber).toBe('+33 1');
    expect(apply([{ operation: 'add', field: '/mail', value: 'new@example.com' }]).mail).toBe('new@example.com');
  });

  it('creates missing parent objects', () => {
    const result = apply([{ operation: 'add', field: '/custom/consent/marketing', value: true }]);
    expect(result.custom).toEqual({ consent: { marketing: true } });
  });

  it('appends with /-, creating the array if missing', () => {
    expect(apply([{ operation: 'add', field: '/roles/-', value: 'admin' }]).roles).toEqual(['user', 'admin']);
    expect(apply([{ operation: 'add', field: '/groups/-', value: 'staff' }]).groups).toEqual(['staff']);
  });

  it('appends to an existing array (all elements of an array value, or the single value)', () => {
    expect(apply([{ operation: 'add', field: '/roles', value: ['a', 'b'] }]).roles).toEqual(['user', 'a', 'b']);
    expect(apply([{ operation: 'add', field: 'roles', value: 'c' }]).roles).toEqual(['user', 'c']);
  });

  it('inserts at an array index', () => {
    expect(apply([{ operation: 'add', field: '/scores/0', value: 0 }]).scores).toEqual([0, 1, 2]);
    expect(apply([{ operation: 'add', field: '/scores/2', value: 3 }]).scores).toEqual([1, 2, 3]);
    expect(apply([{ operation: 'add', field: '/addresses/0/zip', value: '75001' }]).addresses).toEqual([{ city: 'Paris', zip: '75001' }]);
  });

  it('accepts null and structured values', () => {
    expect(apply([{ operation: 'add', field: '/manager', value: null }]).manager).toBeNull();
    expect(apply([{ operation: 'add', field: '/meta', value: { a: [1, { b: 'c' }] } }]).meta).toEqual({ a: [1, { b: 'c' }] });
  });

  it('escapes ~0 and ~1 in pointers', () => {
    expect(apply([{ operation: 'add', field: '/a~1b~0c', value: 1 }])['a/b~c']).toBe(1);
  });
});

describe('applyPatch: remove', () => {
  it('removes a field, nested or top-level', () => {
    const result = apply([
      { operation: 'remove', field: '/mail' },
      { operation: 'remove', field: '/preferences/marketing' },
    ]);
    expect(Object.hasOwn(result, 'mail')).toBe(false);
    expect(result.preferences).toEqual({ updates: true });
  });

  it('is a no-op for a missing field or a missing parent (CREST: removed "if it is present")', () => {
    expect(apply([{ operation: 'remove', field: '/nothing' }])).toEqual(user());
    expect(apply([{ operation: 'remove', field: '/no/such/path' }])).toEqual(user());
    expect(apply([{ operation: 'remove', field: '/userName/x' }])).toEqual(user());
    expect(apply([{ operation: 'remove', field: '/scores/9' }])).toEqual(user());
  });

  it('removes given values from an array', () => {
    const base = { ...user(), roles: ['a', 'b', 'a', 'c'] };
    expect(apply([{ operation: 'remove', field: '/roles', value: 'a' }], base).roles).toEqual(['b', 'c']);
    expect(apply([{ operation: 'remove', field: '/roles', value: ['a', 'c', 'zz'] }], base).roles).toEqual(['b']);
    expect(apply([{ operation: 'remove', field: '/addresses', value: { city: 'Paris' } }]).addresses).toEqual([]);
  });

  it('removes a single-valued field only when it equals the given value', () => {
    expect(Object.hasOwn(apply([{ operation: 'remove', field: '/mail', value: 'alice@example.com' }]), 'mail')).toBe(false);
    expect(apply([{ operation: 'remove', field: '/mail', value: 'other@example.com' }]).mail).toBe('alice@example.com');
  });

  it('removes an array element by index', () => {
    expect(apply([{ operation: 'remove', field: '/scores/0' }]).scores).toEqual([2]);
  });
});

describe('applyPatch: replace', () => {
  it('replaces an existing value, whatever its type', () => {
    expect(apply([{ operation: 'replace', field: '/roles', value: ['admin'] }]).roles).toEqual(['admin']);
    expect(apply([{ operation: 'replace', field: '/preferences', value: { updates: false } }]).preferences).toEqual({ updates: false });
  });

  it('creates a missing field and its parents', () => {
    expect(apply([{ operation: 'replace', field: '/a/b', value: 1 }]).a).toEqual({ b: 1 });
  });

  it('replaces an array element, and rejects an index past the end', () => {
    expect(apply([{ operation: 'replace', field: '/scores/1', value: 9 }]).scores).toEqual([1, 9]);
    const error = patchError(() => apply([{ operation: 'replace', field: '/scores/2', value: 9 }]));
    expect(error.index).toBe(0);
    expect(error.message).toBe("Patch operation 0: '/scores/2': '2' is not an index of the array (length 2)");
  });

  it('refuses to descend through a non-object', () => {
    const error = patchError(() => apply([{ operation: 'replace', field: '/userName/first', value: 'x' }]));
    expect(error.message).toBe("Patch operation 0: '/userName' is not an object");
  });
});

describe('applyPatch: increment', () => {
  it('adds to a number, negative amounts too', () => {
    expect(apply([{ operation: 'increment', field: '/loginCount', value: 1 }]).loginCount).toBe(5);
    expect(apply([{ operation: 'increment', field: '/loginCount', value: -4.5 }]).loginCount).toBe(-0.5);
  });

  it('adds to every number of an array', () => {
    expect(apply([{ operation: 'increment', field: '/scores', value: 10 }]).scores).toEqual([11, 12]);
    expect(apply([{ operation: 'increment', field: '/scores/1', value: 10 }]).scores).toEqual([1, 12]);
  });

  it('fails on a missing or non-numeric field, naming the operation index', () => {
    const missing = patchError(() =>
      apply([
        { operation: 'add', field: '/x', value: 1 },
        { operation: 'increment', field: '/failedLogins', value: 1 },
      ]),
    );
    expect(missing.index).toBe(1);
    expect(missing.message).toBe("Patch operation 1: cannot increment '/failedLogins': the field does not exist");
    const text = patchError(() => apply([{ operation: 'increment', field: '/userName', value: 1 }]));
    expect(text.message).toBe("Patch operation 0: cannot increment '/userName': it is not a number");
    const mixed = patchError(() => apply([{ operation: 'increment', field: '/roles', value: 1 }]));
    expect(mixed.message).toMatch(/it is not a number$/);
    const huge = patchError(() =>
      apply([{ operation: 'increment', field: '/loginCount', value: Number.MAX_VALUE }], { loginCount: Number.MAX_VALUE }),
    );
    expect(huge.message).toMatch(/out of range$/);
  });
});

describe('applyPatch: copy and move', () => {
  it('copies a value, replacing the target, as an independent copy', () => {
    const result = apply([{ operation: 'copy', from: '/preferences', field: '/savedPreferences' }]);
    expect(result.savedPreferences).toEqual({ marketing: false, updates: true });
    (result.savedPreferences as Record<string, unknown>).marketing = true;
    expect(result.preferences).toEqual({ marketing: false, updates: true });
    expect(apply([{ operation: 'copy', from: '/mail', field: '/userName' }]).userName).toBe('alice@example.com');
    expect(apply([{ operation: 'copy', from: '/mail', field: '/roles/-' }]).roles).toEqual(['user', 'alice@example.com']);
  });

  it('may copy from _id (it only reads it)', () => {
    expect(apply([{ operation: 'copy', from: '/_id', field: '/externalId' }]).externalId).toBe('u1');
  });

  it('moves a value', () => {
    const result = apply([{ operation: 'move', from: '/mail', field: '/contact/mail' }]);
    expect(Object.hasOwn(result, 'mail')).toBe(false);
    expect(result.contact).toEqual({ mail: 'alice@example.com' });
    expect(apply([{ operation: 'move', from: '/scores/0', field: '/scores/-' }]).scores).toEqual([2, 1]);
    expect(apply([{ operation: 'move', from: '/mail', field: 'mail' }])).toEqual(user());
  });

  it('fails when the source is missing or the target is inside the source', () => {
    expect(patchError(() => apply([{ operation: 'copy', from: '/nope', field: '/x' }])).message).toBe(
      "Patch operation 0: copy source '/nope' does not exist",
    );
    expect(patchError(() => apply([{ operation: 'move', from: '/preferences', field: '/preferences/old' }])).message).toBe(
      "Patch operation 0: cannot move '/preferences' into itself",
    );
  });
});

describe('applyPatch: sequencing and immutability', () => {
  it('applies operations in order, each seeing the previous result', () => {
    const result = apply([
      { operation: 'add', field: '/counter', value: 1 },
      { operation: 'increment', field: '/counter', value: 2 },
      { operation: 'copy', from: '/counter', field: '/copy' },
      { operation: 'remove', field: '/counter' },
    ]);
    expect(result.copy).toBe(3);
    expect(Object.hasOwn(result, 'counter')).toBe(false);
  });

  it('never mutates the input object, even a frozen one', () => {
    const input = deepFreeze(user());
    const result = applyPatch(input, [
      { operation: 'add', field: '/roles/-', value: 'admin' },
      { operation: 'replace', field: '/preferences/marketing', value: true },
      { operation: 'remove', field: '/addresses/0/city' },
      { operation: 'increment', field: '/scores', value: 1 },
      { operation: 'move', from: '/mail', field: '/contact/mail' },
    ]);
    expect(input).toEqual(user());
    expect(result).not.toBe(input);
    expect(result.roles).toEqual(['user', 'admin']);
    expect(result.preferences).toEqual({ marketing: true, updates: true });
  });

  it('does not alias values of the operations into the result', () => {
    const value = { nested: ['x'] };
    const ops: PatchOperation[] = [{ operation: 'add', field: '/meta', value }];
    const result = applyPatch(user(), ops);
    (result.meta as typeof value).nested.push('y');
    expect(value).toEqual({ nested: ['x'] });
  });

  it('leaves the input untouched when a later operation fails', () => {
    const input = user();
    expect(() =>
      applyPatch(input, [
        { operation: 'replace', field: '/mail', value: 'x@example.com' },
        { operation: 'increment', field: '/mail', value: 1 },
      ]),
    ).toThrow(PatchError);
    expect(input).toEqual(user());
  });

  it('cannot pollute prototypes', () => {
    const error = patchError(() => apply([{ operation: 'add', field: '/__proto__/polluted', value: true }]));
    expect(error.message).toBe("Patch operation 0: 'field' may not use the segment '__proto__'");
    const result = apply([{ operation: 'add', field: '/constructor/prototype/polluted', value: true }]);
    expect(result.constructor).toEqual({ prototype: { polluted: true } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('parsePatch', () => {
  it('returns normalised operations for a valid document', () => {
    expect(
      parsePatch([
        { operation: 'add', field: '/a', value: 1 },
        { operation: 'remove', field: '/b' },
        { operation: 'remove', field: '/c', value: null },
        { operation: 'move', from: '/d', field: '/e' },
      ]),
    ).toEqual([
      { operation: 'add', field: '/a', value: 1 },
      { operation: 'remove', field: '/b' },
      { operation: 'remove', field: '/c', value: null },
      { operation: 'move', field: '/e', from: '/d' },
    ]);
    expect(parsePatch([])).toEqual([]);
  });

  it('rejects a document that is not an array, without an index', () => {
    for (const doc of [{ operation: 'add', field: '/a', value: 1 }, 'x', null, undefined]) {
      const error = patchError(() => parsePatch(doc));
      expect(error.index).toBeUndefined();
      expect(error.message).toBe('A patch must be a JSON array of operations');
    }
    expect(patchError(() => parsePatch(Array.from({ length: 257 }, () => ({ operation: 'remove', field: '/a' })))).message).toBe(
      'A patch may hold at most 256 operations',
    );
  });

  const ok = { operation: 'add', field: '/ok', value: 1 };
  it.each<[string, unknown, string]>([
    ['not an object', 'add', 'must be an object with "operation" and "field"'],
    ['an array', [], 'must be an object with "operation" and "field"'],
    [
      'unknown operation',
      { operation: 'transform', field: '/a', value: {} },
      "unsupported operation 'transform' (expected add, remove, replace, increment, copy, move)",
    ],
    ['RFC 6902 shape', { op: 'add', path: '/a', value: 1 }, "unknown property 'op'"],
    ['missing operation', { field: '/a' }, "'operation' must be a string"],
    ['missing field', { operation: 'remove' }, "'field' must be a string (a JSON pointer)"],
    ['empty field', { operation: 'remove', field: '' }, "'field' must name a field, not the whole object"],
    ['root field', { operation: 'replace', field: '/', value: {} }, "'field' must name a field, not the whole object"],
    ['empty segment', { operation: 'remove', field: '/a//b' }, `'field' "/a//b" has an empty segment`],
    ['bad escape', { operation: 'remove', field: '/a~2' }, `'field' "/a~2": '~' must be escaped as '~0' ('/' as '~1')`],
    ['_id', { operation: 'replace', field: '/_id', value: 'x' }, "'_id' cannot be changed by a patch"],
    ['_rev', { operation: 'remove', field: '_rev' }, "'_rev' cannot be changed by a patch"],
    ['inside _id', { operation: 'add', field: '/_id/x', value: 1 }, "'_id' cannot be changed by a patch"],
    ['move from _id', { operation: 'move', from: '/_id', field: '/x' }, "'_id' cannot be moved"],
    ['copy onto _rev', { operation: 'copy', from: '/a', field: '/_rev' }, "'_rev' cannot be changed by a patch"],
    ['add without value', { operation: 'add', field: '/a' }, "'add' needs a 'value'"],
    ['replace without value', { operation: 'replace', field: '/a' }, "'replace' needs a 'value'"],
    ['increment by a string', { operation: 'increment', field: '/a', value: '1' }, "'increment' needs a numeric 'value'"],
    ['increment by NaN', { operation: 'increment', field: '/a', value: Number.NaN }, "'increment' needs a numeric 'value'"],
    ['copy without from', { operation: 'copy', field: '/a' }, "'copy' needs 'from' (a JSON pointer string)"],
    ['move with value', { operation: 'move', field: '/a', from: '/b', value: 1 }, "'move' takes 'from', not 'value'"],
    ['from on add', { operation: 'add', field: '/a', from: '/b', value: 1 }, "'from' is only used by copy and move"],
    ['bad from', { operation: 'copy', field: '/a', from: '/b//c' }, `'from' "/b//c" has an empty segment`],
    ['non-JSON value', { operation: 'add', field: '/a', value: () => 1 }, "'value' must be a JSON value"],
    ['non-JSON nested value', { operation: 'add', field: '/a', value: { d: new Date(0) } }, "'value' must be a JSON value"],
    ['infinite value', { operation: 'replace', field: '/a', value: [Infinity] }, "'value' must be a JSON value"],
    [
      '- in the middle',
      { operation: 'add', field: '/a/-/b', value: 1 },
      "'-' (append) is only allowed as the last segment of an add, copy or move field",
    ],
    ['- in remove', { operation: 'remove', field: '/roles/-' }, "'-' (append) is only allowed as the last segment of an add, copy or move field"],
  ])('%s → error at index 1', (_name, bad, reason) => {
    const error = patchError(() => parsePatch([ok, bad]));
    expect(error.name).toBe('PatchError');
    expect(error.index).toBe(1);
    expect(error.message).toBe(`Patch operation 1: ${reason}`);
  });

  it('is applied by applyPatch too, so unchecked input is never applied', () => {
    const error = patchError(() => applyPatch(user(), [{ operation: 'test', field: '/a', value: 1 }] as unknown as PatchOperation[]));
    expect(error.index).toBe(0);
    expect(patchError(() => applyPatch('x' as unknown as Record<string, unknown>, [])).message).toBe('Only an object can be patched');
  });
});
