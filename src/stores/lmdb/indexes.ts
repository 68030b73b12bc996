/**
 * Secondary indexes of managed objects in the embedded store, so that a `_queryFilter` on an indexed
 * field (the schema's unique and searchable properties) reads the objects it can match instead of
 * scanning the resource. `index` holds one entry per value: `resource SEP field SEP part SEP id` → empty,
 * with `part` from index-keys.ts, written in the same transaction as the object (objects.ts), so an
 * entry is never missing for a committed object. `indexmeta` records, per resource, which fields' indexes
 * are complete (`ready`) and which are being built.
 *
 * When a field is newly indexed (a schema change, or a store written before indexes existed) its entries
 * are built in the background, in transactions of BUILD_BATCH objects with a turn of the event loop
 * between them; until then filters on it scan. Entries of fields no longer indexed are dropped the same
 * way. Both are idempotent, so processes sharing the store may run them at once and a crash only means
 * doing it again at the next start.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { candidates } from '../../crest/query-filter.js';
import type { StoredObject } from '../types.js';
import { SEP, prefixRange, type LmdbEnvironment } from './environment.js';
import { valueParts, type PartRange } from './index-keys.js';
import type { QueryPlan } from './query-plan.js';

const BUILD_BATCH = 1000;
const ZERO = Buffer.of(0);
const EMPTY = Buffer.alloc(0);

interface IndexMeta {
  ready: string[];
  building: string[];
}

export interface SecondaryIndexes {
  /** Moves the entries of `resource/id` from `before` to `after` (inside the object's write transaction). */
  update(resource: string, id: string, before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined): void;
  /** The fields of `resource` whose index is complete and kept, which queries may read. */
  ready(resource: string): ReadonlySet<string>;
  /** The ids of the entries `plan` reads, each once. */
  ids(resource: string, plan: QueryPlan): string[];
  /** Settles when the background builds and drops started at open are done (or stopped). */
  built(): Promise<void>;
  /** Stops the background work after its current batch. */
  stop(): Promise<void>;
}

export function secondaryIndexes(env: LmdbEnvironment, indexed: Readonly<Record<string, readonly string[]>>): SecondaryIndexes {
  const index = env.binaryDb('index');
  const meta = env.db<IndexMeta>('indexmeta');
  const objects = env.db<StoredObject>('objects');
  const declared = (resource: string): readonly string[] => (Object.hasOwn(indexed, resource) ? indexed[resource]! : []);
  const paths = new Map<string, string[]>();
  const pathOf = (field: string): string[] => {
    let path = paths.get(field);
    if (!path) paths.set(field, (path = field.split('/')));
    return path;
  };
  const fieldPrefix = (resource: string, field: string): Buffer => Buffer.from(`${resource}${SEP}${field}${SEP}`, 'utf8');
  const entryKeys = (resource: string, field: string, id: string, object: Record<string, unknown> | undefined): Set<string> => {
    const keys = new Set<string>();
    if (!object) return keys;
    const prefix = fieldPrefix(resource, field);
    const suffix = Buffer.concat([ZERO, Buffer.from(id, 'utf8')]);
    for (const value of candidates(object, pathOf(field))) {
      for (const part of valueParts(value)) keys.add(Buffer.concat([prefix, part, suffix]).toString('latin1'));
    }
    return keys;
  };
  /** Whether the field reaches the same values in both (unchanged fields of a patch keep their references). */
  const same = (a: unknown[], b: unknown[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

  const putEntries = (resource: string, field: string, id: string, object: Record<string, unknown>): void => {
    for (const key of entryKeys(resource, field, id, object)) index.putSync(Buffer.from(key, 'latin1'), EMPTY);
  };

  let stopping = false;
  const work: Promise<void>[] = [];

  /** Deletes every entry of `resource/field`, a batch per transaction. */
  const drop = async (resource: string, field: string): Promise<void> => {
    const start = fieldPrefix(resource, field);
    const end = Buffer.concat([start.subarray(0, start.length - 1), Buffer.of(1)]);
    while (!stopping) {
      const done = env.write(() => {
        const keys = [...index.getKeys({ start, end, limit: BUILD_BATCH })];
        for (const key of keys) index.removeSync(key);
        return keys.length < BUILD_BATCH;
      });
      if (done) return;
      await nextTurn();
    }
  };

  /** Writes the entries of `fields` for every object of `resource`, a batch per transaction. */
  const build = async (resource: string, fields: readonly string[]): Promise<boolean> => {
    const { start, end } = prefixRange(resource);
    let from = start;
    let skip: string | undefined;
    while (!stopping) {
      const last = env.write(() => {
        let lastKey: string | undefined;
        let n = 0;
        for (const { key, value } of objects.getRange({ start: from, end, limit: BUILD_BATCH + 1 })) {
          if (key === skip) continue;
          for (const field of fields) putEntries(resource, field, value._id, value);
          lastKey = key;
          if (++n === BUILD_BATCH) break;
        }
        return n === BUILD_BATCH ? lastKey : undefined;
      });
      if (last === undefined) return true;
      from = last;
      skip = last;
      await nextTurn();
    }
    return false;
  };

  /** Brings `resource`'s entries to the declared fields: drop what is no longer indexed, build what is new. */
  const reconcile = async (resource: string): Promise<void> => {
    const want = declared(resource);
    const plan = env.write(() => {
      const current = meta.get(resource) ?? { ready: [], building: [] };
      const stale = [...new Set([...current.ready, ...current.building])].filter((f) => !want.includes(f));
      const missing = want.filter((f) => !current.ready.includes(f));
      const next = { ready: current.ready.filter((f) => want.includes(f)), building: missing };
      if (JSON.stringify(next) !== JSON.stringify(current)) meta.putSync(resource, next);
      return { stale, missing };
    });
    for (const field of plan.stale) await drop(resource, field);
    if (plan.missing.length === 0 || !(await build(resource, plan.missing))) return;
    env.write(() => {
      const current = meta.get(resource) ?? { ready: [], building: [] };
      const ready = [...new Set([...current.ready, ...plan.missing])].filter((f) => want.includes(f)).sort();
      meta.putSync(resource, { ready, building: current.building.filter((f) => !plan.missing.includes(f)) });
    });
  };

  const resources = new Set([...Object.keys(indexed), ...[...meta.getKeys()].map(String)]);
  for (const resource of resources) work.push(nextTurn().then(() => reconcile(resource)));
  const all = Promise.allSettled(work).then(() => undefined);

  /** The keys of `read`'s ranges, at most `limit` of them. */
  function* keysOf(resource: string, plan: { read: string; ranges: PartRange[] }, limit: number): Generator<Buffer> {
    const prefix = fieldPrefix(resource, plan.read);
    let n = 0;
    for (const range of plan.ranges) {
      const keys = index.getKeys({ start: Buffer.concat([prefix, range.start]), end: Buffer.concat([prefix, range.end]) });
      for (const key of keys) {
        if (n++ === limit) return;
        yield key;
      }
    }
  }
  /** The number of entries `plan` reads, counted up to `limit` (an `or` may count an object twice). */
  const count = (resource: string, plan: QueryPlan, limit: number): number => {
    if ('read' in plan) {
      let n = 0;
      for (const _ of keysOf(resource, plan, limit)) n++;
      return n;
    }
    if ('union' in plan) {
      let n = 0;
      for (const p of plan.union) if ((n += count(resource, p, limit - n)) >= limit) break;
      return n;
    }
    return count(resource, fewest(resource, plan.fewest), limit);
  };
  /**
   * The plan with the fewest entries, counting them all up to a bound that grows eightfold until one
   * falls below it: the work is a few times the fewest's entries per plan, whichever order they come in.
   */
  const fewest = (resource: string, plans: QueryPlan[]): QueryPlan => {
    for (let bound = 16; ; bound *= 8) {
      let best: QueryPlan | undefined;
      let least = bound;
      for (const plan of plans) {
        const n = count(resource, plan, least);
        if (n < least) [best, least] = [plan, n];
      }
      if (best) return best;
    }
  };
  const collect = (resource: string, plan: QueryPlan, out: Set<string>): void => {
    if ('read' in plan) {
      for (const key of keysOf(resource, plan, Infinity)) out.add(key.subarray(key.lastIndexOf(0) + 1).toString('utf8'));
    } else if ('union' in plan) {
      for (const p of plan.union) collect(resource, p, out);
    } else {
      collect(resource, fewest(resource, plan.fewest), out);
    }
  };

  const readyCache = new Map<string, { raw: string; set: ReadonlySet<string> }>();

  return {
    update(resource, id, before, after) {
      for (const field of declared(resource)) {
        const path = pathOf(field);
        if (before && after && same(candidates(before, path), candidates(after, path))) continue;
        const old = entryKeys(resource, field, id, before);
        const next = entryKeys(resource, field, id, after);
        for (const key of old) if (!next.has(key)) index.removeSync(Buffer.from(key, 'latin1'));
        for (const key of next) if (!old.has(key)) index.putSync(Buffer.from(key, 'latin1'), EMPTY);
      }
    },

    ready(resource) {
      const current = meta.get(resource);
      const raw = current ? current.ready.join(SEP) : '';
      const cached = readyCache.get(resource);
      if (cached?.raw === raw) return cached.set;
      const set = new Set((current?.ready ?? []).filter((f) => declared(resource).includes(f)));
      readyCache.set(resource, { raw, set });
      return set;
    },

    ids(resource, plan) {
      const out = new Set<string>();
      collect(resource, plan, out);
      return [...out];
    },

    built: () => all,

    async stop() {
      stopping = true;
      await all;
    },
  };
}
