/**
 * The store contract, run against every backend (embedded.test.ts, mongodb.test.ts): managed objects
 * (ids, revs, case-insensitive unique keys, filters, sorting, paging), sessions, suspended journeys,
 * counters, claims, key/value, expiry under an injected clock, input checks, health and close.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseQueryFilter } from '../../src/crest/query-filter.js';
import { isStoreError, type Store, type StoredObject } from '../../src/stores/index.js';

export interface OpenedStore {
  store: Store;
  /** Closes the store and removes what the test created (temporary directory, test database). */
  dispose(): Promise<void>;
}

export type OpenForTest = (now: () => number) => Promise<OpenedStore>;

const USERS = 'managed/user';
const T0 = 1_700_000_000_000;
const MINUTE = 60_000;

/** Awaits a promise that must reject with a StoreError of `code`; returns the error. */
async function rejection(
  p: Promise<unknown>,
  code: string,
): Promise<{ status: number; code: string; detail?: Record<string, unknown>; message: string }> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isStoreError(e), `expected a StoreError ${code}, got ${String(e)}`).toBe(true);
  const se = e as { status: number; code: string; detail?: Record<string, unknown>; message: string };
  expect(se.code).toBe(code);
  return se;
}

export function runStoreContract(name: string, open: OpenForTest, options: { skip?: boolean } = {}): void {
  (options.skip ? describe.skip : describe)(name, () => {
    let clock = T0;
    let opened: OpenedStore;
    let store: Store;

    beforeEach(async () => {
      clock = T0;
      opened = await open(() => clock);
      store = opened.store;
    });
    afterEach(async () => {
      await opened.dispose();
    });

    const bjensen = { userName: 'bjensen', mail: 'bjensen@example.com', givenName: 'Barbara', sn: 'Jensen' };

    describe('managed objects', () => {
      it('creates with a generated _id and a _rev, and reads it back', async () => {
        const created = await store.objects.create(USERS, { ...bjensen, _rev: 'ignored', preferences: { updates: true } });
        expect(created._id).toMatch(/^[0-9a-f-]{36}$/);
        expect(typeof created._rev).toBe('string');
        expect(created._rev).not.toBe('ignored');
        expect(created).toMatchObject({ ...bjensen, preferences: { updates: true } });
        expect(await store.objects.read(USERS, created._id)).toEqual(created);
        expect(await store.objects.read(USERS, 'no-such-id')).toBeUndefined();
      });

      it('creates with a given _id and refuses a second object under it', async () => {
        const created = await store.objects.create(USERS, { _id: 'user-1', ...bjensen });
        expect(created._id).toBe('user-1');
        const e = await rejection(store.objects.create(USERS, { _id: 'user-1', userName: 'other' }), 'store.already_exists');
        expect(e.status).toBe(412);
      });

      it('keeps resources apart', async () => {
        await store.objects.create(USERS, { _id: 'same', userName: 'x' });
        const role = await store.objects.create('managed/role', { _id: 'same', name: 'admins' });
        expect((await store.objects.read(USERS, 'same'))?.userName).toBe('x');
        expect(role.name).toBe('admins');
        expect((await store.objects.query('managed/role', parseQueryFilter('true'))).result).toHaveLength(1);
      });

      it('enforces unique userName and mail case-insensitively (NFKC + lower case), naming the field', async () => {
        await store.objects.create(USERS, bjensen);
        const byName = await rejection(store.objects.create(USERS, { userName: 'BJensen', mail: 'other@example.com' }), 'store.unique_constraint');
        expect(byName.status).toBe(409);
        expect(byName.detail?.field).toBe('userName');
        expect(byName.message).toMatch(/unique constraint.*userName/i);
        // Fullwidth letters are NFKC-equivalent to ASCII ones.
        await rejection(store.objects.create(USERS, { userName: 'ｂｊｅｎｓｅｎ' }), 'store.unique_constraint');
        const byMail = await rejection(store.objects.create(USERS, { userName: 'barbara', mail: 'BJENSEN@example.COM' }), 'store.unique_constraint');
        expect(byMail.detail?.field).toBe('mail');
        // Objects without a mail do not clash with each other.
        await store.objects.create(USERS, { userName: 'nomail1' });
        await store.objects.create(USERS, { userName: 'nomail2' });
        // Fields that are not declared unique may repeat.
        await store.objects.create(USERS, { userName: 'other', givenName: 'Barbara' });
      });

      it('finds by a unique field case-insensitively and refuses undeclared fields', async () => {
        const created = await store.objects.create(USERS, bjensen);
        expect((await store.objects.findUnique(USERS, 'userName', 'BJENSEN'))?._id).toBe(created._id);
        expect((await store.objects.findUnique(USERS, 'mail', 'Bjensen@Example.com'))?._id).toBe(created._id);
        expect(await store.objects.findUnique(USERS, 'userName', 'nobody')).toBeUndefined();
        await rejection(store.objects.findUnique(USERS, 'givenName', 'Barbara'), 'store.invalid');
      });

      it('replaces with optimistic concurrency on _rev', async () => {
        const created = await store.objects.create(USERS, bjensen);
        const replaced = await store.objects.replace(USERS, created._id, { ...bjensen, sn: 'Jensen-Smith' }, created._rev);
        expect(replaced._rev).not.toBe(created._rev);
        expect(replaced.sn).toBe('Jensen-Smith');
        const stale = await rejection(store.objects.replace(USERS, created._id, bjensen, created._rev), 'store.rev_mismatch');
        expect(stale.status).toBe(412);
        // Unconditional replace (no ifRev) still changes the rev.
        const again = await store.objects.replace(USERS, created._id, { ...bjensen, givenName: 'Babs' });
        expect(again._rev).not.toBe(replaced._rev);
        expect(again).not.toHaveProperty('sn', 'Jensen-Smith');
        expect(await store.objects.read(USERS, created._id)).toEqual(again);
        await rejection(store.objects.replace(USERS, 'missing', bjensen), 'store.not_found');
        await rejection(store.objects.replace(USERS, created._id, { _id: 'other', ...bjensen }), 'store.invalid');
      });

      it('moves unique keys on replace: the old value is freed, a taken one is refused', async () => {
        const a = await store.objects.create(USERS, bjensen);
        await store.objects.create(USERS, { userName: 'scarter', mail: 'scarter@example.com' });
        await rejection(store.objects.replace(USERS, a._id, { ...bjensen, userName: 'SCarter' }), 'store.unique_constraint');
        expect((await store.objects.read(USERS, a._id))?._rev).toBe(a._rev);
        await store.objects.replace(USERS, a._id, { ...bjensen, userName: 'babs' });
        expect((await store.objects.findUnique(USERS, 'userName', 'babs'))?._id).toBe(a._id);
        expect(await store.objects.findUnique(USERS, 'userName', 'bjensen')).toBeUndefined();
        await store.objects.create(USERS, { userName: 'bjensen' });
        // Changing only the case of one's own unique value is allowed.
        await store.objects.replace(USERS, a._id, { ...bjensen, userName: 'BABS' });
      });

      it('patches top-level fields with _rev concurrency and keeps unique keys', async () => {
        const a = await store.objects.create(USERS, { ...bjensen, loginCount: 1 });
        const p = await store.objects.patch(USERS, a._id, { set: { loginCount: 2, givenName: 'Babs' }, unset: ['sn'] }, a._rev);
        expect(p).toMatchObject({ _id: a._id, userName: 'bjensen', loginCount: 2, givenName: 'Babs' });
        expect(p).not.toHaveProperty('sn');
        expect(p._rev).not.toBe(a._rev);
        await rejection(store.objects.patch(USERS, a._id, { set: { loginCount: 3 } }, a._rev), 'store.rev_mismatch');
        expect(await store.objects.read(USERS, a._id)).toEqual(p);
        // Removing the mail frees it; setting a taken userName is refused.
        await store.objects.patch(USERS, a._id, { unset: ['mail'] });
        await store.objects.create(USERS, { userName: 'someone', mail: 'BJensen@example.com' });
        await rejection(store.objects.patch(USERS, a._id, { set: { userName: 'Someone' } }), 'store.unique_constraint');
        await rejection(store.objects.patch(USERS, a._id, { set: { _rev: 'x' } }), 'store.invalid');
        await rejection(store.objects.patch(USERS, a._id, { set: { a: 1 }, unset: ['a'] }), 'store.invalid');
        await rejection(store.objects.patch(USERS, 'missing', { set: { a: 1 } }), 'store.not_found');
      });

      it('deletes, optionally on _rev, and frees the unique keys', async () => {
        const a = await store.objects.create(USERS, bjensen);
        await rejection(store.objects.delete(USERS, a._id, 'wrong-rev'), 'store.rev_mismatch');
        const gone = await store.objects.delete(USERS, a._id, a._rev);
        expect(gone).toEqual(a);
        expect(await store.objects.read(USERS, a._id)).toBeUndefined();
        expect(await store.objects.delete(USERS, a._id)).toBeUndefined();
        expect(await store.objects.delete(USERS, a._id, a._rev)).toBeUndefined();
        const again = await store.objects.create(USERS, { ...bjensen, userName: 'BJENSEN' });
        expect(again._rev).not.toBe(a._rev);
      });

      it('queries with a filter, sort keys, paging cookies and an optional total', async () => {
        const names = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'];
        for (const [i, n] of names.entries()) {
          await store.objects.create(USERS, { userName: n, mail: `${n}@example.com`, age: 20 + i, team: i % 2 === 0 ? 'red' : 'blue' });
        }
        const red = await store.objects.query(USERS, parseQueryFilter('team eq "RED"'), { sortKeys: ['userName'] });
        expect(red.result.map((o) => o.userName)).toEqual(['alice', 'carol', 'erin', 'grace']);
        expect(red.pagedResultsCookie).toBeNull();
        expect(red.totalPagedResults).toBe(-1);

        const desc = await store.objects.query(USERS, parseQueryFilter('age ge 22 and !(userName sw "f")'), { sortKeys: ['-age'] });
        expect(desc.result.map((o) => o.userName)).toEqual(['grace', 'erin', 'dave', 'carol']);

        const seen: string[] = [];
        let cookie: string | undefined;
        let pages = 0;
        do {
          const page = await store.objects.query(USERS, parseQueryFilter('true'), {
            pageSize: 3,
            sortKeys: ['-team', '+/userName'],
            totalPagedResultsPolicy: 'EXACT',
            ...(cookie ? { pagedResultsCookie: cookie } : {}),
          });
          expect(page.totalPagedResults).toBe(7);
          expect(page.result.length).toBeLessThanOrEqual(3);
          seen.push(...page.result.map((o: StoredObject) => String(o.userName)));
          cookie = page.pagedResultsCookie ?? undefined;
          pages++;
        } while (cookie && pages < 10);
        expect(pages).toBe(3);
        expect(seen).toEqual(['alice', 'carol', 'erin', 'grace', 'bob', 'dave', 'frank']);

        const exact = await store.objects.query(USERS, parseQueryFilter('mail co "E@EXAMPLE"'), { pageSize: 1, totalPagedResultsPolicy: 'EXACT' });
        expect(exact.totalPagedResults).toBe(3); // alice, dave, grace
        expect(exact.result).toHaveLength(1);
        expect(exact.pagedResultsCookie).not.toBeNull();

        await rejection(store.objects.query(USERS, parseQueryFilter('true'), { pagedResultsCookie: 'not a cookie!' }), 'store.invalid');
        await rejection(store.objects.query(USERS, parseQueryFilter('true'), { sortKeys: ['-'] }), 'store.invalid');
        await rejection(store.objects.query(USERS, parseQueryFilter('true'), { pageSize: -1 }), 'store.invalid');
      });

      it('refuses bad input with 400s, never crashing', async () => {
        await rejection(store.objects.create('user', bjensen), 'store.invalid');
        await rejection(store.objects.create('managed/$user', bjensen), 'store.invalid');
        await rejection(store.objects.create(USERS, { _id: 'a/b', userName: 'x' }), 'store.invalid');
        await rejection(store.objects.create(USERS, { _id: '', userName: 'x' }), 'store.invalid');
        await rejection(store.objects.create(USERS, { userName: 'x', when: new Date() }), 'store.invalid');
        await rejection(store.objects.create(USERS, { userName: 'x', n: Number.NaN }), 'store.invalid');
        await rejection(store.objects.create(USERS, { userName: 'x', $where: '1' }), 'store.invalid');
        await rejection(store.objects.create(USERS, { userName: 'x', nested: { 'a.b': 1 } }), 'store.invalid');
        await rejection(store.objects.create(USERS, { userName: ['a', 'b'] }), 'store.invalid');
        await rejection(store.objects.create(USERS, { userName: 'x', _cairnKeys: {} }), 'store.invalid');
        await rejection(store.objects.create(USERS, [] as unknown as Record<string, unknown>), 'store.invalid');
        await rejection(store.objects.read(USERS, 'x'.repeat(300)), 'store.invalid');
        // Undefined members are dropped as JSON does.
        const o = await store.objects.create(USERS, { userName: 'y', sn: undefined });
        expect(o).not.toHaveProperty('sn');
      });
    });

    describe('sessions', () => {
      const newSession = {
        subjects: ['user-1', 'bjensen'],
        data: { realm: '/', journey: 'Login' },
        idleTimeoutMs: 30 * MINUTE,
        maxLifetimeMs: 120 * MINUTE,
      };

      it('creates, reads, touches within the maximum lifetime, and expires on idle', async () => {
        const s = await store.sessions.create('s1', newSession);
        expect(s).toMatchObject({
          id: 's1',
          subjects: ['user-1', 'bjensen'],
          createdAt: T0,
          idleExpiresAt: T0 + 30 * MINUTE,
          maxExpiresAt: T0 + 120 * MINUTE,
        });
        expect(await store.sessions.get('s1')).toEqual(s);
        clock += 20 * MINUTE;
        const touched = await store.sessions.touch('s1', { realm: '/', journey: 'Login', level: 2 });
        expect(touched?.idleExpiresAt).toBe(T0 + 50 * MINUTE);
        expect(touched?.lastAccessAt).toBe(clock);
        expect((await store.sessions.get('s1'))?.data).toEqual({ realm: '/', journey: 'Login', level: 2 });
        clock += 29 * MINUTE;
        expect(await store.sessions.get('s1')).toBeDefined();
        clock += 1 * MINUTE; // T0 + 50 min: idle deadline reached
        expect(await store.sessions.get('s1')).toBeUndefined();
        expect(await store.sessions.touch('s1')).toBeUndefined();
        expect(await store.sessions.delete('s1')).toBe(false);
      });

      it('never extends past the maximum lifetime', async () => {
        await store.sessions.create('s1', newSession);
        for (let i = 0; i < 4; i++) {
          clock += 25 * MINUTE;
          expect(await store.sessions.touch('s1')).toBeDefined();
        }
        // Touched at T0 + 100 min: idle would run to 130, the maximum stops it at 120.
        expect((await store.sessions.get('s1'))?.idleExpiresAt).toBe(T0 + 120 * MINUTE);
        clock = T0 + 119 * MINUTE;
        expect(await store.sessions.get('s1')).toBeDefined();
        clock = T0 + 120 * MINUTE;
        expect(await store.sessions.get('s1')).toBeUndefined();
      });

      it('refuses a live duplicate id and reuses a lapsed one', async () => {
        await store.sessions.create('s1', newSession);
        await rejection(store.sessions.create('s1', newSession), 'store.already_exists');
        clock += 31 * MINUTE;
        const fresh = await store.sessions.create('s1', { ...newSession, subjects: ['user-2'] });
        expect(fresh.subjects).toEqual(['user-2']);
        expect(await store.sessions.listBySubject('user-1')).toEqual([]);
      });

      it('lists and deletes every session of a subject, leaving others', async () => {
        await store.sessions.create('a', newSession);
        await store.sessions.create('b', { ...newSession, subjects: ['user-1'] });
        await store.sessions.create('c', { ...newSession, subjects: ['user-2'] });
        expect((await store.sessions.listBySubject('user-1')).map((s) => s.id).sort()).toEqual(['a', 'b']);
        expect((await store.sessions.listBySubject('bjensen')).map((s) => s.id)).toEqual(['a']);
        expect(await store.sessions.deleteBySubject('user-1')).toBe(2);
        expect(await store.sessions.get('a')).toBeUndefined();
        expect(await store.sessions.listBySubject('bjensen')).toEqual([]);
        expect(await store.sessions.get('c')).toBeDefined();
        expect(await store.sessions.deleteBySubject('user-1')).toBe(0);
        expect(await store.sessions.delete('c')).toBe(true);
        expect(await store.sessions.delete('c')).toBe(false);
      });

      it('refuses bad session input', async () => {
        await rejection(store.sessions.create('s', { ...newSession, idleTimeoutMs: 0 }), 'store.invalid');
        await rejection(store.sessions.create('s', { ...newSession, subjects: 'user-1' as unknown as string[] }), 'store.invalid');
        await rejection(store.sessions.create('s/1', newSession), 'store.invalid');
      });
    });

    describe('suspended journeys', () => {
      const record = { state: { step: 3, shared: { username: 'bjensen' } }, journeyId: 'ResetPassword', createdAt: T0 };

      it('takes a record once; a second take and an expired record are absent', async () => {
        await store.suspended.put('h1', record, T0 + 5 * MINUTE, { subject: 'user-1', scope: 'ResetPassword' });
        expect(await store.suspended.take<typeof record>('h1')).toEqual(record);
        expect(await store.suspended.take('h1')).toBeUndefined();
        await store.suspended.put('h2', record, T0 + 5 * MINUTE);
        clock += 5 * MINUTE;
        expect(await store.suspended.take('h2')).toBeUndefined();
      });

      it('gives the record to exactly one of 50 concurrent takes', async () => {
        await store.suspended.put('h1', record, T0 + MINUTE);
        const results = await Promise.all(Array.from({ length: 50 }, () => store.suspended.take('h1')));
        expect(results.filter((r) => r !== undefined)).toHaveLength(1);
      });

      it('invalidates the suspensions of a subject, optionally only in one scope', async () => {
        const at = T0 + 10 * MINUTE;
        await store.suspended.put('a', record, at, { subject: 'user-1', scope: 'ResetPassword' });
        await store.suspended.put('b', record, at, { subject: 'user-1', scope: 'ResetPassword' });
        await store.suspended.put('c', record, at, { subject: 'user-1', scope: 'Registration' });
        await store.suspended.put('d', record, at, { subject: 'user-2', scope: 'ResetPassword' });
        expect(await store.suspended.deleteBySubject('user-1', 'ResetPassword')).toBe(2);
        expect(await store.suspended.take('a')).toBeUndefined();
        expect(await store.suspended.take('b')).toBeUndefined();
        await store.suspended.put('e', record, at, { subject: 'user-1' });
        expect(await store.suspended.deleteBySubject('user-1')).toBe(2); // c and e
        expect(await store.suspended.take('c')).toBeUndefined();
        expect(await store.suspended.take('d')).toEqual(record);
      });

      it('overwrites a record put again under the same hash', async () => {
        await store.suspended.put('h', record, T0 + MINUTE, { subject: 'user-1' });
        await store.suspended.put('h', { ...record, journeyId: 'Other' }, T0 + 2 * MINUTE);
        expect(await store.suspended.deleteBySubject('user-1')).toBe(0);
        clock += 1.5 * MINUTE;
        expect((await store.suspended.take<typeof record>('h'))?.journeyId).toBe('Other');
      });
    });

    describe('counters', () => {
      it('counts within a window and restarts after it', async () => {
        expect(await store.counters.get('k')).toBe(0);
        expect(await store.counters.increment('k', 10 * MINUTE)).toBe(1);
        clock += 5 * MINUTE;
        expect(await store.counters.increment('k', 10 * MINUTE)).toBe(2);
        expect(await store.counters.increment('k', 10 * MINUTE)).toBe(3);
        expect(await store.counters.get('k')).toBe(3);
        clock += 5 * MINUTE; // the window opened at T0 and lasts 10 minutes
        expect(await store.counters.get('k')).toBe(0);
        expect(await store.counters.increment('k', 10 * MINUTE)).toBe(1);
        await store.counters.reset('k');
        expect(await store.counters.get('k')).toBe(0);
        await store.counters.reset('never-used');
      });

      it('is exact under 50 concurrent increments', async () => {
        const counts = await Promise.all(Array.from({ length: 50 }, () => store.counters.increment('c', MINUTE)));
        expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
        expect(await store.counters.get('c')).toBe(50);
      });

      it('refuses a bad window', async () => {
        await rejection(store.counters.increment('k', -1), 'store.invalid');
        await rejection(store.counters.increment('', 1000), 'store.invalid');
      });
    });

    describe('claims', () => {
      it('lets one claim of a key and its expiry in, until it is released or lapses', async () => {
        expect(await store.claims.claim('step:a', T0 + MINUTE)).toBe(true);
        expect(await store.claims.claim('step:a', T0 + MINUTE)).toBe(false);
        expect(await store.claims.claim('step:b', T0 + MINUTE)).toBe(true);
        await store.claims.release('step:a', T0 + MINUTE);
        expect(await store.claims.claim('step:a', T0 + MINUTE)).toBe(true);
        await store.claims.release('never-claimed', T0 + MINUTE);
        clock += MINUTE; // lapsed: the claim can no longer be made at all
        await rejection(store.claims.claim('step:a', T0 + MINUTE), 'store.invalid');
      });

      it('lets exactly one of 50 concurrent claims in', async () => {
        const wins = await Promise.all(Array.from({ length: 50 }, () => store.claims.claim('step:c', T0 + MINUTE)));
        expect(wins.filter(Boolean)).toHaveLength(1);
      });

      it('refuses a bad key or expiry', async () => {
        await rejection(store.claims.claim('', T0 + MINUTE), 'store.invalid');
        await rejection(store.claims.claim('k', T0), 'store.invalid');
        await rejection(store.claims.claim('k', Number.NaN), 'store.invalid');
        await rejection(store.claims.release('k', -1), 'store.invalid');
      });
    });

    describe('key/value', () => {
      it('sets and gets JSON values with an optional expiry', async () => {
        const e = await store.kv.set('keys/kid-1', { alg: 'ES256', retiredAt: null });
        expect(e.expiresAt).toBeNull();
        expect(await store.kv.get('keys/kid-1')).toEqual(e);
        await store.kv.set('marker', true, { expiresAt: T0 + MINUTE });
        expect((await store.kv.get('marker'))?.value).toBe(true);
        clock += MINUTE;
        expect(await store.kv.get('marker')).toBeUndefined();
        expect(await store.kv.get('keys/kid-1')).toBeDefined();
      });

      it('inserts only when absent (or lapsed), once under concurrency', async () => {
        expect(await store.kv.insertIfAbsent('jti:1', 1, { expiresAt: T0 + MINUTE })).toBeDefined();
        expect(await store.kv.insertIfAbsent('jti:1', 2)).toBeUndefined();
        expect((await store.kv.get('jti:1'))?.value).toBe(1);
        clock += MINUTE;
        expect((await store.kv.insertIfAbsent('jti:1', 3))?.value).toBe(3);
        const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => store.kv.insertIfAbsent('jti:2', i)));
        expect(wins.filter((w) => w !== undefined)).toHaveLength(1);
      });

      it('compares and sets on the version, and deletes on it', async () => {
        const v1 = await store.kv.set('meta', { n: 1 });
        const v2 = await store.kv.compareAndSet('meta', v1.version, { n: 2 });
        expect(v2?.value).toEqual({ n: 2 });
        expect(await store.kv.compareAndSet('meta', v1.version, { n: 3 })).toBeUndefined();
        expect(await store.kv.compareAndSet('absent', v1.version, 1)).toBeUndefined();
        expect(await store.kv.delete('meta', v1.version)).toBe(false);
        expect(await store.kv.delete('meta', v2?.version)).toBe(true);
        expect(await store.kv.get('meta')).toBeUndefined();
        expect(await store.kv.delete('meta')).toBe(false);
        await rejection(
          store.kv.set('bad', () => 1),
          'store.invalid',
        );
      });
    });

    describe('expiry, health and close', () => {
      it('purges lapsed records and keeps live ones', async () => {
        await store.sessions.create('s', { subjects: ['u'], data: {}, idleTimeoutMs: MINUTE, maxLifetimeMs: 10 * MINUTE });
        await store.suspended.put('h', {}, T0 + MINUTE, { subject: 'u' });
        await store.counters.increment('c', MINUTE);
        await store.claims.claim('step:x', T0 + MINUTE);
        await store.kv.set('k', 1, { expiresAt: T0 + MINUTE });
        await store.kv.set('forever', 1);
        await store.sessions.create('live', { subjects: ['u'], data: {}, idleTimeoutMs: 5 * MINUTE, maxLifetimeMs: 10 * MINUTE });
        expect(await store.purgeExpired()).toBe(0);
        clock += MINUTE;
        expect(await store.purgeExpired()).toBe(5);
        expect(await store.purgeExpired()).toBe(0);
        expect(await store.kv.get('forever')).toBeDefined();
        expect((await store.sessions.listBySubject('u')).map((s) => s.id)).toEqual(['live']);
      });

      it('reports health and closes idempotently', async () => {
        expect(await store.health()).toEqual({ backend: store.backend, ok: true });
        await store.close();
        await store.close();
        expect((await store.health()).ok).toBe(false);
      });
    });
  });
}
