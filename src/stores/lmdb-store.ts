/**
 * The embedded store (the default): two lmdb environments under `<dataDir>`. `store` holds users,
 * suspended journeys and key/value: every write is one `transactionSync` committed and fsynced before
 * it returns, so it survives kill -9 and power loss. `store-volatile` holds sessions and counters,
 * committed to the OS without an fsync: an acknowledged write still survives kill -9 (the OS keeps
 * the pages); a power cut may lose the last seconds of them. Either way a check-then-write (unique
 * keys, `_rev`, single-use take, counters, compare-and-set) is atomic across every process of the host.
 *
 * Why lmdb: a B+tree in a memory-mapped file with ACID transactions whose single-writer lock is a
 * cross-process mutex, so several workers of one host share it safely; readers never block; prebuilt
 * binaries, no server. Async `transaction()` callbacks are not used: they need N-API threadsafe calls
 * that hang in some environments (seen here), and a short synchronous transaction (~0.3 ms with its
 * fsync) keeps the critical section obviously atomic. Values are JSON-encoded (plain records, and no
 * msgpack structure sharing to coordinate between processes). Expiry: every record with a lifetime
 * has an entry in an `expiry` index (time-ordered), reads treat past-due records as absent, and a
 * periodic sweep deletes them in small batches. Unique lookups are index reads; queries scan the
 * resource's objects and evaluate the filter in process (fine at one host's scale; MongoDB for more).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { matchesFilter, type FilterNode } from '../crest/query-filter.js';
import { StoreError, alreadyExists, invalid, notFound, revMismatch, unavailable, uniqueConstraint } from './errors.js';
import { compareBy, nextCookie, pagingOf } from './paging.js';
import {
  checkDuration,
  checkId,
  checkKey,
  checkResource,
  checkTime,
  newId,
  newRev,
  objectFields,
  patchOf,
  toJson,
  toJsonObject,
  uniqueKeyOf,
  uniqueKeysOf,
} from './records.js';
import type {
  CounterStore,
  KeyValueStore,
  KvEntry,
  KvWriteOptions,
  ManagedObjectStore,
  NewSession,
  SessionStore,
  Store,
  StoredObject,
  StoredSession,
  SuspendedJourneyStore,
  SuspensionOwner,
  UniqueKeys,
} from './types.js';

export interface LmdbStoreOptions {
  dataDir: string;
  now: () => number;
  uniqueKeys: UniqueKeys;
  sweepIntervalMs: number;
}

/** Separator inside composite keys; ids, keys and subjects never contain NUL (src/stores/records.ts). */
const SEP = '\u0000';
/** Upper bound of a prefix range `prefix + SEP`: every key with that prefix sorts below `prefix + END`. */
const END = '\u0001';
/** Virtual address space reserved for the map; the file itself only grows as data is written. */
const MAP_SIZE = 2 ** 34;
const SWEEP_BATCH = 500;

type ExpiryKind = 'session' | 'suspended' | 'counter' | 'kv';

interface SuspendedEntry {
  record: Record<string, unknown>;
  expiresAt: number;
  subject?: string;
  scope?: string;
}
interface CounterEntry {
  count: number;
  resetsAt: number;
}
interface KvStored {
  value: unknown;
  version: string;
  expiresAt: number | null;
}

const pad = (t: number): string => String(t).padStart(16, '0');
const expiryKey = (at: number, kind: ExpiryKind, key: string): string => `${pad(at)}${SEP}${kind}${SEP}${key}`;
const prefixRange = (prefix: string): { start: string; end: string } => ({ start: prefix + SEP, end: prefix + END });

export async function openLmdbStore(options: LmdbStoreOptions): Promise<Store> {
  const { now, uniqueKeys } = options;
  const path = join(options.dataDir, 'store');
  // Two environments. `store`: users, suspended journeys, key/value — every commit is fsync'd, so it
  // survives a power cut. `store-volatile`: sessions and counters — committed to the OS without an
  // fsync (lmdb noSync): a killed process still loses nothing (the OS holds the pages), a power cut
  // may lose the last seconds (people sign in again; limits restart), and a login makes one fsync
  // instead of four.
  let root: RootDatabase;
  let volatileRoot: RootDatabase;
  try {
    mkdirSync(path, { recursive: true });
    mkdirSync(`${path}-volatile`, { recursive: true });
    root = open({ path, maxDbs: 16, mapSize: MAP_SIZE });
    volatileRoot = open({ path: `${path}-volatile`, maxDbs: 8, mapSize: MAP_SIZE, noSync: true });
  } catch (e) {
    throw unavailable('lmdb', e);
  }
  const db = <V>(name: string, env: RootDatabase = root): Database<V, string> => env.openDB<V, string>({ name, encoding: 'json' });
  const objects = db<StoredObject>('objects'); // resource SEP id → object
  const uniques = db<string>('uniques'); // resource SEP field SEP normalised value → id
  const sessions = db<StoredSession>('sessions', volatileRoot); // id → session
  const sessionSubjects = db<1>('sessionSubjects', volatileRoot); // subject SEP id → 1
  const suspended = db<SuspendedEntry>('suspended'); // idHash → entry
  const suspendedSubjects = db<1>('suspendedSubjects'); // subject SEP scope SEP idHash → 1
  const counters = db<CounterEntry>('counters', volatileRoot); // key → window
  const kv = db<KvStored>('kv'); // key → entry
  const durableExpiry = db<1>('expiry'); // padded time SEP kind SEP key → 1 (suspended, kv)
  const volatileExpiry = db<1>('expiry', volatileRoot); // the same for sessions and counters
  let closed = false;

  const transaction =
    (env: RootDatabase) =>
    <T>(fn: () => T): T => {
      try {
        return env.transactionSync(fn);
      } catch (e) {
        if (e instanceof StoreError) throw e;
        throw unavailable('lmdb', e);
      }
    };
  /** Runs `fn` in one durable (fsync'd) write transaction; a throw inside rolls everything back. */
  const write = transaction(root);
  /** The same in the volatile environment (sessions, counters). */
  const volatileWrite = transaction(volatileRoot);
  const read = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      throw unavailable('lmdb', e);
    }
  };
  /** Moves a record's entry in its environment's expiry index (inside a write transaction). */
  const reindex = (kind: ExpiryKind, key: string, from: number | null | undefined, to: number | null): void => {
    const expiry = kind === 'session' || kind === 'counter' ? volatileExpiry : durableExpiry;
    if (from !== null && from !== undefined && from !== to) expiry.removeSync(expiryKey(from, kind, key));
    if (to !== null && to !== from) expiry.putSync(expiryKey(to, kind, key), 1);
  };

  // ------------------------------------------------------------------------------------------
  // Managed objects

  const declared = (resource: string): readonly string[] => uniqueKeys[resource] ?? [];
  const objKey = (resource: string, id: string): string => `${resource}${SEP}${id}`;
  const uniqKey = (resource: string, field: string, key: string): string => `${resource}${SEP}${field}${SEP}${key}`;

  /** Writes `fields` as the new state of `resource/id` (inside a write transaction), keeping unique keys. */
  const putObject = (resource: string, id: string, current: StoredObject | undefined, fields: Record<string, unknown>): StoredObject => {
    const next = uniqueKeysOf(fields, declared(resource));
    const prev = current ? uniqueKeysOf(current, declared(resource)) : new Map<string, string>();
    for (const [field, key] of next) {
      if (prev.get(field) === key) continue;
      const owner = uniques.get(uniqKey(resource, field, key));
      if (owner !== undefined && owner !== id && objects.get(objKey(resource, owner)) !== undefined) {
        throw uniqueConstraint(resource, field);
      }
    }
    for (const [field, key] of prev) {
      if (next.get(field) !== key) uniques.removeSync(uniqKey(resource, field, key));
    }
    for (const [field, key] of next) {
      if (prev.get(field) !== key) uniques.putSync(uniqKey(resource, field, key), id);
    }
    const record: StoredObject = { _id: id, _rev: newRev(), ...fields };
    objects.putSync(objKey(resource, id), record);
    return record;
  };

  const objectStore: ManagedObjectStore = {
    async create(resource, object) {
      checkResource(resource);
      const fields = objectFields(object);
      const given = (object as { _id?: unknown })._id;
      const id = given === undefined ? newId() : checkId(given, '_id');
      return write(() => {
        if (objects.get(objKey(resource, id)) !== undefined) throw alreadyExists(resource, id);
        return putObject(resource, id, undefined, fields);
      });
    },

    async read(resource, id) {
      checkResource(resource);
      checkId(id);
      return read(() => objects.get(objKey(resource, id)));
    },

    async findUnique(resource, field, value) {
      checkResource(resource);
      if (!declared(resource).includes(field)) throw invalid(`${field} is not a unique field of ${resource}`, { field });
      if (typeof value !== 'string' || value === '') return undefined;
      return read(() => {
        const id = uniques.get(uniqKey(resource, field, uniqueKeyOf(value)));
        return id === undefined ? undefined : objects.get(objKey(resource, id));
      });
    },

    async query(resource, filter: FilterNode, options) {
      checkResource(resource);
      const { offset, pageSize, sort, exact } = pagingOf(options);
      const matches = read(() => {
        const out: StoredObject[] = [];
        for (const { value } of objects.getRange(prefixRange(resource))) {
          if (matchesFilter(filter, value)) out.push(value);
        }
        return out;
      });
      matches.sort(compareBy(sort));
      const page = pageSize > 0 ? matches.slice(offset, offset + pageSize) : matches.slice(offset);
      return {
        result: page,
        pagedResultsCookie: nextCookie(offset, pageSize, page.length, offset + page.length < matches.length),
        totalPagedResults: exact ? matches.length : -1,
      };
    },

    async replace(resource, id, object, ifRev) {
      checkResource(resource);
      checkId(id);
      const fields = objectFields(object);
      const given = (object as { _id?: unknown })._id;
      if (given !== undefined && given !== id) throw invalid('The object _id does not match the id it is written to');
      return write(() => {
        const current = objects.get(objKey(resource, id));
        if (current === undefined) throw notFound(resource, id);
        if (ifRev !== undefined && current._rev !== ifRev) throw revMismatch(resource, id);
        return putObject(resource, id, current, fields);
      });
    },

    async patch(resource, id, patch, ifRev) {
      checkResource(resource);
      checkId(id);
      const { set, unset } = patchOf(patch);
      return write(() => {
        const current = objects.get(objKey(resource, id));
        if (current === undefined) throw notFound(resource, id);
        if (ifRev !== undefined && current._rev !== ifRev) throw revMismatch(resource, id);
        const { _id, _rev, ...rest } = current;
        void _id;
        void _rev;
        const fields: Record<string, unknown> = { ...rest, ...set };
        for (const name of unset) delete fields[name];
        return putObject(resource, id, current, fields);
      });
    },

    async delete(resource, id, ifRev) {
      checkResource(resource);
      checkId(id);
      return write(() => {
        const current = objects.get(objKey(resource, id));
        if (current === undefined) return undefined;
        if (ifRev !== undefined && current._rev !== ifRev) throw revMismatch(resource, id);
        for (const [field, key] of uniqueKeysOf(current, declared(resource))) {
          if (uniques.get(uniqKey(resource, field, key)) === id) uniques.removeSync(uniqKey(resource, field, key));
        }
        objects.removeSync(objKey(resource, id));
        return current;
      });
    },
  };

  // ------------------------------------------------------------------------------------------
  // Sessions

  const sessionLive = (s: StoredSession | undefined): s is StoredSession => s !== undefined && now() < s.idleExpiresAt;
  const removeSession = (s: StoredSession): void => {
    sessions.removeSync(s.id);
    for (const subject of s.subjects) sessionSubjects.removeSync(`${subject}${SEP}${s.id}`);
    reindex('session', s.id, s.idleExpiresAt, null);
  };
  const sessionIdsOf = (subject: string): string[] => [...sessionSubjects.getKeys(prefixRange(subject))].map((k) => k.slice(subject.length + 1));

  const sessionStore: SessionStore = {
    async create(id, session: NewSession) {
      checkId(id, 'session id');
      if (!Array.isArray(session?.subjects)) throw invalid('A session needs a list of subjects');
      const subjects = [...new Set(session.subjects.map((s) => checkKey(s, 'subject')))];
      const data = toJsonObject(session.data ?? {}, 'The session data');
      const idle = checkDuration(session.idleTimeoutMs, 'idle timeout');
      const max = checkDuration(session.maxLifetimeMs, 'maximum lifetime');
      return volatileWrite(() => {
        const t = now();
        const existing = sessions.get(id);
        if (sessionLive(existing)) throw alreadyExists('session', id);
        if (existing) removeSession(existing);
        const s: StoredSession = {
          id,
          subjects,
          data,
          createdAt: t,
          lastAccessAt: t,
          idleTimeoutMs: idle,
          idleExpiresAt: Math.min(t + idle, t + max),
          maxExpiresAt: t + max,
        };
        sessions.putSync(id, s);
        for (const subject of subjects) sessionSubjects.putSync(`${subject}${SEP}${id}`, 1);
        reindex('session', id, null, s.idleExpiresAt);
        return s;
      });
    },

    async get(id) {
      checkId(id, 'session id');
      const s = read(() => sessions.get(id));
      return sessionLive(s) ? s : undefined;
    },

    async touch(id, data) {
      checkId(id, 'session id');
      const newData = data === undefined ? undefined : toJsonObject(data, 'The session data');
      return volatileWrite(() => {
        const s = sessions.get(id);
        if (!sessionLive(s)) return undefined;
        const t = now();
        const next: StoredSession = {
          ...s,
          ...(newData ? { data: newData } : {}),
          lastAccessAt: t,
          idleExpiresAt: Math.min(t + s.idleTimeoutMs, s.maxExpiresAt),
        };
        sessions.putSync(id, next);
        reindex('session', id, s.idleExpiresAt, next.idleExpiresAt);
        return next;
      });
    },

    async delete(id) {
      checkId(id, 'session id');
      return volatileWrite(() => {
        const s = sessions.get(id);
        if (s === undefined) return false;
        removeSession(s);
        return sessionLive(s);
      });
    },

    async listBySubject(subject) {
      checkKey(subject, 'subject');
      return read(() =>
        sessionIdsOf(subject)
          .map((id) => sessions.get(id))
          .filter(sessionLive),
      );
    },

    async deleteBySubject(subject) {
      checkKey(subject, 'subject');
      return volatileWrite(() => {
        let count = 0;
        for (const id of sessionIdsOf(subject)) {
          const s = sessions.get(id);
          if (s === undefined) {
            sessionSubjects.removeSync(`${subject}${SEP}${id}`);
            continue;
          }
          if (sessionLive(s)) count++;
          removeSession(s);
        }
        return count;
      });
    },
  };

  // ------------------------------------------------------------------------------------------
  // Suspended journeys

  const suspendedLive = (e: SuspendedEntry | undefined): e is SuspendedEntry => e !== undefined && now() < e.expiresAt;
  const suspendedIndexKey = (subject: string, scope: string | undefined, idHash: string): string => `${subject}${SEP}${scope ?? ''}${SEP}${idHash}`;
  const removeSuspended = (idHash: string, e: SuspendedEntry): void => {
    suspended.removeSync(idHash);
    if (e.subject !== undefined) suspendedSubjects.removeSync(suspendedIndexKey(e.subject, e.scope, idHash));
    reindex('suspended', idHash, e.expiresAt, null);
  };

  const suspendedStore: SuspendedJourneyStore = {
    async put(idHash, record, expiresAt, owner?: SuspensionOwner) {
      checkKey(idHash, 'suspension id');
      const entry: SuspendedEntry = { record: toJsonObject(record, 'The suspended record'), expiresAt: checkTime(expiresAt, 'expiry time') };
      if (owner !== undefined) {
        entry.subject = checkKey(owner.subject, 'subject');
        if (owner.scope !== undefined) entry.scope = checkKey(owner.scope, 'scope');
      }
      write(() => {
        const old = suspended.get(idHash);
        if (old !== undefined) removeSuspended(idHash, old);
        suspended.putSync(idHash, entry);
        if (entry.subject !== undefined) suspendedSubjects.putSync(suspendedIndexKey(entry.subject, entry.scope, idHash), 1);
        reindex('suspended', idHash, null, entry.expiresAt);
      });
    },

    async take<T>(idHash: string) {
      checkKey(idHash, 'suspension id');
      return write(() => {
        const e = suspended.get(idHash);
        if (e === undefined) return undefined;
        removeSuspended(idHash, e);
        return suspendedLive(e) ? (e.record as T) : undefined;
      });
    },

    async deleteBySubject(subject, scope) {
      checkKey(subject, 'subject');
      const prefix = scope === undefined ? subject : `${subject}${SEP}${checkKey(scope, 'scope')}`;
      return write(() => {
        let count = 0;
        for (const k of [...suspendedSubjects.getKeys(prefixRange(prefix))]) {
          const idHash = k.slice(k.lastIndexOf(SEP) + 1);
          const e = suspended.get(idHash);
          suspendedSubjects.removeSync(k);
          if (e === undefined) continue;
          if (suspendedLive(e)) count++;
          removeSuspended(idHash, e);
        }
        return count;
      });
    },
  };

  // ------------------------------------------------------------------------------------------
  // Counters

  const counterStore: CounterStore = {
    async increment(key, windowMs) {
      checkKey(key, 'counter key');
      const w = checkDuration(windowMs, 'counter window');
      return volatileWrite(() => {
        const t = now();
        const c = counters.get(key);
        const next: CounterEntry = c !== undefined && t < c.resetsAt ? { count: c.count + 1, resetsAt: c.resetsAt } : { count: 1, resetsAt: t + w };
        counters.putSync(key, next);
        reindex('counter', key, c?.resetsAt, next.resetsAt);
        return next.count;
      });
    },

    async get(key) {
      checkKey(key, 'counter key');
      const c = read(() => counters.get(key));
      return c !== undefined && now() < c.resetsAt ? c.count : 0;
    },

    async reset(key) {
      checkKey(key, 'counter key');
      volatileWrite(() => {
        const c = counters.get(key);
        if (c === undefined) return;
        counters.removeSync(key);
        reindex('counter', key, c.resetsAt, null);
      });
    },
  };

  // ------------------------------------------------------------------------------------------
  // Key/value

  const kvLive = (e: KvStored | undefined): e is KvStored => e !== undefined && (e.expiresAt === null || now() < e.expiresAt);
  const kvEntry = (value: unknown, options: KvWriteOptions | undefined): KvStored => ({
    value: toJson(value, 'The value'),
    version: newRev(),
    expiresAt: options?.expiresAt === undefined ? null : checkTime(options.expiresAt, 'expiry time'),
  });
  const kvPut = (key: string, old: KvStored | undefined, e: KvStored): void => {
    kv.putSync(key, e);
    reindex('kv', key, old?.expiresAt, e.expiresAt);
  };

  const kvStore: KeyValueStore = {
    async get<T>(key: string) {
      checkKey(key);
      const e = read(() => kv.get(key));
      return kvLive(e) ? (e as KvEntry<T>) : undefined;
    },

    async set<T>(key: string, value: T, options?: KvWriteOptions) {
      checkKey(key);
      const e = kvEntry(value, options);
      write(() => kvPut(key, kv.get(key), e));
      return e as KvEntry<T>;
    },

    async insertIfAbsent<T>(key: string, value: T, options?: KvWriteOptions) {
      checkKey(key);
      const e = kvEntry(value, options);
      return write(() => {
        const old = kv.get(key);
        if (kvLive(old)) return undefined;
        kvPut(key, old, e);
        return e as KvEntry<T>;
      });
    },

    async compareAndSet<T>(key: string, expectedVersion: string, value: T, options?: KvWriteOptions) {
      checkKey(key);
      const e = kvEntry(value, options);
      return write(() => {
        const old = kv.get(key);
        if (!kvLive(old) || old.version !== expectedVersion) return undefined;
        kvPut(key, old, e);
        return e as KvEntry<T>;
      });
    },

    async delete(key, ifVersion) {
      checkKey(key);
      return write(() => {
        const old = kv.get(key);
        if (old === undefined) return false;
        const live = kvLive(old);
        if (live && ifVersion !== undefined && old.version !== ifVersion) return false;
        kv.removeSync(key);
        reindex('kv', key, old.expiresAt, null);
        return live;
      });
    },
  };

  // ------------------------------------------------------------------------------------------
  // Expiry sweep, health, close

  /** Deletes one batch of past-due records of one environment; returns how many index entries it handled. */
  const sweepBatch = (expiry: Database<1, string>, run: <T>(fn: () => T) => T): { handled: number; removed: number } =>
    run(() => {
      const t = now();
      const due = [...expiry.getKeys({ end: pad(t) + END, limit: SWEEP_BATCH })];
      let removed = 0;
      for (const k of due) {
        expiry.removeSync(k);
        const [, kind, key = ''] = k.split(SEP);
        if (kind === 'session') {
          const s = sessions.get(key);
          if (s === undefined || sessionLive(s)) continue;
          removeSession(s);
        } else if (kind === 'suspended') {
          const e = suspended.get(key);
          if (e === undefined || suspendedLive(e)) continue;
          removeSuspended(key, e);
        } else if (kind === 'counter') {
          const c = counters.get(key);
          if (c === undefined || t < c.resetsAt) continue;
          counters.removeSync(key);
        } else {
          const e = kv.get(key);
          if (e === undefined || kvLive(e)) continue;
          kv.removeSync(key);
        }
        removed++;
      }
      return { handled: due.length, removed };
    });

  const purgeExpired = async (): Promise<number> => {
    let total = 0;
    for (const [expiry, run] of [
      [durableExpiry, write],
      [volatileExpiry, volatileWrite],
    ] as const) {
      for (;;) {
        const { handled, removed } = sweepBatch(expiry, run);
        total += removed;
        if (handled < SWEEP_BATCH) break;
      }
    }
    return total;
  };

  const timer =
    options.sweepIntervalMs > 0
      ? setInterval(() => {
          if (!closed) purgeExpired().catch(() => undefined); // best effort; the next run retries
        }, options.sweepIntervalMs)
      : undefined;
  timer?.unref();

  return {
    backend: 'lmdb',
    objects: objectStore,
    sessions: sessionStore,
    suspended: suspendedStore,
    counters: counterStore,
    kv: kvStore,
    purgeExpired,
    async health() {
      if (closed) return { backend: 'lmdb', ok: false };
      try {
        [...durableExpiry.getKeys({ limit: 1 })]; // real reads through both maps
        [...volatileExpiry.getKeys({ limit: 1 })];
        return { backend: 'lmdb', ok: true };
      } catch {
        return { backend: 'lmdb', ok: false };
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      await root.close();
      await volatileRoot.close();
    },
  };
}
