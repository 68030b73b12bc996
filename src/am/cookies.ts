/**
 * Cairn's cookies: the session cookie (AM's iPlanetDirectoryPro, named by CAIRN_COOKIE_NAME, whose
 * default under an https public URL is `__Host-iPlanetDirectoryPro` — Secure, Path=/, no Domain, so
 * no sibling subdomain can plant or overwrite it, ASVS 3.4.4 — or `__Secure-iPlanetDirectoryPro`
 * when CAIRN_COOKIE_DOMAIN shares it with subdomains) and the device cookie a browser gets when it
 * signs in (src/identity/login-guard.ts), `__Host-cairn-device` under https, always host-only.
 * Both are written HttpOnly with the configured SameSite (default Lax), Secure when the public URL is
 * https, SameSite is None or the name is prefixed. The session token is read from the cookie (by its
 * configured name only) or from a request header of that name or of AM's name, as AM does.
 */
import type { Request } from 'express';
import { AM_COOKIE_NAME, type Settings } from '../config/settings.js';
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

/**
 * The session token of a request: the header named like the cookie, AM's `iPlanetDirectoryPro`
 * header (what server-side AM clients send, whatever the cookie is called; a header cannot be
 * planted by another site, unlike a cookie), else the cookie itself — by its configured name only.
 */
export function readSessionToken(req: Request, cookieName: string): string | undefined {
  const header = req.get(cookieName) ?? (cookieName === AM_COOKIE_NAME ? undefined : req.get(AM_COOKIE_NAME));
  if (header) return header.trim();
  return parseCookies(req.get('cookie')).get(cookieName);
}

export type CookieSettings = Pick<Settings, 'cookieName' | 'publicUrl' | 'cookieSameSite' | 'cookieDomain' | 'cookiePartitioned'>;

/** Browsers keep a `__Host-` or `__Secure-` cookie only when it is Secure. */
const prefixed = (name: string | undefined): boolean => name !== undefined && /^__(Host|Secure)-/i.test(name);

/** The attributes every cookie of the session carries (also used by the OAuth provider for its own cookies). */
export function cookieAttributes(settings: Omit<CookieSettings, 'cookieName'> & { cookieName?: string }): {
  sameSite: 'Lax' | 'Strict' | 'None';
  secure: boolean;
  partitioned: boolean;
  domain?: string;
} {
  const sameSite = settings.cookieSameSite ?? 'Lax';
  return {
    sameSite,
    secure: settings.publicUrl.startsWith('https:') || sameSite === 'None' || prefixed(settings.cookieName),
    // Browsers block third-party cookies by default now; a partitioned (CHIPS) one is kept per embedding site.
    partitioned: sameSite === 'None' && settings.cookiePartitioned !== false,
    ...(settings.cookieDomain ? { domain: settings.cookieDomain } : {}),
  };
}

function attributes(settings: CookieSettings, hostOnly = false): string {
  const a = cookieAttributes(settings);
  const domain = a.domain && !hostOnly ? `; Domain=${a.domain}` : '';
  return `Path=/; HttpOnly; SameSite=${a.sameSite}${domain}${a.secure ? '; Secure' : ''}${a.partitioned ? '; Partitioned' : ''}`;
}

export function sessionCookie(settings: CookieSettings, tokenId: string): string {
  return `${settings.cookieName}=${tokenId}; ${attributes(settings)}`;
}

export function clearedSessionCookie(settings: CookieSettings): string {
  return `${settings.cookieName}=; ${attributes(settings)}; Max-Age=0`;
}

/** The device cookie's name: `__Host-cairn-device` under an https public URL, else `cairn-device`. */
export const deviceCookieName = (settings: Pick<Settings, 'publicUrl'>): string =>
  `${settings.publicUrl.startsWith('https:') ? '__Host-' : ''}cairn-device`;

/** How long a browser keeps its device cookie (as long as the store remembers its device). */
const DEVICE_COOKIE_DAYS = 180;

/** The device cookie: the session cookie's SameSite and Secure, never a Domain (only Cairn reads it). */
export function deviceCookie(settings: CookieSettings, value: string): string {
  const name = deviceCookieName(settings);
  return `${name}=${value}; ${attributes({ ...settings, cookieName: name }, true)}; Max-Age=${DEVICE_COOKIE_DAYS * 24 * 3600}`;
}

export const readDeviceCookie = (req: Request, settings: Pick<Settings, 'publicUrl'>): string | undefined =>
  parseCookies(req.get('cookie')).get(deviceCookieName(settings));

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
