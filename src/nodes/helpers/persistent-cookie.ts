/**
 * The persistent cookie Set Persistent Cookie writes and Persistent Cookie Decision reads: a JWS
 * signed with the server's keys (TokenSigner, purpose `persistent-cookie`) naming the user (`sub`
 * the username, `uid` the `_id`), the cookie it belongs to (`cn`), when it was last used (`lu`, epoch
 * seconds), its idle timeout in seconds (`idle`) and the client address it was issued to (`ip`); its
 * `exp` is the end of its maximum life, kept when it is refreshed. Set HttpOnly, SameSite=Lax, and
 * Secure when the public URL is https, after the journey succeeds (a cookie effect with `atSuccess`).
 */
import type { CookieEffect, NodeContext } from '../types.js';

export const PERSISTENT_COOKIE_PURPOSE = 'persistent-cookie';
/** AM's defaults. */
export const DEFAULT_COOKIE_NAME = 'session-jwt';
export const DEFAULT_HOURS = 5;

export interface PersistentCookieClaims {
  sub: string;
  uid?: string;
  cn: string;
  lu: number;
  idle: number;
  ip?: string;
  exp: number;
}

export const COOKIE_NAME_PROPERTY = {
  title: 'Persistent cookie name',
  description: 'The name of the cookie.',
  type: 'string',
  pattern: "^[!#$%&'*+\\-.^_`|~0-9A-Za-z]{1,64}$",
  default: DEFAULT_COOKIE_NAME,
} as const;

export const hoursProperty = (title: string, description: string) =>
  ({ title, description, type: 'number', exclusiveMinimum: 0, maximum: 8760, default: DEFAULT_HOURS }) as const;

/** The cookie effect carrying a freshly signed cookie for `claims` (at most until `claims.exp`). */
export async function persistentCookieEffect(ctx: NodeContext<unknown>, claims: PersistentCookieClaims): Promise<CookieEffect | undefined> {
  const nowSeconds = Math.floor(ctx.services.now() / 1000);
  const ttl = claims.exp - nowSeconds;
  if (ttl <= 0) return undefined;
  const { exp, ...rest } = claims;
  void exp;
  const value = await ctx.services.tokens.sign(PERSISTENT_COOKIE_PURPOSE, rest, ttl);
  return { type: 'cookie', name: claims.cn, value, maxAgeSeconds: ttl, atSuccess: true };
}

/** The claims of a genuine persistent cookie named `name`, or undefined. */
export async function readPersistentCookie(ctx: NodeContext<unknown>, name: string): Promise<PersistentCookieClaims | undefined> {
  const token = ctx.request.cookies?.[name];
  if (!token) return undefined;
  const c = await ctx.services.tokens.verify(PERSISTENT_COOKIE_PURPOSE, token);
  if (
    !c ||
    c['cn'] !== name ||
    typeof c['sub'] !== 'string' ||
    typeof c['lu'] !== 'number' ||
    typeof c['idle'] !== 'number' ||
    typeof c['exp'] !== 'number'
  ) {
    return undefined;
  }
  return {
    sub: c['sub'],
    ...(typeof c['uid'] === 'string' ? { uid: c['uid'] } : {}),
    cn: name,
    lu: c['lu'],
    idle: c['idle'],
    ...(typeof c['ip'] === 'string' ? { ip: c['ip'] } : {}),
    exp: c['exp'],
  };
}
