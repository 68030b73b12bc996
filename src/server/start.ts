/**
 * Starts a Cairn server: loads and validates the journeys (any error stops the start), builds the
 * app and listens. Returns a handle whose `close()` stops accepting and finishes in-flight requests.
 */
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { Settings } from '../config/settings.js';
import { buildCatalog, readJourneyDir } from '../journeys/catalog.js';
import { formatProblems } from '../journeys/validate.js';
import { createNodeRegistry } from '../nodes/index.js';
import { createApp } from './app.js';

export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

export class StartupError extends Error {
  constructor(message: string, readonly details: string[] = []) {
    super(message);
    this.name = 'StartupError';
  }
}

export async function startServer(settings: Readonly<Settings>, log: (line: string) => void = () => {}): Promise<RunningServer> {
  const registry = createNodeRegistry();
  let inputs;
  try {
    inputs = await readJourneyDir(settings.journeysDir);
  } catch {
    throw new StartupError(`The journeys directory ${settings.journeysDir} cannot be read (CAIRN_JOURNEYS_DIR).`);
  }
  const { catalog, problems } = buildCatalog(inputs, registry);
  const lines = formatProblems(problems);
  if (problems.some((p) => p.severity === 'error')) {
    throw new StartupError(`The journeys in ${settings.journeysDir} have errors; fix them or run \`cairn journeys validate\`.`, lines);
  }
  for (const l of lines) log(l);
  const app = createApp({ settings, catalog: () => catalog });
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
