import type { ScriptPort } from '../scripts/engine.js';
import type { SocialPort } from '../social/oidc.js';

/**
 * What nodes may reach outside the journey state. Each port is narrow and injected by the server
 * (style.md §3, §10), so nodes stay testable with real implementations on a temporary store. Mail
 * and audit are not among them: a node returns those as effects (src/nodes/types.ts), which the
 * protocol adapter performs once the journey state is persisted.
 */
import type { Operator } from '../admin/guard.js';
import type { ResetGuard } from '../credential-reset/protection.js';
import type { KbaPort } from '../identity/kba.js';
import type { CounterPort, IdentityPort, IdentitySchemaPort, PolicyPort } from '../identity/ports.js';
import type { TermsPort } from '../identity/terms.js';

/** Rate limits for e-mails a journey sends (Email Suspend, Email Template), enforced in the store. */
export interface MailLimits {
  /** Messages per account per window (default 5 per 15 minutes). */
  perAccount: number;
  /** Messages per client address per window. */
  perClient: number;
  windowMs: number;
}

/** The live session a request carries, as journeys read it (Get Session Data). */
export interface SessionReader {
  /**
   * AM's properties of the live session `ssoTokenId` — `UserToken`, `UserId`, `Principal`, `Service`,
   * `AuthLevel`, `authInstant`, … and those its journey set — or undefined when it is not live.
   */
  properties(ssoTokenId: string): Promise<Record<string, string> | undefined>;
  /**
   * The administrator the live session `ssoTokenId` signed in, with the roles they hold now
   * (src/admin/guard.ts operatorReader); undefined for an end user's session or a dead one.
   */
  operator(ssoTokenId: string): Promise<Operator | undefined>;
}

/**
 * Short signed tokens nodes hand to clients (the persistent cookie): HS256 with the server's signing
 * keys, bound to a `purpose` (the audience), so a token of one purpose is refused for any other.
 */
export interface TokenSigner {
  sign(purpose: string, claims: Record<string, unknown>, ttlSeconds: number): Promise<string>;
  /** The claims of a genuine, unexpired token of `purpose`; undefined for anything else. */
  verify(purpose: string, token: string): Promise<Record<string, unknown> | undefined>;
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
  sessions: SessionReader;
  tokens: TokenSigner;
  /** Resets an operator starts (Reset Credential): the policy's protected targets, then the one save path. */
  credentialResets: Pick<ResetGuard, 'reset'>;
  /** The terms and conditions users accept (Accept Terms and Conditions, Terms and Conditions Decision). */
  terms: TermsPort;
  /** Security questions and answers (KBA Definition, KBA Verification, KBA Decision). */
  kba: KbaPort;
  /** Development only: the Debug Node shows the journey state (secrets withheld); otherwise it passes through. */
  debugNodes: boolean;
  /** The realm's social identity providers (Select Identity Provider, Social Provider Handler); absent: none. */
  social?: SocialPort;
}
