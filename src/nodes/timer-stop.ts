/**
 * Timer Stop (AM `TimerStopNode`): records the time since the Timer Start that wrote
 * `startTimeProperty` under the metric `metricKey` — the Prometheus histogram
 * `cairn_journey_timer_seconds{key="<metricKey>"}` on /metrics. The start time stays, so several Timer
 * Stops may measure from one start. Without a start time nothing is recorded. Outcome `outcome`.
 */
import { START_TIME_PROPERTY } from './timer-start.js';
import { defineNode } from './types.js';

export interface TimerStopConfig {
  startTimeProperty: string;
  metricKey: string;
}

export const timerStopNode = defineNode<TimerStopConfig>({
  type: 'TimerStopNode',
  displayName: 'Timer Stop',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['metricKey'],
    properties: {
      startTimeProperty: START_TIME_PROPERTY,
      metricKey: {
        title: 'Metric key',
        description: 'The name the measurement is recorded under, e.g. authentication.login.',
        type: 'string',
        pattern: '^[A-Za-z0-9_.:-]{1,100}$',
      },
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],

  async process(ctx) {
    const start = ctx.shared[ctx.config.startTimeProperty];
    const next = { kind: 'outcome', outcome: 'outcome' } as const;
    if (typeof start !== 'number' || !Number.isFinite(start)) return next;
    return { ...next, effects: [{ type: 'metric', key: ctx.config.metricKey, ms: Math.max(0, ctx.services.now() - start) }] };
  },
});
