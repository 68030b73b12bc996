/**
 * `cairn serve`: starts the server with settings from the environment (what `npm start` runs) and
 * stops gracefully on SIGTERM / SIGINT.
 */
import { loadSettings, SettingsError } from '../config/settings.js';
import { startServer, StartupError } from '../server/start.js';
import type { Command } from './main.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Start the server (settings from environment variables; see README).',
  async run(args, io) {
    if (args.includes('--help') || args.includes('-h')) {
      io.out('Usage: cairn serve\nSettings come from environment variables; see README "Configuration".');
      return 0;
    }
    if (args.length > 0) {
      io.err(`cairn serve: unexpected argument "${args[0]}".`);
      return 2;
    }
    let running;
    try {
      const settings = loadSettings(io.env, io.cwd);
      running = await startServer(settings, { log: io.err });
      io.out(`Cairn listening on ${settings.host}:${running.port} (public URL ${settings.publicUrl}).`);
    } catch (e) {
      if (e instanceof SettingsError || e instanceof StartupError) {
        io.err(`cairn serve: ${e.message}`);
        for (const d of e instanceof StartupError ? e.details : []) io.err(`  ${d}`);
        return 1;
      }
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES') {
        io.err(`cairn serve: cannot listen: ${code === 'EADDRINUSE' ? 'the port is already in use' : 'permission denied'} (PORT).`);
        return 1;
      }
      throw e;
    }
    const server = running;
    await new Promise<void>((resolve) => {
      const stop = (signal: string): void => {
        io.out(`Received ${signal}; shutting down.`);
        void server.close().then(resolve);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    return 0;
  },
};
