/**
 * AM's configuration model over the configuration store: trees, node configurations and scripts as
 * AM's REST API shows them (reference §5.1), read from and written to the live configuration
 * (live.ts). Reads export the stored journeys with export-am.ts; writes go through the journey
 * importer (import-am.ts), so a tree PUT is converted exactly as a frodo export is, and through the
 * same validation as files (live.ts `transact`). As in AM, nodes are written before their tree: a
 * node PUT of a node a journey holds changes that journey; any other node is kept on its own
 * (`node` documents) until a tree PUT takes it in. A deleted tree leaves its nodes on their own, so
 * frodo can delete them next.
 */
import { randomUUID } from 'node:crypto';
import { CairnError } from '../errors/cairn-error.js';
import { exportAmTree, type AmNodeConfig } from '../journeys/export-am.js';
import { importAmExport, PAGE_NODE } from '../journeys/import-am.js';
import type { Journey } from '../journeys/model.js';
import type { Problem } from '../journeys/validate.js';
import type { NodeRegistry } from '../nodes/index.js';
import { outcomesOf as nodeOutcomes, type Outcome } from '../nodes/types.js';
import { decodeBody, encodeBody } from '../scripts/files.js';
import type { ScriptMeta, ScriptRecord } from '../scripts/model.js';
import { docVersion, type AmNodeDocument } from './documents.js';
import { ConfigRefused, type ConfigChange, type LiveConfig } from './live.js';
import type { ConfigSet } from './runtime.js';

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What the stored journeys look like in AM's model: each tree, and every node config by its AM id with the journey holding it. */
interface AmView {
  trees: Map<string, Json>;
  nodes: Map<string, { journey: string; config: AmNodeConfig }>;
}

export interface Written<T> {
  value: T;
  created: boolean;
}

const notFound = (message = 'Not Found'): CairnError => new CairnError({ status: 404, code: 'config.not_found', message });
const refuse = (file: string, pointer: string, message: string): ConfigRefused => new ConfigRefused([{ file, pointer, message, severity: 'error' }]);

function withoutRev(body: unknown): Json {
  if (!isRecord(body)) throw refuse('request', '', 'The request body must be a JSON object.');
  const { _rev, ...rest } = body;
  void _rev;
  return rest;
}

export class AmConfig {
  private readonly views = new WeakMap<ConfigSet['journeys'], AmView>();

  constructor(
    private readonly live: LiveConfig,
    private readonly registry: NodeRegistry,
  ) {}

  private readonly outcomesOf = (nodeType: string, config: Record<string, unknown>): Outcome[] | undefined => {
    const d = this.registry.get(nodeType);
    return d && !d.children ? nodeOutcomes(d, config) : undefined;
  };

  private view(set: ConfigSet = this.live.documents): AmView {
    const cached = this.views.get(set.journeys);
    if (cached) return cached;
    const view: AmView = { trees: new Map(), nodes: new Map() };
    for (const [id, journey] of set.journeys) {
      const exported = exportAmTree(journey, { outcomesOf: this.outcomesOf });
      view.trees.set(id, { ...exported.tree, _rev: docVersion(journey) });
      for (const config of [...Object.values(exported.nodes), ...Object.values(exported.innerNodes)])
        view.nodes.set(config._id, { journey: id, config });
    }
    this.views.set(set.journeys, view);
    return view;
  }

  // Trees

  trees(): Json[] {
    return [...this.view().trees.values()];
  }

  tree(id: string): Json | undefined {
    return this.view().trees.get(id);
  }

  /** Creates or replaces a tree; its nodes must be stored already (AM's order: nodes, then the tree). */
  async putTree(id: string, body: unknown, actor: string): Promise<Written<Json>> {
    const tree = { ...withoutRev(body), _id: id };
    let created = false;
    await this.live.transact((set) => {
      created = !set.journeys.has(id);
      return this.assemble(tree, set, new Map());
    }, actor);
    return { value: this.tree(id) as Json, created };
  }

  async deleteTree(id: string, actor: string): Promise<Json> {
    const before = this.tree(id);
    if (!before) throw notFound();
    await this.live.transact((set) => {
      if (!set.journeys.has(id)) throw notFound();
      const changes: ConfigChange[] = [{ kind: 'journey', id, doc: null }];
      for (const [nodeId, n] of this.view(set).nodes) if (n.journey === id) changes.push({ kind: 'node', id: nodeId, doc: n.config });
      return changes;
    }, actor);
    return before;
  }

  // Nodes

  node(type: string, id: string): Json | undefined {
    const loose = this.live.documents.nodes.get(id);
    const config = loose ?? this.view().nodes.get(id)?.config;
    return config && config._type._id === type ? { ...config, _rev: docVersion(config) } : undefined;
  }

  nodesOfType(type: string): Json[] {
    const out = new Map<string, Json>();
    for (const [id, n] of this.view().nodes) if (n.config._type._id === type) out.set(id, { ...n.config, _rev: docVersion(n.config) });
    for (const [id, n] of this.live.documents.nodes) if (n._type._id === type) out.set(id, { ...n, _rev: docVersion(n) });
    return [...out.values()];
  }

  async putNode(type: string, id: string, body: unknown, actor: string): Promise<Written<Json>> {
    const file = `nodes/${type}/${id}`;
    const descriptor = this.registry.get(type);
    if (!descriptor) throw refuse(file, '/_type/_id', `Cairn does not run nodes of type ${JSON.stringify(type)}.`);
    const given = withoutRev(body);
    const settings: Json = {};
    for (const [k, v] of Object.entries(given)) if (!k.startsWith('_')) settings[k] = v;
    const givenType = isRecord(given._type) ? given._type : {};
    const outcomes = descriptor.children
      ? Array.isArray(given._outcomes)
        ? (given._outcomes as Outcome[])
        : undefined
      : this.safeOutcomes(type, settings);
    const config: AmNodeDocument = {
      _id: id,
      ...settings,
      _type: { ...givenType, _id: type, name: descriptor.displayName, collection: true },
      ...(outcomes ? { _outcomes: outcomes } : {}),
    };
    let created = false;
    await this.live.transact((set) => {
      const view = this.view(set);
      const owner = view.nodes.get(id);
      created = !owner && !set.nodes.has(id);
      if (!owner) return [{ kind: 'node', id, doc: config }];
      if (owner.config._type._id !== type) throw refuse(file, '/_type/_id', `Node ${id} is a ${owner.config._type._id}, not a ${type}.`);
      return this.assemble(view.trees.get(owner.journey) as Json, set, new Map([[id, config as AmNodeConfig]]));
    }, actor);
    return { value: this.node(type, id) as Json, created };
  }

  async deleteNode(type: string, id: string, actor: string): Promise<Json> {
    const before = this.node(type, id);
    if (!before) throw notFound();
    await this.live.transact((set) => {
      const owner = this.view(set).nodes.get(id);
      if (owner) throw refuse(`nodes/${type}/${id}`, '', `The node is part of the journey ${owner.journey}; change the journey first.`);
      if (!set.nodes.has(id)) throw notFound();
      return [{ kind: 'node', id, doc: null }];
    }, actor);
    return before;
  }

  /** A node type's outcomes for a configuration (AM's `listOutcomes`). */
  listOutcomes(type: string, config: unknown): Outcome[] {
    if (!this.registry.has(type)) throw notFound(`Unknown node type ${type}`);
    return this.safeOutcomes(type, isRecord(config) ? config : {}) ?? [];
  }

  private safeOutcomes(type: string, settings: Json): Outcome[] | undefined {
    try {
      return this.outcomesOf(type, settings);
    } catch {
      return undefined;
    }
  }

  /**
   * The changes that store `tree` as a journey: its nodes come from `overrides`, then the nodes kept
   * on their own (taken in, so removed as such), then the journeys' nodes. Converted by the importer;
   * a tree it cannot convert is refused with the importer's located problems.
   */
  private assemble(tree: Json, set: ConfigSet, overrides: ReadonlyMap<string, AmNodeConfig>): ConfigChange[] {
    const id = String(tree._id);
    const file = `trees/${id}`;
    const view = this.view(set);
    const taken = new Set<string>();
    const find = (nodeId: string): AmNodeConfig | undefined => {
      const o = overrides.get(nodeId);
      if (o) return o;
      const loose = set.nodes.get(nodeId);
      if (loose) {
        taken.add(nodeId);
        return loose as AmNodeConfig;
      }
      return view.nodes.get(nodeId)?.config;
    };
    if (!isRecord(tree.nodes)) throw refuse(file, '/nodes', 'Data validation failed for the attribute, Nodes');
    const nodes: Record<string, AmNodeConfig> = {};
    const innerNodes: Record<string, AmNodeConfig> = {};
    for (const nodeId of Object.keys(tree.nodes)) {
      const config = find(nodeId);
      if (!config) continue;
      nodes[nodeId] = config;
      if (config._type._id !== PAGE_NODE || !Array.isArray(config.nodes)) continue;
      for (const child of config.nodes) {
        const childId = isRecord(child) && typeof child._id === 'string' ? child._id : undefined;
        const childConfig = childId ? find(childId) : undefined;
        if (childId && childConfig) innerNodes[childId] = childConfig;
      }
    }
    const imported = importAmExport({ tree, nodes, innerNodes }, { file });
    const errors = imported.issues.filter((i) => i.severity === 'error');
    const journey = imported.journeys.find((j) => j.journey._id === id)?.journey;
    if (errors.length || !journey) {
      const problems: Problem[] = errors.map((e) => ({ file: e.file, pointer: e.pointer, message: e.message, severity: 'error' }));
      throw new ConfigRefused(problems.length ? problems : [{ file, pointer: '', message: 'The tree could not be read.', severity: 'error' }]);
    }
    return [{ kind: 'journey', id, doc: journey satisfies Journey }, ...[...taken].map((n): ConfigChange => ({ kind: 'node', id: n, doc: null }))];
  }

  // Scripts

  scripts(): Json[] {
    return [...this.live.documents.scripts.values()].map(scriptView);
  }

  script(id: string): Json | undefined {
    const s = this.live.documents.scripts.get(id);
    return s ? scriptView(s) : undefined;
  }

  async putScript(id: string | undefined, body: unknown, actor: string, now: number): Promise<Written<Json>> {
    const given = withoutRev(body);
    const scriptId = id ?? (typeof given._id === 'string' && given._id ? given._id : randomUUID());
    const file = `scripts/${scriptId}`;
    const problems: Problem[] = [];
    const need = (field: string): void => {
      if (typeof given[field] !== 'string' || given[field] === '')
        problems.push({ file, pointer: `/${field}`, message: `${field} is required (a string).`, severity: 'error' });
    };
    need('name');
    need('context');
    if (!['JAVASCRIPT', 'GROOVY'].includes(String(given.language).toUpperCase())) {
      problems.push({ file, pointer: '/language', message: 'language must be JAVASCRIPT or GROOVY.', severity: 'error' });
    }
    let source = '';
    try {
      source = decodeBody(given.script, scriptId).source;
    } catch (e) {
      problems.push({ file, pointer: '/script', message: (e as Error).message, severity: 'error' });
    }
    if (problems.length) throw new ConfigRefused(problems);
    let created = false;
    await this.live.transact((set) => {
      const before = set.scripts.get(scriptId);
      created = !before;
      const clash = [...set.scripts.values()].find((s) => s.meta.name === given.name && s.meta._id !== scriptId);
      if (clash) throw refuse(file, '/name', `A script named ${JSON.stringify(given.name)} exists already (${clash.meta._id}).`);
      const { script, ...fields } = given;
      void script;
      // As AM: who (the administrator's name) and when (epoch milliseconds).
      const who = actor.replace(/^admin:/, '');
      const meta: ScriptMeta = {
        ...(before?.meta ?? { createdBy: who, creationDate: now }),
        ...fields,
        _id: scriptId,
        lastModifiedBy: who,
        lastModifiedDate: now,
        // How a file export carries the body stays what it was (base64 for a script first written over REST).
        exportEncoding: before?.meta.exportEncoding ?? 'base64',
      } as ScriptMeta;
      return [{ kind: 'script', id: scriptId, doc: { meta, source } satisfies ScriptRecord }];
    }, actor);
    return { value: this.script(scriptId) as Json, created };
  }

  async deleteScript(id: string, actor: string): Promise<Json> {
    const before = this.script(id);
    if (!before) throw notFound();
    await this.live.transact((set) => {
      if (!set.scripts.has(id)) throw notFound();
      return [{ kind: 'script', id, doc: null }];
    }, actor);
    return before;
  }
}

/** E-mail templates in IDM's config shape (`/openidm/config/emailTemplate/<name>`), kept in the same store. */
export class TemplateConfig {
  constructor(private readonly live: LiveConfig) {}

  templates(): Json[] {
    return [...this.live.documents.templates.values()];
  }

  template(name: string): Json | undefined {
    return this.live.documents.templates.get(name);
  }

  /** Creates or replaces a template; checked as template files are (a refused one names each problem). */
  async putTemplate(name: string, body: unknown, actor: string): Promise<Written<Json>> {
    const doc = { ...withoutRev(body), _id: `emailTemplate/${name}` };
    let created = false;
    await this.live.transact((set) => {
      created = !set.templates.has(name);
      return [{ kind: 'template', id: name, doc }];
    }, actor);
    return { value: this.template(name) as Json, created };
  }

  async deleteTemplate(name: string, actor: string): Promise<Json> {
    const before = this.template(name);
    if (!before) throw notFound();
    await this.live.transact((set) => (set.templates.has(name) ? [{ kind: 'template', id: name, doc: null }] : []), actor);
    return before;
  }
}

/** A script as AM's REST API returns it: the record with its body in base64. */
function scriptView(record: ScriptRecord): Json {
  const { exportEncoding, ...meta } = record.meta;
  void exportEncoding;
  return { ...meta, script: encodeBody(record.source, 'base64'), _rev: docVersion(record) };
}
