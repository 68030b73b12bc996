/**
 * Starts a Cairn server: composes its parts from settings (src/server/compose.ts), builds the app
 * and listens. `close()` stops accepting, finishes in-flight requests, flushes the mail queue and
 * closes the store.
 */
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { Settings } from '../config/settings.js';
import { crestError, sendCrestError } from '../crest/errors.js';
import { idmRouter } from '../idm/router.js';
import { loadCredentialResetPolicy } from '../midpoint/policy.js';
import { midpointRouter } from '../midpoint/router.js';
import { oauthRouter } from '../oauth/router.js';
import { createLogger, requestLogger, type Logger } from '../observability/logger.js';
import { createApp } from './app.js';
import { compose, StartupError, type ComposeOptions } from './compose.js';
import { mountUi } from './ui-routes.js';

export { StartupError } from './compose.js';

export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  /** This process's metrics registry. */
  registry: Registry;
  close(): Promise<void>;
}

export interface StartOptions extends ComposeOptions {
  /** Structured logger; default: JSON on stdout at CAIRN_LOG_LEVEL. */
  logger?: Logger;
  /** The text of GET /metrics; default: this process's registry (workers ask the primary for the sum). */
  metricsText?: (own: () => Promise<string>) => Promise<string>;
}

const UI_DIST = fileURLToPath(new URL('../../ui/dist', import.meta.url));

export async function startServer(settings: Readonly<Settings>, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(settings.logLevel);
  const core = await compose(settings, { ...options, logger, log: options.log ?? ((line) => logger.info(line)) });
  let resetPolicy;
  try {
    resetPolicy = await loadCredentialResetPolicy(settings.credentialResetPolicyFile);
  } catch (e) {
    await core.close();
    throw new StartupError((e as Error).message);
  }
  const { catalog, runner, codec, sessions, suspensions, stores, keystore, metrics, audit, mailer } = core;
  const internal = (error: unknown): void => logger.error({ err: error }, 'internal error');
  const ownMetrics = () => metrics.registry.metrics();

  const app = createApp({
    settings,
    catalog: () => catalog,
    realms: [...core.realms.values()].map((r) => ({
      path: r.spec.path,
      cookieName: r.spec.cookieName,
      runner: r.runner,
      suspensions: r.suspensions,
      mail: r.mail,
      journeys: () => r.catalog.ids(),
      identityResource: r.spec.identityResource,
    })),
    runner,
    codec,
    sessions,
    suspensions,
    audit,
    mail: mailer,
    oauth: oauthRouter({ oauth: core.oauth, settings, onError: internal }),
    claims: core.claims,
    logins: core.logins,
    timer: (key, ms) => metrics.journeyTimers.observe({ key }, ms / 1000),
    profiles: core.identity,
    onError: internal,
    before: (app) => {
      app.use(requestLogger(logger));
      app.get('/metrics', async (_req, res) => {
        try {
          const text = options.metricsText ? await options.metricsText(ownMetrics) : await ownMetrics();
          res.setHeader('Content-Type', metrics.registry.contentType);
          res.setHeader('Cache-Control', 'no-store');
          res.send(text);
        } catch (e) {
          internal(e);
          sendCrestError(res, crestError(503, 'Metrics are not available'));
        }
      });
    },
    // The journey lifecycle comes from the runner (compose.ts); the adapter reports each request's duration.
    observe: (step) => metrics.stepDuration.observe({ journey: step.journey, result: step.result }, step.ms / 1000),
    mount: (app) => {
      mountUi(app, {
        uiDistDir: UI_DIST,
        ...(settings.uiThemeFile ? { themeFile: settings.uiThemeFile } : {}),
        amBasePath: settings.amBasePath || '/',
      });
      // The anonymous self-service endpoints first; everything else under /openidm is the administrator's.
      app.use('/openidm', core.selfService.router(internal));
      app.use(
        '/openidm',
        idmRouter({ settings, identity: core.identity, audit, counters: stores.counters, now: core.services.now, onError: internal }),
      );
      const midpoint = midpointRouter({ settings, identity: core.identity, policy: core.services.policy, resetPolicy, onError: internal });
      app.use('/ws/rest', midpoint);
      app.use('/midpoint/ws/rest', midpoint);
    },
    ready: async () => {
      const checks = { store: (await stores.health()).ok, keys: keystore.kids().length > 0, journeys: catalog.ids().length > 0 };
      return { ok: Object.values(checks).every(Boolean), checks };
    },
  });

  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => resolve());
  }).catch(async (e: unknown) => {
    await core.close();
    throw e;
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    registry: metrics.registry,
    async close() {
      // Stop accepting, let in-flight requests finish, then drain mail and close the store.
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await core.close();
      logger.info('stopped');
    },
  };
}
