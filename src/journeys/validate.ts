/**
 * Journey validation in two passes, shared by the server's start-up and `cairn journeys validate`:
 * (1) the file against the journey schema and each node's config against its node type's schema;
 * (2) the graph: entry node, connection targets, outcomes, reachability, Page Node children rules,
 * inner-tree references and recursion. Every problem is reported, none stops the pass.
 *
 * Journeys exported from AM are held to what AM holds: a setting AM has that Cairn does not use is
 * kept with a warning ("kept, no effect"), never refused; an unconnected outcome is a warning (taking
 * it at run time fails the journey, as in AM); a node type Cairn does not run is named with the reason
 * and what to do. The engine sees each node's known settings with defaults, and the journey's
 * identity resource as Cairn stores it (`runtimeResource`); the file keeps AM's names.
 */
import { createHash } from 'node:crypto';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ChildNodeRef, NodeDescriptor, Outcome } from '../nodes/types.js';
import { outcomesOf } from '../nodes/types.js';
import type { NodeRegistry } from '../nodes/index.js';
import { AM_NODE_TYPE_NAMES, isDesignerNode, unsupportedNodeMessage } from './am-node-types.js';
import { PAGE_NODE_2, runtimeResource, terminalOf, type AmNodeExtras, type Journey } from './model.js';
import { journeySchema, NODE_ID_PATTERN } from './schema.js';

export type Severity = 'error' | 'warning';

export interface Problem {
  file: string;
  /** JSON pointer into the file. */
  pointer: string;
  message: string;
  severity: Severity;
}

/** A node ready to run: config with defaults applied, descriptor resolved, children checked. */
export interface CheckedNode {
  id: string;
  nodeType: string;
  displayName: string;
  descriptor: NodeDescriptor;
  config: Record<string, unknown>;
  outcomes: Outcome[];
  connections: Record<string, string>;
  children: CheckedNode[];
  /** What AM exported with the node (its `_outcomes`, …), when the journey carries it. */
  am?: AmNodeExtras;
  /** AM's version of the node type (`version` of its reference, else `_type.version`), when known. */
  version?: string;
}

/** A journey that passed validation, ready to compile. */
export interface CheckedJourney {
  id: string;
  file: string;
  /** Content hash: an in-flight journey is bound to the version it started on. */
  version: string;
  source: Journey;
  enabled: boolean;
  /** The managed object type the journey's identity nodes act on, as Cairn stores it (`managed/alpha_user` → `managed/user`). */
  identityResource: string;
  noSession: boolean;
  innerTreeOnly: boolean;
  entryNodeId: string;
  nodes: Map<string, CheckedNode>;
}

export interface JourneyInput {
  file: string;
  /** Parsed JSON, or the text when parsing is left to the validator. */
  text?: string;
  json?: unknown;
}

export interface ValidationResult {
  problems: Problem[];
  /** Journeys without errors, by `_id`. */
  journeys: Map<string, CheckedJourney>;
}

export interface ValidateOptions {
  /** Journey ids that exist outside the validated set (e.g. other files of the same directory). */
  knownJourneys?: ReadonlySet<string>;
  /** The loaded scripts, for the nodes that run one (Scripted Decision); without it every script reference is unknown. */
  scripts?: { problemFor(scriptId: string, context?: 'decision' | 'SOCIAL_IDP_PROFILE_TRANSFORMATION'): string | undefined };
  /** The realm's identity resource (`managed/alpha_user`), which the default names stand for; default `managed/user`. */
  identityResource?: string;
}

const escapePointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');
const pointer = (...parts: (string | number)[]): string => parts.map((p) => '/' + escapePointer(String(p))).join('');

/** The known name nearest to `name` (edit distance, case-insensitive), when it is close enough to be a typo. */
function closest(name: string, known: string[]): string | undefined {
  const a = name.toLowerCase();
  let best: { name: string; d: number } | undefined;
  for (const k of known) {
    const b = k.toLowerCase();
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let prev = row[0] as number;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const tmp = row[j] as number;
        row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = tmp;
      }
    }
    const d = row[b.length] as number;
    if (!best || d < best.d) best = { name: k, d };
  }
  return best && best.d <= Math.max(2, Math.floor(a.length / 4)) ? best.name : undefined;
}

/** Canonical JSON (sorted keys), for content hashes. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']';
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => JSON.stringify(k) + ':' + canonicalJson((value as Record<string, unknown>)[k]));
    return '{' + entries.join(',') + '}';
  }
  return JSON.stringify(value) ?? 'null';
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

const ARTICLE: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

/** Turns one ajv error into a JSON pointer and a plain sentence. */
export function describeAjvError(e: ErrorObject, base: string): { pointer: string; message: string } {
  const at = base + e.instancePath;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { pointer: at, message: `The required setting "${String(p.missingProperty)}" is missing.` };
    case 'additionalProperties':
      return {
        pointer: at + '/' + escapePointer(String(p.additionalProperty)),
        message: `"${String(p.additionalProperty)}" is not a known setting here.`,
      };
    case 'type': {
      const types = String(p.type).split(',');
      return { pointer: at, message: `Must be ${types.map((t) => ARTICLE[t] ?? t).join(' or ')}, found ${describeType(e.data)}.` };
    }
    case 'enum':
      return {
        pointer: at,
        message: `Must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, found ${describeType(e.data)}.`,
      };
    case 'const':
      return { pointer: at, message: `Must be ${JSON.stringify(p.allowedValue)}.` };
    case 'pattern':
      return {
        pointer: at,
        message: `${describeType(e.data)} does not have the expected form (${String(p.pattern)}).`.replace(/^./, (c) => c.toUpperCase()),
      };
    case 'propertyNames':
      return { pointer: at, message: `The name ${JSON.stringify(p.propertyName)} is not allowed here.` };
    case 'minItems':
      return { pointer: at, message: `Must list at least ${String(p.limit)} item(s).` };
    case 'maxItems':
      return { pointer: at, message: `Must list at most ${String(p.limit)} item(s).` };
    case 'uniqueItems':
      return { pointer: at, message: `Items must be unique (items ${String(p.j)} and ${String(p.i)} are the same).` };
    case 'minLength':
      return { pointer: at, message: p.limit === 1 ? 'Must not be empty.' : `Must be at least ${String(p.limit)} characters long.` };
    case 'maxLength':
      return { pointer: at, message: `Must be at most ${String(p.limit)} characters long.` };
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum':
      return { pointer: at, message: `Must be ${String(p.comparison)} ${String(p.limit)}.` };
    default:
      return { pointer: at, message: (e.message ?? 'is not valid').replace(/^./, (c) => c.toUpperCase()) + '.' };
  }
}

/** Drops ajv's echo errors (`if`/`anyOf` wrappers) so each mistake is reported once. */
function usefulErrors(errors: ErrorObject[] | null | undefined): ErrorObject[] {
  return (errors ?? []).filter((e) => e.keyword !== 'if' && e.keyword !== 'anyOf' && e.keyword !== 'oneOf');
}

/**
 * The compiled validators, made once per process and shared by every validation: compiling the journey
 * schema costs a few hundred milliseconds, and a server validates its journeys, each self-service
 * process, and every import. A validator keeps no state between calls (its `errors` are read right
 * after it ran), and a descriptor's schema does not change, so it is compiled the first time it is used.
 */
let shared: { ajv: Ajv; journey: ValidateFunction; byNode: WeakMap<NodeDescriptor, ValidateFunction> } | undefined;
function compiled(): NonNullable<typeof shared> {
  if (shared === undefined) {
    const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, verbose: true });
    shared = { ajv, journey: ajv.compile(journeySchema as unknown as Record<string, unknown>), byNode: new WeakMap() };
  }
  return shared;
}

/** The validators of the journey schema and of each node type's config schema. */
export class SchemaChecker {
  private readonly validators = compiled();

  journeyErrors(json: unknown): ErrorObject[] {
    const { journey } = this.validators;
    return journey(json) ? [] : usefulErrors(journey.errors);
  }

  /** Validates `config` in place (defaults are filled in); returns the errors. */
  configErrors(descriptor: NodeDescriptor, config: Record<string, unknown>): ErrorObject[] {
    const { ajv, byNode } = this.validators;
    let fn = byNode.get(descriptor);
    if (!fn) {
      fn = ajv.compile(descriptor.configSchema);
      byNode.set(descriptor, fn);
    }
    return fn(config) ? [] : usefulErrors(fn.errors);
  }
}

/** The settings a node type's config schema names, or undefined when the schema takes any (no fixed list). */
function knownSettings(descriptor: NodeDescriptor): string[] | undefined {
  const schema = descriptor.configSchema as { properties?: Record<string, unknown>; additionalProperties?: unknown };
  if (schema.additionalProperties !== false || !schema.properties) return undefined;
  return Object.keys(schema.properties);
}

/**
 * Why a node type does not run: a typo of a Cairn type in a hand-written journey ("did you mean"), or
 * an AM node Cairn does not implement, named with the reason and what to do.
 */
function unknownTypeMessage(type: string, amName: unknown, registry: NodeRegistry): string {
  const isAm = AM_NODE_TYPE_NAMES[type] !== undefined || isDesignerNode(type) || typeof amName === 'string';
  const guess = isAm ? undefined : closest(type, [...registry.keys()]);
  if (guess) return `Unknown node type "${type}"; did you mean "${guess}"?`;
  return unsupportedNodeMessage(type, typeof amName === 'string' ? amName : AM_NODE_TYPE_NAMES[type]);
}

interface FileCheck {
  file: string;
  journey: Journey;
  problems: Problem[];
  nodes: Map<string, CheckedNode>;
  version: string;
}

/**
 * The outcomes a page takes from its last child. Page Node 2.0 (PingOne AIC) names them
 * `<childId>-<outcome>`, so that the page's connections say which child decided.
 */
export function childOutcomes(last: CheckedNode, pageVersion: string | undefined): Outcome[] {
  return pageVersion === PAGE_NODE_2 ? last.outcomes.map((o) => ({ id: `${last.id}-${o.id}`, displayName: o.displayName })) : last.outcomes;
}

/** Pass 1 for one file: parse, journey schema, node types and configs. */
function checkFile(input: JourneyInput, registry: NodeRegistry, schemas: SchemaChecker, realmResource?: string): FileCheck | Problem[] {
  const problems: Problem[] = [];
  const add = (pointerText: string, message: string, severity: Severity = 'error'): void => {
    problems.push({ file: input.file, pointer: pointerText, message, severity });
  };
  let json = input.json;
  if (json === undefined) {
    try {
      json = JSON.parse(input.text ?? '');
    } catch (e) {
      add('', `The file is not valid JSON: ${(e as Error).message}.`);
      return problems;
    }
  }
  // On a copy: ajv fills in defaults, and the file must stay as written (an export gives it back).
  for (const e of schemas.journeyErrors(structuredClone(json))) {
    const d = describeAjvError(e, '');
    add(d.pointer, d.message);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) return problems;
  const journey = json as Journey;
  const journeyResource = typeof journey.identityResource === 'string' ? journey.identityResource : undefined;
  const nodes = new Map<string, CheckedNode>();
  const seenIds = new Map<string, string>();
  const nodeEntries = journey.nodes && typeof journey.nodes === 'object' ? Object.entries(journey.nodes) : [];

  const checkNode = (
    id: string,
    raw: {
      nodeType?: unknown;
      displayName?: unknown;
      config?: unknown;
      version?: unknown;
      am?: AmNodeExtras & { type?: { name?: unknown; version?: unknown } };
    },
    at: string,
    connections: Record<string, string>,
    insidePage: boolean,
  ): CheckedNode | undefined => {
    if (typeof raw !== 'object' || raw === null || typeof raw.nodeType !== 'string') return undefined;
    const previous = seenIds.get(id);
    if (previous !== undefined) add(at, `The node id "${id}" is already used at ${previous}; node ids must be unique within a journey.`);
    seenIds.set(id, at);
    const descriptor = registry.get(raw.nodeType);
    if (!descriptor) {
      add(at + '/nodeType', unknownTypeMessage(raw.nodeType, raw.am?.type?.name, registry));
      return undefined;
    }
    if (insidePage && descriptor.allowedInPage === false) {
      add(at + '/nodeType', `A ${descriptor.type} cannot be placed inside a Page Node.`);
    }
    if (raw.config !== undefined && (typeof raw.config !== 'object' || raw.config === null || Array.isArray(raw.config))) {
      return undefined; // already reported by the journey schema
    }
    const given = (raw.config as Record<string, unknown> | undefined) ?? {};
    const config: Record<string, unknown> = {};
    const known = knownSettings(descriptor);
    for (const [key, value] of Object.entries(given)) {
      if (known === undefined || known.includes(key)) {
        config[key] = structuredClone(value);
        continue;
      }
      const guess = closest(key, known);
      add(
        at + '/config' + pointer(key),
        `"${key}" is a setting Cairn's ${descriptor.type} does not use: kept, no effect.${guess ? ` (Did you mean "${guess}"?)` : ''}`,
        'warning',
      );
    }
    let configOk = true;
    for (const e of schemas.configErrors(descriptor, config)) {
      configOk = false;
      const d = describeAjvError(e, at + '/config');
      add(d.pointer, d.message);
    }
    if (typeof config.identityResource === 'string' && config.identityResource === journeyResource) {
      config.identityResource = runtimeResource(journeyResource, realmResource);
    }
    if (!configOk) return undefined;
    for (const p of descriptor.checkConfig?.(config) ?? []) {
      add(at + '/config' + p.pointer, p.message, p.severity ?? 'error');
    }
    const children: CheckedNode[] = [];
    const refs: ChildNodeRef[] = descriptor.children?.(config) ?? [];
    refs.forEach((ref, i) => {
      const childAt = at + '/config' + pointer('nodes', i);
      const child = checkNode(ref._id, ref, childAt, {}, true);
      if (child) children.push(child);
    });
    const version = typeof raw.version === 'string' ? raw.version : typeof raw.am?.type?.version === 'string' ? raw.am.type.version : undefined;
    let outcomes: Outcome[];
    if (descriptor.children) {
      const last = children.length === refs.length ? children[children.length - 1] : undefined;
      outcomes = last ? childOutcomes(last, version) : [];
      if (refs.length === 0) add(at + '/config/nodes', 'A Page Node must contain at least one node.');
      // Only the last child decides where the page goes: earlier children must not send several
      // callbacks that make a decision, nor have several outcomes that would be ignored.
      children.slice(0, -1).forEach((child, i) => {
        const m = child.descriptor.multipleCallbacks;
        const multiple = typeof m === 'function' ? m(child.config) : m === true;
        if (multiple) {
          add(
            at + '/config' + pointer('nodes', i),
            `"${child.id}" (${child.nodeType}) may send several callbacks, so it must be the last node of its page.`,
          );
        } else if (child.outcomes.length > 1) {
          add(
            at + '/config' + pointer('nodes', i),
            `"${child.id}" (${child.nodeType}) has several outcomes, so it must be the last node of its page: only the last node decides where a page goes.`,
          );
        }
      });
      if (children.length !== refs.length) return undefined;
    } else {
      outcomes = outcomesOf(descriptor, config);
    }
    return {
      id,
      nodeType: descriptor.type,
      displayName: typeof raw.displayName === 'string' ? raw.displayName : descriptor.displayName,
      descriptor,
      config,
      outcomes,
      connections,
      children,
      ...(raw.am ? { am: raw.am } : {}),
      ...(version !== undefined ? { version } : {}),
    };
  };

  for (const [id, node] of nodeEntries) {
    if (!new RegExp(NODE_ID_PATTERN).test(id)) continue; // reported by the schema
    if (terminalOf(id)) {
      add(pointer('nodes', id), `"${id}" names a terminal and cannot be used as a node id.`);
      continue;
    }
    const n = node;
    const connections = n && typeof n.connections === 'object' && n.connections !== null ? n.connections : {};
    const checked = checkNode(id, n, pointer('nodes', id), connections, false);
    if (checked) nodes.set(id, checked);
  }
  return { file: input.file, journey, problems, nodes, version: contentVersion(json) };
}

/**
 * A journey's version: the hash of its canonical JSON without `$schema` (which only tells editors
 * where the schema is), so a file and the same journey stored without it (src/config-store/) agree.
 */
function contentVersion(json: unknown): string {
  let content = json;
  if (json && typeof json === 'object' && !Array.isArray(json) && '$schema' in json) {
    const { $schema: _editorOnly, ...rest } = json as Record<string, unknown>;
    content = rest;
  }
  return createHash('sha256').update(canonicalJson(content)).digest('hex').slice(0, 16);
}

/** Pass 2 for one journey: the graph rules. */
function checkGraph(f: FileCheck, exists: (id: string) => boolean, scripts: ValidateOptions['scripts']): void {
  const add = (pointerText: string, message: string, severity: Severity = 'error'): void => {
    f.problems.push({ file: f.file, pointer: pointerText, message, severity });
  };
  const { journey, nodes } = f;
  const allIds = new Set(Object.keys(journey.nodes ?? {}));
  const entry = journey.entryNodeId;
  if (typeof entry === 'string' && !allIds.has(entry) && !terminalOf(entry)) {
    add('/entryNodeId', `The entry node "${entry}" does not exist in this journey.`);
  }
  // Targets are checked on every node as written, even one whose type or config has problems.
  for (const id of allIds) {
    const connections = journey.nodes?.[id]?.connections;
    if (!connections || typeof connections !== 'object') continue;
    for (const [outcome, target] of Object.entries(connections)) {
      if (typeof target === 'string' && !allIds.has(target) && !terminalOf(target)) {
        add(
          pointer('nodes', id, 'connections', outcome),
          `The connection "${outcome}" goes to "${target}", which is neither a node of this journey nor Success or Failure.`,
        );
      }
    }
  }
  for (const [id, node] of nodes) {
    const at = pointer('nodes', id);
    const known = new Set(node.outcomes.map((o) => o.id));
    const declaredByAm = new Set((node.am?.outcomes ?? []).map((o) => o.id));
    for (const outcome of Object.keys(node.connections)) {
      if (known.has(outcome)) continue;
      const list = [...known].map((o) => `"${o}"`).join(', ') || 'none';
      if (declaredByAm.has(outcome)) {
        add(
          at + pointer('connections', outcome),
          `"${outcome}" is an outcome AM declares for this node, but Cairn's ${node.nodeType} never takes it (its outcomes are ${list}); the connection is kept, unused.`,
          'warning',
        );
      } else {
        add(at + pointer('connections', outcome), `"${outcome}" is not an outcome of ${node.nodeType}; its outcomes are ${list}.`);
      }
    }
    for (const o of node.outcomes) {
      if (!(o.id in node.connections)) {
        add(
          at + '/connections',
          `The outcome "${o.id}" (${o.displayName}) of "${id}" is not connected; a journey that takes it fails there, as in AM.`,
          'warning',
        );
      }
    }
    const inner = node.descriptor.innerJourney?.(node.config);
    if (inner && !exists(inner.journeyId)) add(at + '/config' + inner.pointer, `The journey "${inner.journeyId}" does not exist.`);
    for (const ref of node.descriptor.referencedScripts?.(node.config) ?? []) {
      const problem = scripts
        ? scripts.problemFor(ref.scriptId, ref.context)
        : `There is no script with id "${ref.scriptId}" (no scripts were loaded).`;
      if (problem) add(at + '/config' + ref.pointer, `Node "${id}" (${node.displayName}) runs script "${ref.scriptId}": ${problem}`);
    }
  }
  // Reachability from the entry node, along the connections as written (a node with other problems
  // still leads on, so its successors are not reported as unreachable too).
  const connectionsOf = (id: string): string[] => {
    const c = journey.nodes?.[id]?.connections;
    return c && typeof c === 'object' ? Object.values(c).filter((t): t is string => typeof t === 'string') : [];
  };
  const reached = new Set<string>();
  const queue = typeof entry === 'string' && allIds.has(entry) ? [entry] : [];
  while (queue.length) {
    const id = queue.pop() as string;
    if (reached.has(id)) continue;
    reached.add(id);
    for (const t of connectionsOf(id)) if (allIds.has(t) && !reached.has(t)) queue.push(t);
  }
  for (const id of allIds) {
    if (!reached.has(id) && typeof entry === 'string' && allIds.has(entry)) {
      add(pointer('nodes', id), `The node "${id}" cannot be reached from the entry node.`, 'warning');
    }
  }
}

function referencedJourneys(nodes: Map<string, CheckedNode>): string[] {
  return [...nodes.values()].flatMap((n) => {
    const inner = n.descriptor.innerJourney?.(n.config);
    return inner ? [inner.journeyId] : [];
  });
}

/** Validates a set of journeys together (inner-tree references are resolved among them). */
export function validateJourneys(inputs: JourneyInput[], registry: NodeRegistry, options: ValidateOptions = {}): ValidationResult {
  const schemas = new SchemaChecker();
  const problems: Problem[] = [];
  const files: FileCheck[] = [];
  const byId = new Map<string, FileCheck>();
  for (const input of inputs) {
    const r = checkFile(input, registry, schemas, options.identityResource);
    if (Array.isArray(r)) {
      problems.push(...r);
      continue;
    }
    files.push(r);
    const id = r.journey._id;
    if (typeof id === 'string') {
      const other = byId.get(id);
      if (other)
        r.problems.push({ file: r.file, pointer: '/_id', message: `The journey id "${id}" is also used by ${other.file}.`, severity: 'error' });
      else byId.set(id, r);
    }
  }
  const exists = (id: string): boolean => byId.has(id) || (options.knownJourneys?.has(id) ?? false);
  for (const f of files) checkGraph(f, exists, options.scripts);

  // Inner-tree recursion: a journey must not reach itself through inner trees.
  const edges = new Map<string, string[]>();
  for (const [id, f] of byId) edges.set(id, referencedJourneys(f.nodes));
  for (const [id, f] of byId) {
    const path = findCycle(id, edges);
    if (path) {
      f.problems.push({
        file: f.file,
        pointer: '/nodes',
        message: `Inner trees recurse: ${path.join(' → ')}.`,
        severity: 'error',
      });
    }
  }

  const journeys = new Map<string, CheckedJourney>();
  for (const f of files) {
    problems.push(...f.problems);
    if (f.problems.some((p) => p.severity === 'error')) continue;
    const j = f.journey;
    journeys.set(j._id, {
      id: j._id,
      file: f.file,
      version: f.version,
      source: j,
      enabled: j.enabled !== false,
      identityResource: runtimeResource(j.identityResource, options.identityResource),
      noSession: j.noSession === true,
      innerTreeOnly: j.innerTreeOnly === true,
      entryNodeId: j.entryNodeId,
      nodes: f.nodes,
    });
  }
  return { problems, journeys };
}

function findCycle(start: string, edges: Map<string, string[]>): string[] | undefined {
  const stack: string[] = [];
  const onPath = new Set<string>();
  const visit = (id: string): string[] | undefined => {
    if (onPath.has(id)) return id === start ? [...stack, id] : undefined;
    if (stack.length > 64) return undefined;
    stack.push(id);
    onPath.add(id);
    for (const next of edges.get(id) ?? []) {
      const found = visit(next);
      if (found) return found;
    }
    stack.pop();
    onPath.delete(id);
    return undefined;
  };
  return visit(start);
}

/** The node types of a journey (Page Node children included) that the registry does not know, so the journey does not run. */
export function nodeTypesNotRun(journey: Journey, registry: NodeRegistry): string[] {
  const types = new Set<string>();
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const { nodeType, config } = node as { nodeType?: unknown; config?: { nodes?: unknown } };
    if (typeof nodeType === 'string' && !registry.has(nodeType)) types.add(nodeType);
    if (nodeType === 'PageNode' && Array.isArray(config?.nodes)) config.nodes.forEach(visit);
  };
  Object.values(journey.nodes ?? {}).forEach(visit);
  return [...types].sort();
}

/** `file#/pointer: message` lines, errors first. */
export function formatProblems(problems: Problem[]): string[] {
  return [...problems]
    .sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1))
    .map((p) => `${p.severity}: ${p.file}#${p.pointer || '/'}: ${p.message}`);
}
