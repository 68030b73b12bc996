/**
 * The one store contract every backend (embedded lmdb, MongoDB, PostgreSQL) implements: managed
 * objects with `_rev` concurrency and case-insensitive unique keys, sessions, suspended journeys,
 * counters, single-use claims and a small key/value space with TTL. Times are epoch milliseconds
 * from the injected clock; a record whose expiry time is at or before "now" is absent, whether or
 * not a sweep has removed it yet.
 */
import type { FilterNode } from '../crest/query-filter.js';

// ---------------------------------------------------------------------------------------------
// Managed objects

/** A managed object as stored: plain JSON with its `_id` and a `_rev` that changes on every write. */
export interface StoredObject {
  _id: string;
  _rev: string;
  [field: string]: unknown;
}

export interface QueryOptions {
  /** Results per page; absent or 0 returns every match. */
  pageSize?: number;
  /** The cookie of the previous page (opaque; only from a previous answer to the same query). */
  pagedResultsCookie?: string;
  /** CREST sort keys: `field`, `+field` or `-field`; a field is a name, `a/b`, or a JSON pointer. Ties are broken by `_id`. */
  sortKeys?: readonly string[];
  /** `EXACT` counts every match into `totalPagedResults`; otherwise it is -1 (IDM's "unknown"). */
  totalPagedResultsPolicy?: 'NONE' | 'EXACT';
}

export interface QueryPage {
  result: StoredObject[];
  /** Pass back for the next page; null on the last page. */
  pagedResultsCookie: string | null;
  /** The number of matches when asked for (`EXACT`), else -1. */
  totalPagedResults: number;
}

/** Top-level fields to set and to remove, in one atomic write. */
export interface ObjectPatch {
  set?: Record<string, unknown>;
  unset?: readonly string[];
}

/**
 * Objects of one resource (`managed/user`) by `_id`. Errors are StoreErrors (src/stores/errors.ts):
 * 409 `store.unique_constraint` (detail.field), 412 `store.rev_mismatch`, 412 `store.already_exists`,
 * 404 `store.not_found`, 400 `store.invalid`.
 */
export interface ManagedObjectStore {
  /** Stores a new object under its `_id` (or a generated UUID); any `_rev` given is ignored. */
  create(resource: string, object: Record<string, unknown>): Promise<StoredObject>;
  read(resource: string, id: string): Promise<StoredObject | undefined>;
  /** The object whose unique `field` equals `value` after NFKC + lower-casing; `field` must be declared unique. */
  findUnique(resource: string, field: string, value: string): Promise<StoredObject | undefined>;
  query(resource: string, filter: FilterNode, options?: QueryOptions): Promise<QueryPage>;
  /** Replaces the whole object when its `_rev` equals `ifRev` (unconditionally when undefined). */
  replace(resource: string, id: string, object: Record<string, unknown>, ifRev?: string): Promise<StoredObject>;
  /** Sets and removes top-level fields when its `_rev` equals `ifRev` (unconditionally when undefined). */
  patch(resource: string, id: string, patch: ObjectPatch, ifRev?: string): Promise<StoredObject>;
  /** Deletes the object (when its `_rev` equals `ifRev`) and returns it; undefined when there was none. */
  delete(resource: string, id: string, ifRev?: string): Promise<StoredObject | undefined>;
}

// ---------------------------------------------------------------------------------------------
// Sessions

export interface NewSession {
  /** Who the session belongs to (e.g. the user's `_id` and userName); deleteBySubject finds it by any. */
  subjects: readonly string[];
  data: Record<string, unknown>;
  idleTimeoutMs: number;
  maxLifetimeMs: number;
}

export interface StoredSession {
  id: string;
  subjects: string[];
  data: Record<string, unknown>;
  createdAt: number;
  lastAccessAt: number;
  idleTimeoutMs: number;
  /** min(lastAccessAt + idleTimeoutMs, maxExpiresAt). */
  idleExpiresAt: number;
  maxExpiresAt: number;
}

export interface SessionStore {
  /** Creates the session under `id` (callers store a hash of the token); 412 when the id is taken. */
  create(id: string, session: NewSession): Promise<StoredSession>;
  /** The live session; undefined when absent or past its idle or maximum deadline. */
  get(id: string): Promise<StoredSession | undefined>;
  /** Extends the idle deadline (never past the maximum) and optionally replaces `data`; undefined when not live. */
  touch(id: string, data?: Record<string, unknown>): Promise<StoredSession | undefined>;
  delete(id: string): Promise<boolean>;
  listBySubject(subject: string): Promise<StoredSession[]>;
  /** Deletes every session of `subject` (revoke-all after a password reset); returns how many. */
  deleteBySubject(subject: string): Promise<number>;
}

// ---------------------------------------------------------------------------------------------
// Suspended journeys

/** Whose suspension it is, so a newer one can invalidate the older ones (`scope`: e.g. the journey id). */
export interface SuspensionOwner {
  subject: string;
  scope?: string;
}

export interface SuspendedJourneyStore {
  /** Stores (or overwrites) the record under the hash of the suspended id until `expiresAt`. */
  put(idHash: string, record: object, expiresAt: number, owner?: SuspensionOwner): Promise<void>;
  /** Returns and deletes the record in one atomic step: of any number of concurrent takes, one gets it. */
  take<T = Record<string, unknown>>(idHash: string): Promise<T | undefined>;
  /** Deletes the suspensions of `subject` (only those of `scope` when given); returns how many. */
  deleteBySubject(subject: string, scope?: string): Promise<number>;
}

// ---------------------------------------------------------------------------------------------
// Counters

/** Fixed-window counters, exact across processes and instances (retry limits, rate limits). */
export interface CounterStore {
  /** Adds one and returns the new count; a window opens at the first increment and lasts `windowMs`. */
  increment(key: string, windowMs: number): Promise<number>;
  /** The count in the current window, 0 when none. */
  get(key: string): Promise<number>;
  reset(key: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Claims

/**
 * Single-use claims, exact across processes and instances: of any number of concurrent or later claims
 * of one key, one wins, until its expiry. A claim is of a key *and* its expiry (the store may keep
 * them as one, time-ordered, so a claim is a single write): it is meant for keys that carry their own
 * expiry, such as a signed token's id and that token's expiry, always claimed with the same one.
 */
export interface ClaimStore {
  /** Claims `key` until `expiresAt` (epoch ms, in the future); false when it is claimed already. */
  claim(key: string, expiresAt: number): Promise<boolean>;
  /** Gives a claim back (the same key and expiry), so it may be claimed again; nothing when there is none. */
  release(key: string, expiresAt: number): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Key/value

export interface KvEntry<T = unknown> {
  value: T;
  /** Changes on every write; the token for compareAndSet. */
  version: string;
  expiresAt: number | null;
}

export interface KvWriteOptions {
  /** When the entry lapses (epoch ms); never when absent. */
  expiresAt?: number;
}

/** Small JSON values by key (key metadata, single-use markers), with optional expiry. */
export interface KeyValueStore {
  get<T = unknown>(key: string): Promise<KvEntry<T> | undefined>;
  set<T>(key: string, value: T, options?: KvWriteOptions): Promise<KvEntry<T>>;
  /** Writes only when no live entry exists; undefined when one does (e.g. a single-use marker seen before). */
  insertIfAbsent<T>(key: string, value: T, options?: KvWriteOptions): Promise<KvEntry<T> | undefined>;
  /** Writes only when the live entry has `expectedVersion`; undefined otherwise. */
  compareAndSet<T>(key: string, expectedVersion: string, value: T, options?: KvWriteOptions): Promise<KvEntry<T> | undefined>;
  /** Deletes the entry (only when its version is `ifVersion`, when given); false when nothing was deleted. */
  delete(key: string, ifVersion?: string): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------
// The store

export type StoreBackend = 'lmdb' | 'mongodb' | 'postgres';

export interface StoreHealth {
  backend: StoreBackend;
  /** True when a round trip to the backend succeeded. */
  ok: boolean;
}

export interface Store {
  readonly backend: StoreBackend;
  readonly objects: ManagedObjectStore;
  readonly sessions: SessionStore;
  readonly suspended: SuspendedJourneyStore;
  readonly counters: CounterStore;
  readonly claims: ClaimStore;
  readonly kv: KeyValueStore;
  /** Removes records whose time is up (also done periodically); returns how many were removed. */
  purgeExpired(): Promise<number>;
  health(): Promise<StoreHealth>;
  /** How this process's object queries were answered so far (backends that plan queries themselves). */
  queryStats?(): QueryStats;
  /** Settles when the indexes being built in the background at open are complete (embedded store). */
  indexesBuilt?(): Promise<void>;
  close(): Promise<void>;
}

/** Object queries answered from an index and by a scan, and the objects each kind examined. */
export interface QueryStats {
  index: { queries: number; examined: number };
  scan: { queries: number; examined: number };
}

/** Unique keys per resource; the default declares `userName` and `mail` of `managed/user`. */
export type UniqueKeys = Readonly<Record<string, readonly string[]>>;

export interface OpenStoreOptions {
  /** Directory of the embedded store (created if missing); `<dataDir>/store` holds the lmdb files. */
  dataDir: string;
  /** When set, MongoDB is used instead of the embedded store. */
  mongodbUri?: string;
  /** When set, PostgreSQL is used instead of the embedded store (postgres:// or postgresql://). */
  postgresUri?: string;
  /** PostgreSQL connections per process (default 10). */
  postgresPoolMax?: number;
  /**
   * Per resource, the searchable fields (`name` or `parent/child`) that filters look up: indexed with the
   * unique ones (embedded store: eq, sw and ranges; PostgreSQL: eq).
   */
  searchableFields?: Readonly<Record<string, readonly string[]>>;
  /** Operational notes of the backend (migrations, lost connections); never secrets. */
  log?: (line: string) => void;
  /** Clock in epoch ms (tests inject one); Date.now by default. */
  now?: () => number;
  uniqueKeys?: UniqueKeys;
  /** How often expired records are swept, in ms (default 60 000; 0 turns the timer off). */
  sweepIntervalMs?: number;
}
