/**
 * What a server runs from one revision of the configuration: the journeys validated together and
 * compiled (with the server's own journeys, such as the administrators' sign-in), the scripts as a
 * library checked by compiling each decision script, the e-mail templates, and every problem found,
 * named by the label of the document it is in. Building it is pure apart from compiling scripts; the
 * same function checks a proposed change before it is written and prepares a revision to run.
 */
import { compileJourney, type CompiledJourney } from '../journeys/compile.js';
import type { JourneyCatalog } from '../journeys/catalog.js';
import type { Journey } from '../journeys/model.js';
import { SchemaChecker, describeAjvError, validateJourneys, type CheckedJourney, type Problem } from '../journeys/validate.js';
import { parseEmailTemplate } from '../mail/templates.js';
import type { EmailTemplate, EmailTemplates } from '../mail/types.js';
import type { NodeRegistry } from '../nodes/index.js';
import { libraryFromRecords, type ScriptLibrary } from '../scripts/library.js';
import type { ScriptRecord } from '../scripts/model.js';
import type { Bundle } from './config-store.js';
import { documentLabel, type AmNodeDocument, type ConfigKind } from './documents.js';

/** The documents of one revision, by kind and id. */
export interface ConfigSet {
  journeys: ReadonlyMap<string, Journey>;
  scripts: ReadonlyMap<string, ScriptRecord>;
  templates: ReadonlyMap<string, Record<string, unknown>>;
  nodes: ReadonlyMap<string, AmNodeDocument>;
}

export const emptySet = (): ConfigSet => ({ journeys: new Map(), scripts: new Map(), templates: new Map(), nodes: new Map() });

/** Journeys the server provides itself: validated with their own registry, never stored, never replaced. */
export interface BuiltinJourneys {
  journeys: readonly Journey[];
  registry: NodeRegistry;
  /** What each built-in journey is for (`admin`), carried to the protocol adapter with its steps. */
  kind: string;
  /**
   * The identities the built-in journeys check (`internal/admin`): set after validation, since the
   * journey format only names managed objects, which a configured journey can never point at this way.
   */
  identityResource?: string;
}

export interface RuntimeDeps {
  registry: NodeRegistry;
  builtins?: BuiltinJourneys;
  /** Where a problem in a document is said to be (default: the file `cairn journeys pull` writes it to). */
  label?: (kind: ConfigKind, id: string) => string;
}

export interface ConfigRuntime {
  /** Every journey that runs, the built-in ones included. */
  catalog: JourneyCatalog;
  /** The stored journeys that passed validation, compiled, by id. */
  compiled: ReadonlyMap<string, CompiledJourney>;
  scripts: ScriptLibrary;
  templates: EmailTemplates;
  /** Every problem of every document (errors leave the document out of what runs). */
  problems: Problem[];
  /** How to rebuild each compiled journey version later (its own and its inner journeys' versions). */
  bundles: ReadonlyMap<string, Bundle>;
}

/** Ids of the journeys that are built in and may not be written. */
export function reservedIds(builtins: BuiltinJourneys | undefined): Set<string> {
  return new Set((builtins?.journeys ?? []).map((j) => j._id));
}

export async function buildRuntime(set: ConfigSet, deps: RuntimeDeps): Promise<ConfigRuntime> {
  const label = deps.label ?? documentLabel;
  const problems: Problem[] = [];
  const reserved = reservedIds(deps.builtins);

  const scripts = await libraryFromRecords('the configuration store', [...set.scripts.values()]);
  for (const s of scripts.all()) {
    if (s.compileError) {
      problems.push({
        file: label('script', s.meta._id),
        pointer: '',
        message: `Script "${s.meta.name}" does not compile: ${s.compileError}`,
        severity: 'error',
      });
    }
  }

  const inputs = [...set.journeys].filter(([id]) => {
    if (!reserved.has(id)) return true;
    problems.push({
      file: label('journey', id),
      pointer: '/_id',
      message: `"${id}" is the name of a journey Cairn provides; choose another name.`,
      severity: 'error',
    });
    return false;
  });
  const { problems: journeyProblems, journeys } = validateJourneys(
    inputs.map(([id, json]) => ({ file: label('journey', id), json })),
    deps.registry,
    { scripts },
  );
  problems.push(...journeyProblems);
  const compiled = new Map<string, CompiledJourney>();
  const bundles = new Map<string, Bundle>();
  for (const j of journeys.values()) {
    const c = compileJourney(j, (id) => journeys.get(id));
    compiled.set(j.id, c);
    bundles.set(c.version, { root: j.id, docs: innerVersions(j, journeys) });
  }

  const all = new Map(compiled);
  if (deps.builtins) {
    const builtin = validateJourneys(
      deps.builtins.journeys.map((j) => ({ file: `builtin:${j._id}`, json: j })),
      deps.builtins.registry,
    );
    // A built-in journey that does not validate is a bug in Cairn, not a configuration problem.
    const errors = builtin.problems.filter((p) => p.severity === 'error');
    if (errors.length) throw new Error(`A built-in journey is invalid: ${errors.map((p) => `${p.file}#${p.pointer}: ${p.message}`).join('; ')}`);
    const resource = deps.builtins.identityResource;
    const own = new Map([...builtin.journeys].map(([id, j]) => [id, resource ? { ...j, identityResource: resource } : j]));
    for (const j of own.values()) all.set(j.id, { ...compileJourney(j, (id) => own.get(id)), kind: deps.builtins.kind });
  }

  const templates = new Map<string, EmailTemplate>();
  for (const [name, doc] of set.templates) {
    const parsed = parseEmailTemplate(doc, label('template', name), name);
    if (Array.isArray(parsed)) problems.push(...parsed.map((p) => ({ ...p, severity: 'error' as const })));
    else templates.set(name, parsed);
  }

  problems.push(...checkLooseNodes(set.nodes, deps.registry, label));

  const ids = [...all.keys()].sort();
  const catalog: JourneyCatalog = { get: (id) => all.get(id), ids: () => [...ids] };
  return { catalog, compiled, scripts, templates, problems, bundles };
}

/** The versions of a journey and of every inner journey it reaches, transitively. */
function innerVersions(root: CheckedJourney, journeys: ReadonlyMap<string, CheckedJourney>): Record<string, string> {
  const docs: Record<string, string> = {};
  const visit = (j: CheckedJourney): void => {
    if (docs[j.id] !== undefined) return;
    docs[j.id] = j.version;
    for (const node of j.nodes.values()) {
      const inner = node.descriptor.innerJourney?.(node.config);
      const child = inner ? journeys.get(inner.journeyId) : undefined;
      if (child) visit(child);
    }
  };
  visit(root);
  return docs;
}

/** AM node configs that no journey holds yet: their type must be one Cairn runs and their settings must fit it. */
export function checkLooseNodes(
  nodes: ReadonlyMap<string, AmNodeDocument>,
  registry: NodeRegistry,
  label: (kind: ConfigKind, id: string) => string = documentLabel,
): Problem[] {
  const problems: Problem[] = [];
  const schemas = new SchemaChecker();
  for (const [id, node] of nodes) {
    const file = label('node', id);
    const type = node._type?._id;
    const descriptor = typeof type === 'string' ? registry.get(type) : undefined;
    if (!descriptor) {
      problems.push({ file, pointer: '/_type/_id', message: `Cairn does not run nodes of type ${JSON.stringify(type)}.`, severity: 'error' });
      continue;
    }
    const settings: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) if (!k.startsWith('_')) settings[k] = structuredClone(v);
    // A Page Node's children are checked with the tree that uses the page; here only its own settings.
    for (const e of schemas.configErrors(descriptor, settings)) {
      if (descriptor.children && e.instancePath.startsWith('/nodes/')) continue;
      const d = describeAjvError(e, '');
      problems.push({ file, pointer: d.pointer, message: d.message, severity: 'error' });
    }
  }
  return problems;
}
