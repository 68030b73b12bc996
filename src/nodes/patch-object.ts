/**
 * Patch Object (AM `PatchObjectNode`): writes every `objectAttributes` value of shared + transient state,
 * minus `ignoredFields`, `_id` and `_rev`, to the journey's user (by `identityAttribute`, else `shared._id`).
 * PATCHED when done or nothing to patch; FAILURE when nobody/no object is found or the identity service
 * refuses (the refused policies, in the request's language, become the error message). Post-reset effects (sessions, mail) are the service's.
 * Terms accepted in the journey (Accept Terms and Conditions) are recorded as `termsAccepted`.
 */
import { nodeText, refusalText } from '../i18n/node-texts.js';
import { mergedObjectAttributes } from './helpers/object-attributes.js';
import { assertJourneyResource, identifiedIdOf, identityValueOf, isIdentityFailure, resolveIdentity } from './helpers/identity-lookup.js';
import { acceptedTermsOf } from './helpers/accepted-terms.js';
import { defineNode, type NodeContext, type NodeResult } from './types.js';

export interface PatchObjectConfig {
  patchAsObject: boolean;
  ignoredFields: string[];
  identityResource: string;
  identityAttribute: string;
}

/** Never patched, whatever the state holds: the identity of the object itself. */
const NEVER_PATCHED = ['_id', '_rev'];

/** Removes `path` (`a/b` nested) from `attrs`, pruning nothing else. */
function removePath(attrs: Record<string, unknown>, path: string): void {
  const parts = path.split('/').filter((p) => p !== '');
  let cur: unknown = attrs;
  for (const part of parts.slice(0, -1)) {
    if (typeof cur !== 'object' || cur === null || !Object.hasOwn(cur, part)) return;
    cur = (cur as Record<string, unknown>)[part];
  }
  const last = parts.at(-1);
  if (last !== undefined && typeof cur === 'object' && cur !== null) delete (cur as Record<string, unknown>)[last];
}

/** The failure message in the request's language: the refused policies as sentences, else the catalogue's. */
const failure = (ctx: NodeContext<PatchObjectConfig>, text = nodeText('failure.accountNotUpdated')): NodeResult => ({
  kind: 'outcome',
  outcome: 'FAILURE',
  errorMessage: ctx.localize(text),
});

export const patchObjectNode = defineNode<PatchObjectConfig>({
  type: 'PatchObjectNode',
  displayName: 'Patch Object',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      patchAsObject: {
        title: 'Patch as object',
        description: "AM: patch with the object's own rights instead of the server's. Cairn patches through the identity service either way.",
        type: 'boolean',
        default: false,
      },
      ignoredFields: {
        title: 'Ignored fields',
        description: 'Attributes of the journey state not written to the object ("a/b" for nested ones).',
        type: 'array',
        items: { type: 'string', minLength: 1 },
        default: [],
      },
      identityResource: {
        title: 'Identity resource',
        description: "The managed object type; must be the journey's identityResource.",
        type: 'string',
        minLength: 1,
        default: 'managed/user',
      },
      identityAttribute: {
        title: 'Identity attribute',
        description: 'The attribute used to find the object, with the value collected for it (else the username).',
        type: 'string',
        minLength: 1,
        default: 'userName',
      },
    },
  },
  outcomes: [
    { id: 'PATCHED', displayName: 'Patched' },
    { id: 'FAILURE', displayName: 'Failed' },
  ],

  async process(ctx) {
    const resource = assertJourneyResource(ctx, 'Patch Object', ctx.config.identityResource);
    const { identityAttribute, ignoredFields } = ctx.config;
    if (identityValueOf(ctx, identityAttribute) === undefined && identifiedIdOf(ctx) === undefined) return failure(ctx);

    const object = await resolveIdentity(ctx, resource, identityAttribute);
    // Defence in depth: the object found must be the one identified earlier, if any.
    const identified = identifiedIdOf(ctx);
    if (!object || (identified !== undefined && identified !== object._id)) return failure(ctx);

    const patch = { ...mergedObjectAttributes(ctx.shared, ctx.transient), ...acceptedTermsOf(ctx.shared) };
    for (const field of [...NEVER_PATCHED, ...ignoredFields]) removePath(patch, field);
    if (Object.keys(patch).length === 0) return { kind: 'outcome', outcome: 'PATCHED' };

    const result = await ctx.services.identity.update(resource, object._id, patch);
    if (isIdentityFailure(result)) return failure(ctx, refusalText(result, 'failure.accountNotUpdated'));
    return { kind: 'outcome', outcome: 'PATCHED' };
  },
});
