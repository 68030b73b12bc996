/**
 * Increment Login Count (AM `IncrementLoginCountNode`): records a successful login (login count, last
 * login time) on the journey's user — `shared._id` when identified, else found by `identityAttribute`.
 * Failures are swallowed, as in AM: a bookkeeping problem must not fail a login. Outcome `outcome`.
 */
import { identifiedIdOf, resolveIdentity } from './helpers/identity-lookup.js';
import { auditEffect, defineNode, type NodeResult } from './types.js';

export interface IncrementLoginCountConfig {
  identityAttribute: string;
}

export const incrementLoginCountNode = defineNode<IncrementLoginCountConfig>({
  type: 'IncrementLoginCountNode',
  displayName: 'Increment Login Count',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      identityAttribute: {
        title: 'Identity attribute',
        description: 'The attribute used to find the user when none is identified yet, with the value collected for it (else the username).',
        type: 'string',
        minLength: 1,
        default: 'userName',
      },
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],

  async process(ctx) {
    const resource = ctx.journey.identityResource;
    const skipped = (reason: string): NodeResult => ({
      kind: 'outcome',
      outcome: 'outcome',
      effects: [auditEffect('login.count.skipped', { journey: ctx.journey.id, node: ctx.nodeId, reason })],
    });
    try {
      const id = identifiedIdOf(ctx) ?? (await resolveIdentity(ctx, resource, ctx.config.identityAttribute))?._id;
      if (id === undefined) return skipped('no-account');
      await ctx.services.identity.recordLogin(resource, id);
    } catch {
      return skipped('error');
    }
    return { kind: 'outcome', outcome: 'outcome' };
  },
});
