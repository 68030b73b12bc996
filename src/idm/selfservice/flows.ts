/**
 * The store's record of one run of a self-service process (a flow): the step it is at. Every token names
 * its flow and step, and a step is taken once, atomically (compare-and-set), before anything runs: a token
 * posted again — a replayed final token, a second tab, fifty concurrent posts of one e-mailed code — finds
 * the flow already past its step and is refused without running anything. This is what IDM's stateless
 * tokens lack (reference §3.3): a replayed token can never repeat a reset or restart a counter.
 */
import { randomBytes } from 'node:crypto';
import type { KeyValueStore } from '../../stores/types.js';

export interface FlowSteps {
  /** A new flow at step 1; its id. */
  start(ttlMs: number): Promise<string>;
  /** Moves the flow from `step` to `step + 1`; false when it is unknown, expired or at another step. */
  advance(flowId: string, step: number, ttlMs: number): Promise<boolean>;
}

interface FlowRecord {
  step: number;
}

const FLOW_ID = /^[A-Za-z0-9_-]{22}$/;
const keyOf = (flowId: string): string => `idm-flow:${flowId}`;

export function createFlowSteps(kv: KeyValueStore, now: () => number): FlowSteps {
  return {
    async start(ttlMs) {
      for (;;) {
        const id = randomBytes(16).toString('base64url');
        if (await kv.insertIfAbsent<FlowRecord>(keyOf(id), { step: 1 }, { expiresAt: now() + ttlMs })) return id;
      }
    },
    async advance(flowId, step, ttlMs) {
      if (!FLOW_ID.test(flowId)) return false;
      const entry = await kv.get<FlowRecord>(keyOf(flowId));
      if (!entry || entry.value.step !== step) return false;
      return (await kv.compareAndSet<FlowRecord>(keyOf(flowId), entry.version, { step: step + 1 }, { expiresAt: now() + ttlMs })) !== undefined;
    },
  };
}
