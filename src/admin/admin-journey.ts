/**
 * The administrators' journey, built into the server (never stored, never replaced over REST): the
 * credentials from `X-OpenAM-Username` / `X-OpenAM-Password` (what frodo and AM's own tools send), or
 * else asked for on a page, checked against the administrator identities (`internal/admin`) with the
 * same attempt budget as end users'. Its sessions carry the administrator's roles (src/am/authenticate.ts).
 */
import type { Journey } from '../journeys/model.js';
import type { BuiltinJourneys } from '../config-store/runtime.js';
import { createNodeRegistry } from '../nodes/index.js';
import { dataStoreDecisionNode } from '../nodes/data-store-decision.js';
import { pageNode } from '../nodes/page.js';
import { passwordCollectorNode } from '../nodes/password-collector.js';
import { usernameCollectorNode } from '../nodes/username-collector.js';
import { zeroPageLoginNode } from '../nodes/zero-page-login.js';
import { ADMIN_RESOURCE } from './admins.js';

export const ADMIN_JOURNEY = 'AdminLogin';

export const adminJourney: Journey = {
  _id: ADMIN_JOURNEY,
  description: 'Administrators sign in (X-OpenAM-Username / X-OpenAM-Password headers, or the sign-in page).',
  entryNodeId: 'headers',
  nodes: {
    headers: {
      nodeType: 'ZeroPageLoginNode',
      displayName: 'Zero Page Login Collector',
      connections: { true: 'check', false: 'ask' },
    },
    ask: {
      nodeType: 'PageNode',
      displayName: 'Administrator sign-in',
      config: {
        pageHeader: { en: 'Administrator sign-in', fr: 'Connexion administrateur' },
        nodes: [
          { _id: 'username', nodeType: 'UsernameCollectorNode', displayName: 'Username Collector', config: {} },
          { _id: 'password', nodeType: 'PasswordCollectorNode', displayName: 'Password Collector', config: {} },
        ],
      },
      connections: { outcome: 'check' },
    },
    check: {
      nodeType: 'DataStoreDecisionNode',
      displayName: 'Data Store Decision',
      connections: { true: 'Success', false: 'Failure' },
    },
  },
};

/** The built-in journeys, for the configuration runtime (they are validated with only the nodes they use). */
export const builtinJourneys = (): BuiltinJourneys => ({
  journeys: [adminJourney],
  registry: createNodeRegistry([pageNode, zeroPageLoginNode, usernameCollectorNode, passwordCollectorNode, dataStoreDecisionNode]),
  kind: 'admin',
  identityResource: ADMIN_RESOURCE,
});
