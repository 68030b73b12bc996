/**
 * How identity nodes find "the user" of a journey, after AM's IdmIntegrationService: the value of
 * `objectAttributes[identityAttribute]` (shared, then transient state), else `shared.username`, looked
 * up by that attribute; without either, the object already identified (`shared._id`). Also the
 * helpers for reading identity-service answers that several nodes share.
 */
import { CairnError } from '../../errors/cairn-error.js';
import type { IdentityFailure, ManagedObject } from '../../identity/ports.js';
import { auditEffect, type NodeContext, type NodeResult } from '../types.js';
import { getObjectAttribute } from './object-attributes.js';

const nonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

/** The value identifying the user: `objectAttributes[identityAttribute]` (shared, then transient), else `shared.username`. */
export function identityValueOf(ctx: NodeContext<unknown>, identityAttribute: string): string | undefined {
  for (const state of [ctx.shared, ctx.transient]) {
    const v = getObjectAttribute(state, identityAttribute);
    if (nonEmptyString(v)) return v;
  }
  const username = ctx.shared['username'];
  return nonEmptyString(username) ? username : undefined;
}

/** `shared._id` when set. */
export function identifiedIdOf(ctx: NodeContext<unknown>): string | undefined {
  const id = ctx.shared['_id'];
  return nonEmptyString(id) ? id : undefined;
}

/**
 * The journey's user: looked up by `identityAttribute` (see identityValueOf), else read by
 * `shared._id`. Undefined when nothing identifies a user or no such object exists.
 */
export async function resolveIdentity(ctx: NodeContext<unknown>, resource: string, identityAttribute: string): Promise<ManagedObject | undefined> {
  const value = identityValueOf(ctx, identityAttribute);
  if (value !== undefined) return ctx.services.identity.findByAttribute(resource, identityAttribute, value);
  const id = identifiedIdOf(ctx);
  return id === undefined ? undefined : ctx.services.identity.read(resource, id);
}

/** Tells an identity-service failure from an object (objects always carry `_id`). */
export function isIdentityFailure(result: ManagedObject | IdentityFailure): result is IdentityFailure {
  return typeof (result as { _id?: unknown })._id !== 'string';
}

/** True for `accountStatus: "inactive"` (locked by Account Lockout or an administrator). */
export function isInactive(object: Record<string, unknown>): boolean {
  return typeof object['accountStatus'] === 'string' && object['accountStatus'].toLowerCase() === 'inactive';
}

/** Inactive because an administrator said so, not because Account Lockout locked it after failed sign-ins. */
export function isDisabled(object: Record<string, unknown>): boolean {
  return isInactive(object) && !(typeof object['lockoutAt'] === 'string' && object['lockoutAt'] !== '');
}

/** AM refuses IDM nodes whose own `identityResource` differs from the journey's; so does Cairn. */
export function assertJourneyResource(ctx: NodeContext<unknown>, nodeName: string, configured: string): string {
  if (configured !== ctx.journey.identityResource) {
    throw new CairnError({
      status: 500,
      code: 'node_misconfigured',
      message: `${nodeName}: identityResource "${configured}" differs from the journey's "${ctx.journey.identityResource}"`,
      expose: false,
    });
  }
  return configured;
}

/**
 * A decision node's answer when nobody is identified (AM throws): `false`, with the audit event
 * `journey.identity.missing`, so the journey follows its own false branch.
 */
export function identityMissing(ctx: NodeContext<unknown>, nodeType: string): NodeResult {
  return {
    kind: 'outcome',
    outcome: 'false',
    effects: [auditEffect('journey.identity.missing', { journey: ctx.journey.id, node: ctx.nodeId, nodeType })],
  };
}
