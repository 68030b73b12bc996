/**
 * Persistent Cookie Decision (AM `PersistentCookieDecisionNode`): `true` when the request carries a
 * genuine persistent cookie (`persistentCookieName`, from Set Persistent Cookie) that is within its
 * maximum life and was used within `idleTimeout` hours — from the same client address when
 * `enforceClientIp` — and whose user still exists and is active: the journey's user becomes that user
 * (shared `username`, `_id`) and, when the journey succeeds, the cookie is refreshed (its idle time
 * restarts, its maximum life does not). `false` otherwise. AM's signing-key and cookie-flag settings
 * have no effect (see Set Persistent Cookie).
 */
import { isInactive } from './helpers/identity-lookup.js';
import { COOKIE_NAME_PROPERTY, hoursProperty, persistentCookieEffect, readPersistentCookie } from './helpers/persistent-cookie.js';
import { TRUE_FALSE_OUTCOMES } from './helpers/schema-parts.js';
import { defineNode } from './types.js';

export interface PersistentCookieDecisionConfig {
  idleTimeout: number;
  enforceClientIp: boolean;
  persistentCookieName: string;
}

export const persistentCookieDecisionNode = defineNode<PersistentCookieDecisionConfig>({
  type: 'PersistentCookieDecisionNode',
  displayName: 'Persistent Cookie Decision',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      idleTimeout: hoursProperty('Idle timeout', 'Hours a cookie may go unused; the shorter of this and its own idle timeout applies.'),
      enforceClientIp: {
        title: 'Enforce client IP',
        description: 'Accept the cookie only from the client address it was issued to.',
        type: 'boolean',
        default: false,
      },
      persistentCookieName: COOKIE_NAME_PROPERTY,
    },
  },
  outcomes: TRUE_FALSE_OUTCOMES,

  async process(ctx) {
    const no = { kind: 'outcome', outcome: 'false' } as const;
    const claims = await readPersistentCookie(ctx, ctx.config.persistentCookieName);
    if (!claims) return no;
    const now = Math.floor(ctx.services.now() / 1000);
    const idle = Math.min(claims.idle, Math.round(ctx.config.idleTimeout * 3600));
    if (now - claims.lu > idle) return no;
    if (ctx.config.enforceClientIp && claims.ip !== ctx.request.clientIp) return no;
    const resource = ctx.journey.identityResource;
    const user =
      claims.uid !== undefined
        ? await ctx.services.identity.read(resource, claims.uid)
        : await ctx.services.identity.findByAttribute(resource, 'userName', claims.sub);
    if (!user || isInactive(user)) return no;
    ctx.shared['username'] = typeof user['userName'] === 'string' ? user['userName'] : claims.sub;
    ctx.shared['_id'] = user._id;
    const refreshed = await persistentCookieEffect(ctx, { ...claims, lu: now, ...(ctx.request.clientIp ? { ip: ctx.request.clientIp } : {}) });
    return { kind: 'outcome', outcome: 'true', ...(refreshed ? { effects: [refreshed] } : {}) };
  },
});
