/**
 * Requester Is Helpdesk (Cairn `RequesterIsHelpdeskNode`, midPoint's "on behalf" request): `true` when
 * the journey is run by an operator — the request carries (cookie or header, as AM reads
 * `ssoTokenId`; start the journey with ForceAuth=true) the live session of an administrator who
 * still holds `helpdesk` or `admin` — and the journey creates no session (`noSession`), so nothing it
 * does for a target user can sign anyone in as that user. `false` for anyone else: no session, an
 * end user's (which never carries roles), a dead one, an administrator without either role. Later
 * nodes (Reset Credential) check the session again at the moment they act.
 */
import { helpdeskOperator } from './helpers/operator.js';
import { TRUE_FALSE_OUTCOMES } from './helpers/schema-parts.js';
import { auditEffect, defineNode } from './types.js';

export type RequesterIsHelpdeskConfig = Record<string, never>;

export const requesterIsHelpdeskNode = defineNode<RequesterIsHelpdeskConfig>({
  type: 'RequesterIsHelpdeskNode',
  displayName: 'Requester Is Helpdesk',
  configSchema: { type: 'object', additionalProperties: false, properties: {} },
  outcomes: TRUE_FALSE_OUTCOMES,

  async process(ctx) {
    const check = await helpdeskOperator(ctx);
    if ('refused' in check) {
      return {
        kind: 'outcome',
        outcome: 'false',
        effects: [auditEffect('helpdesk.refused', { journey: ctx.journey.id, node: ctx.nodeId, reason: check.refused })],
      };
    }
    return {
      kind: 'outcome',
      outcome: 'true',
      effects: [auditEffect('helpdesk.requester', { journey: ctx.journey.id, node: ctx.nodeId, requester: `admin:${check.operator.name}` })],
    };
  },
});
