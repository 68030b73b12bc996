/**
 * The configuration a server runs, live: the current revision of the configuration store, compiled
 * (runtime.ts), swapped in whole when the head moves — read every `pollMs` (default 500 ms), so every
 * instance runs a change within a second, without a restart. Journeys in flight keep the compiled
 * version they started on: earlier versions stay in memory for a while, and any older one is rebuilt
 * from the store, where every version remains (its bundle names its inner journeys' versions).
 *
 * Every change goes through `transact`: the mutation sees the latest revision; the whole resulting
 * set is validated (the same validators as files); a change that brings new errors is refused with
 * them and writes nothing; otherwise its documents are written, then the head moves by
 * compare-and-set (a concurrent writer's change makes this one start over on top of it), and each
 * changed document is audited with who changed it and its versions before and after.
 */
import type { AuditPort } from '../audit/audit-log.js';
import { CairnError } from '../errors/cairn-error.js';
import { compileJourney, type CompiledJourney } from '../journeys/compile.js';
import type { JourneyCatalog } from '../journeys/catalog.js';
import type { Journey } from '../journeys/model.js';
import { validateJourneys, type Problem } from '../journeys/validate.js';
import type { EmailTemplate, EmailTemplates } from '../mail/types.js';
import type { ScriptLibrary } from '../scripts/library.js';
import type { ScriptRecord } from '../scripts/model.js';
import { emptyHead, type ConfigHead, type ConfigStore, type HeadEntries, type HeadEntry } from './config-store.js';
import { CONFIG_KINDS, docVersion, documentLabel, journeyDocument, type AmNodeDocument, type ConfigKind } from './documents.js';
import { buildRuntime, emptySet, type ConfigRuntime, type ConfigSet, type RuntimeDeps } from './runtime.js';

/** One document written, replaced or removed. */
export interface ConfigChange {
  kind: ConfigKind;
  id: string;
  /** The new document; null removes it; undefined keeps the current one (only `seeded` is recorded). */
  doc?: unknown;
  /** The content hash of the file this change comes from, when seeding from files. */
  seeded?: string;
}

export interface AppliedChange {
  kind: ConfigKind;
  id: string;
  before: string | null;
  after: string | null;
}

export interface TransactResult {
  revision: number;
  changes: AppliedChange[];
  /** Warnings about the documents changed. */
  warnings: Problem[];
}

/** A change refused because it brings errors; nothing was written. */
export class ConfigRefused extends CairnError {
  constructor(readonly problems: Problem[]) {
    super({
      status: 400,
      code: 'config.invalid',
      message: problems.length === 1 ? (problems[0] as Problem).message : `The change has ${problems.length} problems; nothing was changed.`,
      detail: { problems: problems.map((p) => ({ file: p.file, pointer: p.pointer, message: p.message })) },
    });
    this.name = 'ConfigRefused';
  }
}

export type Mutation = (set: ConfigSet, head: ConfigHead) => ConfigChange[] | Promise<ConfigChange[]>;

export interface LiveConfigOptions {
  store: ConfigStore;
  runtime: RuntimeDeps;
  audit: AuditPort;
  now: () => number;
  /** How often the head is read for changes made elsewhere; 0 turns polling off (tests, command-line tools). */
  pollMs: number;
  log: (line: string) => void;
  /** Told about each revision put in service (e.g. to compile its scripts on the sandbox threads). */
  onInstall?: (runtime: ConfigRuntime) => void;
  /** Compiled journey versions kept in memory after they are replaced (older ones are rebuilt from the store). */
  historySize?: number;
}

const MAX_ATTEMPTS = 20;
const problemKey = (p: Problem): string => `${p.file}#${p.pointer}#${p.message}`;

/** An EmailTemplates that always reads the map `get` gives now (the mailer holds it for its life). */
export function forwardTemplates(get: () => EmailTemplates): EmailTemplates {
  return {
    get: (name: string) => get().get(name),
    has: (name: string) => get().has(name),
    get size() {
      return get().size;
    },
    keys: () => get().keys(),
    values: () => get().values(),
    entries: () => get().entries(),
    forEach: (fn: (value: EmailTemplate, key: string, map: ReadonlyMap<string, EmailTemplate>) => void) => get().forEach(fn),
    [Symbol.iterator]: () => get()[Symbol.iterator](),
  };
}

export class LiveConfig {
  private head: ConfigHead = emptyHead();
  private current: ConfigSet = emptySet();
  private runtime!: ConfigRuntime;
  private readonly history = new Map<string, CompiledJourney>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<boolean> | undefined;
  private closed = false;

  /** The journeys that run, live: always the current revision's; `at` finds earlier versions. */
  readonly catalog: JourneyCatalog;
  /** The e-mail templates, live. */
  readonly templates: EmailTemplates;

  private constructor(private readonly options: LiveConfigOptions) {
    this.catalog = {
      get: (id) => this.runtime.catalog.get(id),
      ids: () => this.runtime.catalog.ids(),
      at: (id, version) => this.versionOf(id, version),
    };
    this.templates = forwardTemplates(() => this.runtime.templates);
  }

  /** Opens the store's current revision (an empty one when nothing was ever stored) and starts polling. */
  static async open(options: LiveConfigOptions): Promise<LiveConfig> {
    const live = new LiveConfig(options);
    const { head } = await options.store.readHead();
    const set = await live.materialize(head);
    live.install(head, set, await buildRuntime(set, options.runtime));
    if (options.pollMs > 0) {
      live.timer = setInterval(
        () => void live.refresh().catch((e: unknown) => options.log(`configuration: ${(e as Error).message}`)),
        options.pollMs,
      );
      live.timer.unref();
    }
    return live;
  }

  get revision(): number {
    return this.head.revision;
  }

  /** The documents of the current revision. */
  get documents(): ConfigSet {
    return this.current;
  }

  get entries(): Readonly<HeadEntries> {
    return this.head.entries;
  }

  get scripts(): ScriptLibrary {
    return this.runtime.scripts;
  }

  get problems(): readonly Problem[] {
    return this.runtime.problems;
  }

  get compiled(): ReadonlyMap<string, CompiledJourney> {
    return this.runtime.compiled;
  }

  /** Reads the head and, when it moved, puts the new revision in service. True when it changed. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.load().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async load(): Promise<boolean> {
    const { head } = await this.options.store.readHead();
    if (this.closed || head.revision <= this.head.revision) return false;
    const set = await this.materialize(head);
    const runtime = await buildRuntime(set, this.options.runtime);
    // Another load or a local write may have installed a newer revision meanwhile.
    if (head.revision <= this.head.revision) return false;
    this.install(head, set, runtime);
    return true;
  }

  /**
   * Applies a change made by `actor` (`admin:<name>`, `files`, `cli`), as described above. Throws
   * ConfigRefused (400) with the new errors when the change would bring any.
   */
  async transact(mutate: Mutation, actor: string): Promise<TransactResult> {
    const { store, now } = this.options;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const stored = await store.readHead();
      if (stored.head.revision !== this.head.revision) {
        const set = await this.materialize(stored.head);
        this.install(stored.head, set, await buildRuntime(set, this.options.runtime));
      }
      const base = this.head;
      const before = this.runtime;
      // A journey is stored without the editor's `$schema` (its version leaves it out too).
      const changes = (await mutate(this.current, base)).map((c) =>
        c.kind === 'journey' && c.doc !== undefined && c.doc !== null ? { ...c, doc: journeyDocument(c.doc) } : c,
      );
      if (changes.length === 0) return { revision: base.revision, changes: [], warnings: [] };

      const { set, entries, applied } = this.apply(this.current, base.entries, changes);
      // Nothing would change (the same documents written again): no new revision.
      if (applied.every((a) => a.before === a.after) && changes.every((c) => c.seeded === undefined)) {
        return { revision: base.revision, changes: [], warnings: [] };
      }
      const runtime = await buildRuntime(set, this.options.runtime);
      const known = new Set(before.problems.map(problemKey));
      const introduced = runtime.problems.filter((p) => p.severity === 'error' && !known.has(problemKey(p)));
      if (introduced.length > 0) throw new ConfigRefused(introduced);

      for (const c of changes) if (c.doc !== undefined && c.doc !== null) await store.writeDoc(c.kind, docVersion(c.doc), c.doc);
      for (const [version, bundle] of runtime.bundles) if (!before.bundles.has(version)) await store.writeBundle(version, bundle);
      const head: ConfigHead = { revision: base.revision + 1, at: now(), by: actor, entries };
      if (!(await store.writeHead(head, stored.token))) continue; // someone else moved the head: start again on top of theirs
      this.install(head, set, runtime);
      const real = applied.filter((a) => a.before !== a.after);
      for (const a of real)
        this.options.audit.record('config.changed', { by: actor, kind: a.kind, id: a.id, before: a.before, after: a.after, revision: head.revision });
      const labels = new Set(changes.map((c) => documentLabel(c.kind, c.id)));
      return { revision: head.revision, changes: real, warnings: runtime.problems.filter((p) => p.severity === 'warning' && labels.has(p.file)) };
    }
    throw new CairnError({ status: 409, code: 'config.busy', message: 'The configuration is being changed by others; try again.' });
  }

  /** Checks a change without writing it: the errors and warnings it would bring. */
  async check(mutate: Mutation): Promise<{ errors: Problem[]; warnings: Problem[] }> {
    const changes = await mutate(this.current, this.head);
    const { set } = this.apply(this.current, this.head.entries, changes);
    const runtime = await buildRuntime(set, this.options.runtime);
    const known = new Set(this.runtime.problems.map(problemKey));
    const labels = new Set(changes.map((c) => documentLabel(c.kind, c.id)));
    return {
      errors: runtime.problems.filter((p) => p.severity === 'error' && !known.has(problemKey(p))),
      warnings: runtime.problems.filter((p) => p.severity === 'warning' && labels.has(p.file)),
    };
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
  }

  private apply(
    base: ConfigSet,
    baseEntries: HeadEntries,
    changes: readonly ConfigChange[],
  ): { set: ConfigSet; entries: HeadEntries; applied: AppliedChange[] } {
    const maps = {
      journey: new Map(base.journeys) as Map<string, unknown>,
      script: new Map(base.scripts) as Map<string, unknown>,
      template: new Map(base.templates) as Map<string, unknown>,
      node: new Map(base.nodes) as Map<string, unknown>,
    };
    const entries = Object.fromEntries(CONFIG_KINDS.map((k) => [k, { ...baseEntries[k] }])) as unknown as HeadEntries;
    const applied: AppliedChange[] = [];
    for (const c of changes) {
      const old: HeadEntry | undefined = entries[c.kind][c.id];
      const before = old?.v ?? null;
      let after = before;
      if (c.doc === null) {
        maps[c.kind].delete(c.id);
        after = null;
      } else if (c.doc !== undefined) {
        maps[c.kind].set(c.id, structuredClone(c.doc));
        after = docVersion(c.doc);
      }
      const seeded = c.seeded === undefined ? old?.seeded : [...(old?.seeded ?? []).filter((h) => h !== c.seeded), c.seeded].slice(-50);
      if (after === null && !seeded?.length) delete entries[c.kind][c.id];
      else entries[c.kind][c.id] = { v: after, ...(seeded?.length ? { seeded } : {}) };
      applied.push({ kind: c.kind, id: c.id, before, after });
    }
    const set: ConfigSet = {
      journeys: maps.journey as Map<string, Journey>,
      scripts: maps.script as Map<string, ScriptRecord>,
      templates: maps.template as Map<string, Record<string, unknown>>,
      nodes: maps.node as Map<string, AmNodeDocument>,
    };
    return { set, entries, applied };
  }

  /** The documents a head names (each read once: documents never change). */
  private async materialize(head: ConfigHead): Promise<ConfigSet> {
    const read = async <T>(kind: ConfigKind): Promise<Map<string, T>> => {
      const out = new Map<string, T>();
      for (const [id, entry] of Object.entries(head.entries[kind])) {
        if (entry.v === null) continue;
        const doc = await this.options.store.readDoc<T>(kind, entry.v);
        if (doc === undefined) this.options.log(`configuration: the ${kind} ${id} version ${entry.v} is missing from the store; left out.`);
        else out.set(id, doc);
      }
      return out;
    };
    return { journeys: await read('journey'), scripts: await read('script'), templates: await read('template'), nodes: await read('node') };
  }

  private install(head: ConfigHead, set: ConfigSet, runtime: ConfigRuntime): void {
    const previous = this.runtime as ConfigRuntime | undefined;
    if (previous) {
      for (const j of previous.compiled.values()) {
        if (runtime.compiled.get(j.id)?.version !== j.version) this.remember(j);
      }
    }
    this.head = head;
    this.current = set;
    this.runtime = runtime;
    for (const p of runtime.problems.filter((p) => p.severity === 'error' && !previous?.problems.some((q) => problemKey(q) === problemKey(p)))) {
      this.options.log(`configuration revision ${head.revision}: ${p.file}#${p.pointer || '/'}: ${p.message} (left out)`);
    }
    this.options.onInstall?.(runtime);
  }

  private remember(j: CompiledJourney): void {
    const key = `${j.id}@${j.version}`;
    this.history.delete(key);
    this.history.set(key, j);
    const max = this.options.historySize ?? 64;
    while (this.history.size > max) this.history.delete(this.history.keys().next().value as string);
  }

  /** An earlier version of a journey: kept in memory, or rebuilt from the documents its bundle names. */
  private async versionOf(id: string, version: string): Promise<CompiledJourney | undefined> {
    const now = this.runtime.compiled.get(id);
    if (now?.version === version) return now;
    const kept = this.history.get(`${id}@${version}`);
    if (kept) return kept;
    const bundle = await this.options.store.readBundle(version);
    if (!bundle || bundle.root !== id || typeof bundle.docs !== 'object') return undefined;
    const inputs: { file: string; json: unknown }[] = [];
    for (const [jid, v] of Object.entries(bundle.docs)) {
      const doc = await this.options.store.readDoc('journey', v);
      if (doc === undefined) return undefined;
      inputs.push({ file: documentLabel('journey', jid), json: doc });
    }
    const { journeys } = validateJourneys(inputs, this.options.runtime.registry, { scripts: this.runtime.scripts });
    const root = journeys.get(id);
    if (!root) return undefined;
    const compiled = compileJourney(root, (jid) => journeys.get(jid));
    if (compiled.version !== version) return undefined;
    this.remember(compiled);
    return compiled;
  }
}
