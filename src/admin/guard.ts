/**
 * The check every admin endpoint makes: a live session (AM's cookie, or the header of the same name,
 * as frodo sends it) whose roles grant the role the endpoint needs. No session: 401; a session
 * without the role (an end user's): 403, both in CREST's shape. The administrator is left in
 * `res.locals.admin` for the audit (`admin:<name>`).
 */
import type { RequestHandler, Response } from 'express';
import { readSessionToken } from '../am/cookies.js';
import { crestError, sendCrestError } from '../crest/errors.js';
import type { SessionService } from '../sessions/session-service.js';
import { grants, type Role } from './roles.js';

export interface AdminPrincipal {
  name: string;
  id: string;
  roles: string[];
}

export function requireRole(deps: { sessions: SessionService; cookieName: string }, role: Role): RequestHandler {
  return (req, res, next) => {
    deps.sessions
      .validate(readSessionToken(req, deps.cookieName))
      .then((session) => {
        if (!session) return sendCrestError(res, crestError(401, 'Access Denied'));
        if (!grants(session.roles, role)) return sendCrestError(res, crestError(403, 'Access Denied: this session has no administrator role.'));
        res.locals.admin = { name: session.uid, id: session.userId ?? session.uid, roles: session.roles } satisfies AdminPrincipal;
        next();
      })
      .catch(next);
  };
}

/** Who the audit names for a change made in this request. */
export const actorOf = (res: Response): string => `admin:${(res.locals.admin as AdminPrincipal | undefined)?.name ?? '?'}`;

/** An administrator as a journey run with their session sees them (Requester Is Helpdesk, Reset Credential). */
export interface Operator {
  name: string;
  id: string;
  roles: Role[];
}

/**
 * The administrator whose live session `ssoTokenId` is, with the roles they hold now: those the
 * session was given at sign-in that their record still has (a role removed, or the administrator
 * removed, counts at once; a role added counts from the next sign-in). Undefined for a dead session
 * and for an end user's, which never carries roles (only the administrators' journey gives them).
 */
export function operatorReader(
  sessions: Pick<SessionService, 'validate'>,
  admins: { rolesOf(id: string): Promise<Role[]> },
): (ssoTokenId: string) => Promise<Operator | undefined> {
  return async (ssoTokenId) => {
    const session = await sessions.validate(ssoTokenId);
    if (!session || session.roles.length === 0 || session.userId === undefined) return undefined;
    const now = await admins.rolesOf(session.userId);
    const roles = now.filter((r) => session.roles.includes(r));
    return roles.length > 0 ? { name: session.uid, id: session.userId, roles } : undefined;
  };
}
