/**
 * The server's composition: `createApp(deps)` builds the express application from injected parts
 * (settings, journeys, stores, keys, clock). No module-level state: two apps in one process are
 * independent, which is how the tests run several servers at once.
 */
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Settings } from '../config/settings.js';
import type { JourneyCatalog } from '../journeys/catalog.js';

export interface AppDeps {
  settings: Readonly<Settings>;
  catalog: () => JourneyCatalog;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  app.get('/health/live', (_req, res) => {
    res.json({ status: 'UP' });
  });
  app.get('/health/ready', (_req, res) => {
    const journeys = deps.catalog().ids();
    res.status(journeys.length > 0 ? 200 : 503).json({ status: journeys.length > 0 ? 'UP' : 'DOWN', journeys: journeys.length });
  });

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ code: 404, reason: 'Not Found', message: 'Not Found' });
  });
  // Last resort: never a stack trace or an internal message on the wire.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    void _next;
    const status = typeof (err as { status?: unknown })?.status === 'number' ? (err as { status: number }).status : 500;
    if (status >= 400 && status < 500) {
      res.status(status).json({ code: status, reason: 'Bad Request', message: 'The request could not be processed' });
      return;
    }
    res.status(500).json({ code: 500, reason: 'Internal Server Error', message: 'Internal Server Error' });
  });
  return app;
}
