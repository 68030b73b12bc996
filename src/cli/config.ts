/**
 * `cairn config show [--json]`: the effective settings (defaults, config file, environment), with
 * secrets masked and where each value came from; a bad value is reported by name with exit 1.
 */
import { describeSettings, loadSettings, SettingsError } from '../config/settings.js';
import type { Command } from './main.js';

export const configCommand: Command = {
  name: 'config',
  summary: 'Show the effective settings (secrets masked).',
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub !== 'show') {
      io.err(sub ? `cairn config: unknown subcommand "${sub}".` : 'cairn config: a subcommand is needed.');
      io.err('Usage: cairn config show [--json]');
      return 2;
    }
    let settings;
    try {
      settings = loadSettings(io.env, io.cwd);
    } catch (e) {
      if (e instanceof SettingsError) {
        io.err(`cairn config: ${e.message}`);
        return 1;
      }
      throw e;
    }
    const rows = describeSettings(settings);
    if (rest.includes('--json')) {
      io.out(JSON.stringify(Object.fromEntries(rows.map((r) => [r.name, r.value])), null, 2));
      return 0;
    }
    const shown = rows.map((r) => [
      r.env,
      r.value === undefined ? '(unset)' : typeof r.value === 'string' ? r.value : JSON.stringify(r.value),
      r.source,
    ]);
    const widths = [0, 1].map((i) => Math.max(...shown.map((r) => (r[i] as string).length)));
    for (const r of shown) io.out(`${(r[0] as string).padEnd(widths[0] as number)}  ${(r[1] as string).padEnd(widths[1] as number)}  ${r[2]}`);
    return 0;
  },
};
