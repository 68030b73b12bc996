/**
 * Starts a Cairn server: composes its parts from settings (src/server/compose.ts), builds the app
 * and listens. `close()` stops accepting, finishes in-flight requests, flushes the mail queue and
 * closes the store.
 */
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createServer, type Server } from 'node:http';
import type { Express } from 'express';
import type { Registry } from 'prom-client';
import type { Settings } from '../config/settings.js';
import { crestError, sendCrestError } from '../crest/errors.js';
import { ADMIN_JOURNEY } from '../admin/admin-journey.js';
import { rememberingVerifier } from '../admin/admins.js';
import { configRouter } from '../am/config-router.js';
import { AmConfig, TemplateConfig } from '../config-store/am-config.js';
import { idmRouter } from '../idm/router.js';
import { checkPolicyJourneys } from '../midpoint/policy.js';
import { startJourneyStep, type AuthenticateDeps } from '../am/authenticate.js';
import { createCredentialResetService, USER_RESOURCE } from '../credential-reset/service.js';
import { startCredentialResetSweeper } from '../credential-reset/sweeper.js';
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
  /** The express application alone, without the lean authenticate route in front of it (for tests comparing the two). */
  app: Express;
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
  let resetPolicy = core.resetPolicy;
  try {
    resetPolicy = settings.credentialResetPolicyFile
      ? checkPolicyJourneys(resetPolicy, core.catalog.ids())
      : // The default methods whose journey this server runs (another journeys folder may not ship them).
        { ...resetPolicy, methods: resetPolicy.methods.filter((m) => m.journey === undefined || core.catalog.ids().includes(m.journey)) };
  } catch (e) {
    await core.close();
    throw new StartupError((e as Error).message);
  }
  const { catalog, runner, codec, sessions, suspensions, stores, keystore, metrics, audit, mailer } = core;
  const internal = (error: unknown): void => logger.error({ err: error }, 'internal error');
  const ownMetrics = () => metrics.registry.metrics();

  const stepDeps: AuthenticateDeps = {
    settings,
    runner,
    codec,
    sessions,
    suspensions,
    audit,
    mail: mailer,
    claims: core.claims,
    logins: core.logins,
    timer: (key, ms) => metrics.journeyTimers.observe({ key }, ms / 1000),
    adminJourney: ADMIN_JOURNEY,
    rolesOf: (id) => core.admins.rolesOf(id),
    onError: internal,
  };
  const resets = createCredentialResetService({
    identity: core.identity,
    policy: core.services.policy,
    resetPolicy,
    guard: core.resetGuard,
    mail: mailer,
    now: core.services.now,
    // The method's journey starts as AM's authenticate would start it, its first step carrying the context's id.
    startJourney: (journey, resetId) =>
      startJourneyStep(stepDeps, journey, {
        locales: [],
        request: { headers: {}, query: { resetId, authIndexType: 'service', authIndexValue: journey } },
      }),
  });
  const resetSweeper = startCredentialResetSweeper({
    identity: core.identity,
    resources: [USER_RESOURCE, ...[...core.realms.values()].map((r) => r.spec.identityResource)],
    intervalMs: settings.credentialResetSweepMs,
    onError: internal,
  });
  const { app, listener, serverOptions } = createApp({
    ...stepDeps,
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
    oauth: oauthRouter({ oauth: core.oauth, settings, onError: internal }),
    configApi: configRouter({
      config: new AmConfig(core.config, core.registry),
      registry: core.registry,
      sessions,
      cookieName: settings.cookieName,
      now: options.now ?? Date.now,
      onError: internal,
    }),
    profiles: core.identity,
    requestLog: requestLogger(logger),
    before: (app) => {
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
      // Administrators' credentials sent with every request (/openidm, midPoint's Basic): one shared check.
      const adminCredentials = rememberingVerifier(core.admins, core.services.now);
      mountUi(app, {
        uiDistDir: UI_DIST,
        ...(settings.uiThemeFile ? { themeFile: settings.uiThemeFile } : {}),
        amBasePath: settings.amBasePath || '/',
      });
      // The anonymous self-service endpoints first; everything else under /openidm is the administrator's.
      app.use('/openidm', core.selfService.router(internal));
      app.use(
        '/openidm',
        idmRouter({
          settings,
          identity: core.identity,
          audit,
          counters: stores.counters,
          now: core.services.now,
          admins: adminCredentials,
          sessions,
          templates: new TemplateConfig(core.config),
          credentialResets: resets,
          onError: internal,
        }),
      );
      const midpoint = midpointRouter({
        settings,
        identity: core.identity,
        policy: core.services.policy,
        resetPolicy,
        admins: adminCredentials,
        resets,
        guard: core.resetGuard,
        counters: stores.counters,
        audit,
        now: core.services.now,
        onError: internal,
      });
      app.use('/ws/rest', midpoint);
      app.use('/midpoint/ws/rest', midpoint);
    },
    ready: async () => {
      const checks = { store: (await stores.health()).ok, keys: keystore.kids().length > 0, journeys: catalog.ids().length > 0 };
      return { ok: Object.values(checks).every(Boolean), checks };
    },
  });

  const server = createServer(serverOptions, listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => resolve());
  }).catch(async (e: unknown) => {
    resetSweeper.stop();
    await core.close();
    throw e;
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    registry: metrics.registry,
    app,
    async close() {
      // Stop accepting, let in-flight requests finish, then drain mail and close the store.
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      resetSweeper.stop();
      await core.close();
      logger.info('stopped');
    },
  };
}
