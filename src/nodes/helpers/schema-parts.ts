/**
 * Pieces of node descriptors that several node types share word for word: the true/false outcomes
 * of AM's decision nodes, the `identityAttribute` setting of the nodes that look a user up, and the
 * `passwordAttribute` setting of the nodes that use the value Generate Password left.
 */
import type { Outcome } from '../types.js';

export const TRUE_FALSE_OUTCOMES: readonly Outcome[] = [
  { id: 'true', displayName: 'True' },
  { id: 'false', displayName: 'False' },
];

/** `identityAttribute` as the lookup nodes declare it (AM default `userName`). */
export const IDENTITY_ATTRIBUTE_PROPERTY = {
  title: 'Identity attribute',
  description: 'The attribute used to find the user, with the value collected for it (else the username).',
  type: 'string',
  minLength: 1,
  default: 'userName',
} as const;

/** The whole config schema of a decision node whose only setting is `identityAttribute`. */
export const IDENTITY_ATTRIBUTE_ONLY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: { identityAttribute: IDENTITY_ATTRIBUTE_PROPERTY },
} as const;

/** `passwordAttribute` as the nodes after Generate Password declare it (Deliver Credential, Reset Credential). */
export const GENERATED_PASSWORD_ATTRIBUTE_PROPERTY = {
  title: 'Password attribute',
  description: 'Where Generate Password left the value in transient objectAttributes.',
  type: 'string',
  minLength: 1,
  default: 'password',
} as const;
