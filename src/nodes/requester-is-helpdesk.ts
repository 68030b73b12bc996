/**
 * Requester Is Helpdesk (Cairn `RequesterIsHelpdeskNode`, midPoint's "on behalf" request): `true` when
 * the journey is run by an operator — the request carries (cookie or header, as AM reads
 * `ssoTokenId`; start the journey with ForceAuth=true) the live session of an administrator who
 * still holds `helpdesk` or `admin` — and the journey creates no session (`noSession`), so nothing it
 * does for a target user can sign anyone in as that user. `false` for anyone else: no session, an
 * end user's (which never carries roles), a dead one, an administrator without either role. Later
 * nodes (Reset Credential) check the session again at the moment they act.
 */
import { grants } from '../admin/roles.js';
import { TRUE_FALSE_OUTCOMES } from './helpers/schema-parts.js';
import { auditEffect, defineNode, type NodeResult } from './types.js';

export type RequesterIsHelpdeskConfig = Record<string, never>;

export const requesterIsHelpdeskNode = defineNode<RequesterIsHelpdeskConfig>({
  type: 'RequesterIsHelpdeskNode',
  displayName: 'Requester Is Helpdesk',
  configSchema: { type: 'object', additionalProperties: false, properties: {} },
  outcomes: TRUE_FALSE_OUTCOMES,

  async process(ctx) {
    const token = ctx.request.ssoTokenId;
    const refused = (reason: string): NodeResult => ({
      kind: 'outcome',
      outcome: 'false',
      effects: [auditEffect('helpdesk.refused', { journey: ctx.journey.id, node: ctx.nodeId, reason })],
    });
    // A journey that signs someone in at its end would hand the operator the target's session.
    if (!ctx.journey.noSession) return refused('journey-creates-session');
    const operator = token ? await ctx.services.sessions.operator(token) : undefined;
    if (!operator) return refused(token ? 'not-an-operator' : 'no-session');
    if (!grants(operator.roles, 'helpdesk')) return refused('no-helpdesk-role');
    return {
      kind: 'outcome',
      outcome: 'true',
      effects: [auditEffect('helpdesk.requester', { journey: ctx.journey.id, node: ctx.nodeId, requester: `admin:${operator.name}` })],
    };
  },
});
