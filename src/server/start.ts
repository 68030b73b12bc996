/**
 * Starts a Cairn server: composes its parts from settings (src/server/compose.ts), builds the app
 * and listens. `close()` stops accepting, finishes in-flight requests, flushes the mail queue and
 * closes the store.
 */
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createServer, type Server } from 'node:http';
import type { Settings } from '../config/settings.js';
import { idmRouter } from '../idm/router.js';
import { createApp } from './app.js';
import { mountUi } from './ui-routes.js';
import { compose, type ComposeOptions } from './compose.js';

export { StartupError } from './compose.js';

export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

export type StartOptions = ComposeOptions;

const UI_DIST = fileURLToPath(new URL('../../ui/dist', import.meta.url));

export async function startServer(settings: Readonly<Settings>, options: StartOptions = {}): Promise<RunningServer> {
  const core = await compose(settings, options);
  const { catalog, runner, codec, sessions, suspensions, stores, keystore, log } = core;
  const app = createApp({
    settings,
    catalog: () => catalog,
    runner,
    codec,
    sessions,
    suspensions,
    onError: (error) => log(`internal error: ${(error as Error)?.stack ?? String(error)}`),
    mount: (app) => {
      mountUi(app, { uiDistDir: UI_DIST, ...(settings.uiThemeFile ? { themeFile: settings.uiThemeFile } : {}), amBasePath: settings.amBasePath || '/' });
      app.use('/openidm', idmRouter({ settings, identity: core.identity, onError: (e) => log(`internal error: ${(e as Error)?.stack ?? String(e)}`) }));
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
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await core.close();
    },
  };
}
