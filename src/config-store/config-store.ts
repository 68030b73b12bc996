/**
 * The configuration store on the store contract's key/value primitives only (so every backend holds
 * it: embedded lmdb, MongoDB, PostgreSQL). One small record, the head, names the version of every
 * journey, script, template and loose AM node the deployment runs, under a revision number; each
 * version is an immutable document of its own, keyed by its content hash. A change writes its new
 * documents first, then moves the head with compare-and-set, so a reader sees either the old set or
 * the new one, never half of a change; earlier documents stay, which is how a journey in flight can
 * finish on the version it started on, and how the audit's before/after versions stay readable.
 * Values are JSON text: configuration may use field names (dots, `$`) that a document store refuses.
 */
import type { KeyValueStore } from '../stores/types.js';
import { CONFIG_KINDS, type ConfigKind } from './documents.js';

export interface HeadEntry {
  /** The current version; null when the entry was removed (kept so that its seed files do not bring it back). */
  v: string | null;
  /** Content hashes of the files that seeded it, oldest first (see seed.ts). */
  seeded?: string[];
}

export type HeadEntries = Record<ConfigKind, Record<string, HeadEntry>>;

export interface ConfigHead {
  revision: number;
  /** When and by whom the revision was made (`admin:<name>`, `seed`, `cli`). */
  at: number;
  by: string;
  entries: HeadEntries;
}

/** What rebuilds a compiled journey version: the root journey and the inner journeys it embedded, each at its version. */
export interface Bundle {
  root: string;
  docs: Record<string, string>;
}

export interface StoredHead {
  head: ConfigHead;
  /** The key/value version token for compare-and-set; undefined when no head was ever written. */
  token: string | undefined;
}

const HEAD_KEY = 'config:head';
const docKey = (kind: ConfigKind, version: string): string => `config:doc:${kind}:${version}`;
const bundleKey = (compiledVersion: string): string => `config:bundle:${compiledVersion}`;

export const emptyEntries = (): HeadEntries => Object.fromEntries(CONFIG_KINDS.map((k) => [k, {}])) as unknown as HeadEntries;
export const emptyHead = (): ConfigHead => ({ revision: 0, at: 0, by: '', entries: emptyEntries() });

interface Text {
  t: string;
}

const encode = (value: unknown): Text => ({ t: JSON.stringify(value) });
function decode<T>(stored: unknown): T | undefined {
  const t = (stored as Partial<Text> | undefined)?.t;
  return typeof t === 'string' ? (JSON.parse(t) as T) : undefined;
}

/** A head read from the store, with every kind present (a head written by an older build may lack one). */
function completeHead(head: ConfigHead | undefined): ConfigHead {
  if (!head) return emptyHead();
  return { ...head, entries: { ...emptyEntries(), ...head.entries } };
}

export interface ConfigStore {
  readHead(): Promise<StoredHead>;
  /** Moves the head from `token` to `head`; false when another writer moved it first. */
  writeHead(head: ConfigHead, token: string | undefined): Promise<boolean>;
  /** A document by kind and version (immutable, so kept in memory once read). */
  readDoc<T = unknown>(kind: ConfigKind, version: string): Promise<T | undefined>;
  /** Stores a document under its version (a no-op when it is there already). */
  writeDoc(kind: ConfigKind, version: string, doc: unknown): Promise<void>;
  readBundle(compiledVersion: string): Promise<Bundle | undefined>;
  writeBundle(compiledVersion: string, bundle: Bundle): Promise<void>;
}

export function createConfigStore(kv: KeyValueStore): ConfigStore {
  const docs = new Map<string, unknown>();
  const bundles = new Map<string, Bundle>();
  return {
    async readHead() {
      const entry = await kv.get<Text>(HEAD_KEY);
      return { head: completeHead(decode<ConfigHead>(entry?.value)), token: entry?.version };
    },
    async writeHead(head, token) {
      const value = encode(head);
      const written = token === undefined ? await kv.insertIfAbsent(HEAD_KEY, value) : await kv.compareAndSet(HEAD_KEY, token, value);
      return written !== undefined;
    },
    async readDoc<T>(kind: ConfigKind, version: string) {
      const key = docKey(kind, version);
      if (docs.has(key)) return structuredClone(docs.get(key)) as T;
      const doc = decode<T>((await kv.get<Text>(key))?.value);
      if (doc !== undefined) docs.set(key, doc);
      return doc === undefined ? undefined : structuredClone(doc);
    },
    async writeDoc(kind, version, doc) {
      const key = docKey(kind, version);
      if (docs.has(key)) return;
      // The same version is the same content: whoever wrote it first, it is right.
      await kv.insertIfAbsent(key, encode(doc));
      docs.set(key, structuredClone(doc));
    },
    async readBundle(compiledVersion) {
      const cached = bundles.get(compiledVersion);
      if (cached) return cached;
      const bundle = decode<Bundle>((await kv.get<Text>(bundleKey(compiledVersion)))?.value);
      if (bundle) bundles.set(compiledVersion, bundle);
      return bundle;
    },
    async writeBundle(compiledVersion, bundle) {
      if (bundles.has(compiledVersion)) return;
      await kv.insertIfAbsent(bundleKey(compiledVersion), encode(bundle));
      bundles.set(compiledVersion, bundle);
    },
  };
}
