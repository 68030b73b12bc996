/**
 * Converts Cairn journeys back to AM / frodo exports (reference §5.4): the tree JSON with AM's static
 * terminal ids, each node's config in frodo's envelope (`_id`, `_type`, `_outcomes`), Page Node children
 * as `innerNodes` referenced by `{_id, nodeType, displayName}`. What the import kept from AM (`_type`,
 * `_outcomes`, tree attributes and reference fields Cairn does not use) goes back where it came from, so
 * an imported journey exports as AM exported it. Node ids that are not UUIDs (hand-written journeys) get a
 * stable name-based UUID, since AM addresses nodes by UUID. Keys are sorted, as frodo writes them.
 */
import { createHash } from 'node:crypto';
import { CairnError } from '../errors/cairn-error.js';
import type { Outcome } from '../nodes/types.js';
import { AM_NODE_TYPE_NAMES } from './am-node-types.js';
import { AM_FAILURE_ID, AM_SUCCESS_ID, terminalOf, SUCCESS, type AmNodeExtras, type Journey, type PageChildNode } from './model.js';
import { PAGE_NODE } from './import-am.js';

type Json = Record<string, unknown>;

/** A node config as AM's REST API returns it and frodo exports it (without `_rev`). */
export interface AmNodeConfig extends Json {
  _id: string;
  _type: { _id: string; name: string; collection: true; version?: string };
  _outcomes?: Outcome[];
}

/** The legacy frodo single-tree shape, reduced to what a tree needs. */
export interface AmTreeExport {
  tree: Json;
  nodes: Record<string, AmNodeConfig>;
  innerNodes: Record<string, AmNodeConfig>;
}

/** One tree of frodo's current multi form, with every part frodo's importer expects. */
export interface FrodoTreeExport extends AmTreeExport {
  circlesOfTrust: Json;
  emailTemplates: Json;
  saml2Entities: Json;
  scripts: Json;
  socialIdentityProviders: Json;
  themes: unknown[];
}

export interface ExportAmOptions {
  /**
   * A node type's outcomes for a config, used for nodes whose journey does not carry AM's `_outcomes`
   * (hand-written journeys); the CLI answers from the node registry.
   */
  outcomesOf?: (nodeType: string, config: Record<string, unknown>) => Outcome[] | undefined;
}

/** Node types whose `emailTemplateName` frodo exports as a dependency. */
const EMAIL_TEMPLATE_NODES = new Set(['EmailSuspendNode', 'EmailTemplateNode']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function invalid(message: string, detail?: Json): CairnError {
  return new CairnError({ status: 400, code: 'AM_EXPORT_INVALID', message, ...(detail ? { detail } : {}) });
}

/** A UUID for AM: the id itself when it is one, else a name-based (v5-style) UUID of journey and node id. */
export function amNodeId(journeyId: string, nodeId: string): string {
  if (UUID.test(nodeId)) return nodeId;
  const h = createHash('sha1').update(`cairn:${journeyId}:${nodeId}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Object keys sorted at every depth (arrays keep their order). */
export function sortKeysDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeysDeep) as T;
  if (!isRecord(value)) return value;
  const out: Json = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeysDeep(value[key]);
  return out as T;
}

/** Exports one journey as `{tree, nodes, innerNodes}`; throws a CairnError (400) naming the node on a malformed journey. */
export function exportAmTree(journey: Journey, options: ExportAmOptions = {}): AmTreeExport {
  if (!isRecord(journey) || typeof journey._id !== 'string' || typeof journey.entryNodeId !== 'string' || !isRecord(journey.nodes)) {
    throw invalid('AM export: a journey needs _id, entryNodeId and nodes');
  }
  const journeyId = journey._id;
  // Ids of this journey's nodes (and page children) become UUIDs; a connection to anything else is written as it is.
  const own = new Set(Object.keys(journey.nodes));
  for (const node of Object.values(journey.nodes)) {
    const children = isRecord(node) && node.nodeType === PAGE_NODE && Array.isArray(node.config?.nodes) ? node.config.nodes : [];
    for (const child of children) if (isRecord(child) && typeof child._id === 'string') own.add(child._id);
  }
  const target = (id: string): string => {
    const terminal = terminalOf(id);
    if (terminal) return terminal === SUCCESS ? AM_SUCCESS_ID : AM_FAILURE_ID;
    return own.has(id) ? amNodeId(journeyId, id) : id;
  };
  /** AM's REST envelope of a node: its own record when the journey kept it, else one built from Cairn's knowledge. */
  const envelope = (
    id: string,
    node: { nodeType: string; config?: Json; am?: AmNodeExtras },
    version: unknown,
  ): Pick<AmNodeConfig, '_id' | '_type' | '_outcomes'> => {
    const type = node.am?.type ?? {
      name: AM_NODE_TYPE_NAMES[node.nodeType] ?? node.nodeType,
      collection: true,
      ...(typeof version === 'string' ? { version } : {}),
    };
    const outcomes = node.am?.outcomes ?? options.outcomesOf?.(node.nodeType, node.config ?? {});
    return {
      _id: target(id),
      _type: { ...type, _id: node.nodeType } as AmNodeConfig['_type'],
      ...(outcomes ? { _outcomes: outcomes.map((o) => ({ id: o.id, displayName: o.displayName })) } : {}),
    };
  };

  const treeNodes: Json = {};
  const nodes: Record<string, AmNodeConfig> = {};
  const innerNodes: Record<string, AmNodeConfig> = {};
  for (const [id, node] of Object.entries(journey.nodes)) {
    const at = `journey '${journeyId}', node '${id}'`;
    if (!isRecord(node) || typeof node.nodeType !== 'string' || !isRecord(node.connections)) {
      throw invalid(`AM export: ${at} needs nodeType and connections`, { journey: journeyId, node: id });
    }
    const { config = {}, connections, nodeType, displayName, am, ...placement } = node;
    if (!isRecord(config)) throw invalid(`AM export: ${at}: config must be an object`, { journey: journeyId, node: id });
    treeNodes[target(id)] = {
      ...(am?.ref ?? {}),
      ...placement,
      nodeType,
      displayName: displayName ?? AM_NODE_TYPE_NAMES[nodeType] ?? nodeType,
      connections: Object.fromEntries(Object.entries(connections).map(([outcome, to]) => [outcome, target(String(to))])),
    };
    const amConfig: Json = { ...config };
    if (nodeType === PAGE_NODE && config.nodes !== undefined) {
      amConfig.nodes = pageChildRefs(config.nodes, at, journeyId, id).map((child) => {
        innerNodes[target(child._id)] = { ...(child.config ?? {}), ...envelope(child._id, child, undefined) };
        return {
          ...(child.am?.ref ?? {}),
          _id: target(child._id),
          nodeType: child.nodeType,
          displayName: child.displayName ?? AM_NODE_TYPE_NAMES[child.nodeType] ?? child.nodeType,
        };
      });
    }
    nodes[target(id)] = { ...amConfig, ...envelope(id, node, placement.version) };
  }

  const { nodes: _nodes, entryNodeId, $schema: _schema, am: kept, ...fields } = journey;
  const tree = { ...(kept ?? {}), ...fields, entryNodeId: target(entryNodeId), nodes: treeNodes };
  return sortKeysDeep({ tree, nodes, innerNodes });
}

function pageChildRefs(list: unknown, at: string, journeyId: string, nodeId: string): PageChildNode[] {
  if (!Array.isArray(list)) throw invalid(`AM export: ${at}: config.nodes must be a list of child nodes`, { journey: journeyId, node: nodeId });
  return list.map((child: unknown, i) => {
    if (
      !isRecord(child) ||
      typeof child._id !== 'string' ||
      typeof child.nodeType !== 'string' ||
      (child.config !== undefined && !isRecord(child.config))
    ) {
      throw invalid(`AM export: ${at}: child ${i} needs _id, nodeType and an object config`, { journey: journeyId, node: nodeId });
    }
    return child as unknown as PageChildNode;
  });
}

export interface ExportAmJourneysOptions extends ExportAmOptions {
  /** Email templates by name (IDM config objects); each tree carries those its email nodes name. */
  emailTemplates?: Record<string, unknown>;
  /** AM script records by `_id` (with their `script` body); each tree carries those its nodes' `script` settings name. */
  scripts?: Record<string, unknown>;
}

/**
 * Exports journeys in frodo's current multi form `{trees: {<id>: {tree, nodes, innerNodes, emailTemplates, …}}}`,
 * importable by `frodo journey import`. Each tree carries the email templates and scripts its nodes name.
 */
export function exportAmJourneys(journeys: Journey[], options: ExportAmJourneysOptions = {}): { trees: Record<string, FrodoTreeExport> } {
  const trees: Record<string, FrodoTreeExport> = {};
  for (const journey of journeys) {
    const single = exportAmTree(journey, options);
    const emailTemplates: Json = {};
    const scripts: Json = {};
    for (const node of [...Object.values(single.nodes), ...Object.values(single.innerNodes)]) {
      const name = node.emailTemplateName;
      if (EMAIL_TEMPLATE_NODES.has(node._type._id) && typeof name === 'string' && options.emailTemplates?.[name] !== undefined) {
        emailTemplates[name] = options.emailTemplates[name];
      }
      const script = node.script;
      if (typeof script === 'string' && options.scripts?.[script] !== undefined) scripts[script] = options.scripts[script];
    }
    trees[journey._id] = sortKeysDeep({
      circlesOfTrust: {},
      emailTemplates,
      innerNodes: single.innerNodes,
      nodes: single.nodes,
      saml2Entities: {},
      scripts,
      socialIdentityProviders: {},
      themes: [],
      tree: single.tree,
    });
  }
  return { trees };
}
