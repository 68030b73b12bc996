/**
 * Account Lockout (AM `AccountLockoutNode`): sets the journey's user (`shared._id`, else found by
 * `shared.username`) inactive (LOCK, noting `lockoutAt`) or active (UNLOCK) and records
 * `account.locked` / `account.unlocked`. A locked-out account (unlike one an administrator set
 * inactive) can still reset its password, which reactivates it: otherwise anyone could lock a person
 * out for good with a few wrong passwords (OWASP: allow forgot-password while locked). Always leaves by `outcome`: with nobody identified (AM would throw) it records
 * `account.lockout.skipped` instead, so an unknown username ends the same way as a real one.
 */
import { resolveIdentity, isIdentityFailure } from './helpers/identity-lookup.js';
import { auditEffect, defineNode, type AuditEffect, type NodeResult } from './types.js';

export interface AccountLockoutConfig {
  lockAction: 'LOCK' | 'UNLOCK';
}

export const accountLockoutNode = defineNode<AccountLockoutConfig>({
  type: 'AccountLockoutNode',
  displayName: 'Account Lockout',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      lockAction: {
        title: 'Lock action',
        description: 'LOCK sets the account inactive; UNLOCK sets it active.',
        enum: ['LOCK', 'UNLOCK'],
        default: 'LOCK',
      },
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],

  async process(ctx) {
    const lock = ctx.config.lockAction === 'LOCK';
    const resource = ctx.journey.identityResource;
    const base = { journey: ctx.journey.id, node: ctx.nodeId, action: ctx.config.lockAction };
    const done = (effect: AuditEffect): NodeResult => ({ kind: 'outcome', outcome: 'outcome', effects: [effect] });
    // The identified object first, else the one whose userName was typed.
    const object =
      typeof ctx.shared['_id'] === 'string'
        ? await ctx.services.identity.read(resource, ctx.shared['_id'])
        : await resolveIdentity(ctx, resource, 'userName');
    if (!object) return done(auditEffect('account.lockout.skipped', { ...base, reason: 'no-account' }));
    const result = await ctx.services.identity.update(
      resource,
      object._id,
      lock ? { accountStatus: 'inactive', lockoutAt: new Date(ctx.services.now()).toISOString() } : { accountStatus: 'active', lockoutAt: null },
    );
    if (isIdentityFailure(result)) return done(auditEffect('account.lockout.skipped', { ...base, userId: object._id, reason: 'update-refused' }));
    return done(auditEffect(lock ? 'account.locked' : 'account.unlocked', { ...base, userId: object._id }));
  },
});
