/**
 * Timer Start (AM `TimerStartNode`): writes the current time (epoch milliseconds) to shared state under
 * `startTimeProperty`, for a Timer Stop node to measure from. Outcome `outcome`.
 */
import { defineNode } from './types.js';

export interface TimerStartConfig {
  startTimeProperty: string;
}

/** AM's default property name, shared by Timer Start and Timer Stop. */
export const START_TIME_PROPERTY = {
  title: 'Start time property',
  description: 'The shared state property holding the start time (epoch milliseconds).',
  type: 'string',
  minLength: 1,
  not: { enum: ['__proto__', 'constructor', 'prototype'] },
  default: 'TimerNodeStartTime',
} as const;

export const timerStartNode = defineNode<TimerStartConfig>({
  type: 'TimerStartNode',
  displayName: 'Timer Start',
  configSchema: { type: 'object', additionalProperties: false, properties: { startTimeProperty: START_TIME_PROPERTY } },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],

  async process(ctx) {
    ctx.shared[ctx.config.startTimeProperty] = ctx.services.now();
    return { kind: 'outcome', outcome: 'outcome' };
  },
});
