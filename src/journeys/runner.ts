/**
 * The journey runner: one client step of a journey compiled to an XState machine (compile.ts). It
 * starts a machine with its initial transition, or restores XState's persisted snapshot and runs
 * the node it waits in again, in place, with the client's returned callbacks (`cairn.submit`) or
 * for a resume (`cairn.resume`); then it executes the actions each transition returns: for
 * `runNode` it runs the node's `process(ctx)` and feeds the result back as an event (`outcome:<id>`
 * when `snapshot.can()` says the outcome is connected, `cairn.fail` when it fails), until a node
 * asks for input or suspends (the machine waits in that node's state, its context persisted with
 * the snapshot) or the machine reaches a final state. The result is plain data: the persisted
 * snapshot, what to answer, and the effects the nodes asked for, which the protocol adapter
 * performs once the snapshot is persisted.
 *
 * Transitions go through one observed actor scope per machine: the same thing xstate's pure
 * `transition()` does (collect the actions instead of executing them), without building an inert actor
 * for every call, and with an inspector that turns the machine's microsteps into the journey lifecycle
 * (started, node entered, node outcome, ended) for metrics and audit.
 */
import {
  createActor,
  type AnyMachineSnapshot,
  type AnyTransitionDefinition,
  type ExecutableActionObject,
  type InspectionEvent,
  type StateValue,
} from 'xstate';
import type { Callback } from '../callbacks/types.js';
import { numberCallbacks, verifyReturned } from '../callbacks/index.js';
import { CairnError, isCairnError, isUnavailable } from '../errors/cairn-error.js';
import type { NodeServices } from '../nodes/services.js';
import type { ChildNodeRef, Effect, NodeContext, NodeResult, RequestInfo, SessionDraft } from '../nodes/types.js';
import type { JourneyCatalog } from './catalog.js';
import {
  INNER_ERROR,
  START_STATE,
  type CompiledJourney,
  type CompiledNode,
  type JourneyContext,
  type JourneyEvent,
  type RunNodeParams,
} from './compile.js';
import { localize } from './locale.js';
import { FAILURE, SUCCESS } from './model.js';
import type { CheckedNode } from './validate.js';

export const SNAPSHOT_VERSION = 2;

/** XState's persisted snapshot of a journey machine (`machine.getPersistedSnapshot()`), as JSON. */
export interface PersistedMachine {
  status: 'active' | 'done';
  value: StateValue;
  context: JourneyContext;
  historyValue?: Record<string, unknown>;
  children?: Record<string, unknown>;
}

/** What rides in the authId and in suspension records: the machine's snapshot, bound to the journey version. */
export interface PersistedJourney {
  v: typeof SNAPSHOT_VERSION;
  /** The root journey's id. */
  journey: string;
  /** The root journey's compiled version (covering the inner journeys it embeds). */
  version: string;
  machine: PersistedMachine;
}

export interface StepInput {
  locales: readonly string[];
  request: RequestInfo;
}

/** The journey a step belongs to, as the adapter needs it. */
export interface StepJourney {
  id: string;
  version: string;
  noSession: boolean;
  identityResource: string;
  /** Set for a journey the server provides itself (`admin`), never for a configured one. */
  kind?: string;
}

interface Base {
  journey: StepJourney;
  snapshot: PersistedJourney;
  /** What the nodes of this step want done once the snapshot is persisted, in order. */
  effects: Effect[];
  /**
   * Whether the step moved the journey: a node left by an outcome, something is to be done, the
   * journey's state changed, or it suspended or ended. False for a page shown again unchanged (a
   * `validateOnly` check, a policy failure) or a re-posted "check your e-mail" step: sending the
   * same step again then does nothing new, so its authId may be used again (src/journeys/step-claims.ts).
   */
  advanced: boolean;
}

/** One step's answer: plain, serialisable data. */
export type StepResult =
  | (Base & { type: 'callbacks'; callbacks: Callback[]; header?: string; description?: string; stage?: string })
  | (Base & {
      type: 'suspended';
      callbacks: Callback[];
      durationMinutes?: number;
      /** Who the suspension is for, when the node named one (NodeResult `suspend`). */
      subject?: string;
      /** The client re-posted the step that announced an existing suspension: store nothing new. */
      repeated?: boolean;
    })
  | (Base & {
      type: 'success';
      /** What the journey asked the new session to hold (Set Session Properties), when it asked anything. */
      session?: SessionDraft;
    })
  | (Base & { type: 'failure'; message: string });

/** The journey lifecycle, read from the machine's microsteps. `journey` is the root journey's id. */
export type LifecycleRecord = { journey: string; clientIp?: string } & (
  | { type: 'journey.started' }
  | { type: 'journey.node.entered'; node: string; nodeType: string }
  | { type: 'journey.node.outcome'; node: string; nodeType: string; outcome: string }
  | { type: 'journey.ended'; outcome: 'success' | 'failure' }
);

export const DEFAULT_FAILURE_MESSAGE = 'Login failure';
/** Node runs without asking the client anything before a journey is judged to loop. */
const MAX_RUNS_PER_STEP = 1000;

export const journeyNotFound = (id: string): CairnError =>
  new CairnError({ status: 400, code: 'journey.not_found', message: 'No Configuration found', detail: { journey: id } });
/** The journey the snapshot belongs to was changed or removed: the client starts again. */
export const journeyChanged = (): CairnError => new CairnError({ status: 401, code: 'journey.changed', message: 'Session has timed out' });

export interface RunnerDeps {
  catalog: JourneyCatalog;
  services: NodeServices;
  /** Called when a node fails unexpectedly or leaves by an unconnected outcome; the journey then fails with the default message. */
  onNodeError?: (error: unknown, where: { journeyId: string; nodeId: string; nodeType: string }) => void;
  /** Told the journey lifecycle as the machines step (metrics, audit). */
  lifecycle?: (record: LifecycleRecord) => void;
}

type Snapshot = AnyMachineSnapshot;

/**
 * One actor scope per compiled machine, with an inspector: `machine.transition(snapshot, event, scope)`
 * and `machine.getInitialSnapshot(scope, input)` collect the actions the step returns, as xstate's
 * `transition()` / `initialTransition()` do, and the microsteps become lifecycle records.
 */
export class ObservedMachine {
  private readonly scope: Parameters<CompiledJourney['machine']['transition']>[2];
  private actions: ExecutableActionObject[] = [];
  private records: LifecycleRecord[] | undefined;
  private who: { journey: string; clientIp?: string } = { journey: '' };
  private readonly parts = new WeakMap<AnyTransitionDefinition, LifecyclePart[]>();

  constructor(readonly journey: CompiledJourney) {
    let constructed = false;
    // The actor is never started: it only lends its system (with the inspector) to the scope.
    const actor = createActor(journey.machine, {
      inspect: (event) => {
        if (constructed && this.records && event.type === '@xstate.microstep') this.records.push(...this.lifecycleOf(event));
      },
    });
    constructed = true;
    this.scope = {
      self: actor,
      id: '',
      sessionId: '',
      logger: () => {},
      defer: () => {},
      system: actor.system,
      stopChild: () => {},
      emit: () => {},
      actionExecutor: (action) => void this.actions.push(action),
    };
  }

  initial(context: JourneyContext, observe?: ObservationSink): [Snapshot, ExecutableActionObject[]] {
    return this.step(observe, () => this.journey.machine.getInitialSnapshot(this.scope, context) as Snapshot);
  }

  transition(snapshot: Snapshot, event: JourneyEvent, observe?: ObservationSink): [Snapshot, ExecutableActionObject[]] {
    return this.step(observe, () => this.journey.machine.transition(snapshot, event, this.scope) as Snapshot);
  }

  /** Runs one synchronous xstate call, collecting its actions and (when observed) its lifecycle records. */
  private step(observe: ObservationSink | undefined, call: () => Snapshot): [Snapshot, ExecutableActionObject[]] {
    const actions: ExecutableActionObject[] = [];
    const records: LifecycleRecord[] = [];
    this.actions = actions;
    this.records = observe ? records : undefined;
    if (observe) this.who = observe.who;
    let next: Snapshot;
    try {
      next = call();
    } finally {
      this.actions = [];
      this.records = undefined;
    }
    if (next.status === 'error') throw next.error;
    for (const r of records) observe?.deliver(r);
    return [next, actions];
  }

  private lifecycleOf(event: Extract<InspectionEvent, { type: '@xstate.microstep' }>): LifecycleRecord[] {
    const out: LifecycleRecord[] = [];
    const who = this.who;
    if (event.event.type === 'xstate.init') out.push({ ...who, type: 'journey.started' });
    for (const t of event._transitions) {
      let parts = this.parts.get(t);
      if (!parts) {
        parts = this.partsOf(t);
        this.parts.set(t, parts);
      }
      for (const part of parts) {
        // An inner journey's end leaves its compound state by the output of the final state it reached.
        const outcome =
          part.type === 'journey.node.outcome' && part.outcome === '' ? { outcome: String((event.event as { output?: unknown }).output) } : {};
        out.push({ ...who, ...part, ...outcome } as LifecycleRecord);
      }
    }
    return out;
  }

  /** What taking transition `t` means for the lifecycle; the same for every journey that takes it. */
  private partsOf(t: AnyTransitionDefinition): LifecyclePart[] {
    const parts: LifecyclePart[] = [];
    const typeOf = (path: string): string => this.journey.states.get(path)?.node.nodeType ?? '';
    const source = t.source.path.join('.');
    const eventType = String(t.eventType);
    if (eventType.startsWith('outcome:')) {
      parts.push({ type: 'journey.node.outcome', node: source, nodeType: typeOf(source), outcome: eventType.slice('outcome:'.length) });
    } else if (eventType === INNER_ERROR) {
      parts.push({ type: 'journey.node.outcome', node: source, nodeType: typeOf(source), outcome: 'error' });
    } else if (eventType.startsWith('xstate.done.state.')) {
      parts.push({ type: 'journey.node.outcome', node: source, nodeType: typeOf(source), outcome: '' });
    }
    for (const target of t.target ?? []) {
      // The target and, for an inner journey, the initial states it enters.
      for (let s: typeof target | undefined = target; s; s = s.type === 'compound' ? s.initial.target[0] : undefined) {
        const path = s.path.join('.');
        if (s.type === 'final') {
          if (s.path.length === 1) parts.push({ type: 'journey.ended', outcome: s.key === SUCCESS ? 'success' : 'failure' });
        } else if (s.key !== START_STATE) {
          parts.push({ type: 'journey.node.entered', node: path, nodeType: typeOf(path) });
        }
      }
    }
    return parts;
  }
}

/** A lifecycle record without who it is about. */
type LifecyclePart = LifecycleRecord extends infer R ? (R extends LifecycleRecord ? Omit<R, 'journey' | 'clientIp'> : never) : never;

interface ObservationSink {
  who: { journey: string; clientIp?: string };
  deliver(record: LifecycleRecord): void;
}

export class JourneyRunner {
  private readonly machines = new WeakMap<CompiledJourney, ObservedMachine>();

  constructor(private readonly deps: RunnerDeps) {}

  /** Starts a journey by name. Throws `journey.not_found` for unknown, disabled or inner-only journeys. */
  async start(journeyId: string, input: StepInput): Promise<StepResult> {
    const journey = this.deps.catalog.get(journeyId);
    if (!journey || !journey.enabled || journey.innerTreeOnly) throw journeyNotFound(journeyId);
    const context: JourneyContext = { shared: {}, transient: {}, local: {}, startedAt: this.deps.services.now() };
    const step = new Step(this, this.machineOf(journey), context, input);
    const [snapshot, actions] = step.machine.initial(context, step.sink);
    return step.run(snapshot, nodeToRun(actions));
  }

  /**
   * Continues a journey with the callbacks the client returned. `owned`: the caller hands the snapshot
   * over (freshly decoded from an authId) and will not look at it again, so it is not copied first.
   */
  async next(previous: PersistedJourney, returned: unknown, input: StepInput, owned = false): Promise<StepResult> {
    const { machine, snapshot, context } = await this.restore(previous, owned);
    const step = new Step(this, machine, context, input, stateOf(context));
    if (context.suspended) {
      // The step that announced the suspension re-posted: answer it again, nothing advances.
      return { ...step.result('suspended', snapshot), callbacks: numberCallbacks(context.pending ?? []), repeated: true, advanced: false };
    }
    const callbacks = verifyReturned(context.pending ?? [], returned);
    context.pending = undefined;
    return step.run(snapshot, waitingIn(snapshot, { type: 'cairn.submit', context, callbacks }));
  }

  /** Resumes a suspended journey at the node that suspended it. */
  async resume(previous: PersistedJourney, input: StepInput, owned = false): Promise<StepResult> {
    const { machine, snapshot, context } = await this.restore(previous, owned);
    if (!context.suspended) throw journeyChanged();
    context.suspended = undefined;
    context.pending = undefined;
    const step = new Step(this, machine, context, input);
    return step.run(snapshot, waitingIn(snapshot, { type: 'cairn.resume', context }));
  }

  /** @internal */
  get services(): NodeServices {
    return this.deps.services;
  }

  /** @internal */
  reportNodeError(error: unknown, journeyId: string, node: { id: string; nodeType: string }): void {
    this.deps.onNodeError?.(error, { journeyId, nodeId: node.id, nodeType: node.nodeType });
  }

  /** @internal */
  deliver(record: LifecycleRecord): void {
    try {
      this.deps.lifecycle?.(record);
    } catch (error) {
      this.deps.onNodeError?.(error, { journeyId: record.journey, nodeId: '', nodeType: 'lifecycle' });
    }
  }

  private machineOf(journey: CompiledJourney): ObservedMachine {
    let m = this.machines.get(journey);
    if (!m) {
      m = new ObservedMachine(journey);
      this.machines.set(journey, m);
    }
    return m;
  }

  /**
   * Checks the snapshot belongs to a journey version the catalog has (the current one, or the earlier
   * one it started on) and resolves it in that version's machine.
   */
  private async restore(
    previous: PersistedJourney,
    owned: boolean,
  ): Promise<{ machine: ObservedMachine; snapshot: Snapshot; context: JourneyContext }> {
    const p = previous as Partial<PersistedJourney> | undefined;
    if (!p || p.v !== SNAPSHOT_VERSION || typeof p.journey !== 'string' || !p.machine || typeof p.machine !== 'object') throw journeyChanged();
    if (typeof p.version !== 'string' || p.machine.status !== 'active') throw journeyChanged();
    const { catalog } = this.deps;
    let journey = catalog.get(p.journey);
    if (journey?.version !== p.version) journey = catalog.at ? await catalog.at(p.journey, p.version) : undefined;
    if (!journey || journey.version !== p.version) throw journeyChanged();
    const context = owned ? p.machine.context : structuredClone(p.machine.context);
    if (!context || typeof context !== 'object' || typeof context.shared !== 'object' || typeof context.local !== 'object') throw journeyChanged();
    context.transient ??= {};
    const machine = this.machineOf(journey);
    let snapshot: Snapshot;
    try {
      snapshot = journey.machine.resolveState({ value: p.machine.value, context }) as Snapshot;
    } catch {
      throw journeyChanged();
    }
    if (snapshot.status !== 'active') throw journeyChanged();
    return { machine, snapshot, context };
  }
}

/** One step of one journey: the node runs, the events fed back, the effects gathered. */
class Step {
  readonly sink: ObservationSink;
  private readonly effects: Effect[] = [];
  private readonly root: CompiledJourney;
  /** Whether a node left by an outcome (or the journey failed) during this step. */
  private moved = false;

  constructor(
    private readonly runner: JourneyRunner,
    readonly machine: ObservedMachine,
    /** The working context: nodes change it, every event carries it back into the machine. */
    private readonly context: JourneyContext,
    private readonly input: StepInput,
    /** The journey's state before a client step (stateOf), to tell whether the step changed it. */
    private readonly before?: string,
  ) {
    this.root = machine.journey;
    const who = { journey: this.root.id, ...(input.request.clientIp ? { clientIp: input.request.clientIp } : {}) };
    this.sink = { who, deliver: (r) => runner.deliver(r) };
  }

  /** Runs `first`, then the node each transition enters, until one waits for the client or the journey ends. */
  async run(snapshot: Snapshot, first: NodeRun): Promise<StepResult> {
    let run: NodeRun | undefined = first;
    let actions: ExecutableActionObject[] = [];
    const context = this.context;
    for (let runs = 0; ; runs++) {
      if (snapshot.status === 'done') {
        if (snapshot.value !== SUCCESS) return { ...this.result('failure', snapshot), message: context.errorMessage ?? DEFAULT_FAILURE_MESSAGE };
        // What waited for Success (session hooks) leaves now, after the step's own effects.
        this.effects.push(...(context.atSuccess ?? []));
        const session = context.session;
        return { ...this.result('success', snapshot), ...(session ? { session } : {}) };
      }
      const { node: path, event } = run ?? nodeToRun(actions);
      run = undefined;
      const state = this.root.states.get(path);
      if (!state) throw new Error(`Journey ${this.root.id} has no node state ${path}.`);
      if (runs >= MAX_RUNS_PER_STEP) {
        return this.fail(snapshot, state.node, new Error(`Journey ran ${MAX_RUNS_PER_STEP} nodes without asking for input.`));
      }
      let result: NodeResult;
      try {
        if (state.unavailable) throw new Error(state.unavailable);
        result = await this.process(
          state,
          state.node,
          state.path,
          event.type === 'cairn.submit' ? event.callbacks : undefined,
          event.type === 'cairn.resume',
        );
      } catch (error) {
        // The client's mistake, or a store that cannot serve now (503: retry the same step): nothing advances.
        if (isCairnError(error) && (error.status < 500 || isUnavailable(error))) throw error;
        const caught = this.innerError(snapshot, state, error);
        if (caught) {
          [snapshot, actions] = caught;
          continue;
        }
        return this.fail(snapshot, state.node, error);
      }
      for (const effect of result.effects ?? []) {
        if (effect.type === 'cookie' && effect.atSuccess) (context.atSuccess ??= []).push(effect);
        else this.effects.push(effect);
      }

      switch (result.kind) {
        case 'outcome': {
          if (result.errorMessage !== undefined) context.errorMessage = result.errorMessage;
          clearLocal(context, state.path);
          const next: JourneyEvent = { type: `outcome:${result.outcome}`, context };
          if (!snapshot.can(next)) {
            const where = `${state.path} of journey ${this.root.id}`;
            return this.fail(snapshot, state.node, new Error(`Node ${where} left by outcome "${result.outcome}", which is not connected.`));
          }
          this.moved = true;
          [snapshot, actions] = this.machine.transition(snapshot, next, this.sink);
          continue;
        }
        case 'callbacks': {
          const callbacks = numberCallbacks(result.callbacks);
          context.pending = callbacks;
          // The machine waits in this node's state: nothing to transition, the context is persisted as is (`persisted`).
          return {
            ...this.result('callbacks', snapshot, context),
            callbacks,
            ...definedOnly({ header: result.header, description: result.description, stage: result.stage }),
          };
        }
        case 'suspend': {
          const callbacks = numberCallbacks(result.callbacks);
          context.pending = callbacks;
          context.suspended = true;
          // Transient state (secrets) survives the suspension, as AM's secure state does: the suspension
          // store seals it with a key derived from the resume link's id (src/am/suspensions.ts).
          return {
            ...this.result('suspended', snapshot, context),
            callbacks,
            ...(result.durationMinutes !== undefined ? { durationMinutes: result.durationMinutes } : {}),
            ...(result.subject !== undefined ? { subject: result.subject } : {}),
          };
        }
      }
    }
  }

  /** The step's answer; `waiting`: the context of a journey waiting for the client, newer than the snapshot's (`persisted`). */
  result<T extends StepResult['type']>(type: T, snapshot: Snapshot, waiting?: JourneyContext): Base & { type: T } {
    const j = this.root;
    const advanced =
      type !== 'callbacks' || this.moved || this.effects.length > 0 || this.before === undefined || this.before !== stateOf(this.context);
    return {
      type,
      journey: { id: j.id, version: j.version, noSession: j.noSession, identityResource: j.identityResource, ...(j.kind ? { kind: j.kind } : {}) },
      snapshot: { v: SNAPSHOT_VERSION, journey: j.id, version: j.version, machine: persisted(snapshot, waiting) },
      effects: this.effects,
      advanced,
    };
  }

  /**
   * A node inside an inner journey failed: when an enclosing Inner Tree Evaluator shows its `error`
   * outcome, it takes the failure as AM's does (`errorNode` and `errorMessage` in shared state) and the
   * journey goes on from there. Undefined when none does.
   */
  private innerError(snapshot: Snapshot, state: CompiledNode, error: unknown): [Snapshot, ExecutableActionObject[]] | undefined {
    if (!state.path.includes('.')) return undefined;
    const event: JourneyEvent = { type: INNER_ERROR, context: this.context };
    if (!snapshot.can(event)) return undefined;
    this.runner.reportNodeError(error, this.root.id, state.node);
    clearLocal(this.context, state.path);
    const { node } = state;
    this.context.shared['errorNode'] = { id: node.id, displayName: node.displayName, type: node.nodeType };
    this.context.shared['errorMessage'] = isCairnError(error) && error.expose ? error.message : `${node.displayName} failed.`;
    return this.machine.transition(snapshot, event, this.sink);
  }

  /** Fails the journey with the default message (the machine moves to Failure), reporting why. */
  private fail(snapshot: Snapshot, node: CheckedNode, error: unknown): StepResult {
    this.moved = true;
    this.runner.reportNodeError(error, this.root.id, node);
    const [failed] = this.machine.transition(snapshot, { type: 'cairn.fail', context: this.context }, this.sink);
    return { ...this.result('failure', failed), message: DEFAULT_FAILURE_MESSAGE };
  }

  private async process(
    state: CompiledNode,
    node: CheckedNode,
    key: string,
    callbacks: Callback[] | undefined,
    resumed: boolean,
  ): Promise<NodeResult> {
    const { context, input } = this;
    if (!node.descriptor.process) throw new Error(`Node ${key} of type ${node.nodeType} cannot run on its own.`);
    const local = (context.local[key] ??= {});
    const session = (context.session ??= { properties: {} });
    const ctx: NodeContext = {
      nodeId: node.id,
      ...(node.version !== undefined ? { nodeVersion: node.version } : {}),
      session,
      config: node.config,
      shared: context.shared,
      transient: context.transient,
      local,
      callbacks,
      resumed,
      journey: { id: state.journey.id, identityResource: state.journey.identityResource, noSession: state.journey.noSession },
      request: input.request,
      services: this.runner.services,
      locales: input.locales,
      localize: (text, fallback) => localize(text, input.locales, fallback),
      processChild: (ref: ChildNodeRef, childCallbacks: Callback[] | undefined) => {
        const child = node.children.find((c) => c.id === ref._id);
        if (!child) throw new Error(`Node ${node.id} has no child ${ref._id}.`);
        return this.process(state, child, `${key}/${child.id}`, childCallbacks, false);
      },
    };
    try {
      return await node.descriptor.process(ctx);
    } finally {
      if (Object.keys(local).length === 0) delete context.local[key];
      if (Object.keys(session.properties).length === 0 && session.maxIdleMinutes === undefined && session.maxSessionMinutes === undefined) {
        delete context.session;
      }
    }
  }
}

/** A node to run: its state path, and the event it runs for (the transition that entered it, or the client's answer). */
interface NodeRun {
  node: string;
  event: JourneyEvent;
}

/** The one `runNode` action a transition returned (entering a state runs its node; nothing else runs code). */
function nodeToRun(actions: ExecutableActionObject[]): NodeRun {
  const runs = actions.filter((a) => a.type === 'runNode');
  if (runs.length !== 1) throw new Error(`A journey step returned ${runs.length} nodes to run.`);
  const run = runs[0] as ExecutableActionObject & { params: RunNodeParams };
  return { node: run.params.node, event: run.info.event as JourneyEvent };
}

/**
 * The node a waiting journey waits in, to run again in place with the client's answer or a resume: the
 * state the snapshot is in (journeys have no parallel states: one leaf, under the inner journeys'
 * compound states). No transition is taken for it; the context travels in the event and every later
 * transition commits it.
 */
function waitingIn(snapshot: Snapshot, event: JourneyEvent): NodeRun {
  const path: string[] = [];
  let value = snapshot.value as StateValue | undefined;
  while (value !== undefined && typeof value === 'object') {
    const [key] = Object.keys(value);
    if (key === undefined) break;
    path.push(key);
    value = value[key];
  }
  if (typeof value === 'string') path.push(value);
  return { node: path.join('.'), event };
}

/**
 * XState's persisted snapshot, with the context's unset fields left out (it travels as JSON). A journey
 * that waits for the client stays in the state whose node asked: `waiting` is the working context the
 * node left, merged over the snapshot's as the machine's `commit` (xstate's `assign`) would merge it,
 * without a transition that would change nothing else (about a fifth of a step's xstate work).
 */
function persisted(snapshot: Snapshot, waiting?: JourneyContext): PersistedMachine {
  const p = snapshot.machine.getPersistedSnapshot(snapshot) as unknown as PersistedMachine;
  const context = waiting ? { ...p.context, ...waiting } : { ...p.context };
  for (const key of ['pending', 'suspended', 'errorMessage', 'session', 'atSuccess'] as const) if (context[key] === undefined) delete context[key];
  return { ...p, context };
}

/** The part of a journey's context a step can change besides the callbacks it sends. */
function stateOf(context: JourneyContext): string {
  return JSON.stringify([context.shared, context.transient, context.local]);
}

function clearLocal(context: JourneyContext, key: string): void {
  for (const k of Object.keys(context.local)) if (k === key || k.startsWith(key + '/')) delete context.local[k];
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export { SUCCESS, FAILURE };
