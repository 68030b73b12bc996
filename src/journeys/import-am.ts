/**
 * Converts AM / PingOne AIC journey exports into Cairn journeys (reference §4-§5), journey by journey:
 * every format import-sources.ts recognises, one file or a whole folder at once. Each tree gets its
 * node configs (those shipped with it first, then the import's loose node configs nearest to it in
 * the folder tree and of the same realm), Page Node children inline and AM's static terminal ids
 * named Success/Failure. What AM exported beyond the settings (`_type`, `_outcomes`, newer tree
 * attributes, unknown reference fields) is kept in `am` fields for the round trip. A journey that
 * cannot be converted fails alone, named with its file and JSON pointer; the others import.
 */
import {
  AM_FAILURE_ID,
  AM_SUCCESS_ID,
  FAILURE,
  SUCCESS,
  type AmNodeExtras,
  type AmOutcome,
  type Journey,
  type JourneyNode,
  type PageChildNode,
} from './model.js';
import {
  isRecord,
  normaliseRealm,
  pointerOf,
  recogniseSources,
  type ExportFormat,
  type ImportedScript,
  type ImportIssue,
  type ImportSource,
  type Json,
  type NodeRecord,
  type RecognisedFile,
  type TreeRecord,
} from './import-sources.js';
import { canonicalJson } from './validate.js';

export type { ExportFormat, ImportedScript, ImportIssue, ImportSource, RecognisedFile } from './import-sources.js';

export interface ImportAmOptions {
  /** Keep AM's node UUIDs as node ids (default true); false renames them after their display names. */
  keepAmIds?: boolean;
  /** Write the terminals as `Success`/`Failure` (default true) instead of AM's static ids. */
  terminalNames?: boolean;
  /** Import only the journeys of this realm (`alpha`, `/alpha`, `root-alpha`); journeys whose realm is unknown always import. */
  realm?: string;
}

export interface ImportedJourney {
  journey: Journey;
  /** Where the tree was found. */
  file: string;
  pointer: string;
  format: ExportFormat;
  realm?: string;
}

export interface FailedJourney {
  journey: string;
  file: string;
  pointer: string;
  message: string;
}

export interface AmImportResult {
  journeys: ImportedJourney[];
  /** Journeys found but not imported, each with the reason and where. */
  failed: FailedJourney[];
  /** Journeys left out because they belong to another realm than the one asked for. */
  otherRealms: { journey: string; realm: string; file: string }[];
  /** Every warning and error, with file and JSON pointer (and the journey when one is concerned). */
  issues: ImportIssue[];
  files: RecognisedFile[];
  /** Scripts the import carried, for src/scripts/ to write; the importer writes none. */
  scripts: ImportedScript[];
  /** Email templates shipped with the export (name → IDM config). */
  emailTemplates: Record<string, unknown>;
  /** Social identity providers the export carried (name → AIC record, secrets included: the writer drops them). */
  socialProviders: Record<string, Record<string, unknown>>;
}

export const PAGE_NODE = 'PageNode';
export const INNER_TREE_NODE = 'InnerTreeEvaluatorNode';
/** Keys of AM's node REST envelope; everything else in a node GET response is the node's settings. */
export const NODE_ENVELOPE_KEYS: readonly string[] = ['_id', '_rev', '_type', '_outcomes'];
/** Tree attributes Cairn's journey format has a place for (besides `nodes`); others are kept in `am`. */
const TREE_FIELDS = [
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
] as const;
const NODE_REF_FIELDS = new Set(['nodeType', 'displayName', 'connections', 'x', 'y', 'version']);
const CHILD_REF_FIELDS = new Set(['_id', 'nodeType', 'displayName']);

/** Imports every journey of the given files (one export, or every file of a folder). Never throws on bad input. */
export function importAm(sources: ImportSource[], options: ImportAmOptions = {}): AmImportResult {
  const keepAmIds = options.keepAmIds ?? true;
  const terminalNames = options.terminalNames ?? true;
  const recognised = recogniseSources(sources);
  const issues = [...recognised.issues];
  const failed: FailedJourney[] = [];
  const otherRealms: AmImportResult['otherRealms'] = [];
  const wanted = options.realm !== undefined ? normaliseRealm(options.realm) : undefined;
  const looseById = new Map<string, NodeRecord[]>();
  for (const n of recognised.loose) looseById.set(n.id, [...(looseById.get(n.id) ?? []), n]);

  const converted: ImportedJourney[] = [];
  for (const record of recognised.trees) {
    const name = treeName(record);
    if (wanted !== undefined && record.realm !== undefined && record.realm !== wanted) {
      otherRealms.push({ journey: name ?? '?', realm: record.realm, file: record.file });
      continue;
    }
    const result = convertTree(record, name, (id) => lookup(record, id, looseById), issues);
    if ('message' in result) {
      failed.push(result);
      issues.push({ severity: 'error', file: result.file, pointer: result.pointer, journey: result.journey, message: result.message });
      continue;
    }
    let journey = keepAmIds ? result : readableIds(result);
    if (terminalNames) journey = nameTerminals(journey);
    converted.push({
      journey,
      file: record.file,
      pointer: record.pointer,
      format: record.format,
      ...(record.realm !== undefined ? { realm: record.realm } : {}),
    });
  }
  const journeys = dedupe(converted, failed, issues);
  return {
    journeys,
    failed,
    otherRealms,
    issues,
    files: recognised.files,
    scripts: recognised.scripts,
    emailTemplates: recognised.emailTemplates,
    socialProviders: recognised.socialProviders,
  };
}

/** Imports one export held in memory (a parsed JSON document). */
export function importAmExport(json: unknown, options: ImportAmOptions & { file?: string } = {}): AmImportResult {
  return importAm([{ file: options.file ?? 'export.json', json }], options);
}

function treeName(record: TreeRecord): string | undefined {
  const id = record.tree._id;
  return typeof id === 'string' && id !== '' ? id : record.key;
}

/** A node's config: the one shipped with the tree, else the loose one nearest in the folder tree, of the same realm. */
function lookup(tree: TreeRecord, id: string, looseById: Map<string, NodeRecord[]>): NodeRecord | undefined {
  const own = tree.nodes.get(id);
  if (own) return own;
  const treeDir = tree.file.split('/').slice(0, -1);
  let best: { record: NodeRecord; score: number } | undefined;
  for (const candidate of looseById.get(id) ?? []) {
    if (tree.realm !== undefined && candidate.realm !== undefined && candidate.realm !== tree.realm) continue;
    const dir = candidate.file.split('/').slice(0, -1);
    let common = 0;
    while (common < dir.length && common < treeDir.length && dir[common] === treeDir[common]) common++;
    const score = common * 2 + (candidate.realm === tree.realm ? 1 : 0);
    if (!best || score > best.score) best = { record: candidate, score };
  }
  return best?.record;
}

type Failure = FailedJourney;

function convertTree(
  record: TreeRecord,
  name: string | undefined,
  configOf: (id: string) => NodeRecord | undefined,
  issues: ImportIssue[],
): Journey | Failure {
  const { tree, file } = record;
  const journeyId = name ?? '?';
  const fail = (pointer: string, message: string): Failure => ({ journey: journeyId, file, pointer, message });
  const warn = (pointer: string, message: string): void => {
    issues.push({ severity: 'warning', file, pointer, journey: journeyId, message });
  };
  if (name === undefined) return fail(record.pointer, 'The tree has no _id.');
  if (record.key !== undefined && typeof tree._id === 'string' && tree._id !== record.key) {
    warn(record.pointer, `The export files this tree as '${record.key}' but its _id is '${tree._id}'; the journey is named '${tree._id}'.`);
  }
  if (typeof tree.entryNodeId !== 'string') return fail(`${record.pointer}/entryNodeId`, `The tree '${name}' has no entryNodeId.`);
  if (!isRecord(tree.nodes)) return fail(`${record.pointer}/nodes`, `The tree '${name}' has no 'nodes' object.`);

  // Cairn's field order (AM's `nodes` and `staticNodes` last), so that files read top-down.
  const journey: Json = { _id: name };
  for (const key of TREE_FIELDS) if (tree[key] !== undefined && key !== '_id') journey[key] = tree[key];
  const kept: Json = {};
  for (const [key, value] of Object.entries(tree)) {
    if (!(TREE_FIELDS as readonly string[]).includes(key) && key !== 'nodes' && key !== 'staticNodes' && key !== '_rev') kept[key] = value;
  }

  const used = new Set<string>();
  const nodes: Record<string, JourneyNode> = {};
  for (const [nodeId, ref] of Object.entries(tree.nodes)) {
    const at = `${record.refsPointer}/${pointerOf(nodeId).slice(1)}`;
    if (!isRecord(ref) || typeof ref.nodeType !== 'string') return fail(at, `The node '${nodeId}' has no nodeType.`);
    const connections = ref.connections ?? {};
    if (!isRecord(connections) || !Object.values(connections).every((t) => typeof t === 'string')) {
      return fail(`${at}/connections`, `The node '${nodeId}': connections must map outcome ids to node ids.`);
    }
    const source = configOf(nodeId);
    if (!source) return fail(at, `The node '${nodeId}' (${ref.nodeType}) has no configuration in the import.`);
    used.add(nodeId);
    const mismatch = typeMismatch(source, ref.nodeType);
    if (mismatch) return fail(at, `The node '${nodeId}' ${mismatch}`);
    const { config, am } = splitEnvelope(source, warn);
    if (ref.nodeType === PAGE_NODE && config.nodes !== undefined) {
      const children = pageChildren(config.nodes, nodeId, source, configOf, used);
      if ('message' in children) return fail(children.pointer, children.message);
      config.nodes = children.list;
    }
    const extra: Json = {};
    for (const [key, value] of Object.entries(ref)) {
      if (
        !NODE_REF_FIELDS.has(key) ||
        ((key === 'x' || key === 'y') && typeof value !== 'number') ||
        (key === 'version' && typeof value !== 'string')
      ) {
        if (key !== 'nodeType' && key !== 'connections') extra[key] = value;
      }
    }
    if (Object.keys(extra).length > 0) am.ref = extra;
    nodes[nodeId] = {
      nodeType: ref.nodeType,
      ...(typeof ref.displayName === 'string' ? { displayName: ref.displayName } : {}),
      config,
      connections: connections as Record<string, string>,
      ...(typeof ref.x === 'number' ? { x: ref.x } : {}),
      ...(typeof ref.y === 'number' ? { y: ref.y } : {}),
      ...(typeof ref.version === 'string' ? { version: ref.version } : {}),
      ...(Object.keys(am).length > 0 ? { am } : {}),
    };
  }
  for (const [id, n] of record.nodes) {
    if (!used.has(id)) warn(n.pointer, `The node config '${id}' is not used by the tree and was not imported.`);
  }
  journey.nodes = nodes;
  if (tree.staticNodes !== undefined) journey.staticNodes = tree.staticNodes;
  if (Object.keys(kept).length > 0) journey.am = kept;
  return journey as unknown as Journey;
}

function typeMismatch(source: NodeRecord, nodeType: string): string | undefined {
  const type = isRecord(source.config._type) ? source.config._type._id : undefined;
  if (type === undefined || type === nodeType) return undefined;
  return `is a ${nodeType} in the tree but its configuration (${source.file}#${source.pointer}) is a ${String(type)}.`;
}

/** A node GET response → its settings, and what AM's envelope carried that is worth keeping. */
function splitEnvelope(source: NodeRecord, warn: (pointer: string, message: string) => void): { config: Json; am: AmNodeExtras } {
  const raw = source.config;
  const config: Json = {};
  for (const [key, value] of Object.entries(raw)) if (!NODE_ENVELOPE_KEYS.includes(key)) config[key] = value;
  const am: AmNodeExtras = {};
  if (source.envelope && isRecord(raw._type)) {
    const { _id: _typeId, ...type } = raw._type;
    if (Object.keys(type).length > 0) am.type = type;
  }
  if (raw._outcomes !== undefined) {
    const list = raw._outcomes;
    if (Array.isArray(list) && list.every((o) => isRecord(o) && typeof o.id === 'string')) {
      am.outcomes = list.map((o: Json): AmOutcome => ({
        id: o.id as string,
        displayName: typeof o.displayName === 'string' ? o.displayName : (o.id as string),
      }));
    } else {
      warn(`${source.pointer}/_outcomes`, `The node '${source.id}': _outcomes is not a list of {id, displayName}; dropped.`);
    }
  }
  return { config, am };
}

/** Replaces a Page Node's child references by the children themselves, `{_id, nodeType, displayName, config, am}`. */
function pageChildren(
  refs: unknown,
  pageId: string,
  page: NodeRecord,
  configOf: (id: string) => NodeRecord | undefined,
  used: Set<string>,
): { list: PageChildNode[] } | { pointer: string; message: string } {
  const at = `${page.pointer}/nodes`;
  if (!Array.isArray(refs)) return { pointer: at, message: `The Page Node '${pageId}': 'nodes' must be a list of child nodes.` };
  const list: PageChildNode[] = [];
  for (const [i, ref] of refs.entries()) {
    if (!isRecord(ref) || typeof ref._id !== 'string' || typeof ref.nodeType !== 'string') {
      return { pointer: `${at}/${i}`, message: `The Page Node '${pageId}' has a child without _id or nodeType.` };
    }
    const source = configOf(ref._id);
    if (!source) {
      return {
        pointer: `${at}/${i}`,
        message: `The Page Node '${pageId}': its child '${ref._id}' (${ref.nodeType}) has no configuration in the import.`,
      };
    }
    used.add(ref._id);
    const mismatch = typeMismatch(source, ref.nodeType);
    if (mismatch) return { pointer: `${at}/${i}`, message: `The Page Node '${pageId}': its child '${ref._id}' ${mismatch}` };
    const { config, am } = splitEnvelope(source, () => undefined);
    const extra: Json = {};
    for (const [key, value] of Object.entries(ref)) if (!CHILD_REF_FIELDS.has(key)) extra[key] = value;
    if (Object.keys(extra).length > 0) am.ref = extra;
    const child: PageChildNode = { _id: ref._id, nodeType: ref.nodeType };
    if (typeof ref.displayName === 'string') child.displayName = ref.displayName;
    child.config = config;
    if (Object.keys(am).length > 0) child.am = am;
    list.push(child);
  }
  return { list };
}

/**
 * One journey per id. The same journey met twice with the same content (an inner tree shipped with
 * every journey that uses it) imports once; different content under one id fails all but the first,
 * or all of them when they come from different realms (Cairn has one realm: choose with `realm`).
 */
function dedupe(converted: ImportedJourney[], failed: FailedJourney[], issues: ImportIssue[]): ImportedJourney[] {
  const byId = new Map<string, ImportedJourney[]>();
  for (const j of converted) byId.set(j.journey._id, [...(byId.get(j.journey._id) ?? []), j]);
  const out: ImportedJourney[] = [];
  for (const [id, list] of byId) {
    const first = list[0]!;
    const distinct = list.filter((j) => canonicalJson(j.journey) !== canonicalJson(first.journey));
    if (distinct.length === 0) {
      out.push(first);
      continue;
    }
    const realms = new Set(list.map((j) => j.realm));
    const reject = (j: ImportedJourney, message: string): void => {
      failed.push({ journey: id, file: j.file, pointer: j.pointer, message });
      issues.push({ severity: 'error', file: j.file, pointer: j.pointer, journey: id, message });
    };
    if (realms.size > 1) {
      const names = [...realms].map((r) => r ?? 'unknown').join(', ');
      for (const j of list)
        reject(j, `The journey '${id}' is in several realms (${names}) with different content; Cairn has one realm: import one realm at a time.`);
      continue;
    }
    out.push(first);
    for (const j of distinct) {
      reject(j, `The journey '${id}' is also in ${first.file}#${first.pointer} with different content; that one was imported.`);
    }
  }
  return out;
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
function readableIds(journey: Journey): Journey {
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
  return mapTargets({ ...journey, nodes }, to);
}

/** A Page Node's inline children (empty for other nodes or a malformed list). */
export function childrenOf(node: JourneyNode): PageChildNode[] {
  const list = node.nodeType === PAGE_NODE ? node.config?.nodes : undefined;
  return Array.isArray(list)
    ? list.filter((c): c is PageChildNode => isRecord(c) && typeof c._id === 'string' && typeof c.nodeType === 'string')
    : [];
}
