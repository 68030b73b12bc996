/**
 * IDM self-service `parameters` stage (PingIDM 7): accepts the named request parameters (the Admin UI's
 * `returnParams`), optional and sent as hidden values; each non-empty one is kept in the state and
 * returned in the success `additions`. Other input is ignored; an empty answer passes.
 */
import { hiddenValueCallback } from '../callbacks/builders.js';
import { outputValue, readString } from '../callbacks/readers.js';
import { addSuccessAddition, STAGE_TEXTS } from './helpers/self-service.js';
import { defineNode } from './types.js';

export interface ParametersStageConfig {
  parameterNames: string[];
}

/** Longest parameter value kept (a return URL's query string). */
const MAX_VALUE = 2048;

export const idmParametersStage = defineNode<ParametersStageConfig>({
  type: 'IdmParametersNode',
  displayName: 'IDM Parameters Stage',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      parameterNames: {
        title: 'Parameter names',
        description: 'Request parameters kept and returned in the success additions (IDM `parameterNames`, e.g. returnParams).',
        type: 'array',
        items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' },
        uniqueItems: true,
        default: [],
      },
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],

  async process(ctx) {
    const names = ctx.config.parameterNames;
    if (names.length === 0) return { kind: 'outcome', outcome: 'outcome' };
    if (!ctx.callbacks) {
      return {
        kind: 'callbacks',
        callbacks: names.map((n) => hiddenValueCallback(n)),
        description: ctx.localize(STAGE_TEXTS.text('description.parameters')),
        stage: 'initial',
      };
    }
    for (const cb of ctx.callbacks) {
      const name = outputValue(cb, 'id');
      const value = readString(cb);
      // The hidden input starts as the parameter's name: a value equal to it was not given.
      if (typeof name === 'string' && names.includes(name) && value !== '' && value !== name && value.length <= MAX_VALUE)
        addSuccessAddition(ctx.shared, name, value);
    }
    return { kind: 'outcome', outcome: 'outcome' };
  },
});
