/**
 * Converts AM / PingOne AIC journey exports into Cairn journey files (reference §4-§5). Accepts the
 * frodo multi form `{trees: {…}}`, the legacy single form `{tree, nodes, innerNodes, …}` and raw AM
 * REST responses `{tree, nodes}`; merges each node's config into the tree, inlines Page Node children
 * and names AM's static terminal ids Success/Failure. What Cairn cannot carry goes into `warnings`.
 */
import { CairnError } from '../errors/cairn-error.js';
import type { Outcome } from '../nodes/types.js';
import { AM_FAILURE_ID, AM_SUCCESS_ID, FAILURE, SUCCESS, type Journey, type JourneyNode, type PageChildNode } from './model.js';

export interface ImportAmOptions {
  /** Keep AM's node UUIDs as node ids (default true); false renames them after their display names. */
  keepAmIds?: boolean;
  /** Write the terminals as `Success`/`Failure` (default true) instead of AM's static ids. */
  terminalNames?: boolean;
}

export interface AmImportResult {
  journeys: Journey[];
  /** Email templates shipped with the export (name → IDM config), for the mail templates store. */
  emailTemplates: Record<string, unknown>;
  /**
   * journey id → node id → the outcomes AM declared for that node (`_outcomes`), for tree nodes and
   * Page Node children alike; lets a validator check that every outcome AM knew of is connected.
   */
  outcomesByNode: Record<string, Record<string, Outcome[]>>;
  warnings: string[];
}

export const PAGE_NODE = 'PageNode';
export const INNER_TREE_NODE = 'InnerTreeEvaluatorNode';
/** Keys of AM's node REST envelope; everything else in a node GET response is the node's config. */
export const NODE_ENVELOPE_KEYS: readonly string[] = ['_id', '_rev', '_type', '_outcomes'];
/** Tree attributes Cairn's journey format carries (besides `nodes`); others are reported and dropped. */
const TREE_FIELDS = new Set([
  '_id',
  'description',
  'enabled',
  'identityResource',
  'noSession',
  'innerTreeOnly',
  'mustRun',
  'transactionalOnly',
  'uiConfig',
  'entryNodeId',
  'staticNodes',
]);
const NODE_REF_FIELDS = new Set(['nodeType', 'displayName', 'connections', 'x', 'y', 'version']);
/** Parts of a frodo export Cairn does not support yet: reported when not empty. */
const UNSUPPORTED_PARTS: Record<string, string> = {
  scripts: 'scripts (Scripted Decision and other scripted nodes)',
  themes: 'themes',
  socialIdentityProviders: 'social identity providers',
  saml2Entities: 'SAML2 entities',
  circlesOfTrust: 'circles of trust',
  variable: 'environment variables',
  variables: 'environment variables',
  nodeTypes: 'custom node types',
};
const SINGLE_FORM_KEYS = new Set([
  'meta',
  '_source',
  'tree',
  'nodes',
  'innerNodes',
  'innernodes',
  'emailTemplates',
  ...Object.keys(UNSUPPORTED_PARTS),
]);

type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function invalid(message: string, detail?: Json): CairnError {
  return new CairnError({ status: 400, code: 'AM_IMPORT_INVALID', message, ...(detail ? { detail } : {}) });
}

/** A HAR-style `{request, response}` pair stands for its response. */
function unwrapResponse(v: unknown): unknown {
  return isRecord(v) && isRecord(v.response) && !('_id' in v) ? v.response : v;
}

/** One tree of the export, with the node configs that came with it. */
interface TreePart {
  label: string;
  tree: Json;
  /** node id → node GET response (from `nodes` and `innerNodes`). */
  configs: Map<string, Json>;
}

/** Imports every tree of an AM / frodo export; throws a CairnError (400) naming the tree and node on bad input. */
export function importAmExport(json: unknown, options: ImportAmOptions = {}): AmImportResult {
  const keepAmIds = options.keepAmIds ?? true;
  const terminalNames = options.terminalNames ?? true;
  const warnings: string[] = [];
  const emailTemplates: Record<string, unknown> = {};
  const parts = splitExport(json, warnings, emailTemplates);

  const journeys: Journey[] = [];
  const outcomesByNode: Record<string, Record<string, Outcome[]>> = {};
  for (const part of parts) {
    const converted = convertTree(part, warnings);
    if (outcomesByNode[converted.journey._id]) throw invalid(`AM export: tree '${converted.journey._id}' appears twice`);
    const renamed = keepAmIds ? converted : readableIds(converted);
    const journey = terminalNames ? nameTerminals(renamed.journey) : renamed.journey;
    journeys.push(journey);
    outcomesByNode[journey._id] = renamed.outcomes;
  }
  warnMissingInnerTrees(journeys, warnings);
  return { journeys, emailTemplates, outcomesByNode, warnings };
}

/** Recognises the export form and returns its trees; collects email templates and reports unsupported parts. */
function splitExport(json: unknown, warnings: string[], emailTemplates: Record<string, unknown>): TreePart[] {
  if (!isRecord(json)) {
    throw invalid(`Unrecognised AM export: expected a JSON object, got ${Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json}`);
  }
  if ('trees' in json) {
    if (!isRecord(json.trees)) throw invalid("AM export: 'trees' must be an object of tree name → tree export");
    const names = Object.keys(json.trees);
    if (names.length === 0) throw invalid("AM export: 'trees' is empty");
    return names.map((name) => singleTree((json.trees as Json)[name], name, warnings, emailTemplates));
  }
  if ('tree' in json) return [singleTree(json, undefined, warnings, emailTemplates)];
  const keys = Object.keys(json);
  throw invalid(
    'Unrecognised AM export: expected a frodo export {trees: {<name>: {tree, nodes, innerNodes, …}}}, ' +
      'a legacy frodo export {tree, nodes, innerNodes, …} or AM REST responses {tree, nodes}; ' +
      `found ${keys.length ? 'keys ' + keys.slice(0, 10).join(', ') : 'an empty object'}`,
    { keys: keys.slice(0, 10) },
  );
}

function singleTree(raw: unknown, name: string | undefined, warnings: string[], emailTemplates: Record<string, unknown>): TreePart {
  const label = name ?? 'tree';
  if (!isRecord(raw)) throw invalid(`AM export: tree '${label}' must be an object {tree, nodes, innerNodes, …}`);
  const tree = unwrapResponse(raw.tree);
  if (!isRecord(tree)) throw invalid(`AM export: tree '${label}' has no 'tree' object`);
  const treeLabel = typeof tree._id === 'string' ? tree._id : label;
  if (name !== undefined && typeof tree._id === 'string' && tree._id !== name) {
    warnings.push(`tree '${name}': its tree _id is '${tree._id}'; the journey is named '${tree._id}'`);
  }

  const configs = new Map<string, Json>();
  for (const key of ['nodes', 'innerNodes', 'innernodes']) {
    if (raw[key] !== undefined) collectConfigs(raw[key], `${treeLabel}'s ${key}`, configs);
  }

  if (raw.emailTemplates !== undefined) {
    if (!isRecord(raw.emailTemplates)) throw invalid(`AM export: tree '${treeLabel}': 'emailTemplates' must be an object`);
    Object.assign(emailTemplates, raw.emailTemplates);
  }
  for (const [key, what] of Object.entries(UNSUPPORTED_PARTS)) {
    const value = raw[key];
    const ids = Array.isArray(value)
      ? value.map((v, i) => (isRecord(v) && typeof v._id === 'string' ? v._id : String(i)))
      : isRecord(value)
        ? Object.keys(value)
        : [];
    if (ids.length > 0) {
      warnings.push(`tree '${treeLabel}': ${ids.length} ${what} not imported, Cairn does not support them yet: ${ids.join(', ')}`);
    }
  }
  for (const key of Object.keys(raw)) {
    if (!SINGLE_FORM_KEYS.has(key)) warnings.push(`tree '${treeLabel}': ignored unknown export part '${key}'`);
  }
  return { label: treeLabel, tree, configs };
}

/** Node configs as a map or an array of (possibly `{request, response}`-wrapped) node GET responses. */
function collectConfigs(raw: unknown, where: string, into: Map<string, Json>): void {
  if (!Array.isArray(raw) && !isRecord(raw)) throw invalid(`AM export: ${where} must be an object or an array of node configs`);
  const entries: [string | undefined, unknown][] = Array.isArray(raw) ? raw.map((v) => [undefined, v]) : Object.entries(raw);
  for (const [key, value] of entries) {
    const node = unwrapResponse(value);
    const id = isRecord(node) && typeof node._id === 'string' ? node._id : key;
    if (!isRecord(node) || id === undefined) throw invalid(`AM export: ${where} holds an entry that is not a node config with an _id`);
    into.set(id, node);
  }
}

interface Converted {
  journey: Journey;
  outcomes: Record<string, Outcome[]>;
}

function convertTree(part: TreePart, warnings: string[]): Converted {
  const { tree, configs } = part;
  const treeId = part.label;
  if (typeof tree._id !== 'string' || tree._id === '') throw invalid(`AM export: tree '${treeId}' has no _id`);
  if (typeof tree.entryNodeId !== 'string') throw invalid(`AM export: tree '${treeId}' has no entryNodeId`, { tree: treeId });
  if (!isRecord(tree.nodes)) throw invalid(`AM export: tree '${treeId}' has no 'nodes' object`, { tree: treeId });

  // Cairn's field order (AM's `nodes` and `staticNodes` last), so that files read top-down.
  const journey: Json = {};
  for (const key of TREE_FIELDS) if (tree[key] !== undefined && key !== 'staticNodes') journey[key] = tree[key];
  for (const key of Object.keys(tree)) {
    if (!TREE_FIELDS.has(key) && key !== 'nodes' && key !== '_rev') {
      warnings.push(`tree '${treeId}': tree attribute '${key}' dropped, Cairn's journey format has no such field`);
    }
  }

  const used = new Set<string>();
  const outcomes: Record<string, Outcome[]> = {};
  const nodes: Record<string, JourneyNode> = {};
  for (const [nodeId, ref] of Object.entries(tree.nodes)) {
    const at = `tree '${treeId}', node '${nodeId}'`;
    if (!isRecord(ref) || typeof ref.nodeType !== 'string') throw invalid(`AM export: ${at} has no nodeType`, { tree: treeId, node: nodeId });
    const connections = ref.connections ?? {};
    if (!isRecord(connections) || !Object.values(connections).every((t) => typeof t === 'string')) {
      throw invalid(`AM export: ${at}: connections must map outcome ids to node ids`, { tree: treeId, node: nodeId });
    }
    const raw = configs.get(nodeId);
    if (!raw) {
      throw invalid(`AM export: ${at} (${ref.nodeType}) has no configuration in the export's nodes`, { tree: treeId, node: nodeId });
    }
    used.add(nodeId);
    checkType(raw, ref.nodeType, at, { tree: treeId, node: nodeId });
    const config = stripEnvelope(raw);
    const declared = outcomesOf(raw, at);
    if (declared) outcomes[nodeId] = declared;

    if (ref.nodeType === PAGE_NODE) {
      config.nodes = pageChildren(config.nodes, treeId, nodeId, { configs, used, outcomes, warnings });
    }
    const node: JourneyNode & { version?: string } = {
      nodeType: ref.nodeType,
      ...(typeof ref.displayName === 'string' ? { displayName: ref.displayName } : {}),
      config,
      connections: connections as Record<string, string>,
      ...(typeof ref.x === 'number' ? { x: ref.x } : {}),
      ...(typeof ref.y === 'number' ? { y: ref.y } : {}),
      ...(typeof ref.version === 'string' ? { version: ref.version } : {}),
    };
    for (const key of Object.keys(ref)) {
      if (!NODE_REF_FIELDS.has(key)) warnings.push(`${at}: attribute '${key}' dropped, Cairn's journey format has no such field`);
    }
    nodes[nodeId] = node;
  }
  for (const id of configs.keys()) {
    if (!used.has(id)) warnings.push(`tree '${treeId}': node config '${id}' is not used by the tree and was not imported`);
  }
  journey.nodes = nodes;
  if (tree.staticNodes !== undefined) journey.staticNodes = tree.staticNodes;
  return { journey: journey as unknown as Journey, outcomes };
}

/** Replaces a Page Node's child references by the children themselves, `{_id, nodeType, displayName, config}`. */
function pageChildren(
  refs: unknown,
  treeId: string,
  pageId: string,
  acc: { configs: Map<string, Json>; used: Set<string>; outcomes: Record<string, Outcome[]>; warnings: string[] },
): PageChildNode[] {
  const { configs, used, outcomes, warnings } = acc;
  const at = `tree '${treeId}', Page Node '${pageId}'`;
  if (refs === undefined) return [];
  if (!Array.isArray(refs)) throw invalid(`AM export: ${at}: 'nodes' must be a list of child nodes`, { tree: treeId, node: pageId });
  return refs.map((ref: unknown) => {
    if (!isRecord(ref) || typeof ref._id !== 'string' || typeof ref.nodeType !== 'string') {
      throw invalid(`AM export: ${at} has a child without _id or nodeType`, { tree: treeId, node: pageId });
    }
    const childAt = `${at}, child '${ref._id}'`;
    const raw = configs.get(ref._id);
    if (!raw) {
      throw invalid(`AM export: ${childAt} (${ref.nodeType}) is missing from innerNodes`, { tree: treeId, node: pageId, child: ref._id });
    }
    used.add(ref._id);
    checkType(raw, ref.nodeType, childAt, { tree: treeId, node: pageId, child: ref._id });
    const declared = outcomesOf(raw, childAt);
    if (declared) outcomes[ref._id] = declared;
    if (typeof ref.nodeVersion === 'string' && ref.nodeVersion !== '1.0') {
      warnings.push(`${childAt}: nodeVersion '${ref.nodeVersion}' dropped, Cairn's journey format has no such field`);
    }
    const child: PageChildNode = { _id: ref._id, nodeType: ref.nodeType };
    if (typeof ref.displayName === 'string') child.displayName = ref.displayName;
    child.config = stripEnvelope(raw);
    return child;
  });
}

function checkType(raw: Json, nodeType: string, at: string, detail: Json): void {
  const type = isRecord(raw._type) ? raw._type._id : undefined;
  if (type !== undefined && type !== nodeType) {
    throw invalid(`AM export: ${at} is a ${nodeType} in the tree but its config is a ${String(type)}`, detail);
  }
}

function stripEnvelope(raw: Json): Json {
  const config: Json = {};
  for (const [key, value] of Object.entries(raw)) if (!NODE_ENVELOPE_KEYS.includes(key)) config[key] = value;
  return config;
}

function outcomesOf(raw: Json, at: string): Outcome[] | undefined {
  const list = raw._outcomes;
  if (list === undefined) return undefined;
  if (!Array.isArray(list) || !list.every((o) => isRecord(o) && typeof o.id === 'string')) {
    throw invalid(`AM export: ${at}: _outcomes must be a list of {id, displayName}`);
  }
  return list.map((o: Json) => ({ id: o.id as string, displayName: typeof o.displayName === 'string' ? o.displayName : (o.id as string) }));
}

function mapTargets(journey: Journey, map: (id: string) => string): Journey {
  const nodes: Record<string, JourneyNode> = {};
  for (const [id, node] of Object.entries(journey.nodes)) {
    nodes[id] = { ...node, connections: Object.fromEntries(Object.entries(node.connections).map(([o, t]) => [o, map(t)])) };
  }
  return { ...journey, entryNodeId: map(journey.entryNodeId), nodes };
}

/** AM's static ids → `Success`/`Failure` in connections and entryNodeId (staticNodes, editor data, stay as AM wrote them). */
function nameTerminals(journey: Journey): Journey {
  return mapTargets(journey, (t) => (t === AM_SUCCESS_ID ? SUCCESS : t === AM_FAILURE_ID ? FAILURE : t));
}

/** `Identify Existing User` → `IdentifyExistingUser`. */
function slug(displayName: string | undefined, nodeType: string): string {
  const words = (displayName ?? '').split(/[^A-Za-z0-9]+/).filter(Boolean);
  const name = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('') || nodeType;
  return /^[A-Za-z]/.test(name) ? name.slice(0, 56) : `N${name}`.slice(0, 56);
}

/**
 * Renames node ids after display names (`PageNode`, `PageNode2`, …), numbered in walk order from the
 * entry node so the names read like the journey; unreachable nodes follow in id order.
 */
function readableIds(converted: Converted): Converted {
  const { journey } = converted;
  const taken = new Set<string>([SUCCESS, FAILURE, AM_SUCCESS_ID, AM_FAILURE_ID, 'startNode']);
  const rename = new Map<string, string>();
  const claim = (oldId: string, displayName: string | undefined, nodeType: string): void => {
    const base = slug(displayName, nodeType);
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}${n}`;
    taken.add(name);
    rename.set(oldId, name);
  };
  const visit = (id: string): void => {
    const node = journey.nodes[id];
    if (!node || rename.has(id)) return;
    claim(id, node.displayName, node.nodeType);
    for (const child of childrenOf(node)) if (!rename.has(child._id)) claim(child._id, child.displayName, child.nodeType);
  };
  const queue = [journey.entryNodeId];
  while (queue.length > 0) {
    const id = queue.shift()!;
    const node = journey.nodes[id];
    if (!node || rename.has(id)) continue;
    visit(id);
    for (const key of Object.keys(node.connections).sort()) queue.push(node.connections[key]!);
  }
  for (const id of Object.keys(journey.nodes).sort()) visit(id);

  const to = (id: string): string => rename.get(id) ?? id;
  const nodes: Record<string, JourneyNode> = {};
  for (const [id, node] of Object.entries(journey.nodes)) {
    const renamed = { ...node };
    if (node.nodeType === PAGE_NODE && node.config) {
      renamed.config = { ...node.config, nodes: childrenOf(node).map((c) => ({ ...c, _id: to(c._id) })) };
    }
    nodes[to(id)] = renamed;
  }
  const outcomes: Record<string, Outcome[]> = {};
  for (const [id, list] of Object.entries(converted.outcomes)) outcomes[to(id)] = list;
  return { journey: mapTargets({ ...journey, nodes }, to), outcomes };
}

/** A Page Node's inline children (empty for other nodes or a malformed list). */
export function childrenOf(node: JourneyNode): PageChildNode[] {
  const list = node.nodeType === PAGE_NODE ? node.config?.nodes : undefined;
  return Array.isArray(list)
    ? list.filter((c): c is PageChildNode => isRecord(c) && typeof c._id === 'string' && typeof c.nodeType === 'string')
    : [];
}

function warnMissingInnerTrees(journeys: Journey[], warnings: string[]): void {
  const ids = new Set(journeys.map((j) => j._id));
  for (const journey of journeys) {
    for (const [id, node] of Object.entries(journey.nodes)) {
      const inner = node.nodeType === INNER_TREE_NODE ? node.config?.tree : undefined;
      if (typeof inner === 'string' && !ids.has(inner)) {
        warnings.push(
          `journey '${journey._id}': node '${id}' (${node.displayName ?? INNER_TREE_NODE}) runs journey '${inner}', which is not in this export`,
        );
      }
    }
  }
}
