/**
 * Scripted Decision (AM `ScriptedDecisionNode`): runs the script named by `script` (AM's script id) in
 * the sandbox with AM's bindings of the script's engine; the script sends callbacks or picks one of
 * the configured `outcomes`. `inputs` limit the state it reads, `outputs` what legacy scripts' state
 * copies write back. A script that fails, or picks an outcome not configured, fails the journey.
 */
import { defineNode } from './types.js';

export interface ScriptedDecisionConfig {
  script: string;
  outcomes: string[];
  inputs: string[];
  outputs: string[];
}

export const scriptedDecisionNode = defineNode<ScriptedDecisionConfig>({
  type: 'ScriptedDecisionNode',
  displayName: 'Scripted Decision',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['script', 'outcomes'],
    properties: {
      script: {
        title: 'Script',
        description: "The id (`_id`) of the script to run, from the journeys directory's scripts/.",
        type: 'string',
        minLength: 1,
      },
      outcomes: {
        title: 'Outcomes',
        description: 'The outcomes the script can choose; each is connected to the next node.',
        type: 'array',
        items: { type: 'string', minLength: 1 },
        minItems: 1,
        uniqueItems: true,
      },
      inputs: {
        title: 'Script inputs',
        description: 'The state keys the script may read (`*`: all).',
        type: 'array',
        items: { type: 'string', minLength: 1 },
        default: ['*'],
      },
      outputs: {
        title: 'Script outputs',
        description: 'The state keys a legacy script must provide and may write back (`*`: all).',
        type: 'array',
        items: { type: 'string', minLength: 1 },
        default: ['*'],
      },
    },
  },
  outcomes: (config) => (Array.isArray(config.outcomes) ? config.outcomes.map((o) => ({ id: o, displayName: o })) : []),
  referencedScripts: (config) => (typeof config.script === 'string' ? [{ scriptId: config.script, pointer: '/script' }] : []),

  async process(ctx) {
    const scripts = ctx.services.scripts;
    if (!scripts) throw new Error('No script engine is configured.');
    const result = await scripts.run({
      scriptId: ctx.config.script,
      journeyId: ctx.journey.id,
      nodeId: ctx.nodeId,
      identityResource: ctx.journey.identityResource,
      shared: ctx.shared,
      transient: ctx.transient,
      inputs: ctx.config.inputs,
      outputs: ctx.config.outputs,
      callbacks: ctx.callbacks,
      resumed: ctx.resumed,
      request: ctx.request,
    });
    replace(ctx.shared, result.shared);
    replace(ctx.transient, result.transient);
    if (result.identifiedUser !== undefined) ctx.shared.username = result.identifiedUser;
    if (result.callbacks) {
      return {
        kind: 'callbacks',
        callbacks: result.callbacks,
        ...(result.header !== undefined ? { header: result.header } : {}),
        ...(result.description !== undefined ? { description: result.description } : {}),
        ...(result.stage !== undefined ? { stage: result.stage } : {}),
      };
    }
    const outcome = result.outcome as string;
    if (!ctx.config.outcomes.includes(outcome)) {
      throw new Error(
        `Script ${ctx.config.script} chose the outcome "${outcome}", which is not one of the node's outcomes (${ctx.config.outcomes.join(', ')}).`,
      );
    }
    return { kind: 'outcome', outcome, ...(result.errorMessage !== undefined ? { errorMessage: result.errorMessage } : {}) };
  },
});

/** The node's state objects are the journey's: change them in place. */
function replace(target: Record<string, unknown>, next: Record<string, unknown>): void {
  for (const k of Object.keys(target)) if (!(k in next)) delete target[k];
  Object.assign(target, next);
}
