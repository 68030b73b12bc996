/**
 * `cairn serve [--workers N]`: starts the server with settings from the environment (and the
 * optional config file) — what `npm start` runs — with one worker process per core by default, and
 * stops gracefully on SIGTERM / SIGINT: no new connections, in-flight requests finish, mail drains.
 */
import { availableParallelism } from 'node:os';
import { loadSettings, SettingsError, type Settings } from '../config/settings.js';
import { isClusterWorker, runPrimary, workerHooks } from '../server/cluster.js';
import { absorbFailedCommits } from '../server/failed-commits.js';
import { startServer, StartupError, type RunningServer } from '../server/start.js';
import type { Command, CommandIo } from './command.js';

const HELP = `Usage: cairn serve [--workers N]

Starts the server (what \`npm start\` runs): the AM API, the hosted pages at /login/, the admin API.
It listens on CAIRN_HOST:PORT, by default 0.0.0.0:8080 (every interface); CAIRN_HOST=127.0.0.1 keeps
it to this machine. SIGTERM or Ctrl-C stops it gracefully.

Options:
  --workers N   worker processes sharing the port (default: CAIRN_WORKERS, else the number of cores)

Settings come from environment variables and CAIRN_CONFIG_FILE; see README "Configuration".`;

function parseWorkers(args: string[], io: CommandIo): number | undefined | 'bad' {
  let workers: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const m = /^--workers(?:=(.*))?$/.exec(a);
    if (!m) {
      io.err(`cairn serve: unexpected argument "${a}".`);
      return 'bad';
    }
    const v = m[1] ?? args[++i];
    if (v === undefined || !/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 256) {
      io.err('cairn serve: --workers needs a whole number from 1 to 256.');
      return 'bad';
    }
    workers = Number(v);
  }
  return workers;
}

async function startOne(settings: Readonly<Settings>, io: CommandIo): Promise<RunningServer | number> {
  try {
    return await startServer(settings, isClusterWorker() ? { metricsText: () => hooks.metrics() } : {});
  } catch (e) {
    if (e instanceof StartupError) {
      io.err(`cairn serve: ${e.message}`);
      for (const d of e.details) io.err(`  ${d}`);
      return 1;
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      io.err(`cairn serve: cannot listen: ${code === 'EADDRINUSE' ? 'the port is already in use' : 'permission denied'} (PORT).`);
      return 1;
    }
    throw e;
  }
}

/** An error's message (its first line), for a sentence. */
const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.trim();

let running: RunningServer | undefined;
const hooks = workerHooks(() => running?.registry);

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Start the server (settings from environment variables; see README).',
  usage: HELP,
  async run(args, io) {
    const flag = parseWorkers(args, io);
    if (flag === 'bad') return 2;
    let settings: Readonly<Settings>;
    try {
      settings = loadSettings(io.env, io.cwd);
    } catch (e) {
      if (e instanceof SettingsError) {
        io.err(`cairn serve: ${e.message}`);
        return 1;
      }
      throw e;
    }
    const workers = flag ?? settings.workers ?? availableParallelism();
    if (!isClusterWorker() && workers > 1) return runPrimary(workers, settings.host, io);

    absorbFailedCommits((cause) =>
      io.err(`cairn serve: a store commit failed and was rolled back; no answer depended on it, serving on (${describe(cause)}).`),
    );
    const started = await startOne(settings, io);
    if (typeof started === 'number') {
      if (isClusterWorker()) hooks.failed();
      return started;
    }
    running = started;
    const server = started;
    if (isClusterWorker()) hooks.ready(server.port);
    else io.out(`Cairn listening on ${settings.host}:${server.port} (public URL ${settings.publicUrl}).`);
    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (why: string): void => {
        if (stopping) return;
        stopping = true;
        if (!isClusterWorker()) io.out(`Received ${why}; finishing in-flight requests.`);
        void server.close().then(resolve);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
      hooks.onShutdown(() => stop('shutdown'));
    });
    // A worker's channel to the primary would keep it alive: close it once the server has stopped.
    if (isClusterWorker()) process.disconnect?.();
    return 0;
  },
};
