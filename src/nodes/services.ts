import type { ScriptPort } from '../scripts/engine.js';

/**
 * What nodes may reach outside the journey state. Each port is narrow and injected by the server
 * (style.md §3, §10), so nodes stay testable with real implementations on a temporary store. Mail
 * and audit are not among them: a node returns those as effects (src/nodes/types.ts), which the
 * protocol adapter performs once the journey state is persisted.
 */
import type { KbaPort } from '../identity/kba.js';
import type { CounterPort, IdentityPort, IdentitySchemaPort, PolicyPort } from '../identity/ports.js';

/** Rate limits for e-mails a journey sends (Email Suspend, Email Template), enforced in the store. */
export interface MailLimits {
  /** Messages per account per window (default 5 per 15 minutes). */
  perAccount: number;
  /** Messages per client address per window. */
  perClient: number;
  windowMs: number;
}

export interface NodeServices {
  /** Milliseconds since the epoch; injected so tests can move time. */
  now(): number;
  /** The managed-object schema (Attribute Collector prompts, required flags). */
  schema: IdentitySchemaPort;
  /** Password and attribute policies (Validated* callbacks). */
  policy: PolicyPort;
  identity: IdentityPort;
  counters: CounterPort;
  mailLimits: MailLimits;
  /** The script sandbox (Scripted Decision); absent where no scripts are loaded. */
  scripts?: ScriptPort;
  /** Security questions: the KBA configuration, answer hashing and checking with its failure budget. */
  kba: KbaPort;
}
