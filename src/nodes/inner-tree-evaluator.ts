/**
 * Inner Tree Evaluator: runs another journey as a child, sharing this journey's state; its callbacks
 * and suspensions reach the client as this journey's. Leaves by `true` when the child reaches
 * Success, `false` when it reaches Failure.
 */
import { defineNode } from './types.js';
import { TRUE_FALSE_OUTCOMES } from './helpers/schema-parts.js';

export interface InnerTreeEvaluatorConfig {
  tree: string;
  displayErrorOutcome: boolean;
}

export const innerTreeEvaluatorNode = defineNode<InnerTreeEvaluatorConfig>({
  type: 'InnerTreeEvaluatorNode',
  displayName: 'Inner Tree Evaluator',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['tree'],
    properties: {
      tree: { description: 'The journey to run.', type: 'string', minLength: 1 },
      displayErrorOutcome: { description: 'Kept from AM; Cairn reports child errors as the false outcome.', type: 'boolean', default: false },
    },
  },
  outcomes: TRUE_FALSE_OUTCOMES,
  allowedInPage: false,
  referencedJourneys: (config) => [{ journeyId: config.tree, pointer: '/tree' }],

  async process(ctx) {
    if (ctx.childOutcome) return { kind: 'outcome', outcome: ctx.childOutcome };
    return { kind: 'child', journeyId: ctx.config.tree };
  },
});
