/**
 * The session cookie (AM's iPlanetDirectoryPro): written HttpOnly, SameSite=Lax, Secure when the
 * public URL is https; read from the cookie or from a request header of the same name, as AM does.
 */
import type { Request } from 'express';
import type { Settings } from '../config/settings.js';

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

export function sessionCookie(settings: Pick<Settings, 'cookieName' | 'publicUrl'>, tokenId: string): string {
  const secure = settings.publicUrl.startsWith('https:') ? '; Secure' : '';
  return `${settings.cookieName}=${tokenId}; Path=/; HttpOnly; SameSite=Lax${secure}`;
}

export function clearedSessionCookie(settings: Pick<Settings, 'cookieName' | 'publicUrl'>): string {
  const secure = settings.publicUrl.startsWith('https:') ? '; Secure' : '';
  return `${settings.cookieName}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure}`;
}
