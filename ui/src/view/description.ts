/**
 * Turns the sanitised Page Node description (core/sanitize.ts) into DOM nodes. Links to other
 * journeys ("#/service/Login") stay in-page; external http(s) links get rel="noopener noreferrer".
 */
import type { SafeNode } from '../core/sanitize.js';
import { h, type Child } from './dom.js';

export function descriptionNodes(nodes: readonly SafeNode[]): Child[] {
  return nodes.map((node): Child => {
    switch (node.kind) {
      case 'text':
        return node.text;
      case 'br':
        return h('br');
      case 'element':
        return h(node.tag, {}, ...descriptionNodes(node.children));
      case 'link':
        return h('a', { href: node.href, rel: node.external ? 'noopener noreferrer' : undefined }, ...descriptionNodes(node.children));
    }
  });
}
