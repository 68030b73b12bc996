/**
 * The authenticate API's wire shapes as the pages see them (AM protocol §1.7, §2.1): a step with
 * callbacks, a success, a CREST error body. Pure types, shared by the model, the client and the view;
 * nothing here touches the DOM so the Node tests can import it.
 */

export interface WireField {
  name: string;
  value: unknown;
}

export interface WireCallback {
  type: string;
  output?: WireField[];
  input?: WireField[];
  _id?: number;
}

export interface Step {
  authId: string;
  callbacks: WireCallback[];
  header?: string;
  description?: string;
  stage?: string;
  [extra: string]: unknown;
}

export interface SuccessBody {
  tokenId?: string;
  successUrl?: string;
  realm?: string;
}

export interface ErrorBody {
  code?: number;
  reason?: string;
  message?: string;
  detail?: Record<string, unknown>;
}

/** One failed (or required) policy, AM's `{policyRequirement, params}` after JSON-decoding. */
export interface PolicyFailure {
  policyRequirement: string;
  params?: Record<string, unknown>;
}

/** The value of output `name` of a callback, or undefined. */
export function outputValue(callback: WireCallback, name: string): unknown {
  return callback.output?.find((field) => field.name === name)?.value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
