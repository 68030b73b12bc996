/**
 * A third-party web app on its own origin for browser tests of the OAuth flows: it serves the
 * official ForgeRock JavaScript SDK and Login Widget, bundled as they are published (esbuild, no
 * change), next to pages the test writes. The app and Cairn run on different sites (`localhost`
 * vs `127.0.0.1`), as an SPA and its identity provider usually do.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { build } from 'esbuild';
import express from 'express';
import { freePort } from './oauth.js';

const require = createRequire(import.meta.url);

async function bundle(entry: string, globalName: string): Promise<string> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    globalName,
    platform: 'browser',
    target: ['chrome110'],
    write: false,
    logLevel: 'warning',
  });
  return out.outputFiles[0]?.text ?? '';
}

export interface AppOrigin {
  origin: string;
  /** Serves `html` at `path` (e.g. `/app.html`). */
  page(path: string, html: string): void;
  close(): Promise<void>;
}

export async function startAppOrigin(host = 'localhost'): Promise<AppOrigin> {
  const sdk = await bundle(require.resolve('@forgerock/javascript-sdk').replace(/index\.cjs$/, 'index.js'), 'forgerock');
  const widget = await bundle(require.resolve('@forgerock/login-widget').replace(/index\.cjs$/, 'index.js'), 'LoginWidget');
  const widgetCss = require.resolve('@forgerock/login-widget/widget.css');
  const pages = new Map<string, string>();
  const app = express();
  app.get('/sdk.js', (_req, res) => res.type('js').send(sdk));
  app.get('/widget.js', (_req, res) => res.type('js').send(widget));
  app.get('/widget.css', (_req, res) => res.sendFile(widgetCss));
  app.get(/.*/, (req, res) => {
    const html = pages.get(req.path);
    if (html === undefined) res.status(404).send('not found');
    else res.type('html').send(html);
  });
  const port = await freePort();
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
  });
  return {
    origin: `http://${host}:${port}`,
    page: (path, html) => void pages.set(path, html),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
