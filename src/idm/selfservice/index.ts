/**
 * PingIDM's self-service protocol, assembled: tokens, flow steps and e-mailed codes on the store, a
 * JourneyRunner over the processes' journeys (the same engine as the AM journeys, with its own catalog so
 * the processes are not AM journeys), the protocol service and its router. Built by src/server/compose.ts.
 */
import type { Router } from 'express';
import type { AuditPort } from '../../audit/audit-log.js';
import type { MailPort } from '../../mail/types.js';
import type { NodeServices } from '../../nodes/services.js';
import type { PolicyService } from '../../identity/policy.js';
import type { Keystore } from '../../keys/keystore.js';
import { JourneyRunner, type RunnerDeps } from '../../journeys/runner.js';
import type { Store } from '../../stores/types.js';
import { createEmailCodes } from './codes.js';
import type { SelfServiceSetup } from './config.js';
import { createFlowSteps } from './flows.js';
import { createPolicyEndpoints } from './policy.js';
import { createProcessService, type ProcessService } from './process.js';
import { selfServiceRouter } from './router.js';
import { createSelfServiceTokens } from './token.js';

export { loadSelfService, type SelfServiceSetup } from './config.js';

export interface SelfServiceDeps {
  setup: SelfServiceSetup;
  services: NodeServices;
  stores: Pick<Store, 'kv' | 'suspended'>;
  keystore: Keystore;
  policy: PolicyService;
  audit: AuditPort;
  mail: MailPort;
  publicUrl: string;
  supersede: boolean;
  now: () => number;
  log: (line: string) => void;
  /** Told the journey lifecycle of the processes' steps (metrics, audit), as for the AM journeys. */
  lifecycle?: RunnerDeps['lifecycle'];
}

export interface SelfService {
  setup: SelfServiceSetup;
  service: ProcessService;
  /** The anonymous /openidm routes; mount before the administrator API. */
  router(onError?: (error: unknown) => void): Router;
}

export function createSelfService(deps: SelfServiceDeps): SelfService {
  const { setup, now } = deps;
  // A token must not outlive the key that signed it.
  for (const p of setup.processes.values()) {
    if (p.tokenExpirySeconds * 1000 > deps.keystore.retainForMs) {
      throw new RangeError(`${p.file}: snapshotToken.tokenExpiry (${p.tokenExpirySeconds} s) exceeds the keystore's key retention`);
    }
  }
  const onNodeError: RunnerDeps['onNodeError'] = (error, where) =>
    deps.log(`self-service error in ${where.journeyId}/${where.nodeId} (${where.nodeType}): ${(error as Error)?.message ?? String(error)}`);
  const runner = new JourneyRunner({
    catalog: setup.catalog,
    services: deps.services,
    onNodeError,
    ...(deps.lifecycle ? { lifecycle: deps.lifecycle } : {}),
  });
  // A GET only shows stage 0's requirements: nothing is kept, so no journey is counted as started.
  const preview = new JourneyRunner({ catalog: setup.catalog, services: deps.services, onNodeError });
  const service = createProcessService({
    setup,
    runner,
    preview,
    tokens: createSelfServiceTokens({ keystore: deps.keystore, now }),
    flows: createFlowSteps(deps.stores.kv, now),
    codes: createEmailCodes(deps.stores.suspended, { now, supersede: deps.supersede }),
    publicUrl: deps.publicUrl,
    effects: { audit: deps.audit, mail: deps.mail, onError: (e) => deps.log(`self-service mail: ${(e as Error)?.message ?? String(e)}`) },
    onError: (e) => deps.log(`self-service: ${(e as Error)?.message ?? String(e)}`),
  });
  const policies = createPolicyEndpoints(setup, deps.policy);
  return { setup, service, router: (onError) => selfServiceRouter({ setup, service, policies, ...(onError ? { onError } : {}) }) };
}
