/**
 * The node contract. Each node type is one module under src/nodes/ exporting a NodeDescriptor, listed
 * in src/nodes/index.ts. A node's `process` decides and answers with plain data (NodeResult): what it
 * reads or counts outside the journey state (users, counters, the clock) comes through `ctx.services`,
 * injected by the server; what it wants done afterwards (mail, audit events) it returns as effects,
 * which the protocol adapter performs once the journey state is persisted.
 */
import type { Callback } from '../callbacks/types.js';
import type { LocalizedText } from '../journeys/model.js';
import type { InlineTemplate } from '../mail/types.js';
import type { NodeServices } from './services.js';

export interface Outcome {
  id: string;
  displayName: string;
}

/** JSON Schema (draft 2020-12 subset understood by ajv) of a node's `config`, with defaults. */
export type JsonSchema = Record<string, unknown>;

/**
 * Send the e-mail `template` to `to`, rendered with `object` (IDM's template object). With
 * `resumeLinkField` (only on a `suspend` result), the adapter writes the link that resumes the
 * journey into `object[resumeLinkField]` once the suspension is stored. Sent off the request path.
 */
export interface MailEffect {
  type: 'mail';
  template: string;
  to: string;
  locales: readonly string[];
  object: Record<string, unknown>;
  resumeLinkField?: string;
  /**
   * The template's texts given by the node's own configuration (IDM self-service stages) instead of a
   * named template file; `template` then only names the message in logs, limits and the audit log.
   */
  inline?: InlineTemplate;
}

/** Record an audit event. Fields never carry passwords, codes, tokens or suspend ids. */
export interface AuditEffect {
  type: 'audit';
  event: string;
  fields: Record<string, unknown>;
}

/**
 * Set (or, with `maxAgeSeconds: 0` and an empty value, clear) a cookie on the client. The adapter
 * writes it `Path=/; HttpOnly; SameSite=Lax`, `Secure` when the public URL is https. With
 * `atSuccess`, the runner holds it back until the journey reaches Success and drops it otherwise
 * (AM's session hooks: Set Persistent Cookie).
 */
export interface CookieEffect {
  type: 'cookie';
  name: string;
  value: string;
  /** Absent: a browser-session cookie. */
  maxAgeSeconds?: number;
  atSuccess?: boolean;
}

/** Record a measurement (Timer Stop): `key` is the journey's metric name, `ms` the elapsed time. */
export interface MetricEffect {
  type: 'metric';
  key: string;
  ms: number;
}

/** What a node wants done once the journey state is persisted: plain, serialisable data. */
export type Effect = MailEffect | AuditEffect | CookieEffect | MetricEffect;

/** A node's answer for one step: plain, serialisable data. */
export type NodeResult =
  /** Move on along the connection named `outcome`. `errorMessage` becomes the failure message if the journey fails. */
  | { kind: 'outcome'; outcome: string; errorMessage?: string; effects?: Effect[] }
  /** Ask the client: send these callbacks and stop until it answers. */
  | { kind: 'callbacks'; callbacks: Callback[]; header?: string; description?: string; stage?: string; effects?: Effect[] }
  /**
   * Suspend the journey (Email Suspend): send `callbacks` (no input) and store the journey server-side;
   * a mail effect with `resumeLinkField` carries the link. Resuming re-enters this node with
   * `ctx.resumed === true`.
   */
  | {
      kind: 'suspend';
      callbacks: Callback[];
      durationMinutes?: number;
      /**
       * Who the suspension is for: a newer suspension of the same subject and journey supersedes it.
       * Default: the identified account (`shared._id`). A node that suspends whether or not an account
       * exists names a subject on every path, so both do the same store work.
       */
      subject?: string;
      effects?: Effect[];
    };

export const auditEffect = (event: string, fields: Record<string, unknown>): AuditEffect => ({ type: 'audit', event, fields });

/** Information about the HTTP request driving this step, for nodes that need it. */
export interface RequestInfo {
  clientIp?: string;
  /** The request id the server logs under (X-Request-Id). */
  requestId?: string;
  /** The device cookie the client sent (set when it signed in before), for the password attempt budgets. */
  deviceCookie?: string;
  /** Header names in lower case; repeated headers joined with ", ". */
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  /** The request's cookies by name (the first of each name). */
  cookies?: Record<string, string>;
  /** The session token the request carries (cookie or header), as AM's `context.request.ssoTokenId`. */
  ssoTokenId?: string;
}

/**
 * What the session the journey creates will hold, gathered while it runs (Set / Remove Session
 * Properties): custom properties, and lifetimes in minutes that replace the server's.
 */
export interface SessionDraft {
  properties: Record<string, string>;
  maxSessionMinutes?: number;
  maxIdleMinutes?: number;
}

export interface NodeContext<C = Record<string, unknown>> {
  /** The node's id in its journey (or its child id inside a Page Node). */
  readonly nodeId: string;
  /** AM's version of the node type, when the journey names one (`"2.0"` for Page Node 2.0). */
  readonly nodeVersion?: string;
  /** The node's configuration with schema defaults applied. */
  readonly config: C;
  /** AM's shared state: persisted across steps and suspension (`objectAttributes`, `username`, `_id`, `successUrl`, …). */
  readonly shared: Record<string, unknown>;
  /** AM's transient state: secrets (passwords, OTPs). Never logged, dropped when the journey suspends. */
  readonly transient: Record<string, unknown>;
  /** State private to this node, kept across its own steps. */
  readonly local: Record<string, unknown>;
  /** The session this journey will create on success; nodes change it in place. */
  readonly session: SessionDraft;
  /** The callbacks the client returned for this node (already checked against what was sent); undefined on a first visit. */
  readonly callbacks: Callback[] | undefined;
  /** True when the journey was resumed from a suspension that this node requested. */
  readonly resumed: boolean;
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

/**
 * The config type of "any node": the registry and the engine hold descriptors of every config type
 * together, and C sits in parameter position (`process`, `outcomes`), so `unknown` would admit none.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the one place descriptors of different config types share a type (above)
type AnyConfig = any;

interface NodeDescriptorBase<C> {
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
  /** Scripts this node runs (Scripted Decision), with the config pointer naming each, checked against the loaded scripts. */
  referencedScripts?(config: C): { scriptId: string; pointer: string; context?: 'decision' | 'SOCIAL_IDP_PROFILE_TRANSFORMATION' }[];
}

/** A node that runs code: the runner calls `process` when the journey enters it and when the client answers it. */
export interface ProcessingNodeDescriptor<C = AnyConfig> extends NodeDescriptorBase<C> {
  process(ctx: NodeContext<C>): Promise<NodeResult>;
  readonly innerJourney?: undefined;
}

/**
 * A node that runs another journey (Inner Tree Evaluator): compiled as a compound state holding that
 * journey's states, left by `true` when the inner journey reaches Success and `false` at Failure. The
 * validator checks the journey exists and that no journey reaches itself this way.
 */
export interface InnerJourneyNodeDescriptor<C = AnyConfig> extends NodeDescriptorBase<C> {
  /** The journey this node runs, with the config pointer naming it (for the validator's messages). */
  innerJourney(config: C): { journeyId: string; pointer: string };
  readonly process?: undefined;
}

export type NodeDescriptor<C = AnyConfig> = ProcessingNodeDescriptor<C> | InnerJourneyNodeDescriptor<C>;

export function outcomesOf<C>(descriptor: NodeDescriptor<C>, config: NoInfer<C>): Outcome[] {
  const o = descriptor.outcomes;
  return typeof o === 'function' ? o(config) : [...o];
}

/** Helper for node modules: declares a descriptor with its config type checked. */
export function defineNode<C>(descriptor: ProcessingNodeDescriptor<C>): ProcessingNodeDescriptor<C>;
export function defineNode<C>(descriptor: InnerJourneyNodeDescriptor<C>): InnerJourneyNodeDescriptor<C>;
export function defineNode<C>(descriptor: NodeDescriptor<C>): NodeDescriptor<C> {
  return descriptor;
}
