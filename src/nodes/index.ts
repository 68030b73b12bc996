/**
 * The node registry: every node type Cairn knows, listed explicitly (no folder scanning). A test
 * checks that every module in src/nodes/ exporting a descriptor is listed here.
 */
import { innerTreeEvaluatorNode } from './inner-tree-evaluator-node.js';
import { pageNode } from './page-node.js';
import type { NodeDescriptor } from './types.js';

export const NODE_DESCRIPTORS: readonly NodeDescriptor[] = [pageNode, innerTreeEvaluatorNode];

export type NodeRegistry = ReadonlyMap<string, NodeDescriptor>;

export function createNodeRegistry(descriptors: readonly NodeDescriptor[] = NODE_DESCRIPTORS): NodeRegistry {
  const map = new Map<string, NodeDescriptor>();
  for (const d of descriptors) {
    if (map.has(d.type)) throw new Error(`Node type ${d.type} is registered twice.`);
    map.set(d.type, d);
  }
  return map;
}
