/**
 * The node contract. Each node type is one module under src/nodes/ exporting a NodeDescriptor, listed
 * in src/nodes/index.ts. A node's `process` decides; anything it touches outside the journey state
 * (users, mail, counters, the clock) comes through `ctx.services`, injected by the server.
 */
import type { Callback } from '../callbacks/types.js';
import type { LocalizedText } from '../journeys/model.js';
import type { NodeServices } from './services.js';

export interface Outcome {
  id: string;
  displayName: string;
}

/** JSON Schema (draft 2020-12 subset understood by ajv) of a node's `config`, with defaults. */
export type JsonSchema = Record<string, unknown>;

/** A node's answer for one step. */
export type NodeResult =
  /** Move on along the connection named `outcome`. `errorMessage` becomes the failure message if the journey fails. */
  | { kind: 'outcome'; outcome: string; errorMessage?: string }
  /** Ask the client: send these callbacks and stop until it answers. */
  | { kind: 'callbacks'; callbacks: Callback[]; header?: string; description?: string; stage?: string }
  /**
   * Suspend the journey (Email Suspend): send `callbacks` (no input), store the journey server-side,
   * and call `notify` with the resume link once it exists. Resuming re-enters this node with
   * `ctx.resumed === true`.
   */
  | { kind: 'suspend'; callbacks: Callback[]; durationMinutes?: number; notify?: (resumeUri: string) => Promise<void> | void }
  /** Run another journey as a child; this node is re-entered with `ctx.childOutcome` when it ends. */
  | { kind: 'child'; journeyId: string };

/** Information about the HTTP request driving this step, for nodes that need it. */
export interface RequestInfo {
  clientIp?: string;
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
}

export interface NodeContext<C = Record<string, unknown>> {
  /** The node's id in its journey (or its child id inside a Page Node). */
  readonly nodeId: string;
  /** The node's configuration with schema defaults applied. */
  readonly config: C;
  /** AM's shared state: persisted across steps and suspension (`objectAttributes`, `username`, `_id`, `successUrl`, …). */
  readonly shared: Record<string, unknown>;
  /** AM's transient state: secrets (passwords, OTPs). Never logged, dropped when the journey suspends. */
  readonly transient: Record<string, unknown>;
  /** State private to this node, kept across its own steps. */
  readonly local: Record<string, unknown>;
  /** The callbacks the client returned for this node (already checked against what was sent); undefined on a first visit. */
  readonly callbacks: Callback[] | undefined;
  /** True when the journey was resumed from a suspension that this node requested. */
  readonly resumed: boolean;
  /** When re-entered after a `child` result: how the child journey ended. */
  readonly childOutcome: 'true' | 'false' | undefined;
  readonly journey: { readonly id: string; readonly identityResource: string; readonly noSession: boolean };
  readonly request: RequestInfo;
  readonly services: NodeServices;
  /** The request's locales, most preferred first. */
  readonly locales: readonly string[];
  /** Resolves a localised text map for this request's locales; falls back to the map's first entry. */
  localize(text: LocalizedText | string | undefined, fallback?: string): string;
  /**
   * For composite nodes (Page Node): process another node inline with its own local state, returned
   * callbacks and resumption flag.
   */
  processChild(child: ChildNodeRef, callbacks: Callback[] | undefined): Promise<NodeResult>;
}

export interface ChildNodeRef {
  _id: string;
  nodeType: string;
  displayName?: string;
  config?: Record<string, unknown>;
}

/** Graph-level problems a node reports about its own config (e.g. an inner tree that does not exist). */
export interface ConfigProblem {
  /** JSON pointer relative to the node's `config`. */
  pointer: string;
  message: string;
  severity?: 'error' | 'warning';
}

export interface NodeDescriptor<C = any> {
  /** AM's type id, e.g. `ValidatedUsernameNode`. */
  readonly type: string;
  /** AM's display name, e.g. `Platform Username`. */
  readonly displayName: string;
  readonly configSchema: JsonSchema;
  /** Static outcomes, or derived from the config (Choice Collector). */
  readonly outcomes: readonly Outcome[] | ((config: C) => Outcome[]);
  /**
   * Whether this node sends several callbacks that together make its decision (Message Node: a text
   * and a confirmation). Page Node rule: only the last child may. Nodes that merely collect several
   * values (Attribute Collector) are not concerned: AIC's stock Registration page places one before
   * other nodes. Defaults to false.
   */
  readonly multipleCallbacks?: boolean | ((config: C) => boolean);
  /** Whether this node may appear inside a Page Node. Defaults to true. */
  readonly allowedInPage?: boolean;
  /** Config checks the schema cannot express (e.g. the default choice must be one of the choices). */
  checkConfig?(config: C): ConfigProblem[];
  /**
   * The nodes this node runs inline (Page Node). A node with children takes its outcomes from its last
   * child, and the validator checks each child like a node of its own.
   */
  children?(config: C): ChildNodeRef[];
  /** Other journeys this node runs (Inner Tree Evaluator), with the config pointer naming each, for existence and recursion checks. */
  referencedJourneys?(config: C): { journeyId: string; pointer: string }[];
  process(ctx: NodeContext<C>): Promise<NodeResult>;
}

export function outcomesOf<C>(descriptor: NodeDescriptor<C>, config: C): Outcome[] {
  const o = descriptor.outcomes;
  return typeof o === 'function' ? o(config) : [...o];
}

/** Helper for node modules: declares a descriptor with its config type checked. */
export function defineNode<C>(descriptor: NodeDescriptor<C>): NodeDescriptor<C> {
  return descriptor;
}
