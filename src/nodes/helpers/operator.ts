/**
 * The helpdesk operator running a journey: the live session the request carries (cookie or header,
 * as AM reads `ssoTokenId`) of an administrator who holds `helpdesk` or `admin` now, in a journey that
 * creates no session (one that signed someone in at its end would hand the operator the target's
 * session). Requester Is Helpdesk decides with it; Reset Credential asks again when it saves.
 */
import type { Operator } from '../../admin/guard.js';
import { grants } from '../../admin/roles.js';
import type { NodeContext } from '../types.js';

export type OperatorCheck = { operator: Operator } | { refused: 'journey-creates-session' | 'no-session' | 'not-an-operator' | 'no-helpdesk-role' };

export async function helpdeskOperator<C>(ctx: NodeContext<C>): Promise<OperatorCheck> {
  if (!ctx.journey.noSession) return { refused: 'journey-creates-session' };
  const token = ctx.request.ssoTokenId;
  if (!token) return { refused: 'no-session' };
  const operator = await ctx.services.sessions.operator(token);
  if (!operator) return { refused: 'not-an-operator' };
  return grants(operator.roles, 'helpdesk') ? { operator } : { refused: 'no-helpdesk-role' };
}
