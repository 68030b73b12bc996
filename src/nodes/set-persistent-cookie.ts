/**
 * Set Persistent Cookie (AM `SetPersistentCookieNode`): when the journey succeeds, the browser gets a
 * signed persistent cookie (`persistentCookieName`) naming the journey's user, valid `maxLife` hours
 * and `idleTimeout` hours between uses, which a later Persistent Cookie Decision accepts instead of a
 * password (see helpers/persistent-cookie.ts). Without a username nothing is set. Outcome `outcome`.
 * AM's `useSecureCookie`, `useHttpOnlyCookie` and signing-key settings have no effect: the cookie is
 * always HttpOnly, Secure whenever the public URL is https, and signed with the server's keys.
 */
import { COOKIE_NAME_PROPERTY, hoursProperty, persistentCookieEffect } from './helpers/persistent-cookie.js';
import { defineNode } from './types.js';

export interface SetPersistentCookieConfig {
  idleTimeout: number;
  maxLife: number;
  persistentCookieName: string;
}

export const setPersistentCookieNode = defineNode<SetPersistentCookieConfig>({
  type: 'SetPersistentCookieNode',
  displayName: 'Set Persistent Cookie',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      idleTimeout: hoursProperty('Idle timeout', 'Hours the cookie stays valid without being used.'),
      maxLife: hoursProperty('Maximum life', 'Hours the cookie stays valid at most.'),
      persistentCookieName: COOKIE_NAME_PROPERTY,
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],

  async process(ctx) {
    const username = ctx.shared['username'];
    const next = { kind: 'outcome', outcome: 'outcome' } as const;
    if (typeof username !== 'string' || username === '') return next;
    const now = Math.floor(ctx.services.now() / 1000);
    const id = ctx.shared['_id'];
    const cookie = await persistentCookieEffect(ctx, {
      sub: username,
      ...(typeof id === 'string' ? { uid: id } : {}),
      cn: ctx.config.persistentCookieName,
      lu: now,
      idle: Math.round(ctx.config.idleTimeout * 3600),
      ...(ctx.request.clientIp ? { ip: ctx.request.clientIp } : {}),
      exp: now + Math.round(ctx.config.maxLife * 3600),
    });
    return cookie ? { ...next, effects: [cookie] } : next;
  },
});
