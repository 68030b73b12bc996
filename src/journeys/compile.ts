/**
 * Compiles a validated journey into an XState v5 machine: one state per node, one event per
 * outcome (`outcome:<id>`), final states Success and Failure. Node code is referred to by type, so
 * the machine stays pure data; the runner steps it with xstate's pure `transition()`.
 */
import { createMachine, transition, type AnyStateMachine } from 'xstate';
import { FAILURE, SUCCESS, terminalOf, type Terminal } from './model.js';
import type { CheckedJourney, CheckedNode } from './validate.js';

export interface CompiledJourney extends CheckedJourney {
  machine: AnyStateMachine;
  /** Resolved machine snapshots by state id (immutable, so reused across requests). */
  resolved: Map<string, ReturnType<AnyStateMachine['resolveState']>>;
}

export const outcomeEvent = (outcome: string): { type: string } => ({ type: `outcome:${outcome}` });

export function compileJourney(journey: CheckedJourney): CompiledJourney {
  const states: Record<string, unknown> = {
    [SUCCESS]: { type: 'final' },
    [FAILURE]: { type: 'final' },
  };
  for (const [id, node] of journey.nodes) {
    const on: Record<string, string> = {};
    for (const [outcome, target] of Object.entries(node.connections)) on[outcomeEvent(outcome).type] = terminalOf(target) ?? target;
    states[id] = { on };
  }
  const machine = createMachine({
    id: journey.id,
    initial: terminalOf(journey.entryNodeId) ?? journey.entryNodeId,
    states: states as never,
  });
  return { ...journey, machine, resolved: new Map() };
}

export type Position = { kind: 'node'; node: CheckedNode } | { kind: 'terminal'; terminal: Terminal };

/** Where a journey stands when its machine is in state `stateId`. */
export function positionOf(journey: CompiledJourney, stateId: string): Position {
  const terminal = terminalOf(stateId);
  if (terminal) return { kind: 'terminal', terminal };
  const node = journey.nodes.get(stateId);
  if (!node) throw new Error(`Journey ${journey.id} has no node ${stateId}.`);
  return { kind: 'node', node };
}

/** The entry state of a journey. */
export function entryState(journey: CompiledJourney): string {
  return String(journey.machine.config.initial);
}

/** Follows `outcome` from `stateId`; throws when the outcome is not connected. */
export function follow(journey: CompiledJourney, stateId: string, outcome: string): string {
  // xstate answers an unknown event and a transition back to the same state alike (the same
  // snapshot), so whether the outcome is connected is read from the journey itself.
  if (!Object.hasOwn(journey.nodes.get(stateId)?.connections ?? {}, outcome)) {
    throw new Error(`Node ${stateId} of journey ${journey.id} left by outcome "${outcome}", which is not connected.`);
  }
  let from = journey.resolved.get(stateId);
  if (!from) {
    from = journey.machine.resolveState({ value: stateId, context: {} });
    journey.resolved.set(stateId, from);
  }
  const [next] = transition(journey.machine, from, outcomeEvent(outcome));
  return String(next.value);
}
