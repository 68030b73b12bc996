/**
 * Who is calling the midPoint façade, and with which roles: midPoint's REST clients authenticate with
 * HTTP Basic; Cairn also takes its admin bearer token. Today the only administrator identities are the
 * operator-configured one (CAIRN_ADMIN_USERNAME / CAIRN_ADMIN_PASSWORD, role `admin`) and the token
 * (role `admin`); end users' credentials are never accepted here. This is the one function the façade
 * asks, so that the administrator identities of issue 18 (src/admin/, with a `helpdesk` role) join
 * here alone: `admins.verify(user, password)` → its roles.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { Settings } from '../config/settings.js';

import type { Requester } from '../credential-reset/service.js';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
const same = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));

/** The caller's credentials as midPoint's REST layer reads them (Basic), or Cairn's bearer token. */
export function requesterRoles(req: Request, settings: Readonly<Settings>): Requester | undefined {
  const header = req.get('authorization') ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (bearer !== undefined) return settings.adminToken && same(bearer, settings.adminToken) ? { name: 'token:admin', roles: ['admin'] } : undefined;
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header)?.[1];
  if (basic === undefined) return undefined;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  if (!settings.adminPassword) return undefined;
  // Both compared, always, so the answer's timing does not tell which one was wrong.
  const userOk = same(user, settings.adminUsername);
  const passwordOk = same(password, settings.adminPassword);
  return userOk && passwordOk ? { name: `admin:${user}`, roles: ['admin'] } : undefined;
}

/** The user name of a Basic authorization header, if it is one (for its attempt budget). */
export function basicUser(header: string): string | undefined {
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header)?.[1];
  if (basic === undefined) return undefined;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(0, colon);
}
