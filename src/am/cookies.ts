/**
 * The session cookie (AM's iPlanetDirectoryPro): written HttpOnly with the configured SameSite
 * (default Lax) and Domain (default host-only), Secure when the public URL is https or SameSite is
 * None; read from the cookie or from a request header of the same name, as AM does.
 */
import type { Request } from 'express';
import type { Settings } from '../config/settings.js';
import type { CookieEffect, Effect } from '../nodes/types.js';

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.slice(0, 8192).split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    const value = part
      .slice(i + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

export function readSessionToken(req: Request, cookieName: string): string | undefined {
  const header = req.get(cookieName);
  if (header) return header.trim();
  return parseCookies(req.get('cookie')).get(cookieName);
}

export type CookieSettings = Pick<Settings, 'cookieName' | 'publicUrl' | 'cookieSameSite' | 'cookieDomain' | 'cookiePartitioned'>;

/** The attributes every cookie of the session carries (also used by the OAuth provider for its own cookies). */
export function cookieAttributes(settings: Omit<CookieSettings, 'cookieName'>): {
  sameSite: 'Lax' | 'Strict' | 'None';
  secure: boolean;
  partitioned: boolean;
  domain?: string;
} {
  const sameSite = settings.cookieSameSite ?? 'Lax';
  return {
    sameSite,
    secure: settings.publicUrl.startsWith('https:') || sameSite === 'None',
    // Browsers block third-party cookies by default now; a partitioned (CHIPS) one is kept per embedding site.
    partitioned: sameSite === 'None' && settings.cookiePartitioned !== false,
    ...(settings.cookieDomain ? { domain: settings.cookieDomain } : {}),
  };
}

function attributes(settings: CookieSettings): string {
  const a = cookieAttributes(settings);
  const domain = a.domain ? `; Domain=${a.domain}` : '';
  return `Path=/; HttpOnly; SameSite=${a.sameSite}${domain}${a.secure ? '; Secure' : ''}${a.partitioned ? '; Partitioned' : ''}`;
}

export function sessionCookie(settings: CookieSettings, tokenId: string): string {
  return `${settings.cookieName}=${tokenId}; ${attributes(settings)}`;
}

export function clearedSessionCookie(settings: CookieSettings): string {
  return `${settings.cookieName}=; ${attributes(settings)}; Max-Age=0`;
}

/** A cookie name a journey may set: an RFC 6265 token, and never the session cookie itself. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}$/;
const COOKIE_VALUE = /^[!#$%&'()*+\-./0-9:<=>?@A-Z[\]^_`a-z{|}~]{0,4096}$/;

/**
 * The Set-Cookie headers of a step's cookie effects (Set Persistent Cookie), written like the session
 * cookie: `Path=/; HttpOnly; SameSite=Lax`, `Secure` when the public URL is https. An effect naming
 * the session cookie, or with a name or value a cookie cannot carry, is left out (and reported).
 */
export function effectCookies(
  settings: Pick<Settings, 'cookieName' | 'publicUrl'>,
  effects: readonly Effect[],
  onRefused?: (e: CookieEffect) => void,
): string[] {
  const secure = settings.publicUrl.startsWith('https:') ? '; Secure' : '';
  const out: string[] = [];
  for (const e of effects) {
    if (e.type !== 'cookie') continue;
    if (e.name === settings.cookieName || !COOKIE_NAME.test(e.name) || !COOKIE_VALUE.test(e.value)) {
      onRefused?.(e);
      continue;
    }
    const age = e.maxAgeSeconds === undefined ? '' : `; Max-Age=${Math.max(0, Math.floor(e.maxAgeSeconds))}`;
    out.push(`${e.name}=${e.value}; Path=/; HttpOnly; SameSite=Lax${age}${secure}`);
  }
  return out;
}
