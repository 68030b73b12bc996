/**
 * Credential Reset Context (Cairn `CredentialResetContextNode`): the request part of midPoint's
 * credential-reset model at the start of a reset-method journey. A journey started by the
 * credential-reset interface's `request` (src/credential-reset/) carries the context's id as the
 * `resetId` query parameter of its first step; the node takes that context from the user's
 * `credentialReset` record (by the id's SHA-256, once: identity.takeCredentialReset) and identifies
 * the target user — `shared._id`, `shared.username`, `objectAttributes.userName` and `.mail` — so the
 * journey goes on to authenticate the user (a code, security questions, a link). Outcomes: `CONTEXT`
 * (taken), `NONE` (no `resetId`: the self-service start, which asks who the user is), `INVALID`
 * (unknown, used, expired or spent).
 */
import { hashResetId } from '../credential-reset/ids.js';
import { setObjectAttribute } from './helpers/object-attributes.js';
import { auditEffect, defineNode } from './types.js';

export type CredentialResetContextConfig = Record<string, never>;

export const credentialResetContextNode = defineNode<CredentialResetContextConfig>({
  type: 'CredentialResetContextNode',
  displayName: 'Credential Reset Context',
  configSchema: { type: 'object', additionalProperties: false, properties: {} },
  outcomes: [
    { id: 'CONTEXT', displayName: 'Context' },
    { id: 'NONE', displayName: 'None' },
    { id: 'INVALID', displayName: 'Invalid' },
  ],

  async process(ctx) {
    const resetId = ctx.request.query['resetId'];
    if (resetId === undefined || resetId === '') return { kind: 'outcome', outcome: 'NONE' };
    const user =
      resetId.length > 128 ? undefined : await ctx.services.identity.takeCredentialReset(ctx.journey.identityResource, hashResetId(resetId));
    if (!user) return { kind: 'outcome', outcome: 'INVALID' };
    ctx.shared['_id'] = user._id;
    for (const attribute of ['userName', 'mail']) {
      const value = user[attribute];
      if (typeof value === 'string' && value !== '') setObjectAttribute(ctx.shared, attribute, value);
    }
    if (typeof user['userName'] === 'string') ctx.shared['username'] = user['userName'];
    return { kind: 'outcome', outcome: 'CONTEXT', effects: [auditEffect('credential.reset.context', { journey: ctx.journey.id, userId: user._id })] };
  },
});
