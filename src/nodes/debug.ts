/**
 * Debug Node (AM `DebugNode`): for journey authors, development only. With CAIRN_DEBUG_NODES on and
 * `popupEnabled`, it shows the journey's state in a TextOutputCallback — shared state as it is,
 * transient state by key only (its values are secrets) — and goes on when the page is submitted.
 * Otherwise (production, or `popupEnabled` off) it passes straight through, showing nothing.
 * Outcome `outcome`.
 */
import { textOutputCallback } from '../callbacks/builders.js';
import { defineNode } from './types.js';

export interface DebugConfig {
  popupEnabled: boolean;
}

const WITHHELD = '(withheld)';

function keysOnly(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return WITHHELD;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, keysOnly(v)]));
}

export const debugNode = defineNode<DebugConfig>({
  type: 'DebugNode',
  displayName: 'Debug Node',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      popupEnabled: {
        title: 'Show the state',
        description: 'Show the journey state (only when the server runs with CAIRN_DEBUG_NODES=true).',
        type: 'boolean',
        default: true,
      },
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],

  async process(ctx) {
    if (!ctx.services.debugNodes || !ctx.config.popupEnabled || ctx.callbacks) return { kind: 'outcome', outcome: 'outcome' };
    const state = { journey: ctx.journey.id, node: ctx.nodeId, sharedState: ctx.shared, transientState: keysOnly(ctx.transient) };
    return { kind: 'callbacks', callbacks: [textOutputCallback(JSON.stringify(state, null, 2))], header: 'Debug', description: 'Journey state' };
  },
});
