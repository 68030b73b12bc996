/**
 * The journey runner: takes a persisted snapshot plus the client's returned callbacks, and runs
 * nodes until one needs input (callbacks), the journey suspends, or it ends. The snapshot is plain
 * JSON (the AM adapter carries it, encrypted, inside the authId; suspended journeys are stored).
 * Inner trees run as child machines on a stack of frames. Nothing is mutated in place: a rejected
 * step leaves the caller's snapshot as it was.
 */
import type { Callback } from '../callbacks/types.js';
import { numberCallbacks, verifyReturned } from '../callbacks/index.js';
import { CairnError, isCairnError } from '../errors/cairn-error.js';
import type { NodeRegistry } from '../nodes/index.js';
import type { NodeServices } from '../nodes/services.js';
import type { ChildNodeRef, NodeContext, NodeResult, RequestInfo } from '../nodes/types.js';
import type { JourneyCatalog } from './catalog.js';
import { entryState, follow, positionOf, type CompiledJourney } from './compile.js';
import { localize } from './locale.js';
import { FAILURE, SUCCESS } from './model.js';
import type { CheckedNode } from './validate.js';

export const SNAPSHOT_VERSION = 1;

export interface Frame {
  journeyId: string;
  version: string;
  /** The machine's state: a node id, Success or Failure. */
  state: string;
}

export interface JourneySnapshot {
  v: typeof SNAPSHOT_VERSION;
  /** Root journey first; inner trees above it. */
  frames: Frame[];
  shared: Record<string, unknown>;
  transient: Record<string, unknown>;
  /** Node-local state by node path. */
  local: Record<string, Record<string, unknown>>;
  /** The callbacks last sent, which the client must return. */
  pending?: Callback[];
  /** Header, description and stage of the pending step. */
  page?: { header?: string; description?: string; stage?: string };
  /** True while the journey waits to be resumed from a suspension. */
  suspended?: boolean;
  /** The message the journey fails with, when a node set one. */
  errorMessage?: string;
  startedAt: number;
}

export interface StepInput {
  locales: readonly string[];
  request: RequestInfo;
}

interface Base {
  snapshot: JourneySnapshot;
  /** The root journey. */
  journey: CompiledJourney;
}

export type StepResult =
  | (Base & { type: 'callbacks'; callbacks: Callback[]; header?: string; description?: string; stage?: string })
  | (Base & {
      type: 'suspended';
      callbacks: Callback[];
      durationMinutes?: number;
      notify?: (resumeUri: string) => Promise<void> | void;
      /** The client re-posted the step that announced an existing suspension: store nothing new. */
      repeated?: boolean;
    })
  | (Base & { type: 'success' })
  | (Base & { type: 'failure'; message: string });

export const DEFAULT_FAILURE_MESSAGE = 'Login failure';
/** Node runs without asking the client anything before a journey is judged to loop. */
const MAX_RUNS_PER_STEP = 1000;

export const journeyNotFound = (id: string): CairnError =>
  new CairnError({ status: 400, code: 'journey.not_found', message: 'No Configuration found', detail: { journey: id } });
/** The journey the snapshot belongs to was changed or removed: the client starts again. */
export const journeyChanged = (): CairnError => new CairnError({ status: 401, code: 'journey.changed', message: 'Session has timed out' });

export interface RunnerDeps {
  catalog: () => JourneyCatalog;
  registry: NodeRegistry;
  services: NodeServices;
  /** Called when a node fails unexpectedly; the journey then fails with the default message. */
  onNodeError?: (error: unknown, where: { journeyId: string; nodeId: string; nodeType: string }) => void;
}

export interface StartOptions {
  /** Reject journeys marked innerTreeOnly or disabled (default true). */
  enforceFlags?: boolean;
}

export class JourneyRunner {
  constructor(private readonly deps: RunnerDeps) {}

  /** Starts a journey by name. Throws `journey.not_found` for unknown, disabled or inner-only journeys. */
  async start(journeyId: string, input: StepInput, initialShared: Record<string, unknown> = {}): Promise<StepResult> {
    const journey = this.deps.catalog().get(journeyId);
    if (!journey || !journey.enabled || journey.innerTreeOnly) throw journeyNotFound(journeyId);
    const snapshot: JourneySnapshot = {
      v: SNAPSHOT_VERSION,
      frames: [{ journeyId, version: journey.version, state: entryState(journey) }],
      shared: structuredClone(initialShared),
      transient: {},
      local: {},
      startedAt: this.deps.services.now(),
    };
    return this.run(snapshot, undefined, false, input);
  }

  /**
   * Continues a journey with the callbacks the client returned. `owned`: the caller hands the snapshot
   * over (freshly decoded from an authId) and will not look at it again, so it is not copied first.
   */
  async next(previous: JourneySnapshot, returned: unknown, input: StepInput, owned = false): Promise<StepResult> {
    const snapshot = this.restore(previous, owned);
    if (snapshot.suspended) {
      // The step that announced the suspension re-posted: answer it again, nothing advances.
      return { type: 'suspended', snapshot, journey: this.rootOf(snapshot), callbacks: numberCallbacks(snapshot.pending ?? []), repeated: true };
    }
    const verified = verifyReturned(snapshot.pending ?? [], returned);
    return this.run(snapshot, verified, false, input);
  }

  /** Resumes a suspended journey at the node that suspended it. */
  async resume(previous: JourneySnapshot, input: StepInput, owned = false): Promise<StepResult> {
    const snapshot = this.restore(previous, owned);
    if (!snapshot.suspended) throw journeyChanged();
    delete snapshot.suspended;
    delete snapshot.pending;
    return this.run(snapshot, undefined, true, input);
  }

  /** Deep-copies a snapshot (unless owned) and checks every frame still matches a loaded journey version. */
  private restore(previous: JourneySnapshot, owned: boolean): JourneySnapshot {
    if (!previous || previous.v !== SNAPSHOT_VERSION || !Array.isArray(previous.frames) || previous.frames.length === 0) {
      throw journeyChanged();
    }
    const snapshot = owned ? previous : structuredClone(previous);
    for (const f of snapshot.frames) {
      const j = this.deps.catalog().get(f.journeyId);
      if (!j || j.version !== f.version) throw journeyChanged();
    }
    return snapshot;
  }

  private rootOf(snapshot: JourneySnapshot): CompiledJourney {
    const root = snapshot.frames[0] as Frame;
    const j = this.deps.catalog().get(root.journeyId);
    if (!j) throw journeyChanged();
    return j;
  }

  private async run(snapshot: JourneySnapshot, returned: Callback[] | undefined, resumed: boolean, input: StepInput): Promise<StepResult> {
    const root = this.rootOf(snapshot);
    let callbacks = returned;
    let childOutcome: 'true' | 'false' | undefined;
    delete snapshot.pending;
    delete snapshot.page;

    for (let runs = 0; runs < MAX_RUNS_PER_STEP; runs++) {
      const depth = snapshot.frames.length - 1;
      const frame = snapshot.frames[depth] as Frame;
      const journey = this.deps.catalog().get(frame.journeyId);
      if (!journey || journey.version !== frame.version) throw journeyChanged();
      const position = positionOf(journey, frame.state);

      if (position.kind === 'terminal') {
        if (depth === 0) {
          return position.terminal === SUCCESS
            ? { type: 'success', snapshot, journey: root }
            : { type: 'failure', snapshot, journey: root, message: snapshot.errorMessage ?? DEFAULT_FAILURE_MESSAGE };
        }
        snapshot.frames.pop();
        childOutcome = position.terminal === SUCCESS ? 'true' : 'false';
        continue;
      }

      const node = position.node;
      const key = `${depth}:${node.id}`;
      let result: NodeResult;
      try {
        result = await this.process(node, key, snapshot, journey, input, callbacks, resumed, childOutcome);
      } catch (error) {
        if (isCairnError(error) && error.status < 500) throw error; // the client's mistake: nothing advances
        this.deps.onNodeError?.(error, { journeyId: journey.id, nodeId: node.id, nodeType: node.nodeType });
        return { type: 'failure', snapshot, journey: root, message: DEFAULT_FAILURE_MESSAGE };
      }
      callbacks = undefined;
      resumed = false;
      childOutcome = undefined;

      switch (result.kind) {
        case 'callbacks': {
          const numbered = numberCallbacks(result.callbacks);
          snapshot.pending = numbered;
          const page = { header: result.header, description: result.description, stage: result.stage };
          if (page.header !== undefined || page.description !== undefined || page.stage !== undefined) snapshot.page = page;
          return { type: 'callbacks', snapshot, journey: root, callbacks: numbered, ...definedOnly(page) };
        }
        case 'suspend': {
          const numbered = numberCallbacks(result.callbacks);
          snapshot.pending = numbered;
          snapshot.suspended = true;
          snapshot.transient = {}; // AM drops transient state (secrets) when a journey suspends
          return {
            type: 'suspended',
            snapshot,
            journey: root,
            callbacks: numbered,
            ...(result.durationMinutes !== undefined ? { durationMinutes: result.durationMinutes } : {}),
            ...(result.notify ? { notify: result.notify } : {}),
          };
        }
        case 'child': {
          const child = this.deps.catalog().get(result.journeyId);
          if (!child || !child.enabled) {
            this.deps.onNodeError?.(new Error(`Inner journey ${result.journeyId} is not available.`), {
              journeyId: journey.id,
              nodeId: node.id,
              nodeType: node.nodeType,
            });
            return { type: 'failure', snapshot, journey: root, message: DEFAULT_FAILURE_MESSAGE };
          }
          snapshot.frames.push({ journeyId: child.id, version: child.version, state: entryState(child) });
          continue;
        }
        case 'outcome': {
          if (result.errorMessage !== undefined) snapshot.errorMessage = result.errorMessage;
          clearLocal(snapshot, key);
          frame.state = follow(journey, frame.state, result.outcome);
          continue;
        }
      }
    }
    this.deps.onNodeError?.(new Error(`Journey ran ${MAX_RUNS_PER_STEP} nodes without asking for input.`), {
      journeyId: root.id,
      nodeId: (snapshot.frames[snapshot.frames.length - 1] as Frame).state,
      nodeType: 'loop',
    });
    return { type: 'failure', snapshot, journey: root, message: DEFAULT_FAILURE_MESSAGE };
  }

  private async process(
    node: CheckedNode,
    key: string,
    snapshot: JourneySnapshot,
    journey: CompiledJourney,
    input: StepInput,
    callbacks: Callback[] | undefined,
    resumed: boolean,
    childOutcome: 'true' | 'false' | undefined,
  ): Promise<NodeResult> {
    const local = (snapshot.local[key] ??= {});
    const ctx: NodeContext = {
      nodeId: node.id,
      config: node.config,
      shared: snapshot.shared,
      transient: snapshot.transient,
      local,
      callbacks,
      resumed,
      childOutcome,
      journey: { id: journey.id, identityResource: journey.identityResource, noSession: journey.noSession },
      request: input.request,
      services: this.deps.services,
      locales: input.locales,
      localize: (text, fallback) => localize(text, input.locales, fallback),
      processChild: (ref: ChildNodeRef, childCallbacks: Callback[] | undefined) => {
        const child = node.children.find((c) => c.id === ref._id);
        if (!child) throw new Error(`Node ${node.id} has no child ${ref._id}.`);
        return this.process(child, `${key}/${child.id}`, snapshot, journey, input, childCallbacks, false, undefined);
      },
    };
    const result = await node.descriptor.process(ctx);
    if (Object.keys(local).length === 0) delete snapshot.local[key];
    return result;
  }
}

function clearLocal(snapshot: JourneySnapshot, key: string): void {
  for (const k of Object.keys(snapshot.local)) if (k === key || k.startsWith(key + '/')) delete snapshot.local[k];
}

function definedOnly<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export { SUCCESS, FAILURE };
