/**
 * The node registry: every node type Cairn knows, listed explicitly (no folder scanning). A test
 * checks that every descriptor exported by a module of src/nodes/ is listed here.
 */
import { attributeCollectorNode } from './attribute-collector.js';
import { choiceCollectorNode } from './choice-collector.js';
import { innerTreeEvaluatorNode } from './inner-tree-evaluator.js';
import { messageNode } from './message.js';
import { pageNode } from './page.js';
import { passwordCollectorNode } from './password-collector.js';
import { setSuccessUrlNode } from './set-success-url.js';
import type { NodeDescriptor } from './types.js';
import { usernameCollectorNode } from './username-collector.js';
import { validatedPasswordNode } from './validated-password.js';
import { validatedUsernameNode } from './validated-username.js';

export const NODE_DESCRIPTORS: readonly NodeDescriptor[] = [
  pageNode,
  innerTreeEvaluatorNode,
  validatedUsernameNode,
  validatedPasswordNode,
  usernameCollectorNode,
  passwordCollectorNode,
  attributeCollectorNode,
  messageNode,
  choiceCollectorNode,
  setSuccessUrlNode,
];

export type NodeRegistry = ReadonlyMap<string, NodeDescriptor>;

export function createNodeRegistry(descriptors: readonly NodeDescriptor[] = NODE_DESCRIPTORS): NodeRegistry {
  const map = new Map<string, NodeDescriptor>();
  for (const d of descriptors) {
    if (map.has(d.type)) throw new Error(`Node type ${d.type} is registered twice.`);
    map.set(d.type, d);
  }
  return map;
}
