/**
 * Who is calling the midPoint façade, and with which roles: midPoint's REST clients authenticate with
 * HTTP Basic, checked against the administrator identities (src/admin/admins.ts: their roles, and the
 * same attempt budgets as every sign-in); Cairn also takes its admin bearer token (role `admin`). End
 * users' credentials are never accepted here: they are not administrator identities. This is the one
 * function the façade asks.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { AdminService } from '../admin/admins.js';
import type { Settings } from '../config/settings.js';

import type { Requester } from '../credential-reset/service.js';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
const same = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));

/** The caller's credentials as midPoint's REST layer reads them (Basic), or Cairn's bearer token. */
export async function requesterRoles(
  req: Request,
  settings: Readonly<Settings>,
  admins: Pick<AdminService, 'verify'> | undefined,
): Promise<Requester | undefined> {
  const header = req.get('authorization') ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (bearer !== undefined) return settings.adminToken && same(bearer, settings.adminToken) ? { name: 'token:admin', roles: ['admin'] } : undefined;
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header)?.[1];
  if (basic === undefined || !admins) return undefined;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const admin = await admins.verify(decoded.slice(0, colon), decoded.slice(colon + 1), req.ip ? { clientIp: req.ip } : {});
  return admin ? { name: `admin:${admin.userName}`, roles: admin.roles } : undefined;
}

/** The user name of a Basic authorization header, if it is one (for its attempt budget). */
export function basicUser(header: string): string | undefined {
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header)?.[1];
  if (basic === undefined) return undefined;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(0, colon);
}
