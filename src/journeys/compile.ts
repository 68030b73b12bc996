/**
 * Compiles a validated journey into an XState v5 machine made with `setup()`, so that node code is
 * referred to by name and the machine itself stays data:
 * - one state per node, whose `entry` names the action `runNode` with the node's state path, id and
 *   type as params; an event per outcome (`outcome:<id>`) leads along its connection (a connection back
 *   to the node itself re-enters it, so its entry runs again); a node waiting for the client runs again
 *   in place with its answer (`cairn.submit`) or on a resume (`cairn.resume`), which the runner does
 *   without a transition (runner.ts `waitingIn`);
 * - every event carries the journey context and the `commit` action assigns it;
 * - a transient start state whose eventless transition enters the entry node, so that the start is a
 *   microstep like any other (the runner's inspector reads the lifecycle from microsteps);
 * - final states Success and Failure, and `cairn.fail` from anywhere to Failure;
 * - an Inner Tree Evaluator becomes a compound state holding the inner journey's states, with final
 *   sub-states Success (output `true`) and Failure (output `false`) and `onDone` guarded by that output.
 * xstate executes none of the node code: the runner steps the machine and runs `runNode` itself.
 */
import { createHash } from 'node:crypto';
import { assign, setup, type AnyStateMachine, type DoneStateEvent } from 'xstate';
import type { Callback } from '../callbacks/types.js';
import type { Effect, SessionDraft } from '../nodes/types.js';
import { FAILURE, SUCCESS, terminalOf } from './model.js';
import type { CheckedJourney, CheckedNode } from './validate.js';

/** The machine's context: AM's journey state, persisted with the machine (reference §4.0). */
export interface JourneyContext {
  shared: Record<string, unknown>;
  /** Secrets; dropped when the journey suspends, never logged. */
  transient: Record<string, unknown>;
  /** Node-local state by state path (`<path>[/<childId>]`), cleared when the node leaves by an outcome. */
  local: Record<string, Record<string, unknown>>;
  /** The callbacks last sent, which the client must return. */
  pending?: Callback[] | undefined;
  /** True while the journey waits to be resumed from a suspension. */
  suspended?: boolean | undefined;
  /** The message the journey fails with, when a node set one. */
  errorMessage?: string | undefined;
  /** What the session created on success will hold (Set / Remove Session Properties). */
  session?: SessionDraft | undefined;
  /** Effects held back until the journey reaches Success (Set Persistent Cookie's cookie). */
  atSuccess?: Effect[] | undefined;
  startedAt: number;
}

export type JourneyEvent =
  | { type: `outcome:${string}`; context: JourneyContext }
  | { type: 'cairn.submit'; context: JourneyContext; callbacks: Callback[] }
  | { type: 'cairn.resume' | 'cairn.fail' | typeof INNER_ERROR; context: JourneyContext };

/**
 * A node inside an inner journey failed: taken by the innermost Inner Tree Evaluator showing its
 * `error` outcome (`displayErrorOutcome`), which leaves by `error` (or fails the journey when `error`
 * is not connected); with none, the journey fails.
 */
export const INNER_ERROR = 'cairn.innerError';

export interface RunNodeParams {
  /** The node's state path (`<nodeId>`, or `<innerTreeNodeId>.<nodeId>` inside an inner journey). */
  node: string;
  nodeId: string;
  nodeType: string;
}

/** A node state of a compiled machine: the node, and the (inner) journey it belongs to. */
export interface CompiledNode {
  path: string;
  node: CheckedNode;
  journey: CheckedJourney;
  /** Set when the node is an Inner Tree Evaluator whose journey is missing or disabled: running it fails. */
  unavailable?: string;
}

export interface CompiledJourney extends CheckedJourney {
  machine: AnyStateMachine;
  /** Covers this journey and every inner journey it embeds: a change to any of them ends journeys in flight. */
  version: string;
  /** Every node state by state path, inner journeys' included. */
  states: Map<string, CompiledNode>;
  /** What a journey the server provides itself is for (`admin`: it signs administrators in); absent for configured journeys. */
  kind?: string;
}

/** The transient state a machine starts in; `$` cannot begin a node id. */
export const START_STATE = '$start';
/** The id of the machine's own Failure state, for transitions out of inner journeys. */
const ROOT_FAILURE_ID = '$failure';

const journeySetup = setup({
  types: { context: {} as JourneyContext, events: {} as JourneyEvent, input: {} as JourneyContext },
  actions: {
    /** Declared for the machine's sake; the runner executes it (node code is async). */
    runNode: (_args, _params: RunNodeParams) => {},
    commit: assign(({ event }) => event.context),
  },
  guards: {
    childOutcome: ({ event }, params: { outcome: 'true' | 'false' }) => (event as unknown as DoneStateEvent).output === params.outcome,
  },
});

type StateConfig = Record<string, unknown>;
/** Inner journeys by id, for embedding. */
export type JourneyLookup = (id: string) => CheckedJourney | undefined;

const MAX_INNER_DEPTH = 32;

export function compileJourney(journey: CheckedJourney, lookup: JourneyLookup = () => undefined): CompiledJourney {
  const states = new Map<string, CompiledNode>();
  const embedded: string[] = [];

  /** The states of `j` as children of the state at `prefix` ('' for the machine's root). */
  const statesOf = (j: CheckedJourney, prefix: string, depth: number): Record<string, StateConfig> => {
    const out: Record<string, StateConfig> = {};
    for (const [id, node] of j.nodes) {
      const path = prefix ? `${prefix}.${id}` : id;
      const inner = node.descriptor.innerJourney?.(node.config);
      const child = inner ? lookup(inner.journeyId) : undefined;
      if (inner && child?.enabled && depth < MAX_INNER_DEPTH) {
        embedded.push(`${child.id}:${child.version}`);
        states.set(path, { path, node, journey: j });
        const error = node.config['displayErrorOutcome'] === true ? node.connections['error'] : undefined;
        out[id] = {
          ...(node.config['displayErrorOutcome'] === true
            ? { on: { [INNER_ERROR]: { ...(error ? targetOf(id, error) : { target: `#${ROOT_FAILURE_ID}` }), actions: 'commit' } } }
            : {}),
          initial: terminalOf(child.entryNodeId) ?? child.entryNodeId,
          states: {
            ...statesOf(child, path, depth + 1),
            [SUCCESS]: { type: 'final', output: 'true' },
            [FAILURE]: { type: 'final', output: 'false' },
          },
          onDone: (['true', 'false'] as const).map((outcome) => ({
            guard: { type: 'childOutcome', params: { outcome } },
            ...targetOf(id, node.connections[outcome] as string),
          })),
        };
        continue;
      }
      states.set(path, {
        path,
        node,
        journey: j,
        ...(inner ? { unavailable: `Inner journey ${inner.journeyId} is not available.` } : {}),
      });
      out[id] = nodeState(path, node);
    }
    return out;
  };

  // The states are built at run time, so the machine's state values are not known to the type checker.
  const machine: AnyStateMachine = journeySetup.createMachine({
    id: journey.id,
    context: ({ input }) => input,
    initial: START_STATE,
    on: { 'cairn.fail': { target: `.${FAILURE}`, actions: 'commit' } },
    states: {
      [START_STATE]: { always: { target: terminalOf(journey.entryNodeId) ?? journey.entryNodeId } },
      ...statesOf(journey, '', 0),
      [SUCCESS]: { type: 'final' },
      [FAILURE]: { type: 'final', id: ROOT_FAILURE_ID },
    } as never,
  }) as unknown as AnyStateMachine;
  const version =
    embedded.length === 0
      ? journey.version
      : createHash('sha256')
          .update([journey.version, ...embedded].join('\n'))
          .digest('hex')
          .slice(0, 16);
  return { ...journey, machine, version, states };
}

/** Where a connection leads; a connection back to the node itself re-enters it. */
function targetOf(id: string, target: string): { target: string; reenter?: true } {
  const to = terminalOf(target) ?? target;
  return to === id ? { target: to, reenter: true } : { target: to };
}

function nodeState(path: string, node: CheckedNode): StateConfig {
  const run = { type: 'runNode', params: { node: path, nodeId: node.id, nodeType: node.nodeType } satisfies RunNodeParams };
  const on: Record<string, unknown> = {};
  for (const [outcome, target] of Object.entries(node.connections)) on[`outcome:${outcome}`] = { ...targetOf(node.id, target), actions: ['commit'] };
  return { entry: [run], on };
}
