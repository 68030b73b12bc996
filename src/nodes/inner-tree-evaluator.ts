/**
 * Inner Tree Evaluator: runs another journey inside this one, sharing its state; the inner journey's
 * callbacks and suspensions reach the client as this journey's. Compiled as a compound state holding
 * the inner journey's states (src/journeys/compile.ts): it leaves by `true` when the inner journey
 * reaches Success, `false` when it reaches Failure. With `displayErrorOutcome`, a node of the inner
 * journey that fails leaves by `error` instead of failing the whole journey, with `errorNode` ({id,
 * displayName, type}) and `errorMessage` in shared state, as AM does.
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
      displayErrorOutcome: {
        title: 'Error outcome',
        description: 'Adds the `error` outcome, taken when a node of the inner journey fails; otherwise such a failure fails this journey.',
        type: 'boolean',
        default: false,
      },
    },
  },
  outcomes: (config) => (config.displayErrorOutcome ? [...TRUE_FALSE_OUTCOMES, { id: 'error', displayName: 'Error' }] : [...TRUE_FALSE_OUTCOMES]),
  allowedInPage: false,
  innerJourney: (config) => ({ journeyId: config.tree, pointer: '/tree' }),
});
