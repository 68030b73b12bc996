/**
 * Test helpers for calling a node's `process()` directly: `makeNodeContext` builds a NodeContext
 * (real locale resolution, in-memory ports, a processChild that throws), `configFor` applies a node's
 * config schema with defaults as the journey validator does, and `clientAnswer` plays the client.
 */
import { Ajv } from 'ajv';
import { numberCallbacks } from '../../src/callbacks/numbering.js';
import type { Callback } from '../../src/callbacks/types.js';
import { verifyReturned } from '../../src/callbacks/verify.js';
import { localize } from '../../src/journeys/locale.js';
import { DEFAULT_IDENTITY_RESOURCE } from '../../src/journeys/model.js';
import type { NodeServices } from '../../src/nodes/services.js';
import type { NodeContext, NodeDescriptor, NodeResult, RequestInfo } from '../../src/nodes/types.js';
import { createTestServices } from './ports.js';

export interface NodeContextInit<C> {
  config: C;
  callbacks?: Callback[];
  shared?: Record<string, unknown>;
  transient?: Record<string, unknown>;
  local?: Record<string, unknown>;
  services?: Partial<NodeServices>;
  locales?: string[];
  nodeId?: string;
  resumed?: boolean;
  childOutcome?: 'true' | 'false';
  journey?: Partial<NodeContext['journey']>;
  request?: Partial<RequestInfo>;
}

export function makeNodeContext<C>(init: NodeContextInit<C>): NodeContext<C> {
  const locales = init.locales ?? ['en'];
  return {
    nodeId: init.nodeId ?? 'node-under-test',
    config: init.config,
    shared: init.shared ?? {},
    transient: init.transient ?? {},
    local: init.local ?? {},
    callbacks: init.callbacks,
    resumed: init.resumed ?? false,
    childOutcome: init.childOutcome,
    journey: { id: 'TestJourney', identityResource: DEFAULT_IDENTITY_RESOURCE, noSession: false, ...init.journey },
    request: { headers: {}, query: {}, ...init.request },
    services: createTestServices(init.services),
    locales,
    localize: (text, fallback) => localize(text, locales, fallback),
    processChild: async (): Promise<NodeResult> => {
      throw new Error('processChild is not available in a single-node test');
    },
  };
}

/** `config` validated against the node's schema with defaults applied; throws listing the errors. */
export function configFor<C>(descriptor: NodeDescriptor<C>, config: Record<string, unknown> = {}): C {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true });
  const validate = ajv.compile(descriptor.configSchema);
  const copy = structuredClone(config);
  if (!validate(copy)) throw new Error(`Invalid ${descriptor.type} config: ${ajv.errorsText(validate.errors)}`);
  return copy as C;
}

/** The callbacks of a `callbacks` result, failing the test otherwise. */
export function callbacksOf(result: NodeResult): Callback[] {
  if (result.kind !== 'callbacks') throw new Error(`Expected callbacks, got ${JSON.stringify(result)}`);
  return result.callbacks;
}

/**
 * Plays the client: numbers the sent callbacks as the engine does, sends them through JSON, sets the
 * inputs named in `values` (e.g. `{IDToken1: 'alice', IDToken1validateOnly: true}`), and returns what
 * the engine would give the node after `verifyReturned`.
 */
export function clientAnswer(sent: Callback[], values: Record<string, unknown>): Callback[] {
  const numbered = numberCallbacks(sent);
  const wire = JSON.parse(JSON.stringify(numbered)) as Callback[];
  const unused = new Set(Object.keys(values));
  for (const cb of wire) {
    for (const input of cb.input ?? []) {
      if (Object.hasOwn(values, input.name)) {
        input.value = values[input.name];
        unused.delete(input.name);
      }
    }
  }
  if (unused.size > 0) throw new Error(`No such inputs: ${[...unused].join(', ')}`);
  return verifyReturned(numbered, wire);
}
