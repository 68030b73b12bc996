/**
 * Converts Cairn journeys back to AM / frodo exports (reference §5.4): the tree JSON with AM's static
 * terminal ids, each node's config in frodo's envelope (`_id`, `_type`, `_outcomes`), Page Node children
 * as `innerNodes` referenced by `{_id, nodeType, displayName}`. Node ids that are not UUIDs (hand-written
 * journeys) get a stable name-based UUID, since AM addresses nodes by UUID. Keys are sorted, as frodo writes them.
 */
import { createHash } from 'node:crypto';
import { CairnError } from '../errors/cairn-error.js';
import type { Outcome } from '../nodes/types.js';
import { AM_FAILURE_ID, AM_SUCCESS_ID, terminalOf, SUCCESS, type Journey, type JourneyNode, type PageChildNode } from './model.js';
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
  /** node id → outcomes to write as `_outcomes` (e.g. `outcomesByNode[journeyId]` from the import). */
  outcomes?: Record<string, Outcome[]>;
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
  const target = (id: string): string => {
    const terminal = terminalOf(id);
    if (terminal) return terminal === SUCCESS ? AM_SUCCESS_ID : AM_FAILURE_ID;
    return amNodeId(journeyId, id);
  };
  const envelope = (id: string, nodeType: string, name: string, version: unknown): Pick<AmNodeConfig, '_id' | '_type' | '_outcomes'> => {
    const outcomes = options.outcomes?.[id];
    return {
      _id: target(id),
      _type: { _id: nodeType, name, collection: true, ...(typeof version === 'string' ? { version } : {}) },
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
    const { config = {}, connections, nodeType, displayName, ...placement } = node as JourneyNode & { version?: string };
    if (!isRecord(config)) throw invalid(`AM export: ${at}: config must be an object`, { journey: journeyId, node: id });
    const name = displayName ?? nodeType;
    treeNodes[target(id)] = {
      ...placement,
      nodeType,
      displayName: name,
      connections: Object.fromEntries(Object.entries(connections).map(([outcome, to]) => [outcome, target(String(to))])),
    };
    const amConfig: Json = { ...config };
    if (nodeType === PAGE_NODE && config.nodes !== undefined) {
      amConfig.nodes = pageChildRefs(config.nodes, at, journeyId, id).map((child) => {
        const childName = child.displayName ?? child.nodeType;
        innerNodes[target(child._id)] = { ...(child.config ?? {}), ...envelope(child._id, child.nodeType, childName, undefined) };
        return { _id: target(child._id), nodeType: child.nodeType, displayName: childName };
      });
    }
    nodes[target(id)] = { ...amConfig, ...envelope(id, nodeType, name, placement.version) };
  }

  const { nodes: _nodes, entryNodeId, $schema: _schema, ...fields } = journey;
  const tree = { ...fields, entryNodeId: target(entryNodeId), nodes: treeNodes };
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

/**
 * Exports journeys in frodo's current multi form `{trees: {<id>: {tree, nodes, innerNodes, emailTemplates, …}}}`,
 * importable by `frodo journey import`. Each tree carries the email templates its email nodes name.
 */
export function exportAmJourneys(
  journeys: Journey[],
  options: { emailTemplates?: Record<string, unknown>; outcomesByNode?: Record<string, Record<string, Outcome[]>> } = {},
): { trees: Record<string, FrodoTreeExport> } {
  const trees: Record<string, FrodoTreeExport> = {};
  for (const journey of journeys) {
    const outcomes = options.outcomesByNode?.[journey._id];
    const single = exportAmTree(journey, outcomes ? { outcomes } : {});
    const emailTemplates: Json = {};
    for (const node of [...Object.values(single.nodes), ...Object.values(single.innerNodes)]) {
      const name = node.emailTemplateName;
      if (EMAIL_TEMPLATE_NODES.has(node._type._id) && typeof name === 'string' && options.emailTemplates?.[name] !== undefined) {
        emailTemplates[name] = options.emailTemplates[name];
      }
    }
    trees[journey._id] = sortKeysDeep({
      circlesOfTrust: {},
      emailTemplates,
      innerNodes: single.innerNodes,
      nodes: single.nodes,
      saml2Entities: {},
      scripts: {},
      socialIdentityProviders: {},
      themes: [],
      tree: single.tree,
    });
  }
  return { trees };
}
